import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { calendarProvider } from '../common/calendar.provider';
import { IdempotencyStore } from '../common/idempotency.store';
import { IdentifierHasher } from '../common/identifier-hasher';
import { dataSourceOptions } from './data-source-options';
import { TransactionRunner } from './transaction-runner';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config.db), retryAttempts: 3, retryDelay: 1000 }),
    }),
  ],
  providers: [TransactionRunner, IdentifierHasher, IdempotencyStore, calendarProvider],
  exports: [TransactionRunner, IdentifierHasher, IdempotencyStore, calendarProvider],
})
export class DatabaseModule {}
