import { generateSigningKeyPair } from '@cd/partner-sdk';
import { AgentConfigError, loadAgentConfig } from './agent-config';

const { privateKeyPem, publicKeyPem } = generateSigningKeyPair();
const base = {
  PARTNER_ID: 'bank-1',
  PARTNER_KEY_ID: 'bank-1-key',
  PARTNER_PRIVATE_KEY_PEM: privateKeyPem,
  SERVICE_PUBLIC_KEYS: JSON.stringify({ 'svc-1': publicKeyPem }),
};

describe('loadAgentConfig', () => {
  it('takes the kinds from the sector (domain-rules §5) unless PARTNER_KINDS overrides them', () => {
    expect(loadAgentConfig({ ...base, PARTNER_SECTOR: 'BANK' }).client.kinds).toEqual(['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION']);
    expect(loadAgentConfig({ ...base, PARTNER_SECTOR: 'border_control' }).client.kinds).toEqual(['EXIT_BAN']);
    expect(loadAgentConfig({ ...base, PARTNER_SECTOR: 'AIRLINE', PARTNER_KINDS: 'exit_ban, DISHONEST_LISTING' }).client.kinds).toEqual([
      'EXIT_BAN',
      'DISHONEST_LISTING',
    ]);
  });

  it('has working defaults for a local run', () => {
    const config = loadAgentConfig({ ...base, PARTNER_SECTOR: 'RAILWAY' });
    expect(config.client).toMatchObject({ brokers: ['127.0.0.1:9092'], topicPrefix: 'credit-discipline', receiptTransport: 'kafka' });
    expect(config.storePath).toBe('partner-agent-bank-1.json');
    expect(config).toMatchObject({ slowMs: 0, silent: false, fail: false });
  });

  it('reads the demo switches and an escaped PEM', () => {
    const config = loadAgentConfig({
      ...base,
      PARTNER_SECTOR: 'BANK',
      PARTNER_PRIVATE_KEY_PEM: privateKeyPem.replace(/\n/g, '\\n'),
      AGENT_SLOW_MS: '250',
      AGENT_SILENT: 'true',
      AGENT_FAIL: '1',
    });
    expect(config.client.signingKey.privateKeyPem).toBe(privateKeyPem);
    expect(config).toMatchObject({ slowMs: 250, silent: true, fail: true });
  });

  it.each([
    [{ PARTNER_SECTOR: 'BAKERY' }, /PARTNER_SECTOR/],
    [{}, /PARTNER_SECTOR or PARTNER_KINDS/],
    [{ PARTNER_KINDS: 'PARKING_BAN' }, /PARTNER_KINDS/],
    [{ PARTNER_SECTOR: 'BANK', SERVICE_PUBLIC_KEYS: '' }, /SERVICE_PUBLIC_KEYS or REGISTRY_URL/],
    [{ PARTNER_SECTOR: 'BANK', SERVICE_PUBLIC_KEYS: '{oops' }, /must be JSON/],
    [{ PARTNER_SECTOR: 'BANK', RECEIPT_TRANSPORT: 'rest' }, /REGISTRY_URL and REGISTRY_TOKEN/],
    [{ PARTNER_SECTOR: 'BANK', AGENT_SLOW_MS: '-5' }, /AGENT_SLOW_MS/],
    [{ PARTNER_SECTOR: 'BANK', PARTNER_PRIVATE_KEY_PEM: '' }, /PRIVATE_KEY/],
  ])('refuses %j', (overrides, message) => {
    expect(() => loadAgentConfig({ ...base, ...overrides })).toThrow(AgentConfigError);
    expect(() => loadAgentConfig({ ...base, ...overrides })).toThrow(message);
  });
});
