import { generateSigningKeyPair, publicKeyOf, signatureJob, signDocument, type SignatureJob } from '@cd/contracts';
import { loadConfig } from '../config/app-config';
import { ReceiptVerifier } from './receipt-verifier';

const partner = generateSigningKeyPair();
const other = generateSigningKeyPair();
const key = publicKeyOf(partner.publicKeyPem);

function jobs(count: number): { jobs: SignatureJob[]; expected: boolean[] } {
  const expected: boolean[] = [];
  const list: SignatureJob[] = [];
  for (let i = 0; i < count; i++) {
    const document = { partnerId: 'bank-1', restrictionId: `r-${i}`, version: i + 1 };
    // Every third receipt is signed by a key that is not the partner's, every fifth is altered after signing.
    const signedBy = i % 3 === 2 ? other : partner;
    const signed = { ...document, signature: signDocument(document, signedBy.privateKeyPem) };
    const sent = i % 5 === 4 ? { ...signed, version: 999 } : signed;
    list.push(signatureJob(sent, key)!);
    expected.push(i % 3 !== 2 && i % 5 !== 4);
  }
  return { jobs: list, expected };
}

describe('ReceiptVerifier', () => {
  const verifiers: ReceiptVerifier[] = [];
  const verifier = (threads: number) => {
    const created = new ReceiptVerifier(loadConfig({ RECEIPT_VERIFY_THREADS: String(threads) }));
    verifiers.push(created);
    return created;
  };
  afterAll(() => Promise.all(verifiers.map((v) => v.onModuleDestroy())));

  it('answers each signature on worker threads, in order', async () => {
    const { jobs: batch, expected } = jobs(60);
    await expect(verifier(2).verify(batch)).resolves.toEqual(expected);
  });

  it('answers the same on the event loop with no threads configured', async () => {
    const { jobs: batch, expected } = jobs(20);
    await expect(verifier(0).verify(batch)).resolves.toEqual(expected);
  });

  it('checks a batch on the event loop when its threads have died, and starts new ones for the next', async () => {
    const subject = verifier(2);
    const { jobs: batch, expected } = jobs(30);
    await subject.verify(batch);
    const pool = (subject as unknown as { pool: { close(): Promise<void> } }).pool;
    await pool.close(); // as if its threads had died: the pool refuses work from now on
    await expect(subject.verify(batch)).resolves.toEqual(expected);
    await expect(subject.verify(batch)).resolves.toEqual(expected);
    expect((subject as unknown as { pool: unknown }).pool).not.toBe(pool);
  });
});
