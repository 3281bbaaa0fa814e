// Stops and starts the real local broker (scripts/kafka/kafka.sh) to simulate outages.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = join(__dirname, '../../scripts/kafka/kafka.sh');

export async function stopBroker(): Promise<void> {
  await run('bash', [script, 'stop'], { timeout: 120000 });
}

export async function startBroker(): Promise<void> {
  await run('bash', [script, 'start'], { timeout: 180000 });
}
