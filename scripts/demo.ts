/* eslint-disable @typescript-eslint/no-explicit-any -- a demo driving a JSON API; the responses are read loosely on purpose */
// `npm run demo`: brings the local stack up (via scripts/local.sh demo), seeds courts and
// partners, starts reference partner agents (the airline slow), drives a realistic scenario
// and prints a summary. Stops everything on Ctrl-C; `--exit` stops after the summary.
import { generateSigningKeyPair } from '@cd/contracts';
import { residentIdCheckChar, usccCheckChar, type PartnerSector } from '@cd/domain';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenService } from '../apps/registry/src/auth/token.service';
import { loadConfig } from '../apps/registry/src/config/app-config';

const config = loadConfig();
const base = `http://127.0.0.1:${config.http.port}`;
const tokens = new TokenService(config);
const admin = tokens.issue({ sub: 'demo-admin', role: 'admin' });
const court = tokens.issue({ sub: 'clerk@110108', role: 'court', court: '110108' });
const supervisor = tokens.issue({ sub: 'demo-supervisor', role: 'supervisor' });
const children: ChildProcess[] = [];
const storeDir = mkdtempSync(join(tmpdir(), 'credit-discipline-demo-'));

function say(text: string): void {
  console.log(`\x1b[36m▶\x1b[0m ${text}`);
}

async function api<T = any>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function residentId(birth: string, region = '110108'): string {
  const first17 = `${region}${birth.replace(/-/g, '')}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

function creditCode(): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const first17 = `91110108${Array.from({ length: 9 }, () => alphabet[Math.floor(Math.random() * 31)]).join('')}`;
  return first17 + usccCheckChar(first17);
}

function caseInfo(n: number) {
  return {
    caseNumber: `(2026)京0108执${1000 + n}号`,
    enforcementBasis: { issuer: '北京市海淀区人民法院', documentNumber: `(2025)京0108民初${2000 + n}号` },
    filingDate: '2026-03-02',
  };
}

interface DemoPartner {
  id: string;
  name: string;
  sector: PartnerSector;
  keyId: string;
  privateKeyPem: string;
  agentEnv?: Record<string, string>;
}

async function registerPartner(id: string, name: string, sector: PartnerSector, deadline: { value: number; unit: string }, agentEnv: Record<string, string> = {}): Promise<DemoPartner> {
  const { privateKeyPem, publicKeyPem } = generateSigningKeyPair();
  const keyId = `${id}-2026`;
  await api('POST', '/v1/admin/partners', admin, { id, name, sector, receiptDeadline: deadline, publicKeys: [{ keyId, publicKeyPem }] });
  return { id, name, sector, keyId, privateKeyPem, agentEnv };
}

function startAgent(partner: DemoPartner): void {
  const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--swc', '-r', 'tsconfig-paths/register', 'apps/partner-agent/src/main.ts', 'run'], {
    env: {
      ...process.env,
      PARTNER_ID: partner.id,
      PARTNER_SECTOR: partner.sector,
      PARTNER_KEY_ID: partner.keyId,
      PARTNER_PRIVATE_KEY_PEM: partner.privateKeyPem,
      STORE_PATH: join(storeDir, `${partner.id}.json`),
      KAFKA_BROKERS: config.kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: config.kafka.topicPrefix,
      REGISTRY_URL: base,
      REGISTRY_TOKEN: tokens.issue({ sub: `agent-${partner.id}`, role: 'partner', partner: partner.id }, { expiresInSeconds: 24 * 3600 }),
      RECEIPT_TRANSPORT: 'kafka',
      ...partner.agentEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
}

async function enforcementLine(id: string, label: string): Promise<string> {
  const report = await api('GET', `/v1/restrictions/${id}/enforcement`, court);
  const parts = report.partners.map((p: { name: string; upToDate: boolean; overdue: boolean; liftConfirmedAt: string | null }) =>
    `${p.name}:${p.overdue ? '逾期' : report.status === 'LIFTED' ? (p.liftConfirmedAt ? '已解除' : '待解除') : p.upToDate ? '已执行' : '待执行'}`,
  );
  return `${label.padEnd(28)} ${report.kind.padEnd(24)} v${report.version} ${report.status.padEnd(7)} ${report.fullyLifted ? '全部解除确认' : report.fullyEnforced ? '全部执行确认' : '进行中'}  ${parts.join('  ')}`;
}

async function main(): Promise<void> {
  say(`registry at ${base}`);
  const registry = spawn(process.execPath, ['dist/apps/registry/main.js'], {
    env: { ...process.env, OVERDUE_SCAN_INTERVAL_MS: '2000', REANNOUNCE_AFTER_MS: '30000', EXPIRY_INTERVAL_MS: '10000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(registry);
  await until('the registry to be ready', async () => (await fetch(`${base}/health/ready`)).ok);

  say('registering partners: bank, market regulator, airline (slow), railway, border control');
  const partners = [
    await registerPartner('bank-icbc-bj', '中国工商银行北京市分行', 'BANK', { value: 1, unit: 'WORKING_DAYS' }),
    await registerPartner('samr-bj', '北京市市场监督管理局', 'MARKET_REGULATOR', { value: 1, unit: 'WORKING_DAYS' }),
    await registerPartner('air-china', '中国国际航空', 'AIRLINE', { value: 5, unit: 'SECONDS' }, { AGENT_SLOW_MS: '6000' }),
    await registerPartner('china-railway', '中国国家铁路集团', 'RAILWAY', { value: 2, unit: 'HOURS' }),
    await registerPartner('nia-border', '国家移民管理局边检', 'BORDER_CONTROL', { value: 1, unit: 'HOURS' }),
  ];
  for (const partner of partners) startAgent(partner);

  say('court 110108 lists 张三 (evading enforcement) — the listing brings its consumption restriction');
  const zhangId = residentId('1978-04-12');
  const zhang = await api('POST', '/v1/restrictions', court, {
    kind: 'DISHONEST_LISTING',
    subject: { type: 'PERSON', name: '张三', identifier: { type: 'RESIDENT_ID', value: zhangId }, sex: 'MALE' },
    case: caseInfo(1),
    ground: 'EVADES_ENFORCEMENT',
    obligation: '支付货款人民币350000元及利息',
    performanceStatus: '全部未履行',
    dishonestConduct: '转移财产规避执行',
    decidedAt: new Date(Date.now() - 60_000).toISOString(),
  });

  say('an organisation: consumption restriction naming its legal representative, principal and actual controller; exit ban for the first two');
  const organisation = { type: 'ORGANISATION', name: '北京某某科技有限公司', identifier: { type: 'USCC', value: creditCode() }, legalRepresentative: '李四' };
  const li = { role: 'LEGAL_REPRESENTATIVE', name: '李四', identifier: { type: 'RESIDENT_ID', value: residentId('1970-01-20') } };
  const wang = { role: 'PRINCIPAL_PERSON_IN_CHARGE', name: '王五', identifier: { type: 'RESIDENT_ID', value: residentId('1982-07-08') } };
  const zhao = { role: 'ACTUAL_CONTROLLER', name: '赵六', identifier: { type: 'RESIDENT_ID', value: residentId('1965-11-30') } };
  const orgConsumption = await api('POST', '/v1/restrictions', court, {
    kind: 'CONSUMPTION_RESTRICTION',
    subject: organisation,
    affectedPersons: [li, wang, zhao],
    case: caseInfo(2),
    decidedAt: new Date(Date.now() - 30_000).toISOString(),
  });
  const exitBan = await api('POST', '/v1/restrictions', court, {
    kind: 'EXIT_BAN',
    subject: organisation,
    affectedPersons: [li, wang],
    case: caseInfo(2),
    decidedAt: new Date(Date.now() - 20_000).toISOString(),
    expiresAt: new Date(Date.now() + 180 * 86_400_000).toISOString(),
  });

  say('court 110108 also lists 周八 (violated a consumption order, term extended by one year)');
  const zhou = await api('POST', '/v1/restrictions', court, {
    kind: 'DISHONEST_LISTING',
    subject: { type: 'PERSON', name: '周八', identifier: { type: 'RESIDENT_ID', value: residentId('1985-09-03') }, sex: 'MALE' },
    case: caseInfo(4),
    ground: 'VIOLATES_CONSUMPTION_ORDER',
    extensionYears: 1,
    obligation: '支付借款本金人民币800000元',
    performanceStatus: '部分履行',
    dishonestConduct: '违反限制消费令乘坐飞机',
    decidedAt: new Date(Date.now() - 15_000).toISOString(),
  });

  say('a listing with a 1-month grace period: recorded, but neither public nor distributed yet');
  await api('POST', '/v1/restrictions', court, {
    kind: 'DISHONEST_LISTING',
    subject: { type: 'PERSON', name: '孙七', identifier: { type: 'RESIDENT_ID', value: residentId('1990-02-14') }, sex: 'FEMALE' },
    case: caseInfo(3),
    ground: 'VIOLATES_ASSET_REPORTING',
    decidedAt: new Date(Date.now() - 10_000).toISOString(),
    publishAfter: new Date(Date.now() + 32 * 86_400_000).toISOString(),
  });

  const ids: [string, string][] = [
    [zhang.id, '张三 失信名单'],
    [zhang.linkedRestrictions[0].id, '张三 限制消费'],
    [orgConsumption.id, '北京某某科技 限制消费'],
    [exitBan.id, '北京某某科技 限制出境'],
    [zhou.id, '周八 失信名单'],
    [zhou.linkedRestrictions[0].id, '周八 限制消费'],
  ];
  say('waiting for the partners to enforce (the airline is slow: it goes overdue, is re-announced, then catches up)');
  await until('the airline to go overdue', async () => (await api<unknown[]>('GET', '/v1/supervision/overdue?partnerId=air-china', supervisor)).length > 0);
  console.log('   overdue now:', (await api<{ restrictionId: string }[]>('GET', '/v1/supervision/overdue', supervisor)).map((d) => d.restrictionId).join(', '));
  await until('every restriction to be enforced', async () => {
    for (const [id] of ids) if (!(await api('GET', `/v1/restrictions/${id}/enforcement`, court)).fullyEnforced) return false;
    return true;
  }, 180_000);

  say('张三 paid: the court deletes the listing and lifts his consumption restriction — every partner must confirm the lift');
  await api('POST', `/v1/restrictions/${zhang.id}/lift`, court, { reason: 'PERFORMED', note: '已全部履行', includeLinked: true });
  await until('the lift to be confirmed everywhere', async () => (await api('GET', `/v1/restrictions/${zhang.linkedRestrictions[0].id}/enforcement`, court)).fullyLifted, 180_000);

  say('a credit bureau joins late: it is back-filled with the active restrictions of its kinds and catches up from the topics');
  const bureau = await registerPartner('pbc-credit', '中国人民银行征信中心', 'CREDIT_BUREAU', { value: 1, unit: 'WORKING_DAYS' });
  startAgent(bureau);
  await until('the credit bureau to catch up', async () => {
    const coverage = await api<{ key: string; published: number; confirmed: number }[]>('GET', '/v1/supervision/coverage?by=partner', supervisor);
    const row = coverage.find((r) => r.key === 'pbc-credit');
    return !!row && row.published > 0 && row.confirmed === row.published;
  }, 180_000);

  console.log('\n=== Summary ===');
  for (const [id, label] of ids) console.log(await enforcementLine(id, label));
  console.log('\ncoverage by partner:');
  for (const row of await api<{ key: string; deliveries: number; confirmed: number; overdue: number; coverage: number | null }[]>('GET', '/v1/supervision/coverage?by=partner', supervisor)) {
    console.log(`  ${row.key.padEnd(16)} deliveries ${String(row.deliveries).padStart(3)}  confirmed ${String(row.confirmed).padStart(3)}  overdue ${row.overdue}  coverage ${row.coverage === null ? '-' : `${Math.round(row.coverage * 100)}%`}`);
  }
  // Ready to open: the pages take the token from #token= (kept in the tab's sessionStorage, never sent to the server in the URL).
  const debtorToken = (identifier: string) => tokens.issue({ sub: `demo-debtor-${randomBytes(4).toString('hex')}`, role: 'debtor', identifier });
  console.log(`\nAPI docs:             ${base}/docs`);
  console.log(`Debtor page (张三, listing deleted, every lift confirmed):`);
  console.log(`  ${base}/pages/debtor#token=${debtorToken(zhangId)}`);
  console.log(`Debtor page (李四, legal representative of a restricted company):`);
  console.log(`  ${base}/pages/debtor#token=${debtorToken(li.identifier.value)}`);
  console.log(`Supervisor dashboard:`);
  console.log(`  ${base}/pages/supervision#token=${supervisor}`);
  console.log(`court 110108 token (API): ${court}`);
}

function shutdown(code: number): void {
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
}

main()
  .then(() => {
    if (process.argv.includes('--exit')) shutdown(0);
    else say('running; Ctrl-C stops the registry and the agents');
  })
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    shutdown(1);
  });
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
