// Load generation against the registry on 127.0.0.1 only: a keep-alive HTTP client,
// an open-loop generator (fixed arrival rate, latency measured from the intended send
// time, so a stalled server is not hidden by coordinated omission) and a closed-loop
// generator (C workers back to back, for throughput). Both are bounded in time and count.
import { Agent, request as httpRequest } from 'node:http';
import { summarise, type LatencySummary } from './stats';

export interface HttpResponse {
  status: number;
  text: string;
}

export class HttpClient {
  private readonly agent: Agent;

  constructor(
    readonly port: number,
    maxSockets = 512,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string | number> = { accept: 'application/json', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One unit of work: resolves to an outcome label ('ok' counts as success) or throws. */
export type Task = (index: number) => Promise<string>;

export interface LoadResult {
  mode: 'open' | 'closed';
  /** Requests started / completed successfully. */
  started: number;
  ok: number;
  outcomes: Record<string, number>;
  /** Open loop: arrivals skipped because maxInFlight requests were already outstanding. */
  dropped: number;
  elapsedMs: number;
  /** Successful completions per second over the phase. */
  throughput: number;
  /** Open loop: the rate asked for. */
  targetRate?: number;
  latency: LatencySummary;
}

function outcomeOf(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return `error:${message.slice(0, 80)}`;
}

/** Fixed arrival rate for durationMs (or maxCount arrivals); latency from each request's intended start. */
export async function openLoop(options: { rate: number; durationMs: number; maxCount?: number; maxInFlight?: number; task: Task }): Promise<LoadResult> {
  const { rate, durationMs, task } = options;
  const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
  const maxInFlight = options.maxInFlight ?? 1024;
  const interval = 1000 / rate;
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let started = 0;
  let dropped = 0;
  let ok = 0;
  const start = performance.now();
  const launch = (index: number, intended: number) => {
    const run = task(index).then(
      (outcome) => {
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (outcome === 'ok') {
          ok++;
          latencies.push(performance.now() - intended);
        }
      },
      (error) => {
        const key = outcomeOf(error);
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      },
    );
    const tracked = run.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  let next = 0;
  while (next < maxCount) {
    const elapsed = performance.now() - start;
    if (elapsed >= durationMs) break;
    const due = Math.min(maxCount, Math.floor(elapsed / interval) + 1);
    for (; next < due; next++) {
      if (inFlight.size >= maxInFlight) {
        dropped++;
        continue;
      }
      started++;
      launch(next, start + next * interval);
    }
    const wait = next * interval - (performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(wait, 50))));
  }
  const sendEnd = performance.now();
  await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, 60_000))]);
  const elapsedMs = Math.max(sendEnd, performance.now()) - start;
  return { mode: 'open', started, ok, outcomes, dropped, elapsedMs, throughput: (ok * 1000) / elapsedMs, targetRate: rate, latency: summarise(latencies) };
}

/** C workers, each starting its next request when the previous one finished, for durationMs or maxCount requests. */
export async function closedLoop(options: { concurrency: number; durationMs: number; maxCount?: number; task: Task }): Promise<LoadResult> {
  const { concurrency, durationMs, task } = options;
  const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let started = 0;
  let ok = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async () => {
    while (performance.now() < deadline && started < maxCount) {
      const index = started++;
      const t0 = performance.now();
      try {
        const outcome = await task(index);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (outcome === 'ok') {
          ok++;
          latencies.push(performance.now() - t0);
        }
      } catch (error) {
        const key = outcomeOf(error);
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  return { mode: 'closed', started, ok, outcomes, dropped: 0, elapsedMs, throughput: (ok * 1000) / elapsedMs, latency: summarise(latencies) };
}

/** HTTP status → outcome: the expected status is 'ok', anything else names the status (and problem code when there is one). */
export function statusOutcome(response: HttpResponse, expected: number | number[]): string {
  const wanted = Array.isArray(expected) ? expected : [expected];
  if (wanted.includes(response.status)) return 'ok';
  let code = '';
  try {
    code = (JSON.parse(response.text) as { code?: string }).code ?? '';
  } catch {
    // not JSON
  }
  return `http ${response.status}${code ? ` ${code}` : ''}`;
}
