import { generateSigningKeyPair, MemoryRestrictionStore, processEventBatch, ServiceKeyRing, type ReceiptRequest, type SentReceipt } from '@cd/partner-sdk';
import { signedEvent } from '../../../libs/partner-sdk/src/testing/events';
import { loadAgentConfig } from './agent-config';
import { agentHandler } from './agent';

// The agent's demo switches as the SDK's pipeline runs them: the handler's result becomes the receipt.
const service = generateSigningKeyPair();
const partner = generateSigningKeyPair();

function setUp(env: Record<string, string>) {
  const config = loadAgentConfig({
    PARTNER_ID: 'bank-1',
    PARTNER_SECTOR: 'BANK',
    PARTNER_KEY_ID: 'bank-1-key',
    PARTNER_PRIVATE_KEY_PEM: partner.privateKeyPem,
    SERVICE_PUBLIC_KEYS: JSON.stringify({ 'svc-1': service.publicKeyPem }),
    ...env,
  });
  const store = new MemoryRestrictionStore();
  const sendReceipt = jest.fn(async (request: ReceiptRequest) => ({ transport: 'kafka', status: 'SENT', receipt: request }) as unknown as SentReceipt);
  const event = signedEvent({ kind: 'DISHONEST_LISTING', version: 1 }, { keyId: 'svc-1', privateKey: service.privateKeyPem });
  const processing = () =>
    processEventBatch([{ topic: 'credit-discipline.dishonest-listing.v1', partition: 0, offset: '0', key: event.data.id, value: JSON.stringify(event) }], {
      verifier: new ServiceKeyRing({ 'svc-1': service.publicKeyPem }),
      handler: agentHandler(config, store, () => undefined),
      sendReceipt,
    });
  return { store, sendReceipt, event, processing };
}

describe('partner agent, AGENT_SLOW_MS', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('applies the event at once but sends its receipt only once the configured delay has elapsed', async () => {
    const { store, sendReceipt, event, processing } = setUp({ AGENT_SLOW_MS: '5000' });
    let finished = false;
    const done = processing().then((outcome) => {
      finished = true;
      return outcome;
    });

    await jest.advanceTimersByTimeAsync(4999);
    expect((await store.get(event.data.id))?.version).toBe(1);
    expect(sendReceipt).not.toHaveBeenCalled();
    expect(finished).toBe(false);

    await jest.advanceTimersByTimeAsync(1);
    const outcome = await done;
    expect(sendReceipt).toHaveBeenCalledTimes(1);
    expect(sendReceipt).toHaveBeenCalledWith(expect.objectContaining({ restrictionId: event.data.id, version: 1, eventId: event.id, outcome: 'APPLIED' }));
    expect(outcome).toMatchObject({ lastCompletedOffset: '0', receiptsSent: 1 });
  });

  it('without the switch the receipt goes out without any timer advancing', async () => {
    const { sendReceipt, processing } = setUp({});
    await processing();
    expect(sendReceipt).toHaveBeenCalledTimes(1);
  });
});
