import { createPublicKey, sign } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { generateSigningKeyPair, type RestrictionEvent } from '@cd/contracts';
import { ServiceKeyRing, type SignatureCheck } from './key-ring';
import { signedEvent } from './testing/events';
import { SignatureVerifierPool } from './verify-pool';

const service = generateSigningKeyPair();
const rotated = generateSigningKeyPair();
const stranger = generateSigningKeyPair();
const byService = { keyId: 'svc-1', privateKey: service.privateKeyPem };
const byRotated = { keyId: 'svc-2', privateKey: rotated.privateKeyPem };

const wire = (event: RestrictionEvent): RestrictionEvent => JSON.parse(JSON.stringify(event));

/** Every way a signature check can come out, several times over, interleaved. */
function mixedEvents(): RestrictionEvent[] {
  const events: RestrictionEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const valid = signedEvent({ version: i + 1 }, byService);
    events.push(
      valid,
      { ...valid, data: { ...valid.data, version: valid.data.version + 1 } }, // tampered
      signedEvent({}, { keyId: 'svc-1', privateKey: stranger.privateKeyPem }), // wrong key under a held id
      signedEvent({}, { keyId: 'svc-9', privateKey: stranger.privateKeyPem }), // key id not held
      { ...valid, signature: 'AAAA' }, // too short
      { ...valid, signature: '%%% not base64 %%%' },
      { ...valid, signature: '' },
      { ...valid, signature: undefined },
      { ...valid, sigkeyid: undefined },
      { ...valid, sigkeyid: '' },
      wire(signedEvent({ kind: 'EXIT_BAN', status: 'LIFTED' }, byService)),
    );
  }
  return events;
}

async function inline(ring: ServiceKeyRing, events: readonly RestrictionEvent[]): Promise<SignatureCheck[]> {
  const checks: SignatureCheck[] = [];
  for (const event of events) checks.push(await ring.check(event));
  return checks;
}

describe('SignatureVerifierPool', () => {
  let pool: SignatureVerifierPool;

  beforeAll(() => {
    pool = new SignatureVerifierPool(3);
  });

  afterAll(async () => {
    await pool.close();
  });

  it('gives the answers of check() on this thread for valid, tampered, foreign-key, malformed and unknown-key events, in order', async () => {
    const ring = new ServiceKeyRing({ 'svc-1': service.publicKeyPem });
    const events = mixedEvents();
    const expected = await inline(ring, events);
    expect(new Set(expected)).toEqual(new Set(['VALID', 'BAD_SIGNATURE', 'UNKNOWN_KEY']));
    expect(await ring.checkAll(events, pool)).toEqual(expected);
    expect(await ring.checkAll(events)).toEqual(expected);
  });

  it('keeps the order of the jobs across its threads', async () => {
    const key = createPublicKey(service.publicKeyPem);
    const jobs = Array.from({ length: 500 }, (_, i) => {
      const data = Buffer.from(`message ${i}`);
      const signature = sign(null, data, service.privateKeyPem);
      return { data, key, signature: i % 3 === 0 ? Buffer.from(`message ${i + 1}`) : signature };
    });
    const answers = await pool.verify(jobs);
    expect(answers).toEqual(jobs.map((_, i) => i % 3 !== 0));
  });

  it('answers concurrent calls each with their own results', async () => {
    const ring = new ServiceKeyRing({ 'svc-1': service.publicKeyPem });
    const runs = Array.from({ length: 5 }, () => mixedEvents());
    const expected = await Promise.all(runs.map((events) => inline(ring, events)));
    expect(await Promise.all(runs.map((events) => ring.checkAll(events, pool)))).toEqual(expected);
  });

  it('sends an unknown key id through the key ring, which refetches the list, and uses the new key on the threads from then on', async () => {
    const fetchKeys = jest.fn().mockResolvedValue({ 'svc-1': service.publicKeyPem, 'svc-2': rotated.publicKeyPem });
    const ring = new ServiceKeyRing({ 'svc-1': service.publicKeyPem }, { fetchKeys });
    const first = [signedEvent({}, byService), signedEvent({}, byRotated), signedEvent({}, { keyId: 'svc-2', privateKey: stranger.privateKeyPem })];
    expect(await ring.checkAll(first, pool)).toEqual(['VALID', 'VALID', 'BAD_SIGNATURE']);
    expect(fetchKeys).toHaveBeenCalledTimes(1);

    const verify = jest.spyOn(pool, 'verify');
    const later = [signedEvent({}, byRotated), signedEvent({}, byRotated)];
    expect(await ring.checkAll(later, pool)).toEqual(['VALID', 'VALID']);
    expect(verify.mock.calls[0][0]).toHaveLength(2);
    expect(fetchKeys).toHaveBeenCalledTimes(1);
    verify.mockRestore();
  });

  it('rejects when the key list cannot be fetched, as check() does', async () => {
    const ring = new ServiceKeyRing({ 'svc-1': service.publicKeyPem }, { fetchKeys: () => Promise.reject(new Error('registry unreachable')) });
    await expect(ring.checkAll([signedEvent({}, byService), signedEvent({}, byRotated)], pool)).rejects.toThrow('registry unreachable');
  });

  it('answers an empty call without the threads', async () => {
    expect(await pool.verify([])).toEqual([]);
  });

  it('terminates its threads on close and refuses work afterwards', async () => {
    const terminate = jest.spyOn(Worker.prototype, 'terminate');
    const own = new SignatureVerifierPool(2);
    const ring = new ServiceKeyRing({ 'svc-1': service.publicKeyPem });
    try {
      expect(await ring.checkAll([signedEvent({}, byService)], own)).toEqual(['VALID']);
    } finally {
      await own.close();
    }
    expect(terminate).toHaveBeenCalledTimes(2);
    await expect(own.verify([{ data: Buffer.from('x'), signature: Buffer.alloc(64), key: createPublicKey(service.publicKeyPem) }])).rejects.toThrow('closed');
    terminate.mockRestore();
  });

  it('rejects the calls in flight when it is closed under them', async () => {
    const own = new SignatureVerifierPool(1);
    const key = createPublicKey(service.publicKeyPem);
    const jobs = Array.from({ length: 2000 }, (_, i) => ({ data: Buffer.from(`m${i}`), signature: Buffer.alloc(64), key }));
    const inFlight = own.verify(jobs);
    await own.close();
    await expect(inFlight).rejects.toThrow();
  });

  it('reports a thread that died, rejects what it had in hand and refuses work from then on', async () => {
    const onFailure = jest.fn();
    const own = new SignatureVerifierPool(2, onFailure);
    try {
      const key = createPublicKey(service.publicKeyPem);
      const jobs = Array.from({ length: 2000 }, (_, i) => ({ data: Buffer.from(`m${i}`), signature: Buffer.alloc(64), key }));
      const inFlight = own.verify(jobs);
      // As if the thread crashed: only the pool's own handle can reach it.
      await (own as unknown as { workers: { worker: Worker }[] }).workers[0].worker.terminate();
      await expect(inFlight).rejects.toThrow('a verifier thread exited');
      expect(onFailure).toHaveBeenCalledTimes(1);
      await expect(own.verify(jobs.slice(0, 1))).rejects.toThrow('a verifier thread exited');
    } finally {
      await own.close();
    }
    expect(onFailure).toHaveBeenCalledTimes(1);
  });

  it('needs at least one thread', () => {
    expect(() => new SignatureVerifierPool(0)).toThrow('at least one thread');
  });
});
