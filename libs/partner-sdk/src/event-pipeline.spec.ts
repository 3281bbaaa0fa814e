import { generateSigningKeyPair, signDocument, type RestrictionEvent } from '@cd/contracts';
import { applyToStore } from './apply';
import { ReceiptRejectedError } from './errors';
import { checkEventMessage, checkEventMessages, processEventBatch, type IncomingMessage, type InvalidEvent, type PipelineDeps, type ReceiptRequest, type SentReceipt } from './event-pipeline';
import { ServiceKeyRing } from './key-ring';
import { MemoryRestrictionStore } from './store';
import { signedEvent } from './testing/events';

const service = generateSigningKeyPair();
const impostor = generateSigningKeyPair();
const serviceKey = { keyId: 'svc-1', privateKey: service.privateKeyPem };

let offset = 0;
function message(event: RestrictionEvent | string | null, key?: string | null): IncomingMessage {
  const value = event === null ? null : typeof event === 'string' ? event : JSON.stringify(event);
  const resolvedKey = key !== undefined ? key : typeof event === 'object' && event ? event.data.id : null;
  return { topic: 'p.dishonest-listing.v1', partition: 0, offset: String(offset++), key: resolvedKey, value: value === null ? null : Buffer.from(value) };
}

/** The SDK's per-message path with a memory store and a fake receipt transport that records what it sent. */
function harness(overrides: Partial<PipelineDeps> = {}) {
  const store = new MemoryRestrictionStore();
  const sent: ReceiptRequest[] = [];
  const invalid: InvalidEvent[] = [];
  const calls: string[] = [];
  const deps: PipelineDeps = {
    verifier: new ServiceKeyRing({ 'svc-1': service.publicKeyPem }),
    handler: applyToStore(store, { kinds: ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION'] }),
    sendReceipt: async (request) => {
      calls.push(`send ${request.restrictionId} v${request.version}`);
      sent.push(request);
      return { receipt: { ...request, partnerId: 'p', time: '', keyId: 'k', signature: 's' }, transport: 'kafka', status: 'SENT' } as SentReceipt;
    },
    flush: async () => {
      calls.push('flush');
    },
    onInvalidEvent: (event) => {
      invalid.push(event);
    },
    ...overrides,
  };
  return { store, sent, invalid, calls, deps };
}

describe('processEventBatch', () => {
  it('applies verified events, flushes once, then sends one receipt each and completes the last offset', async () => {
    const { store, sent, calls, deps } = harness();
    const v1 = signedEvent({ id: 'r-1', version: 1 }, serviceKey);
    const v2 = signedEvent({ id: 'r-1', version: 2 }, serviceKey);
    const messages = [message(v1), message(v2)];
    const outcome = await processEventBatch(messages, deps);
    expect(outcome).toMatchObject({ lastCompletedOffset: messages[1].offset, handled: 2, invalid: 0, receiptsSent: 2 });
    expect(outcome.error).toBeUndefined();
    expect(calls).toEqual(['flush', 'send r-1 v1', 'send r-1 v2']);
    expect(sent).toEqual([
      { restrictionId: 'r-1', version: 1, eventId: v1.id, outcome: 'APPLIED' },
      { restrictionId: 'r-1', version: 2, eventId: v2.id, outcome: 'APPLIED' },
    ]);
    expect(await store.get('r-1')).toMatchObject({ version: 2, eventId: v2.id });
  });

  it('does not apply an event with a forged signature, sends no receipt for it, reports it and moves past it', async () => {
    const { store, sent, invalid, deps } = harness();
    const forged = signedEvent({ id: 'r-forged' }, { keyId: 'svc-1', privateKey: impostor.privateKeyPem });
    const genuine = signedEvent({ id: 'r-2' }, serviceKey);
    const messages = [message(forged), message(genuine)];
    const outcome = await processEventBatch(messages, deps);
    expect(await store.get('r-forged')).toBeUndefined();
    expect(await store.get('r-2')).toBeDefined();
    expect(sent.map((r) => r.restrictionId)).toEqual(['r-2']);
    expect(invalid).toEqual([expect.objectContaining({ reason: 'BAD_SIGNATURE', restrictionId: 'r-forged', eventId: forged.id, offset: messages[0].offset })]);
    expect(outcome).toMatchObject({ lastCompletedOffset: messages[1].offset, invalid: 1, handled: 1 });
  });

  it('rejects tampered content, unknown key ids, missing signatures, malformed payloads and mis-keyed events', async () => {
    const { store, sent, invalid, deps } = harness();
    const tampered = signedEvent({ id: 'r-t', status: 'ACTIVE' }, serviceKey);
    tampered.data.status = 'LIFTED';
    const unknownKey = signedEvent({ id: 'r-u' }, { keyId: 'svc-9', privateKey: service.privateKeyPem });
    const unsigned: RestrictionEvent = { ...signedEvent({ id: 'r-n' }, serviceKey) };
    delete unsigned.signature;
    const misKeyed = signedEvent({ id: 'r-k' }, serviceKey);
    const messages = [message(tampered), message(unknownKey), message(unsigned), message('{not json'), message(null, 'r-x'), message(misKeyed, 'r-other')];
    const outcome = await processEventBatch(messages, deps);
    expect(invalid.map((i) => i.reason)).toEqual(['BAD_SIGNATURE', 'UNKNOWN_KEY', 'BAD_SIGNATURE', 'MALFORMED', 'MALFORMED', 'KEY_MISMATCH']);
    expect(await store.entries()).toEqual([]);
    expect(sent).toEqual([]);
    expect(outcome.lastCompletedOffset).toBe(messages[5].offset);
  });

  it('a signature over a different document does not verify (signature covers sigkeyid too)', async () => {
    const { store, invalid, deps } = harness();
    const event = signedEvent({ id: 'r-s' }, serviceKey);
    const { signature: _dropped, ...unsigned } = event;
    const resigned = { ...event, signature: signDocument({ ...unsigned, sigkeyid: 'svc-2' }, service.privateKeyPem) };
    await processEventBatch([message(resigned)], deps);
    expect(invalid.map((i) => i.reason)).toEqual(['BAD_SIGNATURE']);
    expect(await store.get('r-s')).toBeUndefined();
  });

  it('stops at a failing handler: earlier messages are flushed, confirmed and completed, the failing one is not', async () => {
    const store = new MemoryRestrictionStore();
    const apply = applyToStore(store, { kinds: ['DISHONEST_LISTING'] });
    const { sent, deps } = harness({
      handler: async (event, context) => {
        if (event.data.id === 'r-bad') throw new Error('enforcement system down');
        return apply(event, context);
      },
    });
    const messages = [message(signedEvent({ id: 'r-1' }, serviceKey)), message(signedEvent({ id: 'r-bad' }, serviceKey)), message(signedEvent({ id: 'r-3' }, serviceKey))];
    const outcome = await processEventBatch(messages, deps);
    expect(outcome.lastCompletedOffset).toBe(messages[0].offset);
    expect((outcome.error as Error).message).toBe('enforcement system down');
    expect(sent.map((r) => r.restrictionId)).toEqual(['r-1']);
    expect(await store.get('r-3')).toBeUndefined();
  });

  it('completes nothing when the flush fails, so the run is redelivered', async () => {
    const { sent, deps } = harness({
      flush: async () => {
        throw new Error('disk full');
      },
    });
    const outcome = await processEventBatch([message(signedEvent({ id: 'r-1' }, serviceKey))], deps);
    expect(outcome.lastCompletedOffset).toBeNull();
    expect(sent).toEqual([]);
  });

  it('completes up to the receipt that failed to send; a redelivery then re-confirms the duplicate', async () => {
    let failNext = false;
    const h = harness();
    const send = h.deps.sendReceipt;
    h.deps.sendReceipt = async (request) => {
      if (failNext && request.restrictionId === 'r-2') throw new Error('broker unavailable');
      return send(request);
    };
    failNext = true;
    const messages = [message(signedEvent({ id: 'r-1' }, serviceKey)), message(signedEvent({ id: 'r-2' }, serviceKey))];
    const first = await processEventBatch(messages, h.deps);
    expect(first.lastCompletedOffset).toBe(messages[0].offset);
    expect(first.error).toBeInstanceOf(Error);

    failNext = false;
    const again = await processEventBatch(messages.slice(1), h.deps);
    expect(again).toMatchObject({ lastCompletedOffset: messages[1].offset, receiptsSent: 1 });
    expect(h.sent.map((r) => r.restrictionId)).toEqual(['r-1', 'r-2']);
  });

  it('passes over a receipt the registry rejected for good', async () => {
    const rejected: string[] = [];
    const { deps } = harness({
      sendReceipt: async () => {
        throw new ReceiptRejectedError('NOT_ROUTED', 'partner does not enforce this kind');
      },
      onReceiptRejected: (error) => {
        rejected.push(error.reason);
      },
    });
    const messages = [message(signedEvent({ id: 'r-1' }, serviceKey))];
    const outcome = await processEventBatch(messages, deps);
    expect(outcome).toMatchObject({ lastCompletedOffset: messages[0].offset, receiptsRejected: 1 });
    expect(outcome.error).toBeUndefined();
    expect(rejected).toEqual(['NOT_ROUTED']);
  });

  it('sends no receipt when the handler returns none, and stops early when asked to', async () => {
    let budget = 1;
    const { store, sent, deps } = harness({
      handler: async () => null,
      shouldContinue: () => budget-- > 0,
    });
    const messages = [message(signedEvent({ id: 'r-1' }, serviceKey)), message(signedEvent({ id: 'r-2' }, serviceKey))];
    const outcome = await processEventBatch(messages, deps);
    expect(outcome.lastCompletedOffset).toBe(messages[0].offset);
    expect(sent).toEqual([]);
    expect(await store.entries()).toEqual([]);
  });
});

describe('checkEventMessages', () => {
  const ring = new ServiceKeyRing({ 'svc-1': service.publicKeyPem });
  const listingsOnly = (event: RestrictionEvent) => event.data.kind === 'DISHONEST_LISTING';

  it('answers as checkEventMessage does for each message, in order, verifying the signatures in one call', async () => {
    const tampered = signedEvent({ id: 'r-t' }, serviceKey);
    tampered.data.version = 7;
    const messages = [
      message(signedEvent({ id: 'r-1' }, serviceKey)),
      message(tampered),
      message(signedEvent({ id: 'r-u' }, { keyId: 'svc-9', privateKey: service.privateKeyPem })),
      message('{not json'),
      message(null, 'r-x'),
      message(signedEvent({ id: 'r-k' }, serviceKey), 'r-other'),
      message(signedEvent({ id: 'r-f' }, { keyId: 'svc-1', privateKey: impostor.privateKeyPem })),
      message(signedEvent({ id: 'r-2', version: 2 }, serviceKey)),
    ];
    const checkAll = jest.fn((events: readonly RestrictionEvent[]) => ring.checkAll(events));
    const checked = await checkEventMessages(messages, checkAll, () => true);
    expect(checked).toEqual(await Promise.all(messages.map((m) => checkEventMessage(m, ring))));
    expect(checkAll).toHaveBeenCalledTimes(1);
    expect(checkAll.mock.calls[0][0]).toHaveLength(6); // all but the two malformed ones
  });

  it('answers notApplicable for a well-shaped event of a kind not accepted, without verifying it', async () => {
    const forgedBan = signedEvent({ id: 'r-b', kind: 'EXIT_BAN' }, { keyId: 'svc-1', privateKey: impostor.privateKeyPem });
    const listing = signedEvent({ id: 'r-l' }, serviceKey);
    const checkAll = jest.fn((events: readonly RestrictionEvent[]) => ring.checkAll(events));
    const checked = await checkEventMessages([message(forgedBan), message('{"specversion":"1.0"}', 'r-m'), message(listing)], checkAll, listingsOnly);
    expect(checked).toEqual([
      { valid: false, notApplicable: true },
      { valid: false, invalid: expect.objectContaining({ reason: 'MALFORMED' }) },
      { valid: true, event: listing },
    ]);
    expect(checkAll.mock.calls).toEqual([[[listing]]]);
  });

  it('rejects when the signatures cannot be checked (e.g. the key list cannot be fetched)', async () => {
    const failing = () => Promise.reject(new Error('registry unreachable'));
    await expect(checkEventMessages([message(signedEvent({}, serviceKey))], failing, () => true)).rejects.toThrow('registry unreachable');
  });
});
