import { restrictionEvent, restrictionTopic, type RestrictionChange } from '@cd/contracts';
import type { RestrictionState } from '@cd/domain';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { contextOf } from '../crypto/encrypted-columns';
import { FieldCipher } from '../crypto/field-cipher';
import { EventSigner } from './event-signer';
import { OutboxRecord } from './outbox.record';

/** Writes the event for a state change into the outbox, inside the caller's transaction (guarantee 1). */
@Injectable()
export class OutboxWriter {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly signer: EventSigner,
    private readonly cipher: FieldCipher,
  ) {}

  /**
   * One event per change, all in one INSERT. `graceChanged`: the grace period was set, moved or
   * removed by this change, so earlier unpublished rows of the restriction are rescheduled with
   * it and none overtakes another.
   */
  async append(
    manager: EntityManager,
    changes: { state: RestrictionState; change: RestrictionChange; eventId: string; graceChanged: boolean }[],
    now: Date,
  ): Promise<void> {
    const rows = [];
    for (const { state, change, eventId, graceChanged } of changes) {
      const event = this.signer.sign(restrictionEvent(state, change, { eventId, source: this.config.events.source, time: now.toISOString() }));
      // Grace period: held (with every later change of the same restriction) until publishAfter.
      const publishAfter = state.publishAfter ? new Date(state.publishAfter) : undefined;
      const availableAt = publishAfter && publishAfter > now ? publishAfter : now;
      if (graceChanged) {
        await manager.query('UPDATE outbox SET available_at = ? WHERE restriction_id = ? AND published_at IS NULL', [availableAt, state.id]);
      }
      rows.push({
        eventId,
        restrictionId: state.id,
        version: state.version,
        topic: restrictionTopic(state.kind, this.config.kafka.topicPrefix),
        // The signed event carries full identifiers: encrypted at rest, decrypted by the relay right before sending.
        payload: this.cipher.encrypt(JSON.stringify(event), contextOf.outboxPayload(eventId)),
        availableAt,
        createdAt: now,
        attempts: 0,
      });
    }
    if (rows.length > 0) await manager.insert(OutboxRecord, rows);
  }
}
