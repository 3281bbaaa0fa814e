import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('outbox')
export class OutboxRecord {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true }) id!: string;
  @Column({ name: 'event_id', type: 'char', length: 36 }) eventId!: string;
  @Column({ name: 'restriction_id', type: 'char', length: 36 }) restrictionId!: string;
  @Column({ type: 'int', unsigned: true }) version!: number;
  @Column({ type: 'varchar', length: 200 }) topic!: string;
  @Column({ type: 'longtext' }) payload!: string;
  @Column({ name: 'available_at', type: 'datetime', precision: 3 }) availableAt!: Date;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'published_at', type: 'datetime', precision: 3, nullable: true }) publishedAt!: Date | null;
  @Column({ name: 'kafka_partition', type: 'int', nullable: true }) kafkaPartition!: number | null;
  @Column({ name: 'kafka_offset', type: 'bigint', nullable: true }) kafkaOffset!: string | null;
  // The column's DEFAULT 0 is the migration's; declaring it here would make every insert read the row back.
  @Column({ type: 'int', unsigned: true }) attempts!: number;
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true }) lastError!: string | null;
}
