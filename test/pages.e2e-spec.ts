// The debtor's page and the supervisors' dashboard in a real browser: Debian's Chromium driven by
// playwright-core against the registry listening on a port, with data made through the APIs
// (restrictions, partners, published events, signed receipts, lifts, a correction request).
// Single sign-on goes through a fake OpenID Connect provider in this process (authorization code with PKCE).
// Screenshots are kept in test-artifacts/screenshots/ (CI keeps them as an artefact).
//
//   CHROMIUM_PATH=<path>  another Chromium binary (default /usr/bin/chromium, installed by .ci/run)
import { drainOutbox, publishedEventId } from './support/stored';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { PartnerBackfill } from '../apps/registry/src/partners/partner-backfill';
import { pageCsp } from '../apps/registry/src/pages/pages.controller';
import { registerPartner, type TestPartner } from './support/partners';
import { caseNumber, COURTS, creditCode, residentId, startRegistry, testConfig, type TestRegistry } from './support/registry';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', 'test-artifacts', 'screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

type Http = ReturnType<typeof request>;
const masked = (id: string) => `${id.slice(0, 2)}****************`;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Run in the page (as strings: the test project is type-checked without the DOM library).
const storedToken = (role: string) => `sessionStorage.getItem('credit-discipline.token.${role}')`;
const PAGE_WIDTH = 'document.documentElement.scrollWidth';
/** Basic accessibility faults on what is shown: unlabelled controls, nameless buttons, images without alt, duplicate ids. */
const A11Y_PROBLEMS = `(() => {
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.closest('[hidden]')) continue;
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) problems.push('unlabelled control ' + el.outerHTML.slice(0, 80));
  }
  for (const button of document.querySelectorAll('button')) if (!button.textContent.trim() && !button.getAttribute('aria-label')) problems.push('button without a name');
  for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push('image without alt ' + img.src);
  const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) problems.push('duplicate id ' + id);
  if (document.documentElement.lang !== 'zh-CN') problems.push('lang is ' + document.documentElement.lang);
  return problems;
})()`;

const CLIENT_ID = 'credit-discipline-pages';

/**
 * A stand-in for the courts' identity provider: /authorize logs the user in at once (as `user`, the
 * token it will issue) and redirects back with a code; /token checks the PKCE verifier against the
 * challenge, the code, redirect_uri and client_id before answering { access_token } with CORS headers.
 * A request that breaks the protocol is recorded in `problems`.
 */
interface FakeIdp {
  url: string;
  /** Where the pages live (CORS origin) and the registered redirect URIs. */
  clientOrigin: string;
  redirectUris: string[];
  user: string;
  /** Answer /authorize with this OAuth error instead of a code. */
  deny: string | null;
  /** Send back another state than the page's. */
  forgeState: boolean;
  /** Answer /token with invalid_grant whatever it is sent. */
  refuseToken: boolean;
  authorizeRequests: URLSearchParams[];
  tokenRequests: URLSearchParams[];
  problems: string[];
  reset(user: string): void;
  close(): Promise<void>;
}

async function startFakeIdp(): Promise<FakeIdp> {
  const codes = new Map<string, { challenge: string; redirectUri: string; user: string }>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp');
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const query = url.searchParams;
      idp.authorizeRequests.push(query);
      const redirectUri = query.get('redirect_uri') ?? '';
      // An unknown client or redirect URI is never redirected to (RFC 6749 §4.1.2.1).
      if (query.get('client_id') !== CLIENT_ID || !idp.redirectUris.includes(redirectUri)) {
        idp.problems.push(`authorize: client_id ${query.get('client_id')}, redirect_uri ${redirectUri}`);
        res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown client or redirect_uri');
        return;
      }
      const back = new URL(redirectUri);
      const challenge = query.get('code_challenge') ?? '';
      const valid =
        query.get('response_type') === 'code' &&
        query.get('code_challenge_method') === 'S256' &&
        /^[A-Za-z0-9_-]{43}$/.test(challenge) &&
        (query.get('scope') ?? '').split(' ').includes('openid') &&
        !!query.get('state') &&
        !!query.get('nonce');
      if (!valid) {
        idp.problems.push(`authorize: ${query.toString()}`);
        back.searchParams.set('error', 'invalid_request');
      } else if (idp.deny) {
        back.searchParams.set('error', idp.deny);
        back.searchParams.set('error_description', '请拨打 400-000-0000 找回密码'); // free text from the provider is never shown
      } else {
        const code = randomBytes(16).toString('base64url');
        codes.set(code, { challenge, redirectUri, user: idp.user });
        back.searchParams.set('code', code);
      }
      back.searchParams.set('state', idp.forgeState ? randomBytes(32).toString('base64url') : query.get('state')!);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        idp.tokenRequests.push(form);
        const code = form.get('code') ?? '';
        const grant = codes.get(code);
        codes.delete(code); // a code is good once
        const verifier = form.get('code_verifier') ?? '';
        const faults = [
          !(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && 'content-type',
          form.get('grant_type') !== 'authorization_code' && 'grant_type',
          !grant && 'code',
          grant && form.get('redirect_uri') !== grant.redirectUri && 'redirect_uri',
          form.get('client_id') !== CLIENT_ID && 'client_id',
          grant && createHash('sha256').update(verifier).digest('base64url') !== grant.challenge && 'code_verifier',
        ].filter(Boolean);
        if (faults.length > 0) idp.problems.push(`token: ${faults.join(', ')}`);
        const ok = faults.length === 0 && !idp.refuseToken;
        res
          .writeHead(ok ? 200 : 400, { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': idp.clientOrigin })
          .end(JSON.stringify(ok ? { access_token: grant!.user, token_type: 'Bearer', expires_in: 3600 } : { error: 'invalid_grant' }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const idp: FakeIdp = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    clientOrigin: '',
    redirectUris: [],
    user: '',
    deny: null,
    forgeState: false,
    refuseToken: false,
    authorizeRequests: [],
    tokenRequests: [],
    problems: [],
    reset(user) {
      Object.assign(idp, { user, deny: null, forgeState: false, refuseToken: false, authorizeRequests: [], tokenRequests: [], problems: [] });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return idp;
}

interface Partners {
  bank: TestPartner;
  regulator: TestPartner;
  bureau: TestPartner;
  airline: TestPartner;
  railway: TestPartner;
  border: TestPartner;
}

// Rows are found by these names: no other suite may give a partner one of them (CI shares one database).
const PARTNER_NAMES: Record<keyof Partners, string> = {
  bank: '中国工商银行北京市分行',
  regulator: '北京市市场监督管理局',
  bureau: '中国人民银行征信中心',
  airline: '中国国际航空股份有限公司',
  railway: '中国国家铁路集团有限公司',
  border: '北京出入境边防检查总站',
};

describe('pages in a real browser (Debian Chromium, playwright-core)', () => {
  let registry: TestRegistry;
  let http: Http;
  let browser: Browser;
  const partners = {} as Partners;
  const me = { name: '王晓明', id: residentId('1982-06-15') };
  const colleague = { name: '李建国', id: residentId('1979-03-08') };
  const company = { name: '北京恒信达商贸有限公司', code: creditCode() };
  const ids = { listing: '', listingConsumption: '', companyExitBan: '', liftedConsumption: '', liftedExitBan: '' };
  const courts = { haidian: '', chaoyang: '' };
  let debtorToken: string;
  let supervisorToken: string;
  let idp: FakeIdp;

  const person = (p: { name: string; id: string }, sex = 'MALE') => ({ type: 'PERSON', name: p.name, identifier: { type: 'RESIDENT_ID', value: p.id }, sex });
  const officer = (role: string, p: { name: string; id: string }) => ({ role, name: p.name, identifier: { type: 'RESIDENT_ID', value: p.id } });
  const basis = (issuer: string, documentNumber: string) => ({ issuer, documentNumber });

  async function impose(court: string, body: Record<string, unknown>): Promise<{ id: string; linkedRestrictions: { id: string }[] }> {
    return (await http.post('/v1/restrictions').set('authorization', court).send(body).expect(201)).body;
  }



  async function confirm(partner: TestPartner, restrictionId: string, version: number): Promise<void> {
    const receipt = partner.receipt({ restrictionId, version, eventId: await publishedEventId(registry, restrictionId, version) });
    await http.post('/v1/receipts').set('authorization', `Bearer ${partner.token}`).send(receipt).expect(202);
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: the page tests drive Debian's Chromium (apt-get install chromium; .ci/run installs it).`);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    idp = await startFakeIdp();
    registry = await startRegistry(
      testConfig({
        env: {
          RELAY_ENABLED: 'false',
          RECEIPTS_CONSUMER_ENABLED: 'false',
          OVERDUE_SCAN_INTERVAL_MS: '3600000',
          DEBTOR_RATE_LIMIT_PER_MINUTE: '100000',
          PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
          PAGES_OIDC_AUTHORIZE_URL: `${idp.url}/authorize`,
          PAGES_OIDC_TOKEN_URL: `${idp.url}/token`,
          PAGES_OIDC_CLIENT_ID: CLIENT_ID,
        },
      }),
      { listen: true },
    );
    idp.clientOrigin = registry.baseUrl!;
    idp.redirectUris = [`${registry.baseUrl}/pages/debtor`, `${registry.baseUrl}/pages/supervision`];
    http = request(registry.app.getHttpServer());
    courts.haidian = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    courts.chaoyang = `Bearer ${registry.courtToken(COURTS.CHAOYANG)}`;
    debtorToken = registry.token({ role: 'debtor', identifier: me.id, sub: 'debtor-wang' });
    supervisorToken = registry.token({ role: 'supervisor', sub: 'supervisor@npc-beijing' });
    const admin = `Bearer ${registry.token({ role: 'admin' })}`;

    // Partners, renamed as real institutions. All start with long deadlines: being back-filled with
    // other suites' restrictions (a shared database in CI) must not make them overdue.
    const register = async (key: keyof Partners, sector: Parameters<typeof registerPartner>[1], kinds: string[], hours: number) => {
      partners[key] = await registerPartner(registry, sector, { kinds: kinds as never, deadline: { value: hours, unit: 'HOURS' } });
      await http.patch(`/v1/admin/partners/${partners[key].id}`).set('authorization', admin).send({ name: PARTNER_NAMES[key] }).expect(200);
    };
    await register('bank', 'BANK', ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION'], 2);
    await register('regulator', 'MARKET_REGULATOR', ['DISHONEST_LISTING'], 1);
    await register('bureau', 'CREDIT_BUREAU', ['DISHONEST_LISTING'], 1);
    await register('airline', 'AIRLINE', ['CONSUMPTION_RESTRICTION'], 1);
    await register('railway', 'RAILWAY', ['CONSUMPTION_RESTRICTION'], 1);
    await register('border', 'BORDER_CONTROL', ['EXIT_BAN'], 1);
    await registry.app.get(PartnerBackfill).runPending();
    await drainOutbox(registry);
    // From now on the airline owes receipts within a second: it will be late on this suite's restrictions only.
    await http.patch(`/v1/admin/partners/${partners.airline.id}`).set('authorization', admin).send({ receiptDeadline: { value: 1, unit: 'SECONDS' } }).expect(200);

    // The debtor: listed (with the linked consumption restriction), legal representative of a company
    // under an exit ban, and two restrictions of another court that have been lifted.
    const listing = await impose(courts.haidian, {
      kind: 'DISHONEST_LISTING',
      subject: person(me),
      case: { caseNumber: caseNumber(), enforcementBasis: basis('北京市海淀区人民法院', '(2025)京0108民初1234号'), filingDate: '2026-01-05' },
      ground: 'EVADES_ENFORCEMENT',
      obligation: '支付货款人民币120000元及逾期付款利息',
      performanceStatus: '全部未履行',
      dishonestConduct: '转移名下车辆规避执行',
      decidedAt: hoursAgo(50),
    });
    ids.listing = listing.id;
    ids.listingConsumption = listing.linkedRestrictions[0].id;
    ids.companyExitBan = (
      await impose(courts.haidian, {
        kind: 'EXIT_BAN',
        subject: { type: 'ORGANISATION', name: company.name, identifier: { type: 'USCC', value: company.code }, legalRepresentative: me.name },
        affectedPersons: [officer('LEGAL_REPRESENTATIVE', me), officer('DIRECTLY_RESPONSIBLE_PERSON', colleague)],
        case: { caseNumber: caseNumber(), enforcementBasis: basis('北京仲裁委员会', '(2025)京仲裁字第0456号'), filingDate: '2026-02-01' },
        decidedAt: hoursAgo(30),
      })
    ).id;
    ids.liftedConsumption = (
      await impose(courts.chaoyang, {
        kind: 'CONSUMPTION_RESTRICTION',
        subject: person(me),
        case: { caseNumber: `(2026)京0105执${Date.now() % 10000}号`, enforcementBasis: basis('北京市朝阳区人民法院', '(2025)京0105民初987号'), filingDate: '2026-03-10' },
        measures: ['AIR_TRAVEL', 'SOFT_SLEEPER', 'HIGH_SPEED_RAIL', 'STAR_HOTELS_AND_LUXURY_VENUES'],
        decidedAt: hoursAgo(72),
      })
    ).id;
    ids.liftedExitBan = (
      await impose(courts.chaoyang, {
        kind: 'EXIT_BAN',
        subject: person(me),
        case: { caseNumber: `(2026)京0105执${(Date.now() % 10000) + 1}号`, enforcementBasis: basis('北京市朝阳区人民法院', '(2025)京0105民初988号'), filingDate: '2026-03-12' },
        decidedAt: hoursAgo(70),
      })
    ).id;
    await drainOutbox(registry);

    // Receipts: the credit bureau has not answered yet, the airline never does.
    await confirm(partners.bank, ids.listing, 1);
    await confirm(partners.regulator, ids.listing, 1);
    await confirm(partners.bank, ids.listingConsumption, 1);
    await confirm(partners.railway, ids.listingConsumption, 1);
    await confirm(partners.border, ids.companyExitBan, 1);
    for (const partner of [partners.bank, partners.airline, partners.railway]) await confirm(partner, ids.liftedConsumption, 1);
    await confirm(partners.border, ids.liftedExitBan, 1);

    await http.post(`/v1/restrictions/${ids.liftedConsumption}/lift`).set('authorization', courts.chaoyang).send({ reason: 'PERFORMED' }).expect(200);
    await http.post(`/v1/restrictions/${ids.liftedExitBan}/lift`).set('authorization', courts.chaoyang).send({ reason: 'SECURITY_PROVIDED' }).expect(200);
    await confirm(partners.bank, ids.liftedConsumption, 2);
    await confirm(partners.railway, ids.liftedConsumption, 2);
    await confirm(partners.border, ids.liftedExitBan, 2);
    await sleep(1500); // past the airline's one-second deadline

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }); // a fresh temporary profile per launch
  });

  afterAll(async () => {
    await browser?.close();
    await registry?.close();
    await idp?.close();
  });

  /** A fresh context and page that record every console error, page error and failed request. */
  async function open(viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
    return { context, page, problems };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });

  async function status(): Promise<{ restrictions: { id: string; fullyLifted: boolean; enforcement: { name: string }[] }[] }> {
    return (await http.get('/v1/me/status').set('authorization', `Bearer ${debtorToken}`).expect(200)).body;
  }

  it('serves the pages with a strict Content-Security-Policy, no inline script or style, and only known assets', async () => {
    for (const path of ['/pages/debtor', '/pages/supervision']) {
      const res = await http.get(path).expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      // Single sign-on adds the token endpoint's origin to connect-src, and nothing else.
      expect(res.headers['content-security-policy']).toBe(pageCsp(`${idp.url}/token`));
      expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ${idp.url};`);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.text).toContain('<html lang="zh-CN">');
      expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // every script is a file
      expect(res.text).not.toMatch(/\sstyle=|<style|\son[a-z]+=/);
      expect(res.text).not.toMatch(/https?:\/\//); // nothing from another origin
      await http.get(path).set('if-none-match', res.headers.etag).expect(304);
    }
    const config = await http.get('/pages/config.json').expect(200);
    expect(config.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(config.body).toEqual({ sso: { authorizeUrl: `${idp.url}/authorize`, tokenUrl: `${idp.url}/token`, clientId: CLIENT_ID, scope: 'openid' } });
    const css = await http.get('/pages/assets/pages.css').expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await http.get('/pages/assets/debtor.js').expect(200)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const path of ['/pages/assets/nope.js', '/pages/assets/..%2Fpages.service.ts', '/pages/assets/%2e%2e%2f%2e%2e%2fapp.ts', '/pages/static/debtor.html']) {
      const res = await http.get(path).expect(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  /** Opens the page and clicks the single sign-on button; the fake provider logs in as `user` and sends the browser back. */
  async function signInThroughProvider(page: Page, path: string, user: string): Promise<void> {
    idp.reset(user);
    await page.goto(`${registry.baseUrl}${path}`);
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
  }

  it('single sign-on: the debtor signs in through the identity provider (authorization code with PKCE) and sees their status', async () => {
    const { context, page, problems } = await open();
    await signInThroughProvider(page, '/pages/debtor', debtorToken);
    await page.locator('article.restriction').nth(4).waitFor();
    expect(await page.locator('#signin').isHidden()).toBe(true);
    expect(await page.locator('#identifier').innerText()).toBe(`居民身份证 ${masked(me.id)}`);

    // What the page asked the provider for.
    expect(idp.authorizeRequests).toHaveLength(1);
    const asked = idp.authorizeRequests[0];
    expect(Object.fromEntries([...asked].filter(([name]) => !['state', 'nonce', 'code_challenge'].includes(name)))).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${registry.baseUrl}/pages/debtor`,
      scope: 'openid',
      code_challenge_method: 'S256',
    });
    expect(asked.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // One exchange, with the verifier behind the challenge (the provider checks it), and nothing left behind.
    expect(idp.tokenRequests).toHaveLength(1);
    expect(idp.tokenRequests[0].get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(idp.problems).toEqual([]);
    expect(page.url()).toBe(`${registry.baseUrl}/pages/debtor`); // code and state are gone from the address bar
    expect(await page.evaluate(storedToken('debtor'))).toBe(debtorToken);
    expect(await page.evaluate(`sessionStorage.getItem('credit-discipline.sso.debtor')`)).toBeNull();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('single sign-on: the supervisor signs in through the identity provider and sees the dashboard', async () => {
    const { context, page, problems } = await open({ width: 1360, height: 900 });
    await signInThroughProvider(page, '/pages/supervision', supervisorToken);
    await page.locator('svg#chart-partner-coverage').waitFor();
    expect(await page.locator('#who').innerText()).toBe('监督人员（supervisor@npc-beijing）');
    expect(idp.authorizeRequests[0].get('redirect_uri')).toBe(`${registry.baseUrl}/pages/supervision`);
    expect(idp.tokenRequests).toHaveLength(1);
    expect(idp.problems).toEqual([]);
    expect(page.url()).toBe(`${registry.baseUrl}/pages/supervision`);
    expect(await page.evaluate(storedToken('supervisor'))).toBe(supervisorToken);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('single sign-on: refuses, in Chinese, a tampered state, a forged return link, the provider\'s refusal, a failed token exchange and a token for another role', async () => {
    const { context, page } = await open();
    const error = page.locator('#signin-error');
    const refused = async (text: string) => {
      await error.getByText(text).waitFor();
      expect(await page.locator('#app').isHidden()).toBe(true);
      expect(await page.evaluate(storedToken('debtor'))).toBeNull();
      expect(await page.evaluate(`sessionStorage.getItem('credit-discipline.sso.debtor')`)).toBeNull();
      expect(page.url()).toBe(`${registry.baseUrl}/pages/debtor`);
    };

    // The provider sends back another state: the code is never exchanged.
    idp.reset(debtorToken);
    idp.forgeState = true;
    await page.goto(`${registry.baseUrl}/pages/debtor`);
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await refused('登录校验未通过：返回的登录状态与本次登录请求不符');
    expect(idp.authorizeRequests).toHaveLength(1);
    expect(idp.tokenRequests).toHaveLength(0);
    await shot(page, 'debtor-signin-refused.png');

    // A link carrying someone else's code, opened without a login under way.
    idp.reset(debtorToken);
    await page.goto(`${registry.baseUrl}/pages/debtor?code=stolen-code&state=${randomBytes(32).toString('base64url')}`);
    await refused('登录校验未通过');
    expect(idp.tokenRequests).toHaveLength(0);

    // The provider refuses the login: its code is shown, its free text is not.
    idp.reset(debtorToken);
    idp.deny = 'access_denied';
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await refused('您取消了登录，或统一身份认证平台拒绝了本次登录请求。（access_denied）');
    expect(await error.innerText()).not.toContain('400-000-0000');

    // The token endpoint refuses the code.
    idp.reset(debtorToken);
    idp.refuseToken = true;
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await refused('统一身份认证平台未能签发令牌（HTTP 400，invalid_grant），请重新登录。');
    expect(idp.tokenRequests).toHaveLength(1);

    // A supervisor's login on the debtor's page: the token is issued but refused by the page's role check.
    idp.reset(supervisorToken);
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await refused('该令牌的身份是“监督人员”，本页需要“被执行人”身份的令牌。');
    expect(idp.tokenRequests).toHaveLength(1);
    expect(idp.problems).toEqual([]);
    await context.close();
  });

  it('debtor: signs in with a pasted token and sees every restriction with its timeline, partner by partner, identifiers masked', async () => {
    const { context, page, problems } = await open();
    await page.goto(`${registry.baseUrl}/pages/debtor`);
    await page.getByRole('button', { name: '统一身份认证登录' }).waitFor();
    expect(await page.locator('#app').isHidden()).toBe(true);
    expect(await page.getByLabel('访问令牌').isHidden()).toBe(true); // folded away under single sign-on
    expect(await page.locator('#signin-note-sso').isVisible()).toBe(true);
    expect(await page.locator('#signin-note-token').isHidden()).toBe(true);
    await shot(page, 'debtor-signin.png');

    // Pasting a token stays possible (development). A token of another role is refused before any call.
    await page.getByText('使用访问令牌登录（供开发调试）').click();
    await page.getByLabel('访问令牌').fill(supervisorToken);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(page.locator('#signin-error').innerText()).resolves.toContain('本页需要“被执行人”身份的令牌');

    await page.getByLabel('访问令牌').fill(debtorToken);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    const cards = page.locator('article.restriction');
    await cards.nth(4).waitFor();
    expect(await cards.count()).toBe(5);
    expect(await page.evaluate(storedToken('debtor'))).toBe(debtorToken);

    const card = (id: string) => page.locator(`article[data-restriction-id="${id}"]`);
    const rowOf = (id: string, step: string, partner: keyof Partners) => card(id).locator(`li[data-step="${step}"] .partners li`, { hasText: PARTNER_NAMES[partner] });

    // The listing: what it is, who decided, what it prohibits, and the timeline steps in order.
    const listing = card(ids.listing);
    const listingText = await listing.innerText();
    for (const text of ['纳入失信被执行人名单', '生效中', '北京市海淀区人民法院', '被执行人本人', '以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行', '融资信贷受限', '期限至']) {
      expect(listingText).toContain(text);
    }
    expect(await listing.locator('.timeline > li .step-title > span:first-child').allInnerTexts()).toEqual(['决定', '发布/通知', '各协同单位执行', '解除', '各协同单位解除确认']);
    await expect(rowOf(ids.listing, 'enforced', 'bank').innerText()).resolves.toContain('已执行');
    await expect(rowOf(ids.listing, 'enforced', 'regulator').innerText()).resolves.toContain('已执行');
    await expect(rowOf(ids.listing, 'enforced', 'bureau').innerText()).resolves.toContain('待执行');

    // Its consumption restriction: the airline is late.
    await expect(rowOf(ids.listingConsumption, 'enforced', 'railway').innerText()).resolves.toMatch(/已执行[\s\S]*执行确认：\d{4}/);
    await expect(rowOf(ids.listingConsumption, 'enforced', 'airline').innerText()).resolves.toContain('逾期未执行');
    expect(await card(ids.listingConsumption).innerText()).toContain('乘坐交通工具时，选择飞机');

    // The company's exit ban concerns the debtor as legal representative; the other officer is masked.
    const companyText = await card(ids.companyExitBan).innerText();
    expect(companyText).toContain('与您的关系：法定代表人（北京恒信达商贸有限公司）');
    expect(companyText).toContain(masked(colleague.id));
    expect(companyText).toContain(company.code); // an organisation's code is public
    await expect(rowOf(ids.companyExitBan, 'enforced', 'border').innerText()).resolves.toContain('已执行');

    // Lifted, with partial lift confirmation: the airline has not confirmed the lift.
    const liftedText = await card(ids.liftedConsumption).innerText();
    expect(liftedText).toContain('已解除');
    expect(liftedText).toContain('解除原因：已履行完毕');
    expect(liftedText).toContain('北京市朝阳区人民法院');
    await expect(rowOf(ids.liftedConsumption, 'lift-confirmed', 'bank').innerText()).resolves.toMatch(/已解除确认[\s\S]*解除确认：\d{4}/);
    await expect(rowOf(ids.liftedConsumption, 'lift-confirmed', 'airline').innerText()).resolves.toContain('逾期未确认解除');
    expect(await card(ids.liftedConsumption).locator('.badge', { hasText: '全部解除确认' }).count()).toBe(0);

    // Lifted and confirmed by every obliged partner (in a shared database other suites' border partners may still owe it).
    const api = (await status()).restrictions.find((r) => r.id === ids.liftedExitBan)!;
    await expect(rowOf(ids.liftedExitBan, 'lift-confirmed', 'border').innerText()).resolves.toContain('已解除确认');
    expect(await card(ids.liftedExitBan).innerText()).toContain('解除原因：提供确实有效的担保');
    expect(await card(ids.liftedExitBan).locator('.badge', { hasText: '全部解除确认' }).count()).toBe(api.fullyLifted ? 1 : 0);
    if (api.enforcement.every((p) => p.name === PARTNER_NAMES.border)) expect(api.fullyLifted).toBe(true);

    // Masked identifiers only.
    const text = await page.locator('body').innerText();
    expect(await page.locator('#identifier').innerText()).toBe(`居民身份证 ${masked(me.id)}`);
    for (const id of [me.id, colleague.id]) {
      expect(text).not.toContain(id);
      expect(await page.content()).not.toContain(id);
    }
    expect(await page.evaluate(A11Y_PROBLEMS)).toEqual([]);
    await shot(page, 'debtor.png');

    // The page on a phone.
    const phone = await open({ width: 390, height: 844 });
    await phone.page.goto(`${registry.baseUrl}/pages/debtor#token=${debtorToken}`);
    await phone.page.locator('article.restriction').nth(4).waitFor();
    expect(await phone.page.evaluate(PAGE_WIDTH)).toBeLessThanOrEqual(390);
    await shot(phone.page, 'debtor-mobile.png');
    expect(phone.problems).toEqual([]);
    await phone.context.close();

    expect(problems).toEqual([]);
    await context.close();
  });

  it('debtor: files a correction request through the form and, once rejected, asks for reconsideration within the window', async () => {
    const { context, page, problems } = await open();
    await page.goto(`${registry.baseUrl}/pages/debtor#token=${encodeURIComponent(debtorToken)}`);
    await page.locator('article.restriction').nth(4).waitFor();
    expect(page.url()).toBe(`${registry.baseUrl}/pages/debtor`); // the fragment is gone from the address bar
    // The corrections section loads on its own request: wait for it rather than read it at once.
    await page.locator('#corrections').getByText('您还没有提交过纠正申请').waitFor();

    // Only the debtor's own active listing can be corrected.
    expect(await page.locator('#correction-restriction option').evaluateAll((options) => options.map((o) => o.getAttribute('value')))).toEqual([ids.listing]);
    await page.getByRole('button', { name: '提交申请' }).click();
    await expect(page.locator('#correction-message').innerText()).resolves.toBe('请选择申请理由。');

    await page.getByLabel('申请理由').selectOption('SHOULD_BE_DELETED');
    await page.getByLabel('事实与理由').fill('本人已于2026年11月20日通过执行法院账户履行判决确定的全部付款义务，失信情形已经消除，请求删除失信信息。');
    await page.getByRole('button', { name: '提交申请' }).click();
    const requestCard = page.locator('article.correction');
    await requestCard.waitFor();
    await expect(page.locator('#page-message').innerText()).resolves.toMatch(/纠正申请已提交。执行法院应于 .+ 前作出决定/);
    let requestText = await requestCard.innerText();
    for (const text of ['纠正申请：失信情形已消除，应当删除而未删除', '已提交，待审查', '北京市海淀区人民法院', '审查期限', '提交纠正申请', '执行法院审查并作出决定']) expect(requestText).toContain(text);
    expect(await page.locator('#correction-form').isHidden()).toBe(true); // one open request per listing
    expect(await page.locator('#correction-none').isVisible()).toBe(true);

    const [filed] = (await http.get('/v1/me/corrections').set('authorization', `Bearer ${debtorToken}`).expect(200)).body;
    expect(filed).toMatchObject({ restrictionId: ids.listing, ground: 'SHOULD_BE_DELETED', status: 'FILED' });

    // The court rejects; the debtor sees the reasons and the reconsideration window, and files within it.
    await http.post(`/v1/corrections/${filed.id}/decision`).set('authorization', courts.haidian).send({ decision: 'REJECT', reason: '经审查，申请人尚未提交履行完毕的证明材料。' }).expect(200);
    await page.getByRole('button', { name: '刷新' }).click();
    await requestCard.getByText('已驳回', { exact: true }).waitFor();
    requestText = await requestCard.innerText();
    expect(requestText).toContain('经审查，申请人尚未提交履行完毕的证明材料。');
    expect(requestText).toContain('复议申请期限');
    await requestCard.getByLabel('复议理由').fill('申请人已提交银行转账凭证，原决定认定事实错误，请求复议。');
    await requestCard.getByRole('button', { name: '申请复议' }).click();
    await requestCard.getByText('已申请复议，待复议决定', { exact: true }).waitFor();
    requestText = await requestCard.innerText();
    for (const text of ['向上一级法院申请复议', '上一级法院作出复议决定', '复议决定期限', '申请人已提交银行转账凭证']) expect(requestText).toContain(text);
    expect(await requestCard.getByRole('button', { name: '申请复议' }).count()).toBe(0);

    expect(await page.locator('body').innerText()).not.toContain(me.id);
    expect(await page.evaluate(A11Y_PROBLEMS)).toEqual([]);
    await page.locator('#corrections-title').scrollIntoViewIfNeeded();
    await shot(page, 'debtor-corrections.png');

    // 退出 clears the token and everything shown.
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('button', { name: '统一身份认证登录' }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await page.locator('article').count()).toBe(0);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('supervisor: the dashboard charts coverage per partner and court, lists overdue deliveries, shows time to receipt, and refreshes every 30 s', async () => {
    const { context, page, problems } = await open({ width: 1360, height: 900 });
    await page.clock.install();
    const coverageCalls: string[] = [];
    page.on('request', (req) => {
      if (req.url().includes('/v1/supervision/coverage?by=partner')) coverageCalls.push(req.url());
    });
    await page.goto(`${registry.baseUrl}/pages/supervision#token=${supervisorToken}`);
    const partnerChart = page.locator('svg#chart-partner-coverage');
    await partnerChart.waitFor();
    expect(page.url()).toBe(`${registry.baseUrl}/pages/supervision`);
    expect(await page.evaluate(storedToken('supervisor'))).toBe(supervisorToken);

    // Coverage per partner: one bar per partner (other suites' partners too, in a shared database).
    const showAll = page.locator('#partner-coverage').getByRole('button', { name: /显示全部/ });
    if (await showAll.count()) await showAll.click();
    const byPartner: { key: string; coverage: number | null; overdue: number }[] = (
      await http.get('/v1/supervision/coverage?by=partner').set('authorization', `Bearer ${supervisorToken}`).expect(200)
    ).body;
    for (const key of Object.keys(partners) as (keyof Partners)[]) {
      const row = partnerChart.locator(`g.row[data-key="${partners[key].id}"]`);
      expect(PARTNER_NAMES[key].startsWith(((await row.locator('text.label').textContent()) ?? '').replace(/…$/, ''))).toBe(true); // long names are cut
      expect(await row.locator('title').textContent()).toContain(PARTNER_NAMES[key]);
      const expected = byPartner.find((r) => r.key === partners[key].id)!;
      expect(Number(await row.locator('rect.bar').getAttribute('data-value'))).toBeCloseTo(expected.coverage ?? 0, 3);
    }
    expect(await partnerChart.locator(`g.row[data-key="${partners.airline.id}"] text.value`).textContent()).toContain('逾期');

    // Coverage per court, by name.
    const courtChart = page.locator('svg#chart-court-coverage');
    for (const [code, name] of [[COURTS.HAIDIAN, '北京市海淀区人民法院'], [COURTS.CHAOYANG, '北京市朝阳区人民法院']]) {
      expect(await courtChart.locator(`g.row[data-key="${code}"] text.label`).textContent()).toBe(name);
      expect(await courtChart.locator(`g.row[data-key="${code}"] text.value`).textContent()).toMatch(/\d+\.\d%（\d+\/\d+）$/);
    }

    // Overdue deliveries, narrowed to the airline: this suite's two restrictions it never confirmed.
    await page.locator('#overdue-table').waitFor();
    await page.getByLabel('协同单位', { exact: true }).selectOption(partners.airline.id);
    const airlineRows = page.locator(`#overdue-table tbody tr[data-partner-id="${partners.airline.id}"]`);
    await page.waitForFunction(`[...document.querySelectorAll('#overdue-table tbody tr')].every((row) => row.getAttribute('data-partner-id') === '${partners.airline.id}')`);
    expect((await airlineRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-restriction-id')))).sort()).toEqual([ids.listingConsumption, ids.liftedConsumption].sort());
    const consumptionRow = page.locator(`#overdue-table tbody tr[data-restriction-id="${ids.listingConsumption}"]`);
    const cells = await consumptionRow.locator('td').allInnerTexts();
    expect(cells[0]).toContain(PARTNER_NAMES.airline);
    expect(cells[1]).toBe('北京市海淀区人民法院');
    expect(cells[2]).toContain('限制消费令');
    expect(cells[3]).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
    expect(cells[4]).toMatch(/秒|分|小时|天/);
    await page.getByLabel('协同单位', { exact: true }).selectOption('');
    await page.waitForFunction(`document.querySelectorAll('#overdue-table tbody tr').length >= 2`);

    // Time to receipt: p50/p95 per partner, and its distribution; the credit bureau sent none.
    const latencyChart = page.locator('svg#chart-latency');
    const histogram = page.locator('svg#chart-histogram');
    for (const key of ['bank', 'regulator', 'airline', 'railway', 'border'] as (keyof Partners)[]) {
      const showAllLatency = page.locator('#latency').getByRole('button', { name: /显示全部/ });
      if (await showAllLatency.count()) await showAllLatency.click();
      const showAllHistogram = page.locator('#histogram').getByRole('button', { name: /显示全部/ });
      if (await showAllHistogram.count()) await showAllHistogram.click();
      expect(await latencyChart.locator(`g.row[data-key="${partners[key].id}"] rect.bar.p50`).count()).toBe(1);
      expect(await latencyChart.locator(`g.row[data-key="${partners[key].id}"] rect.bar.p95`).count()).toBe(1);
      const counts = await histogram.locator(`g.row[data-key="${partners[key].id}"] rect.bar`).evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('data-count'))));
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    }
    expect(await latencyChart.locator(`g.row[data-key="${partners.bureau.id}"]`).count()).toBe(0);
    expect(await page.locator('#histogram .legend li').allInnerTexts()).toEqual(['≤ 1 秒', '1 秒–10 秒', '10 秒–1 分', '1 分–10 分', '10 分–1 小时', '1 小时–1 天', '1 天–3 天', '超过 3 天']);

    const tiles = await page.locator('#tiles').innerText();
    for (const label of ['送达记录', '已发布', '已确认', '总体覆盖率', '逾期未反馈', '近 30 日回执']) expect(tiles).toContain(label);
    expect(await page.evaluate(A11Y_PROBLEMS)).toEqual([]);
    await shot(page, 'supervision.png');

    // Auto-refresh: every 30 seconds, while the page is shown.
    const before = coverageCalls.length;
    await page.clock.fastForward(30_500);
    for (let waited = 0; coverageCalls.length === before && waited < 10_000; waited += 100) await sleep(100);
    expect(coverageCalls.length).toBeGreaterThan(before);

    const phone = await open({ width: 390, height: 844 });
    await phone.page.goto(`${registry.baseUrl}/pages/supervision#token=${supervisorToken}`);
    await phone.page.locator('svg#chart-partner-coverage').waitFor();
    expect(await phone.page.evaluate(PAGE_WIDTH)).toBeLessThanOrEqual(390);
    await shot(phone.page, 'supervision-mobile.png');
    expect(phone.problems).toEqual([]);
    await phone.context.close();

    expect(problems).toEqual([]);
    await context.close();
  });
});
