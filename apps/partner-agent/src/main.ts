// Reference partner institution, a process of its own:
//
//   ts-node --swc -r tsconfig-paths/register apps/partner-agent/src/main.ts <run|bootstrap|reconcile [--repair]|wipe>
//
// Configured by environment: PARTNER_ID, PARTNER_SECTOR and/or PARTNER_KINDS, PARTNER_KEY_ID,
// PARTNER_PRIVATE_KEY_PEM or PARTNER_PRIVATE_KEY_FILE, STORE_PATH, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX,
// PARTNER_GROUP_ID, REGISTRY_URL, REGISTRY_TOKEN, RECEIPT_TRANSPORT (kafka|rest), SERVICE_PUBLIC_KEYS,
// and for demos AGENT_SLOW_MS, AGENT_SILENT, AGENT_FAIL. One JSON line per record on stdout.
import { KafkaLogLevel, type KafkaLogCreator } from '@cd/partner-sdk';
import { AgentConfigError, loadAgentConfig, type AgentConfig } from './agent-config';
import { bootstrapStore, errorText, reconcileStore, runAgent, wipeStore, type Log } from './agent';

const COMMANDS = ['run', 'bootstrap', 'reconcile', 'wipe'] as const;

const log: Log = (record) => process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), ...record })}\n`);
const logError: Log = (record) => process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level: 'error', ...record })}\n`);

// kafkajs' own warnings and errors, as JSON on stderr so stdout stays one record per line.
const kafkaLogs: KafkaLogCreator = () => ({ namespace, level, log: entry }) => {
  const { message, error } = entry as { message?: string; error?: string };
  logError({ level: level === KafkaLogLevel.ERROR ? 'error' : 'warn', msg: 'kafka', namespace, message, error });
};

async function main(argv: string[]): Promise<number> {
  const [command = 'run', ...flags] = argv;
  if (!(COMMANDS as readonly string[]).includes(command)) {
    logError({ msg: 'usage', detail: `command must be one of ${COMMANDS.join(', ')}` });
    return 2;
  }
  let config: AgentConfig;
  try {
    config = loadAgentConfig(process.env);
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    logError({ msg: 'configuration', detail: error.message });
    return 2;
  }
  config.client.kafka = { logLevel: KafkaLogLevel.WARN, logCreator: kafkaLogs };

  switch (command) {
    case 'bootstrap':
      log(await bootstrapStore(config));
      return 0;
    case 'reconcile':
      log(await reconcileStore(config, { repair: flags.includes('--repair') }));
      return 0;
    case 'wipe':
      log(await wipeStore(config));
      return 0;
    default:
      return run(config);
  }
}

/** Resolves with the exit code once stopped by SIGTERM/SIGINT or a fatal consumer error. */
function run(config: AgentConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    let stopping: Promise<void> | undefined;
    const stop = (cause: string, code: number) => {
      stopping ??= (async () => {
        log({ level: 'info', msg: 'stopping', cause });
        try {
          await (await agent).stop();
          log({ level: 'info', msg: 'stopped' });
          resolve(code);
        } catch (error) {
          logError({ msg: 'stop-failed', error: errorText(error) });
          resolve(1);
        }
      })();
    };
    process.on('SIGTERM', () => stop('SIGTERM', 0));
    process.on('SIGINT', () => stop('SIGINT', 0));
    const agent = runAgent(config, log, (error) => stop(`fatal: ${errorText(error)}`, 1));
    agent.catch(reject);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    logError({ msg: 'failed', error: errorText(error) });
    process.exit(1);
  },
);
