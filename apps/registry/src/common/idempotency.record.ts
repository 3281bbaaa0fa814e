import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('idempotency_keys')
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'varchar', length: 120 }) principal!: string;
  @PrimaryColumn({ name: 'idem_key', type: 'varchar', length: 200 }) idemKey!: string;
  @Column({ name: 'request_hash', type: 'char', length: 64 }) requestHash!: string;
  @Column({ name: 'status_code', type: 'smallint', unsigned: true }) statusCode!: number;
  @Column({ type: 'longtext' }) response!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
