// What a run does and at which sizes: environment variables (documented in bench/README.md)
// and a few flags. Defaults keep `npm run bench` at about 15 minutes on a 2-core machine.

export const SCENARIOS = ['writes', 'publication', 'receipts', 'queries', 'bootstrap'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Settings {
  /** Restriction counts the query benchmark runs at, in order (seeded incrementally). */
  sizes: number[];
  scenarios: ScenarioName[];
  /** Seconds of each load phase. */
  phaseSeconds: number;
  writeRate: number;
  writeConcurrency: number;
  publishRate: number;
  relayEvents: number;
  receipts: number;
  restReceiptConcurrency: number;
  queryRate: number;
  querySeconds: number;
  bootstrapEvents: number;
  partners: number;
  courts: number;
  dbName: string;
  registryLogLevel: string;
  /** Run the registry with --cpu-prof (profiles land in .cache/bench/profiles). */
  cpuProfile: boolean;
  seedHistory: boolean;
  /** innodb_buffer_pool_size (MiB) set for the run and restored at the end; undefined = leave the server as it is. */
  bufferPoolMiB?: number;
  /** Redo log size (MiB) set for the run and restored at the end; undefined = leave the server as it is. */
  redoLogMiB?: number;
  /** Pause the kernel's DAMON reclaim for the run (bench/lib/damon.ts); restored at the end. */
  pauseDamon: boolean;
}

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

export function loadSettings(argv: string[]): Settings {
  const flag = (name: string) => argv.includes(`--${name}`);
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const unknown = argv.filter((a) => !/^--(full|profile|only=.+|rows=.+)$/.test(a));
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (known: --full, --rows=N, --only=${SCENARIOS.join(',')}, --profile)`);
  const rows = Number((option('rows') ?? String(num('BENCH_ROWS', 1_000_000))).replace(/_/g, ''));
  const sizes = flag('full') ? [1_000_000, 10_000_000] : [rows];
  const only = option('only')?.split(',') ?? process.env.BENCH_ONLY?.split(',');
  const scenarios = only ? only.map((s) => s.trim()) : [...SCENARIOS];
  const wrong = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (wrong.length > 0) throw new Error(`unknown scenario(s) ${wrong.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  return {
    sizes,
    scenarios: scenarios as ScenarioName[],
    phaseSeconds: num('BENCH_PHASE_S', 15),
    writeRate: num('BENCH_WRITE_RATE', 300),
    writeConcurrency: num('BENCH_WRITE_CONCURRENCY', 16),
    publishRate: num('BENCH_PUBLISH_RATE', 500),
    relayEvents: num('BENCH_RELAY_EVENTS', 20_000),
    receipts: num('BENCH_RECEIPTS', 20_000),
    restReceiptConcurrency: num('BENCH_REST_RECEIPT_CONCURRENCY', 16),
    queryRate: num('BENCH_QUERY_RATE', 100),
    querySeconds: num('BENCH_QUERY_S', 10),
    bootstrapEvents: num('BENCH_BOOTSTRAP_EVENTS', flag('full') ? 1_000_000 : Math.min(sizes[0], 250_000)),
    partners: num('BENCH_PARTNERS', 5),
    courts: num('BENCH_COURTS', 3000),
    dbName: process.env.BENCH_DB_NAME ?? 'credit_discipline_bench',
    registryLogLevel: process.env.BENCH_REGISTRY_LOG_LEVEL ?? 'info',
    cpuProfile: flag('profile') || process.env.BENCH_PROFILE === '1',
    seedHistory: process.env.BENCH_SEED_HISTORY === '1',
    pauseDamon: process.env.BENCH_PAUSE_DAMON === '1',
    bufferPoolMiB: process.env.BENCH_DB_BUFFER_POOL_MIB ? num('BENCH_DB_BUFFER_POOL_MIB', 0) || undefined : undefined,
    redoLogMiB: process.env.BENCH_DB_REDO_LOG_MIB ? num('BENCH_DB_REDO_LOG_MIB', 0) || undefined : undefined,
  };
}

/** The registry's V8 flags in production (docker/Dockerfile CMD, scripts/local.sh): the bench runs it the same way. */
export const REGISTRY_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=8'];
