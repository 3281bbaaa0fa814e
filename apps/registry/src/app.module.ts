import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CorrectionsModule } from './corrections/corrections.module';
import { ProblemFilter } from './common/problem.filter';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { InquiryModule } from './inquiry/inquiry.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { PagesModule } from './pages/pages.module';
import { PartnersModule } from './partners/partners.module';
import { PartnersCoreModule } from './partners/partners-core.module';
import { ReceiptsModule } from './receipts/receipts.module';
import { SupervisionModule } from './supervision/supervision.module';
import { RestrictionsModule } from './restrictions/restrictions.module';

@Global()
@Module({})
class ConfigModule {
  static register(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(config),
        LoggingModule,
        DatabaseModule,
        AuditModule,
        AuthModule,
        MetricsModule,
        PartnersCoreModule,
        HealthModule,
        RestrictionsModule,
        CorrectionsModule,
        PartnersModule,
        ReceiptsModule,
        SupervisionModule,
        InquiryModule,
        PagesModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
