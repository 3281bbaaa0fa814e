// The registry as a child process (the production bundle, `node main.js`), so its memory
// is its own: peak RSS is read from /proc/<pid>/status (VmHWM) and sampled (VmRSS) per phase.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { sleep } from './stats';

export class RegistryProcess {
  private readonly samples: { at: number; rssKiB: number }[] = [];
  private sampler?: NodeJS.Timeout;
  private exited = false;
  private phaseStart = 0;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('exit', () => (this.exited = true));
  }

  static async start(options: { script: string; env: NodeJS.ProcessEnv; port: number; logFile: string; nodeArgs?: string[] }): Promise<RegistryProcess> {
    // The log file itself, not a pipe through this process: the registry's synchronous stdout
    // writes must never wait for the load generator's event loop.
    const log = openSync(options.logFile, 'w');
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], { env: options.env, stdio: ['ignore', log, log] });
    closeSync(log);
    const registry = new RegistryProcess(child, options.port);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (registry.exited) throw new Error(`the registry exited during start-up (exit ${child.exitCode}); see ${options.logFile}`);
      const ok = await fetch(`http://127.0.0.1:${options.port}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`the registry did not answer on port ${options.port} within 60 s; see ${options.logFile}`);
      await sleep(250);
    }
    registry.sampler = setInterval(() => registry.sample(), 200);
    registry.sampler.unref();
    return registry;
  }

  get pid(): number {
    return this.child.pid!;
  }

  private status(): Record<string, number> {
    const text = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const values: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const match = /^(Vm\w+|Rss\w+):\s+(\d+) kB/.exec(line);
      if (match) values[match[1]] = Number(match[2]);
    }
    return values;
  }

  private sample(): void {
    if (this.exited) return;
    try {
      this.samples.push({ at: performance.now(), rssKiB: this.status().VmRSS });
    } catch {
      // the process is gone
    }
  }

  /** Peak resident set since start (the kernel's high-water mark), MiB. */
  peakRssMiB(): number {
    return this.status().VmHWM / 1024;
  }

  currentRssMiB(): number {
    return this.status().VmRSS / 1024;
  }

  /** Marks the start of a phase; phasePeakMiB() then reports the highest sampled RSS since. */
  markPhase(): void {
    this.sample();
    this.phaseStart = performance.now();
  }

  phasePeakMiB(): number {
    this.sample();
    let peak = 0;
    for (const s of this.samples) if (s.at >= this.phaseStart && s.rssKiB > peak) peak = s.rssKiB;
    return peak / 1024;
  }

  /** Highest sampled RSS since `at` (performance.now()), MiB. */
  peakSinceMiB(at: number): number {
    this.sample();
    let peak = 0;
    for (const s of this.samples) if (s.at >= at && s.rssKiB > peak) peak = s.rssKiB;
    return peak / 1024;
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
