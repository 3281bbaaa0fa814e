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

/** Publishes everything the outbox holds that is due (for suites that run without the relay loop). */
export async function drainOutbox(registry: TestRegistry): Promise<void> {
  while ((await registry.relay.drainOnce()) > 0);
}

/** Drives the relay until the version is out (for suites that run without the relay loop), and returns its event id. */
export async function publishedEventId(registry: TestRegistry, restrictionId: string, version: number): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    await drainOutbox(registry);
    const rows: { event_id: string }[] = await registry.dataSource.query(
      'SELECT event_id FROM outbox WHERE restriction_id = ? AND version = ? AND published_at IS NOT NULL',
      [restrictionId, version],
    );
    if (rows.length) return rows[0].event_id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`version ${version} of ${restrictionId} was not published`);
}

/** Polls until the condition holds (every 50 ms, at most `timeoutMs`). */
export async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Until the relay has recorded the broker's acknowledgement of every version of these restrictions
 * (outbox marked, ledger updated): a consumer can see an event before that bookkeeping commits.
 */
export async function waitForMarked(registry: TestRegistry, restrictionIds: string[]): Promise<void> {
  await waitUntil(async () => {
    const [row] = await registry.dataSource.query('SELECT COUNT(*) AS n FROM outbox WHERE restriction_id IN (?) AND available_at <= UTC_TIMESTAMP(3) AND published_at IS NULL', [restrictionIds]);
    return Number(row.n) === 0;
  });
}
