/* eslint-disable @typescript-eslint/no-explicit-any -- reads JSON API responses loosely */
// Reliability suite: continuous court load on two registry instances with live partner
// agents, while the broker is stopped, registry instances are killed with SIGKILL and
// MariaDB is restarted. Afterwards it checks, from the database and from the topics, that
// nothing the API acknowledged was lost. `--short` is the CI version (about 3 minutes).
import { allTopics, restrictionTopic } from '@cd/contracts';
import { residentIdCheckChar, type RestrictionKind } from '@cd/domain';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection, type Connection } from 'mysql2/promise';
import { AgentProcess } from '../apps/partner-agent/src/testing/agent-process';
import { TokenService } from '../apps/registry/src/auth/token.service';
import { loadConfig } from '../apps/registry/src/config/app-config';
import { generateSigningKeyPair } from '@cd/contracts';
import { recreateDatabase } from '../test/support/database';

const run = promisify(execFile);
const SHORT = process.argv.includes('--short');
const PLAN = SHORT
  ? { loadSeconds: 70, kills: 2, brokerDownSeconds: 15, mariadbRestart: true }
  : { loadSeconds: 240, kills: 5, brokerDownSeconds: 60, mariadbRestart: true };
const DATABASE = 'credit_discipline_reliability_test';
const PREFIX = `reliability-${Date.now().toString(36)}`;
const base = loadConfig({ ...process.env, DB_NAME: DATABASE, KAFKA_TOPIC_PREFIX: PREFIX });
const tokens = new TokenService(base);
const court = tokens.issue({ sub: 'reliability-clerk', role: 'court', court: '110108' }, { expiresInSeconds: 3 * 3600 });
const admin = tokens.issue({ sub: 'reliability-admin', role: 'admin' }, { expiresInSeconds: 3 * 3600 });
const started = Date.now();
const log = (text: string) => console.log(`[reliability +${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- registry instances
interface Instance {
  name: string;
  port: number;
  process?: ChildProcess;
  generation: number;
}
const instances: Instance[] = [
  { name: 'a', port: 3201, generation: 0 },
  { name: 'b', port: 3202, generation: 0 },
];

async function startInstance(instance: Instance): Promise<void> {
  instance.generation++;
  instance.process = spawn(process.execPath, ['dist/apps/registry/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DB_NAME: DATABASE,
      HTTP_PORT: String(instance.port),
      KAFKA_TOPIC_PREFIX: PREFIX,
      INSTANCE_ID: `${instance.name}-${instance.generation}`,
      RELAY_LEASE_MS: '15000',
      RELAY_MAX_BACKOFF_MS: '2000',
      OVERDUE_SCAN_INTERVAL_MS: '5000',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await until(`instance ${instance.name} to listen`, async () => (await fetch(`http://127.0.0.1:${instance.port}/health/live`)).ok, 60_000);
}

function live(): Instance[] {
  return instances.filter((i) => i.process && i.process.exitCode === null && i.process.signalCode === null);
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

// ---------------------------------------------------------------- load
const acknowledged = new Map<string, { version: number; kind: RestrictionKind; lifted: boolean }>();
const stats = { sent: 0, acknowledged: 0, failed: 0, conflicts: 0 };
let serial = 0;

function residentId(): string {
  const first17 = `110108${1960 + (serial % 40)}0${1 + (serial % 9)}1${serial % 10}${String(serial++ % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

async function call(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any } | undefined> {
  const targets = live();
  if (targets.length === 0) return undefined;
  const target = targets[Math.floor(Math.random() * targets.length)];
  stats.sent++;
  try {
    const response = await fetch(`http://127.0.0.1:${target.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${court}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  } catch {
    stats.failed++;
    return undefined;
  }
}

function record(result: { status: number; body: any } | undefined): void {
  if (!result) return;
  if (result.status >= 200 && result.status < 300) {
    stats.acknowledged++;
    const views = [result.body, ...(result.body.linkedRestrictions ?? []).map((l: { id: string; kind: RestrictionKind }) => ({ id: l.id, kind: l.kind, version: 1, status: 'ACTIVE' }))];
    for (const view of views) {
      const known = acknowledged.get(view.id);
      if (!known || known.version < view.version) acknowledged.set(view.id, { version: view.version, kind: view.kind, lifted: view.status === 'LIFTED' });
    }
  } else if (result.status === 409 || result.status === 412) {
    stats.conflicts++;
  } else {
    stats.failed++;
  }
}

async function oneCommand(): Promise<void> {
  const open = [...acknowledged].filter(([, r]) => !r.lifted && r.kind === 'EXIT_BAN');
  const roll = Math.random();
  const decidedAt = new Date(Date.now() - 60_000).toISOString();
  const caseInfo = { caseNumber: `(2026)京0108执${Date.now()}${serial}号`, enforcementBasis: { issuer: '北京市海淀区人民法院', documentNumber: '(2025)京0108民初1号' }, filingDate: '2026-01-05' };
  if (open.length < 5 || roll < 0.35) {
    const listing = roll < 0.1;
    record(
      await call('POST', '/v1/restrictions', {
        kind: listing ? 'DISHONEST_LISTING' : 'EXIT_BAN',
        subject: { type: 'PERSON', name: '可靠性测试', identifier: { type: 'RESIDENT_ID', value: residentId() } },
        case: caseInfo,
        ...(listing ? { ground: 'EVADES_ENFORCEMENT' } : {}),
        decidedAt,
      }),
    );
  } else {
    const [id, known] = open[Math.floor(Math.random() * open.length)];
    if (roll < 0.85) {
      record(await call('PATCH', `/v1/restrictions/${id}`, { subject: { name: `更正${known.version}` } }, { 'if-match': String(known.version) }));
    } else {
      record(await call('POST', `/v1/restrictions/${id}/lift`, { reason: 'PERFORMED' }));
    }
  }
}

async function load(untilMs: number): Promise<void> {
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < untilMs) {
        await oneCommand();
        await sleep(20);
      }
    }),
  );
}

// ---------------------------------------------------------------- faults
async function kafka(command: 'start' | 'stop'): Promise<void> {
  await run('bash', ['scripts/kafka/kafka.sh', command], { timeout: 180_000 });
}

async function restartMariadb(): Promise<void> {
  await run('bash', ['-c', 'mariadb-admin -uroot shutdown || mysqladmin -uroot shutdown'], { timeout: 120_000 });
  await sleep(2000);
  await run('bash', ['scripts/db.sh', 'ensure'], { timeout: 120_000 });
}

async function faults(): Promise<void> {
  const slot = (PLAN.loadSeconds * 1000) / (PLAN.kills + 3);
  for (let k = 0; k < PLAN.kills; k++) {
    await sleep(slot / 2);
    const victim = instances[k % 2];
    log(`kill -9 registry ${victim.name} (${k + 1}/${PLAN.kills})`);
    victim.process?.kill('SIGKILL');
    await sleep(1500);
    await startInstance(victim);
    await sleep(slot / 2);
  }
  log(`broker down for ${PLAN.brokerDownSeconds} s`);
  await kafka('stop');
  await sleep(PLAN.brokerDownSeconds * 1000);
  await kafka('start');
  log('broker back');
  if (PLAN.mariadbRestart) {
    await sleep(5000);
    log('restarting MariaDB');
    await restartMariadb();
    log('MariaDB back');
  }
}

// ---------------------------------------------------------------- checks
async function readTopics(): Promise<Map<string, { versions: number[]; eventIds: Set<string> }>> {
  const client = new Kafka({ clientId: 'reliability-check', brokers: base.kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  const topics = (['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION', 'EXIT_BAN'] as RestrictionKind[]).map((k) => restrictionTopic(k, PREFIX));
  const ends = new Map<string, bigint>();
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
  await admin.disconnect();
  const byKey = new Map<string, { versions: number[]; eventIds: Set<string> }>();
  const consumer = client.consumer({ groupId: `reliability-check-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([key]) => key));
  await new Promise<void>((resolve) => {
    if (remaining.size === 0) resolve();
    void consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const event = JSON.parse(message.value!.toString());
        const entry = byKey.get(message.key!.toString()) ?? { versions: [], eventIds: new Set<string>() };
        if (!entry.eventIds.has(event.id)) {
          entry.eventIds.add(event.id);
          entry.versions.push(event.data.version);
        }
        byKey.set(message.key!.toString(), entry);
        if (BigInt(message.offset) + 1n >= ends.get(`${topic}/${partition}`)!) {
          remaining.delete(`${topic}/${partition}`);
          if (remaining.size === 0) resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return byKey;
}

async function verify(db: Connection): Promise<string[]> {
  const problems: string[] = [];
  const [rows] = (await db.query('SELECT id, version FROM restrictions')) as unknown as [{ id: string; version: number }[]];
  const stored = new Map(rows.map((r) => [r.id, r.version]));
  for (const [id, { version }] of acknowledged) {
    const have = stored.get(id);
    if (have === undefined) problems.push(`acknowledged restriction ${id} is missing`);
    else if (have < version) problems.push(`restriction ${id} is at version ${have}, but version ${version} was acknowledged`);
  }
  const [[gaps]] = (await db.query(
    'SELECT COUNT(*) n FROM restrictions r WHERE (SELECT COUNT(*) FROM restriction_history h WHERE h.restriction_id = r.id) <> r.version',
  )) as unknown as [[{ n: number }]];
  if (Number(gaps.n) > 0) problems.push(`${gaps.n} restriction(s) whose history is not 1..version`);
  const [[unpublished]] = (await db.query('SELECT COUNT(*) n FROM outbox WHERE published_at IS NULL AND available_at <= UTC_TIMESTAMP(3)')) as unknown as [[{ n: number }]];
  if (Number(unpublished.n) > 0) problems.push(`${unpublished.n} due outbox row(s) never published`);
  const [[missingLedger]] = (await db.query(
    `SELECT COUNT(*) n FROM outbox o JOIN restrictions r ON r.id = o.restriction_id
      WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.restriction_id = o.restriction_id)
        AND EXISTS (SELECT 1 FROM partners p WHERE p.active = 1 AND FIND_IN_SET(r.kind, p.kinds) > 0)`,
  )) as unknown as [[{ n: number }]];
  if (Number(missingLedger.n) > 0) problems.push(`${missingLedger.n} outbox row(s) without delivery-ledger rows`);

  const topics = await readTopics();
  for (const [id, version] of stored) {
    const seen = topics.get(id);
    const expected = Array.from({ length: version }, (_, i) => i + 1);
    if (!seen) problems.push(`restriction ${id} (v${version}) never reached its topic`);
    else if (JSON.stringify(seen.versions) !== JSON.stringify(expected)) problems.push(`restriction ${id}: consumers saw versions ${seen.versions.join(',')} (expected ${expected.join(',')})`);
  }
  return problems;
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  log(`plan: ${JSON.stringify(PLAN)}; database ${DATABASE}; topics ${PREFIX}.*`);
  await recreateDatabase(base.db);
  const db = await createConnection({ host: base.db.host, port: base.db.port, user: base.db.user, password: base.db.password, database: DATABASE });
  await db.query(`INSERT INTO courts (code, name, parent_code) VALUES ('100000', '最高人民法院', NULL), ('110000', '北京市高级人民法院', '100000'), ('110108', '北京市海淀区人民法院', '110000')`);
  await db.end();
  for (const instance of instances) await startInstance(instance);
  log('two registry instances up');

  const storeDir = mkdtempSync(join(tmpdir(), 'reliability-'));
  const keys = (await (await fetch(`http://127.0.0.1:${instances[1].port}/v1/public/event-keys`)).json()) as { keys: { keyId: string; publicKeyPem: string }[] };
  const serviceKeys = JSON.stringify(Object.fromEntries(keys.keys.map((k) => [k.keyId, k.publicKeyPem])));
  const agents: AgentProcess[] = [];
  for (const sector of ['BANK', 'AIRLINE', 'BORDER_CONTROL'] as const) {
    const id = `rel-${sector.toLowerCase().replace('_', '-')}`;
    const { privateKeyPem, publicKeyPem } = generateSigningKeyPair();
    const response = await fetch(`http://127.0.0.1:${instances[0].port}/v1/admin/partners`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, name: id, sector, receiptDeadline: { value: 1, unit: 'HOURS' }, publicKeys: [{ keyId: `${id}-k1`, publicKeyPem }] }),
    });
    if (!response.ok) throw new Error(`registering ${id}: ${response.status} ${await response.text()}`);
    agents.push(
      AgentProcess.start(['run'], {
        ...process.env,
        PARTNER_ID: id,
        PARTNER_SECTOR: sector,
        PARTNER_KEY_ID: `${id}-k1`,
        PARTNER_PRIVATE_KEY_PEM: privateKeyPem,
        STORE_PATH: join(storeDir, `${id}.json`),
        KAFKA_BROKERS: base.kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: PREFIX,
        SERVICE_PUBLIC_KEYS: serviceKeys,
        RECEIPT_TRANSPORT: 'kafka',
      }),
    );
  }
  // Topics must exist before the agents subscribe: the relay creates them on its first pass.
  await until('topics to exist', async () => {
    const client = new Kafka({ clientId: 'reliability-setup', brokers: base.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await client.connect();
    const names = await client.listTopics();
    await client.disconnect();
    return allTopics(PREFIX).every((t) => names.includes(t.name));
  }, 60_000);
  log('partners registered, agents running; load starts');

  const loadEnds = Date.now() + PLAN.loadSeconds * 1000;
  await Promise.all([load(loadEnds), faults()]);
  log(`load over: ${JSON.stringify(stats)}; ${acknowledged.size} restrictions acknowledged`);

  const check = await createConnection({ host: base.db.host, port: base.db.port, user: base.db.user, password: base.db.password, database: DATABASE });
  await until('the outbox to drain and the agents to converge', async () => {
    const [[row]] = (await check.query(
      `SELECT (SELECT COUNT(*) FROM outbox WHERE published_at IS NULL AND available_at <= UTC_TIMESTAMP(3)) backlog,
              (SELECT COUNT(*) FROM deliveries WHERE awaiting = 1) awaiting`,
    )) as unknown as [[{ backlog: number; awaiting: number }]];
    return Number(row.backlog) === 0 && Number(row.awaiting) === 0;
  }, 240_000);
  log('converged: outbox empty, every delivery confirmed by its agent');

  const problems = await verify(check);
  await check.end();
  for (const agent of agents) agent.signal('SIGTERM');
  for (const instance of live()) instance.process?.kill('SIGTERM');
  await sleep(1500);
  if (problems.length > 0) {
    console.error(`reliability: FAILED — ${problems.length} problem(s):\n  ${problems.slice(0, 50).join('\n  ')}`);
    process.exit(1);
  }
  log(`reliability: PASSED — ${stats.acknowledged} acknowledged commands on ${acknowledged.size} restrictions survived ${PLAN.kills} SIGKILLs, ${PLAN.brokerDownSeconds} s without the broker and a MariaDB restart`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  for (const instance of live()) instance.process?.kill('SIGKILL');
  process.exit(1);
});
