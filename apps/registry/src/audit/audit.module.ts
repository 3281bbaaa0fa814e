import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit.log';
import { ReadAuditLog } from './read-audit.log';

@Global()
@Module({ providers: [AuditLog, ReadAuditLog], exports: [AuditLog, ReadAuditLog] })
export class AuditModule {}
