import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { calendarProvider } from '../common/calendar.provider';
import { IdempotencyStore } from '../common/idempotency.store';
import { IdentifierHasher } from '../common/identifier-hasher';
import { FieldCipher } from '../crypto/field-cipher';
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
  providers: [
    TransactionRunner,
    IdentifierHasher,
    { provide: FieldCipher, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new FieldCipher(config.dataKeys) },
    IdempotencyStore,
    calendarProvider,
  ],
  exports: [TransactionRunner, IdentifierHasher, FieldCipher, IdempotencyStore, calendarProvider],
})
export class DatabaseModule {}
