import { Column, Entity, PrimaryColumn } from 'typeorm';

// Persistence records: the columns are projections used for lookups; `state`
// holds the aggregate's complete state, which is what the domain works on —
// encrypted (crypto/field-cipher.ts), as it carries identifiers.

@Entity('restrictions')
export class RestrictionRecord {
  @PrimaryColumn({ type: 'char', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 32 }) kind!: string;
  @Column({ type: 'int', unsigned: true }) version!: number;
  @Column({ type: 'varchar', length: 16 }) status!: string;
  @Column({ name: 'court_code', type: 'varchar', length: 32 }) courtCode!: string;
  @Column({ name: 'case_number', type: 'varchar', length: 100 }) caseNumber!: string;
  @Column({ name: 'subject_type', type: 'varchar', length: 16 }) subjectType!: string;
  @Column({ name: 'subject_name', type: 'varchar', length: 300 }) subjectName!: string;
  @Column({ name: 'subject_id_type', type: 'varchar', length: 16 }) subjectIdType!: string;
  @Column({ name: 'subject_id_hash', type: 'binary', length: 32 }) subjectIdHash!: Buffer;
  @Column({ type: 'varchar', length: 40, nullable: true }) ground!: string | null;
  @Column({ name: 'linked_listing_id', type: 'char', length: 36, nullable: true }) linkedListingId!: string | null;
  @Column({ name: 'decided_at', type: 'datetime', precision: 3 }) decidedAt!: Date;
  @Column({ name: 'effective_at', type: 'datetime', precision: 3 }) effectiveAt!: Date;
  @Column({ name: 'publish_after', type: 'datetime', precision: 3, nullable: true }) publishAfter!: Date | null;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true }) expiresAt!: Date | null;
  @Column({ name: 'lifted_at', type: 'datetime', precision: 3, nullable: true }) liftedAt!: Date | null;
  @Column({ name: 'lift_reason', type: 'varchar', length: 40, nullable: true }) liftReason!: string | null;
  @Column({ name: 'active_listing_key', type: 'binary', length: 32, nullable: true }) activeListingKey!: Buffer | null;
  @Column({ type: 'longtext' }) state!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}

@Entity('restriction_persons')
export class RestrictionPersonRecord {
  @PrimaryColumn({ name: 'restriction_id', type: 'char', length: 36 }) restrictionId!: string;
  @PrimaryColumn({ type: 'smallint', unsigned: true }) seq!: number;
  @Column({ type: 'varchar', length: 40 }) role!: string;
  @Column({ type: 'varchar', length: 300 }) name!: string;
  @Column({ name: 'id_type', type: 'varchar', length: 16 }) idType!: string;
  @Column({ name: 'id_hash', type: 'binary', length: 32 }) idHash!: Buffer;
}

@Entity('restriction_history')
export class RestrictionHistoryRecord {
  @PrimaryColumn({ name: 'restriction_id', type: 'char', length: 36 }) restrictionId!: string;
  @PrimaryColumn({ type: 'int', unsigned: true }) version!: number;
  @Column({ name: 'change_type', type: 'varchar', length: 16 }) changeType!: string;
  @Column({ name: 'event_id', type: 'char', length: 36 }) eventId!: string;
  @Column({ type: 'varchar', length: 120 }) actor!: string;
  @Column({ type: 'longtext' }) state!: string;
  @Column({ name: 'recorded_at', type: 'datetime', precision: 3 }) recordedAt!: Date;
}
