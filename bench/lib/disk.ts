// The disk under the database: random 16 KiB reads (InnoDB's page size) from a data file of the
// bench database, one at a time, bypassing the page cache (O_DIRECT). This is the floor of a
// query whose pages are not in the buffer pool. Node cannot align buffers for O_DIRECT, so the
// probe is a few lines of python3; without python3 it is skipped.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'mysql2/promise';
import { rows } from './db';

export interface DiskProbe {
  file: string;
  fileGiB: number;
  readsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
}

const PROBE = `
import json, mmap, os, random, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
pages = os.fstat(fd).st_size // 16384
buf = mmap.mmap(-1, 16384)
lat = []
end = time.time() + seconds
while time.time() < end:
    t = time.perf_counter()
    os.preadv(fd, [buf], random.randrange(pages) * 16384)
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
n = len(lat)
print(json.dumps({"reads": n, "p50": lat[n // 2], "p99": lat[int(n * 0.99)], "max": lat[-1]}))
`;

/** Probes the data file of `table` for `seconds`; undefined when the file or python3 is not available. */
export async function probeDisk(pool: Pool, database: string, table: string, seconds = 5): Promise<DiskProbe | undefined> {
  const [{ datadir }] = await rows<{ datadir: string }>(pool, 'SELECT @@datadir AS datadir');
  const file = join(datadir, database, `${table}.ibd`);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return undefined;
  }
  const run = spawnSync('python3', ['-c', PROBE, file, String(seconds)], { encoding: 'utf8', timeout: (seconds + 10) * 1000 });
  if (run.status !== 0 || !run.stdout) return undefined;
  const result = JSON.parse(run.stdout) as { reads: number; p50: number; p99: number; max: number };
  return { file, fileGiB: size / 2 ** 30, readsPerSecond: result.reads / seconds, p50: result.p50, p99: result.p99, max: result.max };
}

export function describeDisk(probe: DiskProbe | undefined): string {
  if (!probe) return 'disk probe skipped (no python3 or no data file)';
  return `random 16 KiB reads from ${probe.file.split('/').slice(-2).join('/')} (${probe.fileGiB.toFixed(1)} GiB), one at a time, page cache bypassed: ${Math.round(probe.readsPerSecond)}/s, p50 ${probe.p50.toFixed(2)} ms, p99 ${probe.p99.toFixed(1)} ms, max ${probe.max.toFixed(1)} ms`;
}
