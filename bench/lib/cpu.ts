// CPU used per process over a phase (from /proc), to say what limited a figure: the registry,
// MariaDB, Kafka, the load generator itself, or everything else on the machine.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export function findPid(command: string, pidFile?: string): number | undefined {
  if (pidFile && existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (processTicks(pid) !== undefined) return pid;
  }
  try {
    return Number(execSync(`pgrep -o -x ${command}`, { encoding: 'utf8' }).trim()) || undefined;
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  at: number;
  perProcess: Record<string, number | undefined>;
  machine: { busy: number; total: number };
}

export interface CpuUsage {
  /** Per process: % of one core over the phase. */
  processes: Record<string, number>;
  /** Whole machine busy, % of all cores. */
  machineBusy: number;
  /** Cores' worth used by processes not listed (other engineers' test runs, …). */
  othersCores: number;
  cores: number;
}

export class CpuMeter {
  constructor(private readonly pids: () => Record<string, number | undefined>) {}

  snapshot(): CpuSnapshot {
    const perProcess: Record<string, number | undefined> = {};
    for (const [name, pid] of Object.entries(this.pids())) perProcess[name] = pid === undefined ? undefined : processTicks(pid);
    return { at: performance.now(), perProcess, machine: machineTicks() };
  }

  since(start: CpuSnapshot): CpuUsage {
    const end = this.snapshot();
    const seconds = (end.at - start.at) / 1000;
    const processes: Record<string, number> = {};
    let listed = 0;
    for (const [name, ticks] of Object.entries(end.perProcess)) {
      const before = start.perProcess[name];
      if (ticks === undefined || before === undefined) continue;
      const used = (ticks - before) / TICKS_PER_SECOND;
      listed += used;
      processes[name] = Math.round((100 * used) / seconds);
    }
    const busyTicks = end.machine.busy - start.machine.busy;
    const totalTicks = end.machine.total - start.machine.total;
    const cores = cpus().length;
    const busyCoreSeconds = (busyTicks / Math.max(1, totalTicks)) * cores * seconds;
    return {
      processes,
      machineBusy: Math.round((100 * busyTicks) / Math.max(1, totalTicks)),
      othersCores: Math.round(((busyCoreSeconds - listed) / seconds) * 100) / 100,
      cores,
    };
  }
}

export function describeCpu(usage: CpuUsage): string {
  const parts = Object.entries(usage.processes).map(([name, pct]) => `${name} ${pct}%`);
  return `CPU (% of one core): ${parts.join(', ')}; machine ${usage.machineBusy}% busy of ${usage.cores} cores, of which ${usage.othersCores.toFixed(2)} cores by other processes`;
}
