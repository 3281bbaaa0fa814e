// Interoperability: Kafka's own Java console tools (not kafkajs) read an event and
// write a receipt that the service accepts.
import { receiptsTopic, restrictionTopic, signReceipt, validateReceipt, validateRestrictionEvent, type RestrictionEvent } from '@cd/contracts';
import { RegistryClient, ServiceKeyRing } from '@cd/partner-sdk';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { registerPartner } from './support/partners';
import { COURTS, exitBanBody, startRegistry, testConfig, uniquePrefix, type TestRegistry } from './support/registry';

const cli = join(__dirname, '../scripts/kafka/kafka-cli.sh');
const run = promisify(execFile);

describe('interoperability with a client that is not kafkajs (Kafka console tools)', () => {
  const prefix = uniquePrefix();
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ topicPrefix: prefix }), { listen: true });
  });
  afterAll(() => registry.close());

  it('ConsoleConsumer reads the signed event; a receipt sent with ConsoleProducer is accepted into the ledger', async () => {
    const border = await registerPartner(registry, 'BORDER_CONTROL');
    const ban = (
      await request(registry.app.getHttpServer()).post('/v1/restrictions').set('authorization', `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`).send(exitBanBody()).expect(201)
    ).body;
    await registry.relay.drainOnce();

    const { stdout } = await run(
      'bash',
      [cli, 'console-consumer', '--bootstrap-server', registry.config.kafka.brokers[0], '--topic', restrictionTopic('EXIT_BAN', prefix), '--from-beginning', '--max-messages', '1', '--timeout-ms', '60000', '--property', 'print.key=true', '--property', 'key.separator=|'],
      { timeout: 90000 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith(`${ban.id}|`));
    expect(line).toBeDefined();
    const event = JSON.parse(line!.slice(ban.id.length + 1)) as RestrictionEvent;
    expect(event).toMatchObject({ subject: ban.id, data: { version: 1, kind: 'EXIT_BAN' } });
    expect(validateRestrictionEvent(event)).toEqual({ valid: true, errors: [] });
    // Verified as a partner would: the SDK's key ring, fed from the service's public keys endpoint.
    const registryClient = new RegistryClient({ baseUrl: registry.baseUrl! });
    const keyRing = new ServiceKeyRing({}, { fetchKeys: async () => Object.fromEntries((await registryClient.eventKeys()).map((k) => [k.keyId, k.publicKeyPem])) });
    expect(await keyRing.check(event)).toBe('VALID');
    expect(await keyRing.check({ ...event, data: { ...event.data, version: 2 } })).toBe('BAD_SIGNATURE');

    const receipt = signReceipt(
      { partnerId: border.id, restrictionId: ban.id, version: event.data.version, eventId: event.id, outcome: 'APPLIED', partnerReference: 'NIA-2026-000123', time: new Date().toISOString(), keyId: border.keyId },
      border.privateKeyPem,
    );
    expect(validateReceipt(receipt)).toEqual({ valid: true, errors: [] });
    await new Promise<void>((resolve, reject) => {
      const producer = spawn('bash', [cli, 'console-producer', '--bootstrap-server', registry.config.kafka.brokers[0], '--topic', receiptsTopic(prefix), '--property', 'parse.key=true', '--property', 'key.separator=|']);
      producer.on('error', reject);
      producer.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`console-producer exited ${code}`))));
      producer.stdin.end(`${ban.id}|${JSON.stringify(receipt)}\n`);
    });

    const deadline = Date.now() + 60000;
    for (;;) {
      const [row] = await registry.dataSource.query('SELECT confirmed_version, partner_reference FROM deliveries WHERE restriction_id = ? AND partner_id = ?', [ban.id, border.id]);
      if (row?.confirmed_version === 1) {
        expect(row.partner_reference).toBe('NIA-2026-000123');
        break;
      }
      if (Date.now() > deadline) throw new Error('the receipt from ConsoleProducer was not recorded');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});
