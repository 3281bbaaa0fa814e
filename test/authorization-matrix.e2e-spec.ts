// Authorisation matrix: every route the running application registers × every role (court,
// partner, debtor, supervisor, admin) and anonymous. Each route has exactly one row saying who may
// call it; a route without a row — a new endpoint — fails the suite, and so does a row whose route
// is gone. Allowed callers send a request valid enough to succeed; everyone else must get 401
// (no token) or 403 (wrong role). Then the tenant boundaries: a court, a partner and a debtor
// never see or change another's data.
import { publishedEventId, waitUntil } from './support/stored';
import { bucketDigests, bucketOf, generateSigningKeyPair, signReceipt } from '@cd/contracts';
import { randomBytes } from 'node:crypto';
import { ROLES, type Role } from '../apps/registry/src/auth/principal';
import { registerPartner, type TestPartner } from './support/partners';
import { caseNumber, COURTS, exitBanBody, listingBody, residentId, startRegistry, testConfig, type TestRegistry } from './support/registry';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT' | 'OPTIONS';
type Caller = Role | 'anonymous';
const CALLERS: Caller[] = ['anonymous', ...ROLES];

interface Call {
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A token to use for an allowed role instead of the fixture's (e.g. the higher court). */
  as?: Partial<Record<Role, string>>;
}

interface Row {
  method: Method;
  /** The route pattern exactly as Fastify registers it. */
  path: string;
  /** Roles that may call it, or 'public' (anyone, with or without a token). */
  allowed: readonly Role[] | 'public';
  /** Builds a request that an allowed caller can succeed with (fresh state where the call changes it). */
  call: () => Promise<Call> | Call;
  /** What an allowed caller gets. */
  expect: readonly number[];
}

interface Response {
  status: number;
  body: unknown;
  text: string;
}


/** Routes from Fastify's own route tree (printRoutes), as `METHOD /path` pairs. */
function registeredRoutes(tree: string): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    if (!line.trim()) continue;
    const indent = /^[\s│├└─]*/u.exec(line)![0].length;
    const depth = Math.max(0, indent / 4 - 1);
    const match = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(indent))!;
    const path = (depth > 0 ? prefixes[depth - 1] : '') + match[1];
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of match[2]?.split(', ') ?? []) routes.push({ method, path });
  }
  return routes;
}

describe('authorisation matrix and tenant boundaries (real MariaDB, real Kafka)', () => {
  let registry: TestRegistry;
  const tokens = {} as Record<Role, string> & { chaoyang: string; beijingHigh: string; spc: string; otherDebtor: string; otherPartner: string };
  const fx = {
    debtorId: residentId('1984-04-04'),
    otherDebtorId: residentId('1979-09-09'),
    /** The debtor's listing (HAIDIAN) and its consumption restriction. */
    listing: '',
    consumption: '',
    /** A HAIDIAN exit ban, published to the exit-ban partner. */
    exitBan: '',
    /** The other debtor's exit ban (HAIDIAN). */
    otherExitBan: '',
    /** The debtor's correction request on the listing. */
    correction: '',
  };
  let borderControl: TestPartner; // enforces EXIT_BAN: the matrix's partner
  let airline: TestPartner; // enforces CONSUMPTION_RESTRICTION only

  async function send(method: string, url: string, token: string | undefined, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await registry.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    let body: unknown;
    try {
      body = res.json();
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, body, text: res.body };
  }

  async function ok(method: string, url: string, token: string, body?: unknown, status = [200, 201], headers?: Record<string, string>): Promise<Record<string, unknown>> {
    const res = await send(method, url, token, { body, headers });
    if (!status.includes(res.status)) throw new Error(`${method} ${url} → ${res.status}: ${res.text}`);
    return res.body as Record<string, unknown>;
  }

  const person = (name: string, id: string) => ({ type: 'PERSON', name, identifier: { type: 'RESIDENT_ID', value: id }, sex: 'FEMALE' });
  const impose = async (body: Record<string, unknown>, token = tokens.court) => ok('POST', '/v1/restrictions', token, body) as Promise<{ id: string; linkedRestrictions: { id: string }[] }>;
  const debtorListing = async () => (await impose(listingBody({ subject: person('赵敏', fx.debtorId) }))).id;
  const fileCorrection = async (listing: string) =>
    (await ok('POST', '/v1/me/corrections', tokens.debtor, { restrictionId: listing, ground: 'SHOULD_NOT_BE_LISTED', statement: '本人并非该案被执行人。' })).id as string;
  const decide = (correction: string, decision: 'ACCEPT' | 'REJECT') => ok('POST', `/v1/corrections/${correction}/decision`, tokens.court, { decision, reason: '经审查。' });
  const reconsider = (correction: string) => ok('POST', `/v1/me/corrections/${correction}/reconsideration`, tokens.debtor, { statement: '请求复议。' });



  const adminPartnerBody = (id: string) => ({
    id,
    name: `矩阵测试机构 ${id}`,
    sector: 'BANK',
    receiptDeadline: { value: 1, unit: 'WORKING_DAYS' },
    publicKeys: [{ keyId: `${id}-k1`, publicKeyPem: generateSigningKeyPair().publicKeyPem }],
  });
  const unique = () => randomBytes(3).toString('hex');
  const PUBLIC_ANY = [200, 404]; // docs files that may or may not ship with swagger-ui-dist

  const MATRIX: Row[] = [
    // ── court: restrictions ──────────────────────────────────────────────
    { method: 'POST', path: '/v1/restrictions', allowed: ['court'], call: () => ({ url: '/v1/restrictions', body: exitBanBody() }), expect: [201] },
    { method: 'GET', path: '/v1/restrictions', allowed: ['court'], call: () => ({ url: '/v1/restrictions?limit=5' }), expect: [200] },
    { method: 'GET', path: '/v1/restrictions/:id', allowed: ['court'], call: () => ({ url: `/v1/restrictions/${fx.exitBan}` }), expect: [200] },
    {
      method: 'PATCH',
      path: '/v1/restrictions/:id',
      allowed: ['court'],
      call: async () => ({ url: `/v1/restrictions/${(await impose(exitBanBody())).id}`, body: { subject: { name: '李肆' } }, headers: { 'if-match': '"1"' } }),
      expect: [200],
    },
    {
      method: 'GET',
      path: '/v1/restrictions/:id/enforcement',
      allowed: ['court', 'supervisor'],
      call: () => ({ url: `/v1/restrictions/${fx.exitBan}/enforcement` }),
      expect: [200],
    },
    {
      method: 'POST',
      path: '/v1/restrictions/:id/lift',
      allowed: ['court'],
      call: async () => ({ url: `/v1/restrictions/${(await impose(exitBanBody())).id}/lift`, body: { reason: 'PERFORMED' } }),
      expect: [200],
    },
    {
      method: 'POST',
      path: '/v1/restrictions/:id/permissions',
      allowed: ['court'],
      call: () => ({
        url: `/v1/restrictions/${fx.consumption}/permissions`,
        body: { measures: ['AIR_TRAVEL'], validFrom: new Date(Date.now() + 86_400_000).toISOString(), validUntil: new Date(Date.now() + 3 * 86_400_000).toISOString(), reason: '赴外地就医' },
      }),
      expect: [201],
    },
    // ── court: correction requests ───────────────────────────────────────
    { method: 'GET', path: '/v1/corrections', allowed: ['court'], call: () => ({ url: '/v1/corrections' }), expect: [200] },
    { method: 'GET', path: '/v1/corrections/reconsiderations', allowed: ['court'], call: () => ({ url: '/v1/corrections/reconsiderations' }), expect: [200] },
    { method: 'GET', path: '/v1/corrections/:id', allowed: ['court'], call: () => ({ url: `/v1/corrections/${fx.correction}` }), expect: [200] },
    {
      method: 'POST',
      path: '/v1/corrections/:id/decision',
      allowed: ['court'],
      call: async () => ({ url: `/v1/corrections/${await fileCorrection(await debtorListing())}/decision`, body: { decision: 'REJECT', reason: '申请理由不成立。' } }),
      expect: [200],
    },
    {
      method: 'POST',
      path: '/v1/corrections/:id/carry-out',
      allowed: ['court'],
      call: async () => {
        const correction = await fileCorrection(await debtorListing());
        await decide(correction, 'ACCEPT');
        return { url: `/v1/corrections/${correction}/carry-out`, body: { action: 'REVOKE' } };
      },
      expect: [200],
    },
    {
      method: 'POST',
      path: '/v1/corrections/:id/reconsideration-decision',
      allowed: ['court'],
      call: async () => {
        const correction = await fileCorrection(await debtorListing());
        await decide(correction, 'REJECT');
        await reconsider(correction);
        // Heard by the next higher court (List Rules Art. 12), not by the enforcing court.
        return { url: `/v1/corrections/${correction}/reconsideration-decision`, body: { decision: 'REJECT', reason: '复议理由不成立。' }, as: { court: tokens.beijingHigh } };
      },
      expect: [200],
    },
    // ── debtor ───────────────────────────────────────────────────────────
    { method: 'GET', path: '/v1/me/status', allowed: ['debtor'], call: () => ({ url: '/v1/me/status' }), expect: [200] },
    { method: 'GET', path: '/v1/me/corrections', allowed: ['debtor'], call: () => ({ url: '/v1/me/corrections' }), expect: [200] },
    {
      method: 'POST',
      path: '/v1/me/corrections',
      allowed: ['debtor'],
      call: async () => ({ url: '/v1/me/corrections', body: { restrictionId: await debtorListing(), ground: 'SHOULD_NOT_BE_LISTED', statement: '本人并非该案被执行人。' } }),
      expect: [201],
    },
    { method: 'GET', path: '/v1/me/corrections/:id', allowed: ['debtor'], call: () => ({ url: `/v1/me/corrections/${fx.correction}` }), expect: [200] },
    {
      method: 'POST',
      path: '/v1/me/corrections/:id/reconsideration',
      allowed: ['debtor'],
      call: async () => {
        const correction = await fileCorrection(await debtorListing());
        await decide(correction, 'REJECT');
        return { url: `/v1/me/corrections/${correction}/reconsideration`, body: { statement: '原决定认定事实错误。' } };
      },
      expect: [200],
    },
    // ── partner ──────────────────────────────────────────────────────────
    {
      method: 'POST',
      path: '/v1/receipts',
      allowed: ['partner'],
      call: async () => ({ url: '/v1/receipts', body: borderControl.receipt({ restrictionId: fx.exitBan, version: 1, eventId: await publishedEventId(registry, fx.exitBan, 1) }) }),
      expect: [202],
    },
    {
      method: 'GET',
      path: '/v1/partners/me/restrictions',
      allowed: ['partner'],
      call: () => ({ url: `/v1/partners/me/restrictions?bucket=${bucketOf(fx.exitBan)}` }),
      expect: [200],
    },
    { method: 'POST', path: '/v1/partners/me/reconciliations', allowed: ['partner'], call: () => ({ url: '/v1/partners/me/reconciliations', body: { buckets: [] } }), expect: [200] },
    // ── supervisor ───────────────────────────────────────────────────────
    { method: 'GET', path: '/v1/supervision/coverage', allowed: ['supervisor'], call: () => ({ url: '/v1/supervision/coverage?by=court' }), expect: [200] },
    { method: 'GET', path: '/v1/supervision/overdue', allowed: ['supervisor'], call: () => ({ url: '/v1/supervision/overdue?limit=10' }), expect: [200] },
    { method: 'GET', path: '/v1/supervision/receipt-latency', allowed: ['supervisor'], call: () => ({ url: '/v1/supervision/receipt-latency' }), expect: [200] },
    // ── admin: partner registry ──────────────────────────────────────────
    { method: 'POST', path: '/v1/admin/partners', allowed: ['admin'], call: () => ({ url: '/v1/admin/partners', body: adminPartnerBody(`matrix-${unique()}`) }), expect: [201] },
    { method: 'GET', path: '/v1/admin/partners', allowed: ['admin'], call: () => ({ url: '/v1/admin/partners' }), expect: [200] },
    { method: 'GET', path: '/v1/admin/partners/:id', allowed: ['admin'], call: () => ({ url: `/v1/admin/partners/${airline.id}` }), expect: [200] },
    { method: 'PATCH', path: '/v1/admin/partners/:id', allowed: ['admin'], call: () => ({ url: `/v1/admin/partners/${airline.id}`, body: { name: '中国东方航空股份有限公司' } }), expect: [200] },
    {
      method: 'POST',
      path: '/v1/admin/partners/:id/keys',
      allowed: ['admin'],
      call: () => ({ url: `/v1/admin/partners/${airline.id}/keys`, body: { keyId: `rot-${unique()}`, publicKeyPem: generateSigningKeyPair().publicKeyPem } }),
      expect: [201],
    },
    {
      method: 'DELETE',
      path: '/v1/admin/partners/:id/keys/:keyId',
      allowed: ['admin'],
      call: async () => {
        const keyId = `old-${unique()}`;
        await ok('POST', `/v1/admin/partners/${airline.id}/keys`, tokens.admin, { keyId, publicKeyPem: generateSigningKeyPair().publicKeyPem });
        return { url: `/v1/admin/partners/${airline.id}/keys/${keyId}` };
      },
      expect: [200],
    },
    // ── operations ───────────────────────────────────────────────────────
    { method: 'GET', path: '/metrics', allowed: ['admin', 'supervisor'], call: () => ({ url: '/metrics' }), expect: [200] },
    { method: 'GET', path: '/health/live', allowed: 'public', call: () => ({ url: '/health/live' }), expect: [200] },
    { method: 'GET', path: '/health/ready', allowed: 'public', call: () => ({ url: '/health/ready' }), expect: [200, 503] },
    // ── public ───────────────────────────────────────────────────────────
    { method: 'GET', path: '/v1/public/dishonest-debtors', allowed: 'public', call: () => ({ url: `/v1/public/dishonest-debtors?name=${encodeURIComponent('赵敏')}` }), expect: [200] },
    { method: 'GET', path: '/v1/public/event-keys', allowed: 'public', call: () => ({ url: '/v1/public/event-keys' }), expect: [200] },
    // ── OpenAPI and Swagger UI ───────────────────────────────────────────
    { method: 'GET', path: '/docs', allowed: 'public', call: () => ({ url: '/docs' }), expect: [200] },
    { method: 'GET', path: '/docs/', allowed: 'public', call: () => ({ url: '/docs/' }), expect: [200] },
    { method: 'GET', path: '/docs/index.html', allowed: 'public', call: () => ({ url: '/docs/index.html' }), expect: [200] },
    { method: 'GET', path: '/docs/swagger-ui-init.js', allowed: 'public', call: () => ({ url: '/docs/swagger-ui-init.js' }), expect: [200] },
    { method: 'GET', path: '/docs/docs/swagger-ui-init.js', allowed: 'public', call: () => ({ url: '/docs/docs/swagger-ui-init.js' }), expect: [200] },
    { method: 'GET', path: '/docs/LICENSE', allowed: 'public', call: () => ({ url: '/docs/LICENSE' }), expect: PUBLIC_ANY },
    { method: 'GET', path: '/docs/openapi.json', allowed: 'public', call: () => ({ url: '/docs/openapi.json' }), expect: [200] },
    { method: 'GET', path: '/docs/*', allowed: 'public', call: () => ({ url: '/docs/swagger-ui.css' }), expect: [200] },
    { method: 'GET', path: '/docs-yaml', allowed: 'public', call: () => ({ url: '/docs-yaml' }), expect: [200] },
    // ── pages (static; every figure they show comes from the authenticated API) ──
    { method: 'GET', path: '/pages/debtor', allowed: 'public', call: () => ({ url: '/pages/debtor' }), expect: [200] },
    { method: 'GET', path: '/pages/supervision', allowed: 'public', call: () => ({ url: '/pages/supervision' }), expect: [200] },
    { method: 'GET', path: '/pages/assets/:name', allowed: 'public', call: () => ({ url: '/pages/assets/common.js' }), expect: [200] },
    { method: 'GET', path: '/pages/config.json', allowed: 'public', call: () => ({ url: '/pages/config.json' }), expect: [200] },
  ];

  beforeAll(async () => {
    registry = await startRegistry(
      testConfig({
        env: {
          RELAY_ENABLED: 'false',
          RECEIPTS_CONSUMER_ENABLED: 'false',
          OVERDUE_SCAN_INTERVAL_MS: '3600000',
          PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
          DEBTOR_RATE_LIMIT_PER_MINUTE: '100000',
        },
      }),
    );
    tokens.court = registry.courtToken(COURTS.HAIDIAN);
    tokens.chaoyang = registry.courtToken(COURTS.CHAOYANG);
    tokens.beijingHigh = registry.courtToken(COURTS.BEIJING_HIGH);
    tokens.spc = registry.courtToken(COURTS.SPC);
    tokens.debtor = registry.token({ role: 'debtor', identifier: fx.debtorId, sub: 'debtor-zhao' });
    tokens.otherDebtor = registry.token({ role: 'debtor', identifier: fx.otherDebtorId, sub: 'debtor-qian' });
    tokens.supervisor = registry.token({ role: 'supervisor', sub: 'supervisor@matrix' });
    tokens.admin = registry.token({ role: 'admin', sub: 'admin@matrix' });

    // Partners before the restrictions, so the commands route to them directly.
    borderControl = await registerPartner(registry, 'BORDER_CONTROL', { kinds: ['EXIT_BAN'], deadline: { value: 10, unit: 'HOURS' } });
    airline = await registerPartner(registry, 'AIRLINE', { kinds: ['CONSUMPTION_RESTRICTION'], deadline: { value: 10, unit: 'HOURS' } });
    tokens.partner = borderControl.token;
    tokens.otherPartner = airline.token;

    const listing = await impose(listingBody({ subject: person('赵敏', fx.debtorId) }));
    fx.listing = listing.id;
    fx.consumption = listing.linkedRestrictions[0].id;
    fx.exitBan = (await impose(exitBanBody())).id;
    fx.otherExitBan = (await impose(exitBanBody({ subject: person('钱红', fx.otherDebtorId) }))).id;
    fx.correction = await fileCorrection(fx.listing);
    await publishedEventId(registry, fx.exitBan, 1);
  });
  afterAll(() => registry?.close());

  it('has exactly one row for every route the application registers (HEAD follows GET)', () => {
    const registered = registeredRoutes(registry.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false }));
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const rows = MATRIX.map(key);
    expect(rows.length).toBe(new Set(rows).size);
    const routes = registered.filter((r) => r.method !== 'HEAD').map(key);
    // A route listed here has no row: add it to MATRIX with the roles that may call it.
    expect(routes.filter((r) => !rows.includes(r)).sort()).toEqual([]);
    // A row listed here names a route that no longer exists.
    expect(rows.filter((r) => !routes.includes(r)).sort()).toEqual([]);
    const heads = registered.filter((r) => r.method === 'HEAD').map((r) => `GET ${r.path}`);
    expect(heads.filter((r) => !rows.includes(r))).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(40);
  });

  it('every route × anonymous and every role: allowed callers get through, everyone else gets 401 or 403', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const row of MATRIX) {
      const call = await row.call();
      const isAllowed = (caller: Caller) => row.allowed === 'public' || (caller !== 'anonymous' && row.allowed.includes(caller));
      // Denied callers are asked first: they must be refused before anything changes, and the allowed
      // caller then succeeds on the very state they were refused on.
      for (const caller of [...CALLERS].sort((a, b) => Number(isAllowed(a)) - Number(isAllowed(b)))) {
        const allowed = isAllowed(caller);
        const expected = allowed ? row.expect : [caller === 'anonymous' ? 401 : 403];
        const token = caller === 'anonymous' ? undefined : (call.as?.[caller] ?? tokens[caller]);
        const res = await send(row.method, call.url, token, { body: call.body, headers: call.headers });
        cases += 1;
        if (!expected.includes(res.status)) failures.push(`${row.method} ${row.path} as ${caller}: expected ${expected.join('|')}, got ${res.status} ${res.text.slice(0, 160)}`);
        if (!allowed && (res.body as { code?: string })?.code !== (caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN')) {
          failures.push(`${row.method} ${row.path} as ${caller}: refusal is not problem+json with the right code`);
        }
        // HEAD takes GET's route and guard.
        if (row.method === 'GET') {
          const head = await send('HEAD', call.url, token, { headers: call.headers });
          cases += 1;
          const headExpected = allowed ? row.expect : expected;
          if (!headExpected.includes(head.status)) failures.push(`HEAD ${row.path} as ${caller}: expected ${headExpected.join('|')}, got ${head.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(MATRIX.length * CALLERS.length);
  });

  it('a refused write changes nothing in the database', async () => {
    const target = (await impose(exitBanBody())).id;
    for (const caller of CALLERS.filter((c) => c !== 'court')) {
      const token = caller === 'anonymous' ? undefined : tokens[caller as Role];
      await send('POST', `/v1/restrictions/${target}/lift`, token, { body: { reason: 'PERFORMED' } });
      await send('PATCH', `/v1/restrictions/${target}`, token, { body: { subject: { name: '王五' } }, headers: { 'if-match': '"1"' } });
    }
    const [row] = await registry.dataSource.query('SELECT version, status FROM restrictions WHERE id = ?', [target]);
    expect(row).toMatchObject({ version: 1, status: 'ACTIVE' });
    const history = await registry.dataSource.query('SELECT COUNT(*) n FROM restriction_history WHERE restriction_id = ?', [target]);
    expect(Number(history[0].n)).toBe(1);
  });

  describe('courts see and change only their own restrictions', () => {
    it('another court cannot read, amend, lift, permit on or see the enforcement of a restriction (403), and nothing changes', async () => {
      const before = await ok('GET', `/v1/restrictions/${fx.exitBan}`, tokens.court);
      const attempts: [string, string, unknown?, Record<string, string>?][] = [
        ['GET', `/v1/restrictions/${fx.exitBan}`],
        ['GET', `/v1/restrictions/${fx.exitBan}/enforcement`],
        ['PATCH', `/v1/restrictions/${fx.exitBan}`, { subject: { name: '李肆' } }, { 'if-match': `"${before.version}"` }],
        ['POST', `/v1/restrictions/${fx.exitBan}/lift`, { reason: 'PERFORMED' }],
        ['POST', `/v1/restrictions/${fx.listing}/lift`, { reason: 'PERFORMED', includeLinked: true }],
        [
          'POST',
          `/v1/restrictions/${fx.consumption}/permissions`,
          { measures: ['SOFT_SLEEPER'], validFrom: new Date(Date.now() + 86_400_000).toISOString(), validUntil: new Date(Date.now() + 2 * 86_400_000).toISOString(), reason: '子女就学' },
        ],
      ];
      for (const other of [tokens.chaoyang, tokens.beijingHigh, tokens.spc]) {
        for (const [method, url, body, headers] of attempts) {
          const res = await send(method, url, other, { body, headers });
          expect({ method, url, status: res.status, code: (res.body as { code?: string }).code }).toEqual({ method, url, status: 403, code: 'FORBIDDEN' });
          expect(res.text).not.toContain(fx.debtorId);
        }
      }
      const after = await ok('GET', `/v1/restrictions/${fx.exitBan}`, tokens.court);
      expect(after).toEqual(before);
      expect((await ok('GET', `/v1/restrictions/${fx.listing}`, tokens.court)).status).toBe('ACTIVE');
    });

    it("a court's search never returns another court's rows, whatever the filter", async () => {
      const subject = residentId('1990-01-01');
      const caseNo = caseNumber();
      const mine = (await impose(exitBanBody({ subject: person('孙丽', subject), case: { ...(exitBanBody().case as object), caseNumber: caseNo } }), tokens.chaoyang)).id;
      const search = async (token: string, query: string) => ((await ok('GET', `/v1/restrictions?${query}`, token)).items as { id: string; case: { courtCode: string } }[]);

      const chaoyangs = await search(tokens.chaoyang, 'limit=200');
      expect(chaoyangs.map((r) => r.id)).toContain(mine);
      expect(new Set(chaoyangs.map((r) => r.case.courtCode))).toEqual(new Set([COURTS.CHAOYANG]));
      // HAIDIAN's restriction, looked for by CHAOYANG with its exact identifier, case number or kind.
      const haidianExitBan = await ok('GET', `/v1/restrictions/${fx.otherExitBan}`, tokens.court);
      const haidianCase = (haidianExitBan.case as { caseNumber: string }).caseNumber;
      for (const query of [`idNumber=${fx.otherDebtorId}`, `idNumber=${fx.debtorId}`, `caseNumber=${encodeURIComponent(haidianCase)}`, 'kind=DISHONEST_LISTING&limit=200', 'status=ACTIVE&limit=200']) {
        const found = await search(tokens.chaoyang, query);
        expect(found.filter((r) => r.case.courtCode !== COURTS.CHAOYANG)).toEqual([]);
        expect(found.map((r) => r.id)).not.toContain(fx.otherExitBan);
      }
      // And the other way round.
      for (const query of [`idNumber=${subject}`, `caseNumber=${encodeURIComponent(caseNo)}`, 'limit=200']) {
        const found = await search(tokens.court, query);
        expect(found.map((r) => r.id)).not.toContain(mine);
        expect(found.filter((r) => r.case.courtCode !== COURTS.HAIDIAN)).toEqual([]);
      }
      // The higher court has no view into its lower courts' restrictions either.
      expect((await search(tokens.beijingHigh, `idNumber=${fx.debtorId}`)).map((r) => r.id)).toEqual([]);
    });

    it("another court cannot see or decide a court's correction requests, nor list them", async () => {
      for (const other of [tokens.chaoyang, tokens.spc]) {
        expect((await send('GET', `/v1/corrections/${fx.correction}`, other)).status).toBe(403);
        expect((await send('POST', `/v1/corrections/${fx.correction}/decision`, other, { body: { decision: 'ACCEPT', reason: '越权。' } })).status).toBe(403);
        expect((await send('POST', `/v1/corrections/${fx.correction}/carry-out`, other, { body: { action: 'REVOKE' } })).status).toBe(403);
        const listed = (await ok('GET', '/v1/corrections?limit=200', other)).items as { id: string }[];
        expect(listed.map((c) => c.id)).not.toContain(fx.correction);
      }
      // Before reconsideration is sought the higher court has nothing to see.
      expect((await send('GET', `/v1/corrections/${fx.correction}`, tokens.beijingHigh)).status).toBe(403);
      expect((await ok('GET', '/v1/corrections?limit=200', tokens.court)).items).toEqual(expect.arrayContaining([expect.objectContaining({ id: fx.correction })]));
    });

    it("only the court hearing a reconsideration lists it under /v1/corrections/reconsiderations; no other court sees or decides it", async () => {
      const correction = await fileCorrection(await debtorListing());
      await decide(correction, 'REJECT');
      await reconsider(correction);
      const heard = async (token: string) => ((await ok('GET', '/v1/corrections/reconsiderations?limit=200', token)).items as { id: string }[]).map((c) => c.id);
      expect(await heard(tokens.beijingHigh)).toContain(correction);
      // The enforcing court, a sibling court, and the court above the hearing court.
      for (const other of [tokens.court, tokens.chaoyang, tokens.spc]) {
        expect(await heard(other)).not.toContain(correction);
        expect((await ok('GET', '/v1/corrections/reconsiderations?limit=200&overdue=false', other)).items).not.toEqual(expect.arrayContaining([expect.objectContaining({ id: correction })]));
      }
      for (const other of [tokens.chaoyang, tokens.spc]) {
        expect((await send('GET', `/v1/corrections/${correction}`, other)).status).toBe(403);
        expect((await send('POST', `/v1/corrections/${correction}/reconsideration-decision`, other, { body: { decision: 'ACCEPT', reason: '越权。' } })).status).toBe(403);
      }
      expect((await send('POST', `/v1/corrections/${correction}/reconsideration-decision`, tokens.court, { body: { decision: 'ACCEPT', reason: '越权。' } })).status).toBe(403);
      expect((await ok('GET', `/v1/corrections/${correction}`, tokens.beijingHigh)).status).toBe('RECONSIDERATION_FILED');
    });
  });

  describe('partners see only what is routed to them', () => {
    async function wholeSet(token: string): Promise<{ restrictionId: string; kind: string }[]> {
      const items: { restrictionId: string; kind: string }[] = [];
      for (let bucket = 0; bucket < 256; bucket += 1) {
        let cursor: string | null = null;
        do {
          const page = (await ok('GET', `/v1/partners/me/restrictions?bucket=${bucket}&limit=2000${cursor ? `&cursor=${cursor}` : ''}`, token)) as {
            items: { restrictionId: string; kind: string }[];
            nextCursor: string | null;
          };
          items.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
      }
      return items;
    }

    it("GET /v1/partners/me/restrictions never includes a restriction routed only to another partner", async () => {
      await publishedEventId(registry, fx.consumption, 1);
      await publishedEventId(registry, fx.otherExitBan, 1);
      const border = await wholeSet(borderControl.token);
      const air = await wholeSet(airline.token);
      expect(border.map((i) => i.restrictionId)).toEqual(expect.arrayContaining([fx.exitBan, fx.otherExitBan]));
      expect(air.map((i) => i.restrictionId)).toContain(fx.consumption);
      expect(new Set(border.map((i) => i.kind))).toEqual(new Set(['EXIT_BAN']));
      expect(new Set(air.map((i) => i.kind))).toEqual(new Set(['CONSUMPTION_RESTRICTION']));
      const airIds = new Set(air.map((i) => i.restrictionId));
      expect([fx.exitBan, fx.otherExitBan, fx.listing].filter((id) => airIds.has(id))).toEqual([]);
      expect(border.map((i) => i.restrictionId)).not.toContain(fx.consumption);
    });

    it("a partner cannot post another partner's receipt, nor confirm a restriction not routed to it", async () => {
      const target = (await impose(exitBanBody())).id;
      const eventId = await publishedEventId(registry, target, 1);
      const ledger = async () => (await registry.dataSource.query('SELECT partner_id, confirmed_version FROM deliveries WHERE restriction_id = ? ORDER BY partner_id', [target])) as { partner_id: string; confirmed_version: number }[];
      const before = await ledger();

      // The border control's own, correctly signed receipt, sent with the airline's token.
      const theirs = borderControl.receipt({ restrictionId: target, version: 1, eventId });
      const stolen = await send('POST', '/v1/receipts', airline.token, { body: theirs });
      expect({ status: stolen.status, code: (stolen.body as { code: string }).code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      // The airline's own signature over the border control's id does not help either.
      const { signature: _signature, ...unsigned } = theirs;
      const forged = signReceipt({ ...unsigned, keyId: airline.keyId }, airline.privateKeyPem);
      expect((await send('POST', '/v1/receipts', airline.token, { body: forged })).status).toBe(403);
      // Its own receipt for a restriction that is not routed to it is rejected.
      const notRouted = await send('POST', '/v1/receipts', airline.token, { body: airline.receipt({ restrictionId: target, version: 1, eventId }) });
      expect(notRouted.status).toBe(422);
      expect(notRouted.body).toMatchObject({ code: 'RECEIPT_REJECTED', reason: 'NOT_ROUTED' });
      expect(await ledger()).toEqual(before);

      await ok('POST', '/v1/receipts', borderControl.token, theirs, [202]);
      expect((await ledger()).find((r) => r.partner_id === borderControl.id)?.confirmed_version).toBe(1);
    });
  });

  describe('partners reconcile only their own set', () => {
    const digestsOf = async (partnerId: string) => {
      const rows = await registry.dataSource.query(
        "SELECT restriction_id id, published_version version FROM deliveries WHERE partner_id = ? AND published_version > 0 AND published_status = 'ACTIVE'",
        [partnerId],
      );
      return [...bucketDigests(rows)].map(([bucket, digest]) => ({ bucket, ...digest }));
    };
    const reconcile = async (token: string, buckets: unknown[]) => (await ok('POST', '/v1/partners/me/reconciliations', token, { buckets })) as { differingBuckets: number[] };

    it("POST /v1/partners/me/reconciliations compares with the caller's own set, whoever's digests it is sent", async () => {
      await publishedEventId(registry, fx.exitBan, 1);
      await publishedEventId(registry, fx.consumption, 1);
      // Own digests match (once deliveries published by earlier tests have settled).
      let border: { bucket: number; count: number; checksum: string }[] = [];
      await waitUntil(async () => {
        border = await digestsOf(borderControl.id);
        return (await reconcile(borderControl.token, border)).differingBuckets.length === 0;
      });
      expect(border.length).toBeGreaterThan(0);
      await waitUntil(async () => (await reconcile(airline.token, await digestsOf(airline.id))).differingBuckets.length === 0);

      // The border control's digests sent by the airline are compared with the airline's set: every bucket differs.
      const asAirline = await reconcile(airline.token, border);
      expect(asAirline.differingBuckets).toEqual(expect.arrayContaining(border.map((b) => b.bucket)));
      // The answer names buckets only, nothing of another partner's set.
      expect(Object.keys(asAirline).sort()).toEqual(['buckets', 'differingBuckets']);
      // Naming the other partner in the body is refused; in the query it is ignored.
      const named = await send('POST', '/v1/partners/me/reconciliations', airline.token, { body: { buckets: border, partnerId: borderControl.id } });
      expect(named.status).toBe(400);
      const queried = (await ok('POST', `/v1/partners/me/reconciliations?partnerId=${borderControl.id}`, airline.token, { buckets: border })) as { differingBuckets: number[] };
      expect(queried.differingBuckets).toEqual(asAirline.differingBuckets);
    });
  });

  describe('debtors see only themselves', () => {
    it('/v1/me/status lists the caller\'s restrictions and no one else\'s', async () => {
      const mine = (await ok('GET', '/v1/me/status', tokens.debtor)) as { restrictions: { id: string }[] };
      const theirs = (await ok('GET', '/v1/me/status', tokens.otherDebtor)) as { restrictions: { id: string }[] };
      expect(mine.restrictions.map((r) => r.id)).toEqual(expect.arrayContaining([fx.listing, fx.consumption]));
      expect(mine.restrictions.map((r) => r.id)).not.toContain(fx.otherExitBan);
      expect(theirs.restrictions.map((r) => r.id)).toEqual([fx.otherExitBan]);
      expect(JSON.stringify(theirs)).not.toContain(fx.debtorId);
      expect(JSON.stringify(mine)).not.toContain(fx.otherDebtorId);
      // Query parameters cannot widen it.
      const probed = (await ok('GET', `/v1/me/status?identifier=${fx.debtorId}&idNumber=${fx.debtorId}`, tokens.otherDebtor)) as { restrictions: { id: string }[] };
      expect(probed.restrictions.map((r) => r.id)).toEqual([fx.otherExitBan]);
    });

    it("/v1/me/corrections lists the caller's requests only; another debtor cannot read, pursue or file on them", async () => {
      const mine = (await ok('GET', '/v1/me/corrections', tokens.debtor)) as unknown as { id: string }[];
      const theirs = (await ok('GET', '/v1/me/corrections', tokens.otherDebtor)) as unknown as { id: string }[];
      expect(mine.map((c) => c.id)).toContain(fx.correction);
      expect(theirs).toEqual([]);
      expect((await send('GET', `/v1/me/corrections/${fx.correction}`, tokens.otherDebtor)).status).toBe(403);
      expect((await send('POST', `/v1/me/corrections/${fx.correction}/reconsideration`, tokens.otherDebtor, { body: { statement: '冒名复议。' } })).status).toBe(403);
      const filed = await send('POST', '/v1/me/corrections', tokens.otherDebtor, { body: { restrictionId: fx.listing, ground: 'SHOULD_NOT_BE_LISTED', statement: '冒名申请。' } });
      expect(filed.status).toBe(403);
      expect(((await ok('GET', '/v1/me/corrections', tokens.otherDebtor)) as unknown as unknown[]).length).toBe(0);
    });
  });
});
