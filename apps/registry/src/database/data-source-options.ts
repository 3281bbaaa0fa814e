import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { Foundation1764400000000 } from '../../../../migrations/1764400000000-Foundation';
import { Distribution1764500000000 } from '../../../../migrations/1764500000000-Distribution';
import { Corrections1764600000000 } from '../../../../migrations/1764600000000-Corrections';
import { PublicSearch1764700000000 } from '../../../../migrations/1764700000000-PublicSearch';
import { EncryptPersonalData1764800000000 } from '../../../../migrations/1764800000000-EncryptPersonalData';
import { LeanerPublication1764900000000 } from '../../../../migrations/1764900000000-LeanerPublication';
import { PublicNameOrder1765000000000 } from '../../../../migrations/1765000000000-PublicNameOrder';
import { CourtListOrder1765100000000 } from '../../../../migrations/1765100000000-CourtListOrder';
import { RateLimitCounters1766304000000 } from '../../../../migrations/1766304000000-RateLimitCounters';
import { ENTITIES } from './entities';

export const MIGRATIONS = [Foundation1764400000000, Distribution1764500000000, Corrections1764600000000, PublicSearch1764700000000, EncryptPersonalData1764800000000, LeanerPublication1764900000000, PublicNameOrder1765000000000, CourtListOrder1765100000000, RateLimitCounters1766304000000];

export function dataSourceOptions(db: AppConfig['db']): DataSourceOptions {
  return {
    type: 'mysql',
    host: db.host,
    port: db.port,
    username: db.user,
    password: db.password,
    database: db.database,
    charset: 'utf8mb4_unicode_ci',
    // Instants are stored as UTC DATETIME(3); mysql2 converts JS Dates with this zone.
    timezone: 'Z',
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    poolSize: db.poolSize,
    extra: { connectionLimit: db.poolSize, decimalNumbers: true },
    logging: false,
  };
}
