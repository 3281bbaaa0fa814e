// Runs the reference partner as a real child process (ts-node with the SWC transpiler),
// exactly as an operator would, and watches its JSON-lines output. For integration tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '../../../..');
export const AGENT_MAIN = 'apps/partner-agent/src/main.ts';

export type AgentRecord = Record<string, unknown> & { msg?: string };

export class AgentProcess {
  readonly records: AgentRecord[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  private constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--swc', '-r', 'tsconfig-paths/register', AGENT_MAIN, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        try {
          this.records.push(JSON.parse(line));
        } catch {
          this.records.push({ msg: 'not-json', line });
        }
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  static start(args: string[], env: NodeJS.ProcessEnv): AgentProcess {
    return new AgentProcess(args, env);
  }

  /** Runs a one-shot command to completion and returns its exit code and the last stdout record. */
  static async runToEnd(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ code: number | null; result: AgentRecord; agent: AgentProcess }> {
    const agent = new AgentProcess(args, env);
    const code = await agent.waitForExit(timeoutMs);
    return { code, result: agent.records[agent.records.length - 1] ?? {}, agent };
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Polls the records seen so far until the predicate holds; fails with the output after the deadline. */
  async waitFor(predicate: (records: AgentRecord[]) => boolean, what: string, timeoutMs = 60_000): Promise<AgentRecord[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.records)) {
      if (!this.running) throw new Error(`agent exited while waiting for ${what}\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.records;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async waitForExit(timeoutMs = 60_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`agent did not exit within ${timeoutMs} ms\n${this.output()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last resort in test clean-up. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  output(): string {
    return `--- stdout ---\n${this.stdout.slice(-4000)}\n--- stderr ---\n${this.stderr.slice(-4000)}`;
  }
}
