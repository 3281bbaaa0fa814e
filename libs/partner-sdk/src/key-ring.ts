import { publicKeyOf, signatureJob, verifyEvent, type KeyInput, type RestrictionEvent } from '@cd/contracts';
import type { KeyObject } from 'node:crypto';
import type { SignatureJob, SignatureVerifierPool } from './verify-pool';

export type SignatureCheck = 'VALID' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE';

export interface EventVerifier {
  check(event: RestrictionEvent): Promise<SignatureCheck>;
}

export interface ServiceKeyRingOptions {
  /** Fetches the service's current key list (GET /v1/public/event-keys); asked again when an unknown key id shows up. */
  fetchKeys?: () => Promise<Record<string, string>>;
  /** At most one fetch per this many ms, so forged key ids cannot hammer the registry. Default 5 s. */
  minRefreshIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The service's event-signing public keys by key id. A key id not held triggers a
 * refetch of the list (rotation); only when the fresh list lacks it too is the event
 * UNKNOWN_KEY. When the list cannot be fetched, check() throws: the event is retried
 * later instead of being skipped as unverifiable.
 */
export class ServiceKeyRing implements EventVerifier {
  private keys = new Map<string, KeyObject>();
  private lastFetch?: number;
  private fetching?: Promise<void>;

  constructor(
    initial: Record<string, KeyInput> = {},
    private readonly options: ServiceKeyRingOptions = {},
  ) {
    for (const [keyId, key] of Object.entries(initial)) this.keys.set(keyId, publicKeyOf(key));
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  async check(event: RestrictionEvent): Promise<SignatureCheck> {
    const keyId = typeof event.sigkeyid === 'string' && event.sigkeyid.length > 0 ? event.sigkeyid : undefined;
    if (!keyId) return 'UNKNOWN_KEY';
    if (!this.keys.has(keyId) && this.options.fetchKeys) {
      const wait = (this.lastFetch ?? -Infinity) + (this.options.minRefreshIntervalMs ?? 5_000) - this.now();
      if (wait > 0) await (this.options.sleep ?? sleep)(wait);
      if (!this.keys.has(keyId)) await this.refresh();
    }
    if (!this.keys.has(keyId)) return 'UNKNOWN_KEY';
    return verifyEvent(event, Object.fromEntries(this.keys)) ? 'VALID' : 'BAD_SIGNATURE';
  }

  /**
   * check() for each event, with the same answers. With a pool, the signatures by keys already
   * held are verified together on its threads; an event with a key id not held still goes
   * through check() here (refetch of the key list included).
   */
  async checkAll(events: readonly RestrictionEvent[], pool?: SignatureVerifierPool): Promise<SignatureCheck[]> {
    if (!pool) {
      const checks: SignatureCheck[] = [];
      for (const event of events) checks.push(await this.check(event));
      return checks;
    }
    const answers = new Array<SignatureCheck>(events.length);
    const jobs: SignatureJob[] = [];
    const jobEvents: number[] = [];
    const unheld: number[] = [];
    for (const [i, event] of events.entries()) {
      const key = typeof event.sigkeyid === 'string' ? this.keys.get(event.sigkeyid) : undefined;
      if (!key) {
        unheld.push(i);
        continue;
      }
      const job = signatureJob(event, key);
      if (!job) {
        answers[i] = 'BAD_SIGNATURE';
        continue;
      }
      jobs.push(job);
      jobEvents.push(i);
    }
    const verifying = pool.verify(jobs);
    verifying.catch(() => undefined); // awaited below, unless a check() before it throws
    for (const i of unheld) answers[i] = await this.check(events[i]);
    (await verifying).forEach((valid, j) => (answers[jobEvents[j]] = valid ? 'VALID' : 'BAD_SIGNATURE'));
    return answers;
  }

  /** Loads the key list now; keys already held stay (the service keeps retired keys listed anyway). */
  async refresh(): Promise<void> {
    const fetchKeys = this.options.fetchKeys;
    if (!fetchKeys) return;
    this.fetching ??= (async () => {
      try {
        this.lastFetch = this.now();
        const fetched = await fetchKeys();
        for (const [keyId, pem] of Object.entries(fetched)) if (!this.keys.has(keyId)) this.keys.set(keyId, publicKeyOf(pem));
      } finally {
        this.fetching = undefined;
      }
    })();
    await this.fetching;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
