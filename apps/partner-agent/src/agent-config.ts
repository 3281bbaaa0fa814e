import { readFileSync } from 'node:fs';
import {
  DEFAULT_TOPIC_PREFIX,
  PARTNER_SECTORS,
  RESTRICTION_KINDS,
  SECTOR_DEFAULT_KINDS,
  type PartnerClientConfig,
  type PartnerSector,
  type ReceiptTransport,
} from '@cd/partner-sdk';

export interface AgentConfig {
  client: PartnerClientConfig;
  sector?: PartnerSector;
  storePath: string;
  /** Demo switches. */
  slowMs: number;
  silent: boolean;
  fail: boolean;
}

export class AgentConfigError extends Error {}

/** Reads the agent's environment (see README of the reference partner in main.ts). */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const partnerId = required(env, 'PARTNER_ID');
  const sector = env.PARTNER_SECTOR ? oneOf(env.PARTNER_SECTOR.toUpperCase(), PARTNER_SECTORS, 'PARTNER_SECTOR') : undefined;
  const kinds = env.PARTNER_KINDS
    ? list(env.PARTNER_KINDS).map((kind) => oneOf(kind.toUpperCase(), RESTRICTION_KINDS, 'PARTNER_KINDS'))
    : sector
      ? [...SECTOR_DEFAULT_KINDS[sector]]
      : undefined;
  if (!kinds || kinds.length === 0) throw new AgentConfigError('set PARTNER_SECTOR or PARTNER_KINDS');

  const privateKeyPem = env.PARTNER_PRIVATE_KEY_PEM
    ? env.PARTNER_PRIVATE_KEY_PEM.replace(/\\n/g, '\n')
    : env.PARTNER_PRIVATE_KEY_FILE
      ? readFileSync(env.PARTNER_PRIVATE_KEY_FILE, 'utf8')
      : undefined;
  if (!privateKeyPem) throw new AgentConfigError('set PARTNER_PRIVATE_KEY_PEM or PARTNER_PRIVATE_KEY_FILE');

  let serviceKeys: Record<string, string> | undefined;
  if (env.SERVICE_PUBLIC_KEYS) {
    try {
      serviceKeys = JSON.parse(env.SERVICE_PUBLIC_KEYS);
    } catch {
      throw new AgentConfigError('SERVICE_PUBLIC_KEYS must be JSON: {"<key id>": "<public key PEM>"}');
    }
    if (typeof serviceKeys !== 'object' || serviceKeys === null || Object.values(serviceKeys).some((pem) => typeof pem !== 'string')) {
      throw new AgentConfigError('SERVICE_PUBLIC_KEYS must be JSON: {"<key id>": "<public key PEM>"}');
    }
  }
  const registryUrl = env.REGISTRY_URL || undefined;
  if (!serviceKeys && !registryUrl) throw new AgentConfigError('set SERVICE_PUBLIC_KEYS or REGISTRY_URL (to fetch the event keys)');
  const receiptTransport = oneOf((env.RECEIPT_TRANSPORT ?? 'kafka').toLowerCase(), ['kafka', 'rest'] as const, 'RECEIPT_TRANSPORT') as ReceiptTransport;
  if (receiptTransport === 'rest' && (!registryUrl || !env.REGISTRY_TOKEN)) {
    throw new AgentConfigError('RECEIPT_TRANSPORT=rest needs REGISTRY_URL and REGISTRY_TOKEN');
  }

  return {
    client: {
      partnerId,
      kinds,
      brokers: list(env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
      topicPrefix: env.KAFKA_TOPIC_PREFIX || DEFAULT_TOPIC_PREFIX,
      groupId: env.PARTNER_GROUP_ID || undefined,
      signingKey: { keyId: required(env, 'PARTNER_KEY_ID'), privateKeyPem },
      serviceKeys,
      registryUrl,
      token: env.REGISTRY_TOKEN || undefined,
      receiptTransport,
    },
    sector,
    storePath: env.STORE_PATH || `partner-agent-${partnerId}.json`,
    slowMs: nonNegativeInt(env.AGENT_SLOW_MS, 'AGENT_SLOW_MS'),
    silent: flag(env.AGENT_SILENT),
    fail: flag(env.AGENT_FAIL),
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new AgentConfigError(`${name} is required`);
  return value;
}

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new AgentConfigError(`${name}: ${value} is not one of ${allowed.join(', ')}`);
  return value as T;
}

function flag(value: string | undefined): boolean {
  return ['1', 'true', 'yes', 'on'].includes((value ?? '').toLowerCase());
}

function nonNegativeInt(value: string | undefined, name: string): number {
  if (!value) return 0;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new AgentConfigError(`${name} must be a non-negative integer (ms)`);
  return parsed;
}
