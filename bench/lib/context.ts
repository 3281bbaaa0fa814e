import { generateSigningKeyPair, signReceipt, type Receipt } from '@cd/contracts';
import type { PartnerSector, RestrictionKind } from '@cd/domain';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'mysql2/promise';
import type { DbSettings } from './db';
import type { Court, DataGenerator } from './generator';
import type { HttpClient } from './http';
import type { InProcessRegistry } from './inproc';
import type { RegistryProcess } from './registry-process';
import type { Report } from './report';
import type { SampleCollector } from './seed';
import type { Settings } from './settings';

export interface BenchPartner {
  id: string;
  sector: PartnerSector;
  kinds: RestrictionKind[];
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
  token: string;
}

export interface BenchContext {
  settings: Settings;
  /** Environment of the registry process (and of the in-process copy). */
  env: NodeJS.ProcessEnv;
  db: DbSettings;
  /** Raw mysql2 pool: baselines and measurements. */
  pool: Pool;
  registry: RegistryProcess;
  http: HttpClient;
  inproc: InProcessRegistry;
  /** Raw kafkajs client: baselines, observers, pre-produced receipts and bootstrap events. */
  kafka: Kafka;
  topicPrefix: string;
  partners: BenchPartner[];
  courts: Court[];
  generator: DataGenerator;
  collector: SampleCollector;
  /** Restrictions in the database now (seeded + written by the scenarios). */
  seeded: number;
  report: Report;
  log(line: string): void;
}

const PARTNER_PLAN: { sector: PartnerSector; kinds: RestrictionKind[] }[] = [
  { sector: 'BANK', kinds: ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION'] },
  { sector: 'AIRLINE', kinds: ['CONSUMPTION_RESTRICTION'] },
  { sector: 'RAILWAY', kinds: ['CONSUMPTION_RESTRICTION'] },
  { sector: 'BORDER_CONTROL', kinds: ['EXIT_BAN'] },
  { sector: 'CREDIT_BUREAU', kinds: ['DISHONEST_LISTING'] },
  { sector: 'HOTEL_OPERATOR', kinds: ['CONSUMPTION_RESTRICTION'] },
  { sector: 'MARKET_REGULATOR', kinds: ['DISHONEST_LISTING'] },
  { sector: 'TRAVEL_AGENCY', kinds: ['CONSUMPTION_RESTRICTION'] },
];

/** Registers partners through the admin API (as an operator would), before any restriction exists. */
export async function registerPartners(http: HttpClient, adminToken: string, count: number, partnerToken: (id: string) => string, idPrefix = 'bench'): Promise<BenchPartner[]> {
  const partners: BenchPartner[] = [];
  for (let i = 0; i < count; i++) {
    const plan = PARTNER_PLAN[i % PARTNER_PLAN.length];
    const id = `${idPrefix}-${plan.sector.toLowerCase().replace(/_/g, '-')}-${i}`;
    const keyId = `${id}-k1`;
    const { privateKeyPem, publicKeyPem } = generateSigningKeyPair();
    const response = await http.request('POST', '/v1/admin/partners', {
      token: adminToken,
      body: { id, name: `压测机构 ${id}`, sector: plan.sector, kinds: plan.kinds, receiptDeadline: { value: 1, unit: 'WORKING_DAYS' }, publicKeys: [{ keyId, publicKeyPem }] },
    });
    if (response.status !== 201) throw new Error(`registering partner ${id}: HTTP ${response.status} ${response.text}`);
    partners.push({ id, sector: plan.sector, kinds: plan.kinds, keyId, privateKeyPem, publicKeyPem, token: partnerToken(id) });
  }
  return partners;
}

export function signedReceipt(partner: BenchPartner, fields: { restrictionId: string; version: number; eventId: string }): Receipt {
  return signReceipt(
    { partnerId: partner.id, ...fields, outcome: 'APPLIED', partnerReference: `bench-${fields.version}`, time: new Date().toISOString(), keyId: partner.keyId },
    partner.privateKeyPem,
  );
}
