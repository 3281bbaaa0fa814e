import { bucketOf, generateSigningKeyPair, verifyReceipt, type Receipt, type RestrictionEvent } from '@cd/contracts';
import { applyIfNewer } from './apply';
import { ReceiptRejectedError } from './errors';
import { PartnerClient, type PartnerClientConfig } from './partner-client';
import { activeDigests } from './reconciliation';
import type { AuthoritativeItem } from './registry-client';
import { MemoryRestrictionStore } from './store';
import { signedEvent } from './testing/events';

// The REST side of the client against a fake registry (no Kafka is touched by these calls).

const service = generateSigningKeyPair();
const partner = generateSigningKeyPair();
const serviceKey = { keyId: 'svc-1', privateKey: service.privateKeyPem };

interface Call {
  method: string;
  url: URL;
  authorization?: string;
  body?: unknown;
}

function fakeRegistry(route: (call: Call) => { status: number; body: unknown }) {
  const calls: Call[] = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const call: Call = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      authorization: headers.authorization,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const { status, body } = route(call);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' } });
  }) as typeof fetch;
  return { fetch: fakeFetch, calls };
}

function client(fetch: typeof globalThis.fetch, overrides: Partial<PartnerClientConfig> = {}): PartnerClient {
  return new PartnerClient({
    partnerId: 'bank-1',
    kinds: ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION'],
    brokers: ['127.0.0.1:1'],
    signingKey: { keyId: 'bank-1-key', privateKeyPem: partner.privateKeyPem },
    registryUrl: 'https://registry.test/base',
    token: 'jwt-123',
    receiptTransport: 'rest',
    fetch,
    ...overrides,
  });
}

const item = (event: RestrictionEvent): AuthoritativeItem => ({
  restrictionId: event.data.id,
  kind: event.data.kind,
  version: event.data.version,
  status: event.data.status,
  event,
});

describe('PartnerClient over REST', () => {
  it('signs receipts with the partner key and posts them with the bearer token', async () => {
    const registry = fakeRegistry(() => ({ status: 202, body: { status: 'ACCEPTED' } }));
    const sent = await client(registry.fetch).sendReceipt({ restrictionId: 'r-1', version: 2, eventId: 'e-2', outcome: 'APPLIED', partnerReference: 'T-9' });
    expect(sent.status).toBe('ACCEPTED');
    const [call] = registry.calls;
    expect([call.method, call.url.href, call.authorization]).toEqual(['POST', 'https://registry.test/base/v1/receipts', 'Bearer jwt-123']);
    const receipt = call.body as Receipt;
    expect(receipt).toMatchObject({ partnerId: 'bank-1', restrictionId: 'r-1', version: 2, eventId: 'e-2', outcome: 'APPLIED', keyId: 'bank-1-key', partnerReference: 'T-9' });
    expect(verifyReceipt(receipt, partner.publicKeyPem)).toBe(true);
  });

  it('turns 422 RECEIPT_REJECTED into a ReceiptRejectedError with the reason', async () => {
    const registry = fakeRegistry(() => ({
      status: 422,
      body: { type: 'about:blank', title: 'Receipt rejected', status: 422, code: 'RECEIPT_REJECTED', reason: 'VERSION_NOT_PUBLISHED', detail: 'version 9 was never sent' },
    }));
    const error = await client(registry.fetch)
      .sendReceipt({ restrictionId: 'r-1', version: 9, eventId: 'e', outcome: 'APPLIED' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiptRejectedError);
    expect((error as ReceiptRejectedError).reason).toBe('VERSION_NOT_PUBLISHED');
  });

  it('refuses a FAILED receipt without a reason', async () => {
    const registry = fakeRegistry(() => ({ status: 202, body: { status: 'ACCEPTED' } }));
    await expect(client(registry.fetch).sendReceipt({ restrictionId: 'r', version: 1, eventId: 'e', outcome: 'FAILED' })).rejects.toThrow(/reason/);
    expect(registry.calls).toEqual([]);
  });

  it('reconciles with the digests of the ACTIVE entries', async () => {
    const store = new MemoryRestrictionStore();
    await applyIfNewer(store, signedEvent({ id: 'r-1', version: 2 }, serviceKey));
    await applyIfNewer(store, signedEvent({ id: 'r-2', version: 3, status: 'LIFTED' }, serviceKey));
    const registry = fakeRegistry(() => ({ status: 200, body: { differingBuckets: [200, 7] } }));
    const result = await client(registry.fetch).reconcile(store);
    expect(result).toEqual({ differingBuckets: [7, 200], activeEntries: 1, bucketsSent: 1 });
    expect(registry.calls[0].url.pathname).toBe('/base/v1/partners/me/reconciliations');
    expect(registry.calls[0].body).toEqual({ buckets: await activeDigests(store) });
  });

  it('fetches a bucket page by page', async () => {
    const events = [1, 2, 3].map((n) => signedEvent({ id: `r-${n}` }, serviceKey));
    const registry = fakeRegistry(({ url }) => {
      const cursor = url.searchParams.get('cursor');
      return cursor === null
        ? { status: 200, body: { items: events.slice(0, 2).map(item), nextCursor: 'r-2' } }
        : { status: 200, body: { items: events.slice(2).map(item), nextCursor: null } };
    });
    const items = await client(registry.fetch).fetchBucket(12, { pageSize: 2 });
    expect(items.map((i) => i.restrictionId)).toEqual(['r-1', 'r-2', 'r-3']);
    expect(registry.calls.map((c) => c.url.search)).toEqual(['?bucket=12&limit=2', '?bucket=12&cursor=r-2&limit=2']);
  });

  it('repairs buckets from verified authoritative events, fetching the service keys first, and confirms what it applied', async () => {
    const store = new MemoryRestrictionStore();
    const lifted = signedEvent({ id: 'r-1', version: 3, status: 'LIFTED' }, serviceKey);
    await applyIfNewer(store, signedEvent({ id: 'r-1', version: 2 }, serviceKey));
    const forged = signedEvent({ id: 'r-forged', version: 1 }, { keyId: 'svc-1', privateKey: generateSigningKeyPair().privateKeyPem });
    const orphan = signedEvent({ id: 'r-orphan' }, serviceKey);
    await applyIfNewer(store, orphan);
    const buckets = [...new Set([bucketOf('r-1'), bucketOf('r-forged'), bucketOf('r-orphan')])];

    const receipts: Receipt[] = [];
    const registry = fakeRegistry(({ url, method, body }) => {
      if (url.pathname.endsWith('/v1/public/event-keys')) {
        return { status: 200, body: { keys: [{ keyId: 'svc-1', algorithm: 'Ed25519', publicKeyPem: service.publicKeyPem }] } };
      }
      if (method === 'POST' && url.pathname.endsWith('/v1/receipts')) {
        receipts.push(body as Receipt);
        return { status: 202, body: { status: 'ACCEPTED' } };
      }
      const bucket = Number(url.searchParams.get('bucket'));
      const items = [lifted, forged].filter((e) => bucketOf(e.data.id) === bucket).map(item);
      return { status: 200, body: { items, nextCursor: null } };
    });

    const result = await client(registry.fetch, { serviceKeys: undefined }).repair(store, buckets);
    expect(result).toMatchObject({ fetched: 2, applied: 1, invalid: 1, receiptsSent: 1, orphans: ['r-orphan'], dropped: 0 });
    expect(await store.get('r-1')).toMatchObject({ version: 3, status: 'LIFTED' });
    expect(await store.get('r-forged')).toBeUndefined();
    expect(await store.get('r-orphan')).toBeDefined();
    expect(receipts.map((r) => [r.restrictionId, r.version, r.eventId, r.outcome])).toEqual([['r-1', 3, lifted.id, 'APPLIED']]);
    expect(registry.calls[0].authorization).toBeUndefined();
  });

  it('needs a way to verify events and, for REST receipts, a registry', () => {
    const base = { partnerId: 'p', kinds: ['EXIT_BAN'] as const, brokers: ['b:1'], signingKey: { keyId: 'k', privateKeyPem: partner.privateKeyPem } };
    expect(() => new PartnerClient({ ...base })).toThrow(/serviceKeys or registryUrl/);
    expect(() => new PartnerClient({ ...base, serviceKeys: { s: service.publicKeyPem }, receiptTransport: 'rest' })).toThrow(/registryUrl and token/);
    const ok = new PartnerClient({ ...base, serviceKeys: { s: service.publicKeyPem }, topicPrefix: 'acme' });
    expect(ok.topics).toEqual(['acme.exit-ban.v1']);
  });
});
