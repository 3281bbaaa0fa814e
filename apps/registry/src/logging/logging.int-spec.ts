import request from 'supertest';
import { residentId, startRegistry, testConfig, type TestRegistry } from '../../../../test/support/registry';

interface LogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

describe('request logs (real app, logs captured from stdout)', () => {
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let written: string[] = [];
  let stdout: jest.SpyInstance;

  beforeAll(async () => {
    // pino writes its JSON lines to process.stdout; keep them instead of printing them.
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    registry = await startRegistry(testConfig({ env: { LOG_LEVEL: 'info', RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false' } }));
    http = request(registry.app.getHttpServer());
  });
  afterAll(async () => {
    await registry?.close();
    stdout?.mockRestore();
  });
  beforeEach(() => {
    written = [];
  });

  function lines(): LogLine[] {
    return written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);
  }

  async function requestLine(reqId: string): Promise<LogLine> {
    // The line is written on Fastify's onResponse, just after the client has the answer.
    for (let i = 0; i < 50; i++) {
      const line = lines().find((l) => l.reqId === reqId && l.msg === 'request completed');
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no request line for ${reqId} in:\n${written.join('')}`);
  }

  it('logs each request once as JSON with method, route, status, duration and the request id — without the identifier or the token', async () => {
    const id = residentId();
    const token = registry.courtToken();
    const requestId = `log-test-${Date.now()}`;
    const response = await http
      .get(`/v1/restrictions?idNumber=${id}&limit=5`)
      .set('authorization', `Bearer ${token}`)
      .set('cookie', 'session=cookie-secret-value')
      .set('x-request-id', requestId)
      .expect(200);
    expect(response.headers['x-request-id']).toBe(requestId);

    const line = await requestLine(requestId);
    expect(line).toMatchObject({
      level: 'info',
      reqId: requestId,
      method: 'GET',
      route: '/v1/restrictions',
      url: `/v1/restrictions?idNumber=${id.slice(0, 2)}${'*'.repeat(16)}&limit=5`,
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(lines().filter((l) => l.reqId === requestId && l.msg === 'request completed')).toHaveLength(1);
    const output = written.join('');
    expect(output).not.toContain(id);
    expect(output).not.toContain(token);
    expect(output).not.toContain('cookie-secret-value');
  });

  it('masks the identifier and the name on the public list, whatever the answer', async () => {
    const id = residentId();
    const response = await http.get('/v1/public/dishonest-debtors').query({ idNumber: id, name: '张三' });
    const line = await requestLine(response.headers['x-request-id'] as string);
    expect(line.url).toBe(`/v1/public/dishonest-debtors?idNumber=${id.slice(0, 2)}${'*'.repeat(16)}&name=***`);
    const output = written.join('');
    expect(output).not.toContain(id);
    expect(output).not.toContain(encodeURIComponent('张三'));
    expect(output).not.toContain('张三');
  });

  it('labels a request that matched no route as unmatched and generates a request id when none is given', async () => {
    const response = await http.get('/v1/no-such-thing').expect(404);
    const requestId = response.headers['x-request-id'] as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await requestLine(requestId)).toMatchObject({ route: 'unmatched', status: 404, method: 'GET' });
  });
});
