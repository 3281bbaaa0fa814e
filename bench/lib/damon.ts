// The kernel's DAMON (Data Access MONitoring) can run memory-reclaim schemes in the background. On
// this workplace's VMs a kdamond samples physical pages every 500 ms for a "pageout" scheme, and a
// process with a large resident set — MariaDB with its buffer pool — stalls for tens of milliseconds
// at each sampling: raw primary-key lookups at 200/s had p99 24 ms with it and 2 ms without it
// (same machine, minutes apart). A dedicated database host does not run such a scheme, so the bench
// can pause it for the run (BENCH_PAUSE_DAMON=1; restored at the end) and always reports its state.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '?';
  }
}

function kdamonds(): string[] {
  if (!existsSync(KDAMONDS)) return [];
  return readdirSync(KDAMONDS).filter((name) => /^\d+$/.test(name)).map((name) => join(KDAMONDS, name));
}

/** One line for the report: which kdamonds run, on what, with which action and sampling interval. */
export function describeDamon(): string {
  const running = kdamonds().filter((dir) => read(join(dir, 'state')) === 'on');
  if (running.length === 0) return 'no DAMON kdamond running';
  return running
    .map((dir) => {
      const context = join(dir, 'contexts', '0');
      const sampleMs = Number(read(join(context, 'monitoring_attrs', 'intervals', 'sample_us'))) / 1000;
      return `DAMON kdamond ${dir.split('/').pop()} on (${read(join(context, 'operations'))}, action ${read(join(context, 'schemes', '0', 'action'))}, sampling every ${sampleMs} ms)`;
    })
    .join('; ');
}

/** Turns every running kdamond off; the returned function turns them on again. Throws without the rights to. */
export function pauseDamon(): () => void {
  const running = kdamonds().filter((dir) => read(join(dir, 'state')) === 'on');
  for (const dir of running) writeFileSync(join(dir, 'state'), 'off');
  let resumed = false;
  const resume = () => {
    if (resumed) return;
    resumed = true;
    for (const dir of running) {
      try {
        writeFileSync(join(dir, 'state'), 'on');
      } catch {
        // reported by the next run's describeDamon()
      }
    }
  };
  // Also when the run fails before its own clean-up, or is interrupted.
  process.once('exit', resume);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      resume();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
  return resume;
}
