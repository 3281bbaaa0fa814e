import { Logger } from '@nestjs/common';
import { publicKeyFromJwk, type VerificationKey } from './verification-key';

export interface JwksOptions {
  url: string;
  /** At most one fetch per cooldown, whatever the tokens ask for: unknown kids cannot make us hammer the provider. */
  cooldownMs: number;
  timeoutMs: number;
  /** Keys older than this are refetched before use; on failure the last good set stays in use. */
  maxAgeMs: number;
}

const MAX_JWKS_BYTES = 512 * 1024;

/**
 * An identity provider's signing keys by kid. Rotation without downtime: the provider publishes
 * the new key before signing with it, a token with an unknown kid triggers a refetch (rate-limited),
 * and a key the provider withdrew is dropped at the next successful fetch. A failed fetch keeps
 * the last good set, so a provider outage does not log everyone out.
 */
export class JwksKeySet {
  private readonly logger = new Logger('Jwks');
  private keys = new Map<string, VerificationKey>();
  private loadedAt: number | undefined;
  private attemptedAt: number | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly options: JwksOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async get(kid: string): Promise<VerificationKey | undefined> {
    if (this.stale()) await this.refresh();
    if (!this.keys.has(kid)) await this.refresh();
    return this.keys.get(kid);
  }

  /** Fetches unless a fetch ran within the cooldown; joins one already under way. */
  private refresh(): Promise<void> {
    if (this.pending) return this.pending;
    if (this.attemptedAt !== undefined && this.now() - this.attemptedAt < this.options.cooldownMs) return Promise.resolve();
    this.attemptedAt = this.now();
    this.pending = this.fetchKeys()
      .then((keys) => {
        this.keys = keys;
        this.loadedAt = this.now();
      })
      .catch((error: Error) => {
        this.logger.warn(`JWKS ${this.options.url} not refreshed (keeping ${this.keys.size} key(s)): ${error.message}`);
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private stale(): boolean {
    return this.loadedAt === undefined || this.now() - this.loadedAt >= this.options.maxAgeMs;
  }

  private async fetchKeys(): Promise<Map<string, VerificationKey>> {
    const response = await fetch(this.options.url, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (response.status !== 200) throw new Error(`answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error('JWKS too large');
    const body = JSON.parse(text) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('no "keys" array');
    const keys = new Map<string, VerificationKey>();
    const ambiguous = new Set<string>();
    for (const jwk of body.keys as Record<string, unknown>[]) {
      const kid = jwk?.kid;
      if (typeof kid !== 'string' || !kid) continue;
      const found = publicKeyFromJwk(jwk);
      if (typeof found === 'string') {
        this.logger.warn(`JWKS key "${kid}" ignored: ${found}`);
      } else if (keys.has(kid) || ambiguous.has(kid)) {
        // Two keys under one kid: which one signed a token would be a guess, so neither is used.
        keys.delete(kid);
        ambiguous.add(kid);
      } else {
        keys.set(kid, found);
      }
    }
    return keys;
  }
}
