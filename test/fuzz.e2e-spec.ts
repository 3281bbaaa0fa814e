// Reliability: property-based fuzzing (fast-check) of every endpoint with invalid bodies, headers and
// identifiers. Every request must be refused with a 4xx problem+json carrying a `code`, and none may
// change a row, over more than 10,000 requests. The hand-written cases are in
// apps/registry/src/restrictions/bad-input.int-spec.ts; the generators in test/support/arbitraries.ts.
//
//   FUZZ_SEED=<n>   another seed (the default is fixed, so CI is reproducible; a failure prints its seed and path)
//   FUZZ_SCALE=<x>  multiply the number of requests (e.g. 0.1 for a quick local run, 5 for a long one)
//   FUZZ_LOG_LEVEL=error  show the service's log (off by default: a failing case is replayed many times while shrinking)
//   FUZZ_COLLECT=1  do not stop at an endpoint's first failure: run every request and list each kind of failure once
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { generateSigningKeyPair, type Receipt } from '@cd/contracts';
import { JwtService } from '@nestjs/jwt';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse as InjectResponse } from 'fastify';
import type { TokenClaims } from '../apps/registry/src/auth/principal';
import { TokenService } from '../apps/registry/src/auth/token.service';
import { PartnerBackfill } from '../apps/registry/src/partners/partner-backfill';
import {
  endpointArbitraries,
  toJson,
  validAmendBodies,
  validCorrectionFilings,
  validDecisions,
  validImposeBodies,
  validLiftBodies,
  validPartnerKeys,
  validPartnerRegistrations,
  validPartnerUpdates,
  validPermissionBodies,
  validReceipts,
  validReconciliations,
  type FuzzFixtures,
  type FuzzRequest,
  type Role,
  type Target,
} from './support/arbitraries';
import { registerPartner, type TestPartner } from './support/partners';
import { COURTS, exitBanBody, listingBody, residentId, startRegistry, testConfig, type TestRegistry } from './support/registry';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20_261_129;
const SCALE = process.env.FUZZ_SCALE ? Number(process.env.FUZZ_SCALE) : 1;
/** Content checksums of every table are compared after each batch; row counts after every write. */
const BATCH = 500;
/** A request the service does not answer in this time is reported as hanging. */
const ANSWER_WITHIN_MS = 3000;
/** Shrinking replays a failing request; bounded so that a hanging one cannot stall the run. */
const MAX_SHRINKS = 60;

const RUNS: Record<string, number> = {
  'POST /v1/restrictions': 2200,
  'PATCH /v1/restrictions/:id': 1000,
  'POST /v1/restrictions/:id/lift': 700,
  'POST /v1/restrictions/:id/permissions': 700,
  'GET /v1/restrictions': 600,
  'GET /v1/restrictions/:id': 300,
  'GET /v1/restrictions/:id/enforcement': 200,
  'POST /v1/receipts': 800,
  'POST /v1/admin/partners': 800,
  'PATCH /v1/admin/partners/:id': 500,
  'GET /v1/admin/partners[/:id]': 200,
  'POST /v1/admin/partners/:id/keys': 300,
  'DELETE /v1/admin/partners/:id/keys/:keyId': 200,
  'POST /v1/partners/me/reconciliations': 500,
  'GET /v1/partners/me/restrictions': 300,
  'GET /v1/supervision/*': 400,
  'POST /v1/me/corrections': 400,
  'GET /v1/me/corrections[/:id]': 150,
  'POST /v1/me/corrections/:id/reconsideration': 200,
  'GET /v1/corrections[/…]': 250,
  'POST /v1/corrections/:id/decision': 300,
  'POST /v1/corrections/:id/carry-out|reconsideration-decision': 250,
  'GET /v1/me/status': 50,
  'GET /v1/public/dishonest-debtors': 250,
  'unrouted, wrong method, metrics': 300,
};
const MINIMUM_TOTAL = Math.floor(10_000 * SCALE);
const COLLECT = process.env.FUZZ_COLLECT === '1';

const TABLES = [
  'restrictions',
  'restriction_history',
  'restriction_persons',
  'outbox',
  'audit_log',
  'idempotency_keys',
  'partners',
  'partner_keys',
  'deliveries',
  'receipts',
  'correction_requests',
  'correction_events',
];

describe('fuzzing every endpoint: invalid requests are refused with problem+json and change nothing', () => {
  let registry: TestRegistry;
  let fx: FuzzFixtures;
  let partner: TestPartner;
  let controlListingId: string;
  let baseline: Record<string, string>;
  let initial: Record<string, string>;
  const tokenNames = new Map<string, string>();
  const stats = new Map<string, { requests: number; statuses: Map<number, number>; codes: Map<string, number> }>();
  let total = 0;
  const started = Date.now();
  /** FUZZ_COLLECT: per endpoint, the first request of each kind of failure (what went wrong, status, code) and how often. */
  const failures = new Map<string, Map<string, { example: string; count: number }>>();

  function fail(req: FuzzRequest, message: string, kind: string): void {
    if (!COLLECT) throw new Error(message);
    const mine = failures.get(req.endpoint)!;
    const entry = mine.get(kind) ?? { example: message, count: 0 };
    entry.count++;
    mine.set(kind, entry);
  }

  const inject = (req: Pick<FuzzRequest, 'method' | 'url' | 'headers' | 'payload'>) =>
    (registry.app.getHttpAdapter().getInstance() as FastifyInstance).inject({ method: req.method, url: req.url, headers: req.headers, payload: req.payload });
  const json = (method: FuzzRequest['method'], url: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
    inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, payload: body === undefined ? undefined : toJson(body) });

  // --- "0 rows changed" ---------------------------------------------------------------------------

  async function counts(): Promise<string> {
    const [row] = await registry.dataSource.query(`SELECT ${TABLES.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`).join(', ')}`);
    return JSON.stringify(row);
  }

  async function snapshot(): Promise<Record<string, string>> {
    const rows: { Table: string; Checksum: string | number }[] = await registry.dataSource.query(`CHECKSUM TABLE ${TABLES.join(', ')}`);
    const count = JSON.parse(await counts()) as Record<string, string | number>;
    return Object.fromEntries(rows.map((r) => {
      const table = r.Table.split('.').pop()!;
      return [table, `${count[table]} rows, checksum ${r.Checksum}`];
    }));
  }

  function changed(before: Record<string, string>, after: Record<string, string>): string[] {
    return TABLES.filter((t) => before[t] !== after[t]).map((t) => `${t}: ${before[t]} → ${after[t]}`);
  }

  /** Waits until background work (partner back-fill, batched read audit) is done and the tables are still. */
  async function settle(): Promise<Record<string, string>> {
    await registry.app.get(PartnerBackfill).runPending();
    let previous = await snapshot();
    for (let attempt = 0; attempt < 30; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const current = await snapshot();
      if (changed(previous, current).length === 0) return current;
      previous = current;
    }
    throw new Error('the database did not settle (background work still writing after 9 s)');
  }

  // --- one request ------------------------------------------------------------------------------

  const abbreviate = (text: string, max = 1200) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);
  const headerText = (name: string, value: string) => {
    const token = value.replace(/^Bearer\s+/i, '');
    return `${name}: ${tokenNames.has(token) ? `Bearer <${tokenNames.get(token)}>` : abbreviate(value, 200)}`;
  };

  function explain(problem: string, req: FuzzRequest, res?: InjectResponse, extra: string[] = []): string {
    return [
      problem,
      `request:  ${req.method} ${abbreviate(req.url, 400)}`,
      ...Object.entries(req.headers).map(([name, value]) => `          ${headerText(name, value)}`),
      ...(req.payload !== undefined ? [`          ${abbreviate(req.payload)}`] : []),
      `invalid:  ${req.why.join('; ')}`,
      ...(res ? [`response: ${res.statusCode} ${res.headers['content-type'] ?? '(no content-type)'}`, `          ${abbreviate(res.body)}`] : []),
      ...extra,
    ].join('\n');
  }

  /** What is wrong with the answer, if anything. */
  function verdict(req: FuzzRequest, res: InjectResponse): string | undefined {
    if (res.statusCode >= 500) return `server error ${res.statusCode}`;
    if (req.expect === 'refused' && res.statusCode < 400) return `an invalid request was accepted (${res.statusCode})`;
    if (res.statusCode < 400) return undefined;
    if (!String(res.headers['content-type']).startsWith('application/problem+json')) return 'the error is not application/problem+json';
    let body: { code?: unknown; status?: unknown };
    try {
      body = JSON.parse(res.body);
    } catch {
      return 'the problem document is not JSON';
    }
    if (typeof body.code !== 'string' || body.code === '') return 'the problem document has no code';
    if (body.status !== res.statusCode) return `the problem document says status ${String(body.status)}, the response ${res.statusCode}`;
    return undefined;
  }

  function record(req: FuzzRequest, res: InjectResponse): void {
    const entry = stats.get(req.endpoint) ?? { requests: 0, statuses: new Map(), codes: new Map() };
    entry.requests++;
    entry.statuses.set(res.statusCode, (entry.statuses.get(res.statusCode) ?? 0) + 1);
    let code = '(none)';
    try {
      code = String((JSON.parse(res.body) as { code?: unknown }).code ?? '(none)');
    } catch {
      // counted as (none)
    }
    entry.codes.set(code, (entry.codes.get(code) ?? 0) + 1);
    stats.set(req.endpoint, entry);
    total++;
  }

  async function check(req: FuzzRequest): Promise<void> {
    const before = req.method === 'GET' ? undefined : await counts();
    let timer: NodeJS.Timeout | undefined;
    const res = await Promise.race([inject(req), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ANSWER_WITHIN_MS)))]);
    clearTimeout(timer);
    if (res === undefined) {
      total++;
      return fail(req, explain(`no answer within ${ANSWER_WITHIN_MS} ms`, req), 'no answer');
    }
    record(req, res);
    // Checked first: a refused request that nevertheless wrote is the worse failure.
    if (before !== undefined && (await counts()) !== before) {
      // Settled first, so that work the request started in the background is not blamed on the next one.
      const after = await settle();
      const diff = changed(baseline, after);
      baseline = after;
      return fail(req, explain('the request changed rows', req, res, [`changed:  ${diff.join('; ')}`]), `changed rows (${res.statusCode})`);
    }
    const problem = verdict(req, res);
    if (problem) {
      let code = '';
      try {
        code = String((JSON.parse(res.body) as { code?: unknown }).code ?? '');
      } catch {
        // no code
      }
      fail(req, explain(problem, req, res), `${problem} (${res.statusCode} ${code})`);
    }
  }

  // --- fixtures ---------------------------------------------------------------------------------

  async function created(res: InjectResponse, what: string, status = 201): Promise<Record<string, unknown>> {
    if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body) as Record<string, unknown>;
  }

  const target = (body: Record<string, unknown>): Target => ({
    id: body.id as string,
    version: body.version as number,
    kind: body.kind as Target['kind'],
    decidedAt: body.decidedAt as string,
  });

  function brokenTokens(): Record<string, string> {
    const { auth } = registry.config;
    const [kid] = Object.keys(auth.keys);
    const court: TokenClaims = { sub: 'fuzz-clerk', role: 'court', court: COURTS.HAIDIAN };
    const other = (changes: Partial<typeof auth>) => new TokenService({ ...registry.config, auth: { ...auth, ...changes } });
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const valid = registry.courtToken();
    const [header, , signature] = valid.split('.');
    const jwt = new JwtService();
    const now = Math.floor(Date.now() / 1000);
    return {
      'expired token': registry.token({ role: 'court', court: COURTS.HAIDIAN }, { expiresInSeconds: -600 }),
      'token of an unknown kid': other({ keys: { rogue: 'rogue-secret-0123456789abcdef0123456789' } }).issue(court),
      'token with the wrong secret': other({ keys: { [kid]: 'not-the-real-secret-0123456789abcdef0123' } }).issue(court),
      'token for another audience': other({ audience: 'someone-else' }).issue(court),
      'token of another issuer': other({ issuer: 'https://idp.example' }).issue(court),
      'unsigned token (alg none)': `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64({ ...court, role: 'admin', iss: auth.issuer, aud: auth.audience, exp: now + 3600 })}.`,
      'token with a rewritten payload': `${header}.${b64({ ...court, role: 'admin', iss: auth.issuer, aud: auth.audience, exp: now + 3600 })}.${signature}`,
      'token signed with HS512': jwt.sign({ ...court }, { secret: auth.keys[kid], algorithm: 'HS512', keyid: kid, issuer: auth.issuer, audience: auth.audience, expiresIn: 3600 }),
      'token not valid yet': jwt.sign({ ...court }, { secret: auth.keys[kid], algorithm: 'HS256', keyid: kid, issuer: auth.issuer, audience: auth.audience, expiresIn: 7200, notBefore: 3600 }),
      'token without a subject': registry.token({ role: 'admin', sub: '' }),
      'token with an unknown role': registry.token({ role: 'root' as TokenClaims['role'] }),
      'court token without a court': registry.token({ role: 'court' }),
      'partner token without a partner': registry.token({ role: 'partner' }),
    };
  }

  /** The generators' valid starting points must succeed: otherwise the fuzzer would only ever test the generator. */
  async function checkValidStartingPoints(): Promise<void> {
    const sample = <T>(arb: fc.Arbitrary<T>, numRuns: number) => fc.sample(arb, { numRuns, seed: SEED });
    const court = fx.tokens.court;
    for (const [shape, arb] of Object.entries(validImposeBodies(fx.now))) {
      for (const body of sample(arb, 2)) await created(await json('POST', '/v1/restrictions', court, body), `valid ${shape}`);
    }
    for (const make of [exitBanBody, listingBody]) {
      let t = target(await created(await json('POST', '/v1/restrictions', court, make()), 'throw-away restriction'));
      for (const body of sample(validAmendBodies(t), 3)) {
        t = { ...t, version: (await created(await json('PATCH', `/v1/restrictions/${t.id}`, court, body, { 'if-match': `"${t.version}"` }), `valid correction of ${t.kind}`, 200)).version as number };
      }
      const [lift] = sample(validLiftBodies(t), 1);
      await created(await json('POST', `/v1/restrictions/${t.id}/lift`, court, lift), `valid lift of ${t.kind}`, 200);
    }
    const listing = await created(await json('POST', '/v1/restrictions', court, listingBody()), 'throw-away listing');
    const consumption = (listing.linkedRestrictions as { id: string }[])[0].id;
    for (const body of sample(validPermissionBodies(fx.now), 2)) await created(await json('POST', `/v1/restrictions/${consumption}/permissions`, court, body), 'valid permission');

    const registrations = sample(validPartnerRegistrations(fx), 2);
    for (const body of registrations) await created(await json('POST', '/v1/admin/partners', fx.tokens.admin, body), 'valid registration');
    const throwAway = registrations[0].id as string;
    for (const body of sample(validPartnerUpdates(), 2)) await created(await json('PATCH', `/v1/admin/partners/${throwAway}`, fx.tokens.admin, body), 'valid partner update', 200);
    for (const body of sample(validPartnerKeys(fx), 2)) await created(await json('POST', `/v1/admin/partners/${throwAway}/keys`, fx.tokens.admin, body), 'valid key');
    for (const body of sample(validReconciliations(), 2)) await created(await json('POST', '/v1/partners/me/reconciliations', fx.tokens.partner, body), 'valid reconciliation', 200);

    const [filing] = sample(validCorrectionFilings(controlListingId), 1);
    const correction = await created(await json('POST', '/v1/me/corrections', fx.tokens.debtor, filing), 'valid correction request');
    const [decision] = sample(validDecisions(), 1);
    await created(await json('POST', `/v1/corrections/${correction.id as string}/decision`, fx.tokens.court, decision), 'valid decision', 200);

    // A released version is receipted even before the relay's bookkeeping: the first is ACCEPTED, the next ones DUPLICATE.
    const receipt = partner.receipt({ restrictionId: fx.receipt.restrictionId, version: fx.receipt.version, eventId: fx.receipt.eventId }) satisfies Receipt;
    await created(await json('POST', '/v1/receipts', fx.tokens.partner, receipt), 'correct receipt', 202);
    for (const body of sample(validReceipts(fx), 2)) await created(await json('POST', '/v1/receipts', fx.tokens.partner, body), 'valid receipt', 202);
  }

  beforeAll(async () => {
    registry = await startRegistry(
      testConfig({
        // The overdue scan would re-announce deliveries other tests left overdue: off, so that only requests could change rows.
        env: {
          RELAY_ENABLED: 'false',
          RECEIPTS_CONSUMER_ENABLED: 'false',
          OVERDUE_SCAN_INTERVAL_MS: String(24 * 3_600_000),
          // The public list and the debtor's status are rate-limited per client; the fuzzer is one client.
          PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
          DEBTOR_RATE_LIMIT_PER_MINUTE: '100000',
          LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'fatal',
        },
      }),
    );
    partner = await registerPartner(registry, 'BANK', { kinds: ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION', 'EXIT_BAN'] });

    const tokens: Record<Role, string> = {
      court: registry.courtToken(),
      partner: partner.token,
      admin: registry.token({ role: 'admin' }),
      supervisor: registry.token({ role: 'supervisor' }),
      debtor: '',
    };
    const foreignCourtTokens = { otherCourt: registry.courtToken(COURTS.CHAOYANG), unregisteredCourt: registry.courtToken(`98${randomInt(1000, 9999)}`) };
    const broken = brokenTokens();

    tokenNames.set(foreignCourtTokens.otherCourt, 'token of another court');
    tokenNames.set(foreignCourtTokens.unregisteredCourt, 'token of an unregistered court');
    for (const [name, token] of Object.entries(broken)) tokenNames.set(token, name);

    const post = async (body: Record<string, unknown>, token = tokens.court) => created(await json('POST', '/v1/restrictions', token, body), 'fixture');
    const exitBan = await post(exitBanBody());
    const lifted = await post(exitBanBody());
    const liftedNow = await created(await json('POST', `/v1/restrictions/${lifted.id as string}/lift`, tokens.court, { reason: 'PERFORMED' }), 'lifted fixture', 200);
    const listing = await post(listingBody());
    // The debtor's own listings: one with an open correction request, one without (and one for the checks of valid requests).
    const debtorSubject = listing.subject as Record<string, unknown>;
    tokens.debtor = registry.token({ role: 'debtor', identifier: (debtorSubject.identifier as { value: string }).value });
    const freeListing = await post(listingBody({ subject: debtorSubject }));
    const filed = await created(await json('POST', '/v1/me/corrections', tokens.debtor, { restrictionId: listing.id, ground: 'SHOULD_BE_DELETED', statement: '本人已全部履行。' }), 'correction fixture');
    controlListingId = (await post(listingBody({ subject: debtorSubject }))).id as string;
    const consumption = await created(await json('GET', `/v1/restrictions/${(listing.linkedRestrictions as { id: string }[])[0].id}`, tokens.court), 'consumption fixture', 200);
    const foreign = await post(exitBanBody(), foreignCourtTokens.otherCourt);
    const [event]: { event_id: string }[] = await registry.dataSource.query('SELECT event_id FROM outbox WHERE restriction_id = ? AND version = 1', [exitBan.id]);

    const publicKey = (type: 'rsa' | 'ec' | 'x25519' | 'ed448') => {
      const options = type === 'rsa' ? { modulusLength: 1024 } : type === 'ec' ? { namedCurve: 'prime256v1' } : {};
      return generateKeyPairSync(type as 'rsa', options as { modulusLength: number }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    };
    fx = {
      now: Date.now(),
      tokens,
      foreignCourtTokens,
      brokenTokens: Object.values(broken),
      restrictions: { exitBan: target(exitBan), listing: target(listing), consumption: target(consumption), lifted: target(liftedNow), foreign: target(foreign) },
      partner: { id: partner.id, keyId: partner.keyId, privateKeyPem: partner.privateKeyPem },
      receipt: { restrictionId: exitBan.id as string, version: 1, eventId: event.event_id },
      ed25519PublicKeys: [generateSigningKeyPair().publicKeyPem, generateSigningKeyPair().publicKeyPem, generateSigningKeyPair().publicKeyPem],
      otherPublicKeys: [publicKey('rsa'), publicKey('ec'), publicKey('x25519'), publicKey('ed448')],
      otherDebtorToken: registry.token({ role: 'debtor', identifier: residentId() }),
      corrections: { filed: { id: filed.id as string, version: filed.version as number }, freeListingId: freeListing.id as string },
    };
    for (const [role, token] of Object.entries(tokens)) tokenNames.set(token, `${role} token`);
    tokenNames.set(fx.otherDebtorToken, 'token of another debtor');
    await checkValidStartingPoints();
    initial = baseline = await settle();
    console.log(`fuzz: seed ${SEED} (FUZZ_SEED), scale ${SCALE} (FUZZ_SCALE), ${Object.values(RUNS).reduce((a, b) => a + Math.ceil(b * SCALE), 0)} requests planned`);
  });

  afterAll(async () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const lines = [...stats].map(([endpoint, s]) => {
      const statuses = [...s.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
      const codes = [...s.codes].sort(([, a], [, b]) => b - a).slice(0, 8).map(([code, n]) => `${code}×${n}`).join(' ');
      return `  ${endpoint.padEnd(44)} ${String(s.requests).padStart(6)}  ${statuses}\n  ${''.padEnd(44)}         ${codes}`;
    });
    console.log(`fuzz: ${total} requests in ${seconds} s, seed ${SEED}\n${lines.join('\n')}`);
    await registry?.close();
  });

  it.each(Object.entries(RUNS))('%s: %d invalid requests', async (endpoint, runs) => {
    const arbitrary = fc.limitShrink(endpointArbitraries(fx)[endpoint], MAX_SHRINKS);
    const planned = Math.ceil(runs * SCALE);
    // Settled: reads of personal data are audited in batches, a moment after the response.
    baseline = await settle();
    failures.set(endpoint, new Map());
    for (let done = 0, batch = 0; done < planned; done += BATCH, batch++) {
      const numRuns = Math.min(BATCH, planned - done);
      await fc.assert(fc.asyncProperty(arbitrary, check), { seed: SEED + batch, numRuns });
      const after = await snapshot();
      const diff = changed(baseline, after);
      baseline = after;
      const requests = `requests ${done + 1}–${done + numRuns}`;
      if (COLLECT && diff.length) failures.get(endpoint)?.set(`rows changed during ${requests}`, { example: diff.join('\n'), count: 1 });
      else expect({ endpoint, requests, changed: diff }).toEqual({ endpoint, requests, changed: [] });
    }
    const found = [...(failures.get(endpoint) ?? [])].map(([kind, { example, count }]) => `${kind} ×${count}\n${example}`);
    expect(found).toEqual([]);
  }, 300_000);

  it(`sent at least ${MINIMUM_TOTAL} requests, and no row changed over the whole run`, async () => {
    expect(changed(initial, await settle())).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(MINIMUM_TOTAL);
  });
});
