import type { RestrictionEvent } from '@cd/contracts';
import type { RestrictionKind } from '@cd/domain';
import type { EventHandler, HandlerResult } from './event-pipeline';
import type { RestrictionStore } from './store';

export type ApplyResult = 'applied' | 'stale' | 'duplicate';

/**
 * Events carry the full state and a per-restriction version (architecture guarantee 3):
 * apply only what is newer than what is held, so replays and redeliveries are harmless.
 */
export async function applyIfNewer(store: RestrictionStore, event: RestrictionEvent): Promise<ApplyResult> {
  const { data } = event;
  const held = await store.get(data.id);
  if (held && data.version < held.version) return 'stale';
  if (held && data.version === held.version) return 'duplicate';
  await store.put(data.id, { version: data.version, status: data.status, state: data, eventId: event.id });
  return 'applied';
}

export interface ApplyToStoreOptions {
  /** Kinds this partner enforces; an event of another kind is answered NOT_APPLICABLE and not stored. */
  kinds: readonly RestrictionKind[];
  /** Called after each decision (for logging or the partner's own enforcement hooks). */
  onApplied?: (event: RestrictionEvent, result: ApplyResult) => void | Promise<void>;
  /** Your reference for the receipt (ticket, job id). */
  partnerReference?: (event: RestrictionEvent) => string | undefined;
}

/**
 * The usual handler: apply to the store and confirm. A duplicate is confirmed again
 * (the first receipt may have been lost before the offset was committed); a stale
 * event is not, because a newer version is already held and was confirmed.
 */
export function applyToStore(store: RestrictionStore, options: ApplyToStoreOptions): EventHandler {
  return async (event): Promise<HandlerResult | null> => {
    if (!options.kinds.includes(event.data.kind)) {
      return { outcome: 'NOT_APPLICABLE', reason: `kind ${event.data.kind} is not enforced by this partner` };
    }
    const result = await applyIfNewer(store, event);
    await options.onApplied?.(event, result);
    if (result === 'stale') return null;
    return { outcome: 'APPLIED', partnerReference: options.partnerReference?.(event) };
  };
}
