import { unlink } from 'node:fs/promises';
import {
  applyToStore,
  FileRestrictionStore,
  PartnerClient,
  type EventHandler,
  type HandlerResult,
  type InvalidEvent,
  type Receipt,
  type RestrictionStore,
} from '@cd/partner-sdk';
import type { AgentConfig } from './agent-config';

// The reference partner: "enforces" into a JSON file and confirms with signed receipts.
// Built on @cd/partner-sdk alone. Logs carry restriction ids, never names or identifier numbers.

export type Log = (record: Record<string, unknown>) => void;

export interface RunningAgent {
  stop(): Promise<void>;
}

export async function runAgent(config: AgentConfig, log: Log, onFatal: (error: unknown) => void): Promise<RunningAgent> {
  const store = await FileRestrictionStore.open(config.storePath, {
    onError: (error) => log({ level: 'error', msg: 'store-write-failed', error: errorText(error) }),
  });
  const client = new PartnerClient({
    ...config.client,
    onError: (error, { where, fatal }) => {
      log({ level: fatal ? 'error' : 'warn', msg: 'consumer-crashed', where, fatal, error: errorText(error) });
      if (fatal && where === 'subscribe') onFatal(error);
    },
  });

  try {
    await client.subscribe(agentHandler(config, store, log), {
      flush: () => store.flush(),
      onInvalidEvent: (invalid) => log(invalidEventRecord(invalid)),
      onReceiptSent: ({ receipt, transport, status }) => log({ level: 'info', msg: 'receipt-sent', ...receiptFields(receipt), transport, status }),
      onReceiptRejected: (error, request) =>
        log({ level: 'warn', msg: 'receipt-rejected', reason: error.reason, restrictionId: request.restrictionId, version: request.version }),
    });
  } catch (error) {
    await client.close();
    await store.close();
    throw error;
  }
  if (config.client.receiptTransport !== 'rest') {
    // Kafka receipts are judged asynchronously; the verdicts come back on the rejected-receipts topic.
    client
      .rejections((rejection) => {
        const receipt = (rejection.receipt ?? {}) as Partial<Receipt>;
        log({ level: 'warn', msg: 'receipt-rejected', reason: rejection.reason, restrictionId: receipt.restrictionId, version: receipt.version });
      })
      .catch((error) => log({ level: 'warn', msg: 'rejections-unavailable', error: errorText(error) }));
  }
  log({
    level: 'info',
    msg: 'started',
    partnerId: client.partnerId,
    sector: config.sector,
    kinds: client.kinds,
    topics: client.topics,
    transport: client.receiptTransport,
    mode: config.fail ? 'fail' : config.silent ? 'silent' : 'normal',
  });

  return {
    async stop() {
      await client.close();
      await store.close();
    },
  };
}

export function agentHandler(config: AgentConfig, store: RestrictionStore, log: Log): EventHandler {
  const apply = applyToStore(store, {
    kinds: config.client.kinds,
    partnerReference: (event) => `${config.client.partnerId}/${event.data.id.slice(0, 8)}/v${event.data.version}`,
    onApplied: (event, result) =>
      log({
        level: 'info',
        msg: 'event-applied',
        restrictionId: event.data.id,
        kind: event.data.kind,
        version: event.data.version,
        status: event.data.status,
        change: event.type.split('.').pop(),
        result,
      }),
  });
  return async (event, context): Promise<HandlerResult | null> => {
    if (config.fail) {
      log({ level: 'warn', msg: 'event-not-applied', restrictionId: event.data.id, kind: event.data.kind, version: event.data.version, cause: 'AGENT_FAIL' });
      return { outcome: 'FAILED', reason: 'simulated enforcement failure (AGENT_FAIL)' };
    }
    const result = await apply(event, context);
    if (result?.outcome === 'NOT_APPLICABLE') {
      log({ level: 'warn', msg: 'event-not-applicable', restrictionId: event.data.id, kind: event.data.kind, version: event.data.version });
    }
    if (!result || config.silent) return null;
    if (config.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, config.slowMs));
    return result;
  };
}

export async function bootstrapStore(config: AgentConfig): Promise<Record<string, unknown>> {
  const store = await openWiped(config.storePath);
  const client = new PartnerClient(config.client);
  try {
    const result = await client.bootstrap(store);
    const entries = await store.entries();
    return { command: 'bootstrap', ...result, entries: entries.length, active: entries.filter((e) => e.status === 'ACTIVE').length };
  } finally {
    await client.close();
    await store.close();
  }
}

export async function reconcileStore(config: AgentConfig, options: { repair: boolean }): Promise<Record<string, unknown>> {
  const store = await FileRestrictionStore.open(config.storePath);
  const client = new PartnerClient(config.client);
  try {
    const result = await client.reconcile(store);
    if (!options.repair || result.differingBuckets.length === 0) return { command: 'reconcile', ...result };
    const repair = await client.repair(store, result.differingBuckets, { confirm: !config.silent });
    const after = await client.reconcile(store);
    return { command: 'reconcile', ...result, repair, differingAfterRepair: after.differingBuckets };
  } finally {
    await client.close();
    await store.close();
  }
}

export async function wipeStore(config: AgentConfig): Promise<Record<string, unknown>> {
  const store = await openWiped(config.storePath);
  await store.close();
  return { command: 'wipe', storePath: config.storePath };
}

/** An empty store at the path, even when the old file is unreadable. */
async function openWiped(path: string): Promise<FileRestrictionStore> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  const store = await FileRestrictionStore.open(path);
  await store.clear();
  await store.flush();
  return store;
}

function invalidEventRecord(invalid: InvalidEvent): Record<string, unknown> {
  return {
    level: 'warn',
    msg: 'invalid-event',
    reason: invalid.reason,
    topic: invalid.topic,
    partition: invalid.partition,
    offset: invalid.offset,
    restrictionId: invalid.restrictionId,
    eventId: invalid.eventId,
    version: invalid.version,
  };
}

function receiptFields(receipt: Receipt): Record<string, unknown> {
  return {
    restrictionId: receipt.restrictionId,
    version: receipt.version,
    eventId: receipt.eventId,
    outcome: receipt.outcome,
    reason: receipt.reason,
    keyId: receipt.keyId,
  };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
