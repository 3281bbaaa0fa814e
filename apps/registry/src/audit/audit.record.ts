import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('audit_log')
export class AuditRecord {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true }) id!: string;
  @Column({ name: 'recorded_at', type: 'datetime', precision: 3 }) recordedAt!: Date;
  @Column({ name: 'actor_role', type: 'varchar', length: 20 }) actorRole!: string;
  @Column({ name: 'actor_id', type: 'varchar', length: 120 }) actorId!: string;
  @Column({ type: 'varchar', length: 60 }) action!: string;
  @Column({ name: 'resource_type', type: 'varchar', length: 40 }) resourceType!: string;
  @Column({ name: 'resource_id', type: 'varchar', length: 64 }) resourceId!: string;
  @Column({ name: 'before_version', type: 'int', unsigned: true, nullable: true }) beforeVersion!: number | null;
  @Column({ name: 'after_version', type: 'int', unsigned: true, nullable: true }) afterVersion!: number | null;
  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true }) requestId!: string | null;
  @Column({ type: 'text', nullable: true }) details!: string | null;
}
