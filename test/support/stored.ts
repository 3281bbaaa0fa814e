// Reads what the registry stored, decrypted as the service itself would (personal data is
// encrypted at rest): for tests that check the outbox row behind an event.
import type { RestrictionEvent } from '@cd/contracts';
import { contextOf } from '../../apps/registry/src/crypto/encrypted-columns';
import { FieldCipher } from '../../apps/registry/src/crypto/field-cipher';
import type { TestRegistry } from './registry';

/** The restriction's outbox rows, oldest version first, with their events decrypted. */
export async function storedEvents(registry: TestRegistry, restrictionId: string): Promise<{ version: number; event: RestrictionEvent }[]> {
  const cipher = registry.app.get(FieldCipher);
  const rows: { version: number; event_id: string; payload: string }[] = await registry.dataSource.query(
    'SELECT version, event_id, payload FROM outbox WHERE restriction_id = ? ORDER BY version',
    [restrictionId],
  );
  return rows.map((row) => ({ version: row.version, event: JSON.parse(cipher.decrypt(row.payload, contextOf.outboxPayload(row.event_id))) as RestrictionEvent }));
}
