import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { chromium } from 'playwright-core';
import request from 'supertest';
import { COURTS, exitBanBody, residentId, startRegistry, testConfig, type TestRegistry } from '../../../test/support/registry';
import { PAGE_CSP } from './pages/pages.controller';
import { SupervisionService } from './supervision/supervision.service';

// Hardening against the real application: security headers, the default cache policy, CORS,
// the body limit, the client IP behind a proxy (rate limits), and 500s that leak nothing.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PROBE_COURT = '110199';
const PROBLEM_KEYS = ['code', 'detail', 'instance', 'status', 'title', 'type'];
const LEAKS = /stack|\bat \S+ \(|\.ts:\d+|node_modules|SQL|ER_|SIGNAL|trigger|INSERT|outbox|TypeError|undefined/i;

type Http = ReturnType<typeof request>;
const list = (header: string | undefined) => (header ?? '').split(/,\s*/);

describe('hardening, default configuration', () => {
  let registry: TestRegistry;
  let http: Http;
  let court: string;

  beforeAll(async () => {
    registry = await startRegistry(
      testConfig({ env: { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false', PUBLIC_RATE_LIMIT_PER_MINUTE: '2' } }),
      { listen: true },
    );
    http = request(registry.baseUrl!);
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await registry.dataSource.query('DROP TRIGGER IF EXISTS hardening_failure_probe');
    await registry.close();
  });

  it('answers the API with security headers, no-store, and no HSTS unless configured', async () => {
    const res = await http.get('/v1/restrictions').set('authorization', court).expect(200);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe/);
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('errors carry the same headers', async () => {
    const res = await http.get('/v1/restrictions').expect(401);
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('keeps a route\'s own cache policy and the pages\' own CSP', async () => {
    expect((await http.get('/v1/public/event-keys').expect(200)).headers['cache-control']).toBe('public, max-age=300');
    const page = await http.get('/pages/debtor').expect(200);
    expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(page.headers['cache-control']).toBe('no-cache');
    // Without PAGES_OIDC_* the pages offer no single sign-on, and connect-src stays 'self'.
    expect(PAGE_CSP).toContain("connect-src 'self';");
    expect((await http.get('/pages/config.json').expect(200)).body).toEqual({ sso: null });
  });

  it('sends no CORS header without CORS_ORIGINS: browsers call it from its own origin only', async () => {
    const res = await http.get('/v1/public/event-keys').set('origin', 'https://court.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await http
      .options('/v1/restrictions')
      .set('origin', 'https://court.example')
      .set('access-control-request-method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses a body over HTTP_BODY_LIMIT_BYTES with 413 problem+json, before authentication', async () => {
    const big = exitBanBody({ dishonestConduct: 'x'.repeat(registry.config.http.bodyLimitBytes + 1) });
    for (const authorization of [court, 'Bearer nonsense']) {
      const res = await http.post('/v1/restrictions').set('authorization', authorization).send(big).expect(413);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(res.text).not.toMatch(LEAKS);
    }
  });

  it('a database failure answers 500 problem+json with nothing of the SQL, the trigger or the stack', async () => {
    // A court of its own, so the trigger fails this test's writes only.
    await registry.dataSource.query("INSERT IGNORE INTO courts (code, name, parent_code) VALUES (?, '加固测试法院', '110000')", [PROBE_COURT]);
    await registry.dataSource.query('DROP TRIGGER IF EXISTS hardening_failure_probe');
    await registry.dataSource.query(
      `CREATE TRIGGER hardening_failure_probe BEFORE INSERT ON restrictions FOR EACH ROW
         BEGIN
           IF NEW.court_code = '${PROBE_COURT}' THEN
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure: INSERT INTO restrictions at /srv/registry/restrictions.repository.ts:42';
           END IF;
         END`,
    );
    const body = exitBanBody({ subject: { type: 'PERSON', name: 'HARDENING-PROBE', identifier: { type: 'RESIDENT_ID', value: residentId() } } });
    const res = await http.post('/v1/restrictions').set('authorization', `Bearer ${registry.courtToken(PROBE_COURT)}`).send(body).expect(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(Object.keys(res.body).sort()).toEqual(PROBLEM_KEYS);
    expect(res.body).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred.', instance: '/v1/restrictions' });
    expect(res.text).not.toMatch(LEAKS);
    expect(res.text).not.toContain('HARDENING-PROBE');
  });

  it('a programming error answers 500 problem+json without its message or stack', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'partnerId')");
    bug.stack = `${bug.stack}\n    at SupervisionService.coverage (/srv/registry/supervision.service.ts:42:7)`;
    jest.spyOn(registry.app.get(SupervisionService), 'coverage').mockRejectedValueOnce(bug);
    const res = await http.get('/v1/supervision/coverage').set('authorization', `Bearer ${registry.token({ role: 'supervisor' })}`).expect(500);
    expect(Object.keys(res.body).sort()).toEqual(PROBLEM_KEYS);
    expect(res.body.code).toBe('INTERNAL');
    expect(res.text).not.toMatch(LEAKS);
  });

  it('without HTTP_TRUST_PROXY, X-Forwarded-For is ignored: one socket address, one rate-limit budget', async () => {
    const search = (client: string) => http.get('/v1/public/dishonest-debtors').query({ name: '无此人' }).set('x-forwarded-for', client);
    await search('203.0.113.10').expect(200);
    await search('203.0.113.11').expect(200);
    const limited = await search('203.0.113.12').expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  describe('Swagger UI at /docs', () => {
    it('serves the page, its scripts and styles, and the OpenAPI document', async () => {
      const page = await http.get('/docs').redirects(1).expect(200);
      expect(page.headers['content-type']).toContain('text/html');
      const assets = [...page.text.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThanOrEqual(3);
      for (const asset of assets) {
        const url = new URL(asset, `${registry.baseUrl}/docs`);
        const res = await http.get(url.pathname).expect(200);
        expect(res.headers['content-type']).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
      }
      expect((await http.get('/docs/openapi.json').expect(200)).body.openapi).toMatch(/^3\./);
    });

    it('renders in a real browser under the Content-Security-Policy, without violations', async () => {
      if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium; .ci/run installs it).`);
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));
        await page.goto(`${registry.baseUrl}/docs`);
        await page.waitForSelector('.swagger-ui .info .title', { timeout: 15_000 });
        expect(await page.textContent('.swagger-ui .info .title')).toContain('Credit-discipline restriction service');
        await page.waitForSelector('.opblock-tag-section', { timeout: 15_000 });
        expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });
});

describe('hardening, configured: HSTS, CORS allow-list, trusted proxy', () => {
  let registry: TestRegistry;
  let http: Http;
  const ALLOWED = 'https://court-system.example';

  beforeAll(async () => {
    registry = await startRegistry(
      testConfig({
        env: {
          RELAY_ENABLED: 'false',
          RECEIPTS_CONSUMER_ENABLED: 'false',
          HTTP_HSTS: 'true',
          CORS_ORIGINS: `${ALLOWED}, https://bank.example:8443`,
          HTTP_TRUST_PROXY: '127.0.0.1',
          PUBLIC_RATE_LIMIT_PER_MINUTE: '2',
        },
      }),
    );
    http = request(registry.app.getHttpServer());
  });
  afterAll(() => registry.close());

  it('sends Strict-Transport-Security when HTTP_HSTS=true', async () => {
    const res = await http.get('/health/live').expect(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('answers a preflight from an allowed origin with the listed methods and headers, without credentials', async () => {
    const res = await http
      .options('/v1/restrictions')
      .set('origin', ALLOWED)
      .set('access-control-request-method', 'PATCH')
      .set('access-control-request-headers', 'authorization, content-type, idempotency-key, if-match, x-request-id')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(list(res.headers['access-control-allow-methods'])).toEqual(['GET', 'HEAD', 'POST', 'PATCH', 'DELETE']);
    expect(list(res.headers['access-control-allow-headers'])).toEqual(['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-Request-Id']);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers.vary).toMatch(/origin/i);
  });

  it('exposes ETag, Location, X-Request-Id and Retry-After to an allowed origin', async () => {
    const res = await http.get('/v1/restrictions').set('origin', 'https://bank.example:8443').set('authorization', `Bearer ${registry.courtToken()}`).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://bank.example:8443');
    expect(list(res.headers['access-control-expose-headers'])).toEqual(['ETag', 'Location', 'X-Request-Id', 'Retry-After']);
  });

  it('gives another origin nothing', async () => {
    for (const [i, origin] of ['https://evil.example', 'https://court-system.example.evil.example', 'null'].entries()) {
      // One client per origin: the event keys are rate-limited (2 a minute here).
      const res = await http.get('/v1/public/event-keys').set('origin', origin).set('x-forwarded-for', `203.0.113.${i + 1}`).expect(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await http.options('/v1/restrictions').set('origin', origin).set('access-control-request-method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('behind a trusted proxy, rate limits key on the client address from X-Forwarded-For', async () => {
    const search = (client: string) => http.get('/v1/public/dishonest-debtors').query({ name: '无此人' }).set('x-forwarded-for', client);
    await search('198.51.100.1').expect(200);
    await search('198.51.100.1').expect(200);
    const limited = await search('198.51.100.1').expect(429);
    expect(limited.headers['retry-after']).toBeDefined();
    // Another client behind the same balancer has its own budget.
    await search('198.51.100.2').expect(200);
    // A client cannot escape its budget by prepending addresses: only the proxy's own entry is believed.
    await search('10.9.9.9, 198.51.100.1').expect(429);
  });
});

describe('hardening: admission control (HTTP_MAX_IN_FLIGHT)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ env: { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false', HTTP_MAX_IN_FLIGHT: '2' } }), { listen: true });
  });
  afterAll(async () => {
    await registry?.close();
  });

  /** A request held in progress: its headers are sent, its promised body never is. */
  async function heldRequest(): Promise<Socket> {
    const url = new URL(registry.baseUrl!);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /v1/restrictions HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
    return socket;
  }

  it('answers 503 OVERLOADED with Retry-After beyond the limit, keeps health and metrics answering, and admits again once requests finish', async () => {
    const court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    const held = [await heldRequest(), await heldRequest()];
    const http = request(registry.baseUrl!);
    let refused!: request.Response;
    for (let attempt = 0; attempt < 50; attempt++) {
      refused = await http.get('/v1/restrictions').set('authorization', court);
      if (refused.status === 503) break;
      await new Promise((resolve) => setTimeout(resolve, 20)); // until both held requests have arrived
    }
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 503, code: 'OVERLOADED', instance: '/v1/restrictions' });
    await http.get('/health/live').expect(200);
    const metrics = await http.get('/metrics').set('authorization', `Bearer ${registry.token({ role: 'supervisor' })}`).expect(200);
    expect(metrics.text).toMatch(/^credit_discipline_http_shed_total [1-9]/m);

    held.forEach((socket) => socket.destroy());
    let admitted = 0;
    for (let attempt = 0; attempt < 50 && admitted !== 200; attempt++) {
      admitted = (await http.get('/v1/restrictions').set('authorization', court)).status;
      if (admitted !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(admitted).toBe(200);
  });
});
