// `npm run bench` (bench/run.sh builds the registry, then runs this file).
// Recreates its own database, starts the registry bundle as a child process on its own topic
// prefix, seeds, runs the scenarios and writes bench/reports/<timestamp>.{md,json} + latest.md.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../apps/registry/src/config/app-config';
import { runMigrations } from '../apps/registry/src/database/migrate';
import { registerPartners, type BenchContext } from './lib/context';
import { CpuMeter, describeCpu, findPid } from './lib/cpu';
import { describeDamon, pauseDamon } from './lib/damon';
import { flushDirtyPages, rawPool, recreateDatabase, rows, sizeServer, type DbSettings } from './lib/db';
import { DataGenerator, syntheticCourts, type Court } from './lib/generator';
import { HttpClient } from './lib/http';
import { InProcessRegistry } from './lib/inproc';
import { deleteTopics, rawKafka } from './lib/kafka';
import { RegistryProcess } from './lib/registry-process';
import { Report } from './lib/report';
import { SampleCollector, seedRestrictions } from './lib/seed';
import { loadSettings, REGISTRY_NODE_FLAGS, type ScenarioName } from './lib/settings';
import { round } from './lib/stats';
import { bootstrap } from './scenarios/bootstrap';
import { courtWrites } from './scenarios/court-writes';
import { publication } from './scenarios/publication';
import { compact, queries, type QueryResults } from './scenarios/queries';
import { receipts } from './scenarios/receipts';

const ROOT = join(__dirname, '..');
// Build snapshot, registry log and CPU profiles: under .cache/ (git- and lint-ignored).
const WORK = join(__dirname, '..', '.cache', 'bench');
const TARGET_RSS_MIB = 300;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function otherLoad(): string {
  try {
    const lines = execSync('ps -eo pcpu,rss,args --sort=-pcpu', { encoding: 'utf8' }).split('\n').slice(1, 40);
    const mine = new Set([String(process.pid)]);
    return lines
      .filter((l) => /jest|ts-node|node .*main\.js|playwright|tsc|eslint/.test(l) && !l.includes('bench/') && ![...mine].some((pid) => l.includes(pid)))
      .map((l) => l.trim().replace(/\s+/g, ' ').slice(0, 110))
      .slice(0, 6)
      .join('; ');
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const settings = loadSettings(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) => console.log(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${line}`);
  const topicPrefix = `bench-${Date.now().toString(36)}`;
  const port = await freePort();
  const db: DbSettings = {
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 3306),
    user: process.env.DB_USER ?? 'root',
    password: process.env.DB_PASSWORD ?? '',
    database: settings.dbName,
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    DB_USER: db.user,
    DB_PASSWORD: db.password,
    DB_NAME: db.database,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_TOPIC_PARTITIONS: process.env.KAFKA_TOPIC_PARTITIONS ?? '6',
    RELAY_BATCH_SIZE: process.env.RELAY_BATCH_SIZE ?? '500',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    LOG_LEVEL: settings.registryLogLevel,
    // The bench drives the rate-limited inquiry endpoints from one address on purpose.
    PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
    DEBTOR_RATE_LIMIT_PER_MINUTE: '100000',
    INSTANCE_ID: 'bench-registry',
    // Extra registry settings (e.g. a field-encryption key) pass through with a BENCH_REGISTRY_ prefix.
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_REGISTRY_') && k !== 'BENCH_REGISTRY_LOG_LEVEL').map(([k, v]) => [k.slice('BENCH_REGISTRY_'.length), v])),
  };
  const report = new Report({ ...settings, topicPrefix, registry: 'node .cache/bench/registry/main.js (npm run build bundle)', env: { KAFKA_TOPIC_PARTITIONS: env.KAFKA_TOPIC_PARTITIONS, RELAY_BATCH_SIZE: env.RELAY_BATCH_SIZE, LOG_LEVEL: env.LOG_LEVEL } });
  const machineNotes: string[] = [];
  const loadAtStart = otherLoad();
  machineNotes.push(`Other processes sharing the machine at start (other engineers' test runs): ${loadAtStart || 'none seen'}`);

  const script = join(WORK, 'registry', 'main.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run through \`npm run bench\` (bench/run.sh builds and copies the bundle)`);
  mkdirSync(join(WORK, 'profiles'), { recursive: true });

  log(`database ${db.database} (recreated), topics ${topicPrefix}.*, registry on 127.0.0.1:${port}, sizes ${settings.sizes.map(compact).join(' → ')}`);
  await recreateDatabase(db);
  await runMigrations(loadConfig(env));
  const pool = rawPool(db, 48);
  // A dedicated database server sizes its buffer pool to the data; the shared one here starts at the default.
  const restoreServer = await sizeServer(pool, { bufferPoolMiB: settings.bufferPoolMiB, redoLogMiB: settings.redoLogMiB });
  const [server] = await rows<Record<string, string>>(pool, `SELECT VERSION() AS version, @@innodb_buffer_pool_size AS bp, @@innodb_log_file_size AS redo, @@innodb_flush_log_at_trx_commit AS flush`);
  machineNotes.push(
    `MariaDB ${server.version} (shared server): innodb_buffer_pool_size ${Math.round(Number(server.bp) / 2 ** 20)} MiB, redo log ${Math.round(Number(server.redo) / 2 ** 20)} MiB, innodb_flush_log_at_trx_commit ${server.flush}`,
  );
  machineNotes.push(`Kafka: single local broker (KRaft) at ${env.KAFKA_BROKERS}, shared; topics with ${env.KAFKA_TOPIC_PARTITIONS} partitions, replication 1`);
  machineNotes.push(`Load generator, MariaDB, Kafka and the registry all run on these ${cpus().length} cores`);
  const damon = describeDamon();
  const resumeDamon = settings.pauseDamon ? pauseDamon() : undefined;
  machineNotes.push(
    resumeDamon
      ? `Kernel memory reclaim: ${damon} — paused for this run (BENCH_PAUSE_DAMON=1), as on a dedicated database host`
      : `Kernel memory reclaim: ${damon}${damon.startsWith('DAMON') ? ' — left running: its sampling stalls MariaDB for tens of ms every few hundred ms (bench/lib/damon.ts)' : ''}`,
  );

  const sample = JSON.parse(readFileSync(join(ROOT, 'data', 'courts.json'), 'utf8')) as { courts: { code: string; name: string; parentCode: string | null }[] };
  const courts: Court[] = syntheticCourts(settings.courts);
  for (const c of sample.courts) await pool.query('INSERT IGNORE INTO courts (code, name, parent_code) VALUES (?, ?, ?)', [c.code, c.name, c.parentCode]);
  for (let i = 0; i < courts.length; i += 1000) {
    const chunk = courts.slice(i, i + 1000);
    await pool.query(`INSERT INTO courts (code, name, parent_code) VALUES ${chunk.map(() => "(?, ?, '100000')").join(', ')}`, chunk.flatMap((c) => [c.code, c.name]));
  }

  const kafka = rawKafka((env.KAFKA_BROKERS as string).split(','), 'bench');
  const registry = await RegistryProcess.start({
    script,
    env,
    port,
    logFile: join(WORK, 'registry.log'),
    nodeArgs: [...REGISTRY_NODE_FLAGS, ...(settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${join(WORK, 'profiles')}`] : [])],
  });
  log(`registry pid ${registry.pid} up, RSS ${registry.currentRssMiB().toFixed(0)} MiB`);
  const inproc = await InProcessRegistry.start(env);
  const http = new HttpClient(port);
  const partners = await registerPartners(http, inproc.tokens.issue({ sub: 'bench-admin', role: 'admin' }), settings.partners, (id) =>
    inproc.tokens.issue({ sub: `bench-${id}`, role: 'partner', partner: id }, { expiresInSeconds: 4 * 3600 }),
  );
  const generator = new DataGenerator(1234, courts);
  const collector = new SampleCollector(generator.options.hotName);
  const ctx: BenchContext = { settings, env, db, pool, registry, http, inproc, kafka, topicPrefix, partners, courts, generator, collector, seeded: 0, report, log };

  const seedTo = async (size: number) => {
    if (size <= ctx.seeded) return;
    log(`seeding ${(size - ctx.seeded).toLocaleString('en')} restrictions through the repository code (bulk SQL)`);
    const seeded = await seedRestrictions(inproc, db, generator, collector, { count: size - ctx.seeded, withHistory: settings.seedHistory, log });
    await pool.query('ANALYZE TABLE restrictions, restriction_persons, deliveries');
    const flushed = await flushDirtyPages(pool);
    log(`buffer pool flushed after seeding in ${flushed.toFixed(0)} s`);
    ctx.seeded = size;
    log(`seeded ${seeded.restrictions.toLocaleString('en')} restrictions, ${seeded.persons.toLocaleString('en')} persons, ${seeded.deliveries.toLocaleString('en')} ledger rows in ${seeded.seconds.toFixed(0)} s`);
    report.details[`seed@${size}`] = { restrictions: seeded.restrictions, persons: seeded.persons, deliveries: seeded.deliveries, seconds: round(seeded.seconds, 0), rowsPerSecond: round(seeded.restrictions / seeded.seconds, 0), hotNameActiveListings: collector.samples().hotNameActiveListings };
  };

  const mariadb = findPid('mariadbd') ?? findPid('mysqld');
  const kafkaPid = findPid('java', join(ROOT, '.cache', 'kafka', 'kafka.pid'));
  const cpu = new CpuMeter(() => ({ registry: registry.pid, mariadb, kafka: kafkaPid, 'bench (load generator)': process.pid }));
  const rssPeaks: Record<string, number> = {};
  const run = async (name: ScenarioName | string, work: () => Promise<unknown>) => {
    log(`── ${name}`);
    const start = cpu.snapshot();
    const startedAt = performance.now();
    try {
      await work();
      const usage = cpu.since(start);
      report.details[`cpu ${name}`] = usage;
      rssPeaks[name] = Math.round(registry.peakSinceMiB(startedAt));
      report.note(`${name}: ${describeCpu(usage)}; registry RSS peak ${rssPeaks[name]} MiB`);
    } catch (error) {
      const e = error as Error;
      console.error(`${name} failed: ${String(e.message).slice(0, 500)}\n${String(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`);
      report.add({ scenario: name, name: 'scenario failed', unit: '', measured: NaN, target: 'completes', pass: false, notes: String((error as Error).message ?? error).slice(0, 300) });
    }
  };

  let previous: QueryResults | undefined;
  try {
    await seedTo(settings.sizes[0]);
    const wanted = (s: ScenarioName) => settings.scenarios.includes(s);
    if (wanted('writes')) await run('writes', () => courtWrites(ctx));
    if (wanted('publication')) await run('publication', () => publication(ctx));
    if (wanted('receipts')) await run('receipts', () => receipts(ctx));
    if (wanted('queries')) await run(`queries @${compact(settings.sizes[0])}`, async () => (previous = await queries(ctx, settings.sizes[0])));
    if (wanted('bootstrap')) await run('bootstrap', () => bootstrap(ctx));
    for (const size of settings.sizes.slice(1)) {
      await seedTo(size);
      if (wanted('queries')) await run(`queries @${compact(size)}`, async () => (previous = await queries(ctx, size, previous)));
    }
    const peak = registry.peakRssMiB();
    report.add({
      scenario: 'f. memory',
      name: 'peak RSS of the registry process over the whole run (VmHWM)',
      unit: 'MiB',
      measured: peak,
      target: `≤ ${TARGET_RSS_MIB} MiB`,
      pass: peak <= TARGET_RSS_MIB,
      notes: `RSS at the end ${registry.currentRssMiB().toFixed(0)} MiB; peak by scenario: ${Object.entries(rssPeaks).map(([k, v]) => `${k} ${v}`).join(', ')} MiB`,
    });
  } finally {
    machineNotes.push(`Other processes at the end: ${otherLoad() || 'none seen'}`);
    resumeDamon?.();
    await registry.stop();
    await inproc.close().catch(() => undefined);
    await restoreServer();
    await pool.end().catch(() => undefined);
    http.close();
    if (process.env.BENCH_KEEP_TOPICS !== '1') await deleteTopics(kafka, topicPrefix).catch(() => 0);
  }
  const paths = report.write(join(__dirname, 'reports'), machineNotes);
  log(`report: ${paths.md} (+ .json, latest.md)`);
  const missed = report.figures.filter((f) => f.pass === false);
  console.log(`\n${report.figures.length} figures, ${missed.length} target(s) missed${missed.length ? `: ${missed.map((f) => `${f.scenario} ${f.name}`).join('; ')}` : ''}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
