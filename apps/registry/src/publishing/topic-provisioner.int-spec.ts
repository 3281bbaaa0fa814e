import { allTopics, restrictionTopic } from '@cd/contracts';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import request from 'supertest';
import { startRegistry, testConfig, uniquePrefix, type TestRegistry } from '../../../../test/support/registry';
import { Metrics } from '../metrics/metrics';
import { TopicProvisioner } from './topic-provisioner';

const quiet = { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false', RELAY_BACKLOG_MAX_AGE_MS: String(24 * 3600_000) };

/** The cleanup.policy of each topic as the broker reports it. */
async function cleanupPolicies(admin: Admin, names: string[]): Promise<Record<string, string | undefined>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['cleanup.policy'] })),
  });
  return Object.fromEntries(resources.map((r) => [r.resourceName, r.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue]));
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('topics at start-up (real Kafka)', () => {
  const kafka = new Kafka({ clientId: 'topics-test', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
  let admin: Admin;
  const prefixes: string[] = [];
  const registries: TestRegistry[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await Promise.all(registries.map((registry) => registry.close()));
    await admin.deleteTopics({ topics: prefixes.flatMap((prefix) => allTopics(prefix).map((t) => t.name)) }).catch(() => undefined);
    await admin.disconnect();
  });

  async function start(prefix: string): Promise<TestRegistry> {
    prefixes.push(prefix);
    const registry = await startRegistry(testConfig({ topicPrefix: prefix, env: quiet }));
    registries.push(registry);
    return registry;
  }

  it('a registry with the relay disabled creates the topics with the cleanup policies of architecture.md', async () => {
    const prefix = uniquePrefix();
    const registry = await start(prefix);
    const provisioner = registry.app.get(TopicProvisioner);
    await until(async () => (provisioner.status.checked ? true : undefined), 'the topics to be checked');

    const names = allTopics(prefix).map((t) => t.name);
    expect((await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`)).sort()).toEqual([...names].sort());
    // architecture.md, "Kafka": the three kind topics compact, the two receipt topics delete.
    expect(await cleanupPolicies(admin, names)).toEqual({
      [`${prefix}.dishonest-listing.v1`]: 'compact',
      [`${prefix}.consumption-restriction.v1`]: 'compact',
      [`${prefix}.exit-ban.v1`]: 'compact',
      [`${prefix}.receipts.v1`]: 'delete',
      [`${prefix}.receipts-rejected.v1`]: 'delete',
    });
    expect(provisioner.status.mismatches).toEqual([]);
    const ready = await request(registry.app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.details.topics).toEqual({ status: 'up', checked: true });
  });

  it('reports a pre-existing kind topic with cleanup.policy=delete: error in readiness and in the metric, and leaves it unchanged', async () => {
    const prefix = uniquePrefix();
    const wrong = restrictionTopic('EXIT_BAN', prefix);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: wrong, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }],
    });
    const registry = await start(prefix);
    const provisioner = registry.app.get(TopicProvisioner);
    await until(async () => (provisioner.status.checked ? true : undefined), 'the topics to be checked');

    expect(provisioner.status.mismatches).toEqual([{ topic: wrong, expected: 'compact', actual: 'delete' }]);
    const ready = await request(registry.app.getHttpServer()).get('/health/ready').expect(503);
    expect(ready.body.error.topics).toMatchObject({
      status: 'down',
      mismatches: [{ topic: wrong, expected: 'compact', actual: 'delete' }],
      message: expect.stringContaining(`${wrong}: cleanup.policy=delete, expected compact`),
    });
    const metric = await registry.app.get(Metrics).registry.getSingleMetricAsString('credit_discipline_topic_cleanup_policy_mismatch');
    expect(metric).toContain(`credit_discipline_topic_cleanup_policy_mismatch{topic="${wrong}",expected="compact",actual="delete"} 1`);
    // The other topics were created as the contract says; the wrong one is left for an operator.
    const policies = await cleanupPolicies(admin, allTopics(prefix).map((t) => t.name));
    expect(policies[wrong]).toBe('delete');
    expect(policies[restrictionTopic('DISHONEST_LISTING', prefix)]).toBe('compact');
  });
});
