import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('courts')
export class CourtRecord {
  @PrimaryColumn({ type: 'varchar', length: 32 }) code!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ name: 'parent_code', type: 'varchar', length: 32, nullable: true }) parentCode!: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)' }) createdAt!: Date;
}
