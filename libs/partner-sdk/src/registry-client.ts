import { REJECTION_REASONS, type BucketDigest, type Receipt, type RejectionReason, type RestrictionEvent } from '@cd/contracts';
import type { RestrictionKind, RestrictionStatus } from '@cd/domain';
import { ReceiptRejectedError, RegistryError } from './errors';

// The registry's partner-facing REST resources (bearer JWT, role `partner`).

export type TokenSource = string | (() => string | Promise<string>);

export interface RegistryClientOptions {
  /** Base URL without the /v1 prefix, e.g. https://registry.example.cn */
  baseUrl: string;
  token?: TokenSource;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface EventKey {
  keyId: string;
  algorithm: 'Ed25519';
  publicKeyPem: string;
}

export interface AuthoritativeItem {
  restrictionId: string;
  kind: RestrictionKind;
  version: number;
  status: RestrictionStatus;
  event: RestrictionEvent;
}

export interface AuthoritativePage {
  items: AuthoritativeItem[];
  nextCursor: string | null;
}

export interface BucketDigestEntry extends BucketDigest {
  bucket: number;
}

export class RegistryClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: RegistryClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async eventKeys(): Promise<EventKey[]> {
    const body = await this.request<{ keys: EventKey[] }>('GET', '/v1/public/event-keys', undefined, false);
    return body.keys.filter((key) => key.algorithm === 'Ed25519');
  }

  /** 202 ACCEPTED or DUPLICATE; throws ReceiptRejectedError on 422 RECEIPT_REJECTED. */
  async submitReceipt(receipt: Receipt): Promise<'ACCEPTED' | 'DUPLICATE'> {
    try {
      return (await this.request<{ status: 'ACCEPTED' | 'DUPLICATE' }>('POST', '/v1/receipts', receipt)).status;
    } catch (error) {
      if (error instanceof RegistryError && error.status === 422 && error.code === 'RECEIPT_REJECTED') {
        const problem = error.problem as { reason?: string; detail?: string };
        const reason = (REJECTION_REASONS as readonly string[]).includes(problem.reason ?? '') ? (problem.reason as RejectionReason) : 'MALFORMED';
        throw new ReceiptRejectedError(reason, problem.detail ?? '');
      }
      throw error;
    }
  }

  async restrictionsPage(query: { bucket: number; cursor?: string | null; limit?: number }): Promise<AuthoritativePage> {
    const params = new URLSearchParams({ bucket: String(query.bucket) });
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.limit) params.set('limit', String(query.limit));
    return this.request<AuthoritativePage>('GET', `/v1/partners/me/restrictions?${params}`);
  }

  async reconcile(buckets: BucketDigestEntry[]): Promise<number[]> {
    return (await this.request<{ differingBuckets: number[] }>('POST', '/v1/partners/me/reconciliations', { buckets })).differingBuckets;
  }

  private async request<T>(method: string, path: string, body?: unknown, authenticated = true): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authenticated) {
      const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
      if (!token) throw new Error(`a registry token is needed for ${method} ${path}`);
      headers.authorization = `Bearer ${token}`;
    }
    const response = await this.fetch(new URL(path.replace(/^\//, ''), withSlash(this.options.baseUrl)), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const problem = parsed as { code?: string; title?: string; detail?: string } | undefined;
      throw new RegistryError(
        response.status,
        problem?.code,
        `${method} ${path.split('?')[0]} answered ${response.status}${problem?.code ? ` ${problem.code}` : ''}${problem?.detail ? `: ${problem.detail}` : ''}`,
        parsed,
      );
    }
    if (parsed === undefined) throw new RegistryError(response.status, undefined, `${method} ${path.split('?')[0]} answered without a JSON body`);
    return parsed as T;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
