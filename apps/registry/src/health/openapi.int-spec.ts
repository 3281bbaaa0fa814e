import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startRegistry, testConfig, type TestRegistry } from '../../../../test/support/registry';

interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}

const DOCUMENTED_PREFIXES = ['/v1/', '/health/', '/metrics'];
const PROBLEM_REF = '#/components/schemas/ProblemDto';

/** Method and path of every route Fastify serves, from its route tree (`HEAD` twins of GET left out). */
function servedRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack[depth] = (depth > 0 ? stack[depth - 1] : '') + match[2];
    stack.length = depth + 1;
    for (const method of match[3]?.split(', ') ?? []) {
      if (method !== 'HEAD') routes.push(`${method} ${stack[depth]}`);
    }
  }
  return routes;
}

describe('OpenAPI document (/docs/openapi.json)', () => {
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let doc: OpenApi;
  let operations: { method: string; path: string; operation: Operation }[];

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ env: { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false' } }));
    http = request(registry.app.getHttpServer());
    doc = (await http.get('/docs/openapi.json').expect(200).expect('content-type', /json/)).body;
    operations = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
    );
  });
  afterAll(() => registry?.close());

  const label = ({ method, path }: { method: string; path: string }) => `${method} ${path}`;

  it('serves Swagger UI at /docs', async () => {
    const response = await http.get('/docs').redirects(1).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('swagger-ui');
  });

  it('documents exactly the routes the application serves, with their methods', () => {
    const served = servedRoutes(registry.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false }))
      .filter((route) => DOCUMENTED_PREFIXES.some((prefix) => route.split(' ')[1].startsWith(prefix)))
      .map((route) => route.replace(/:(\w+)/g, '{$1}'))
      .sort();
    expect(served.length).toBeGreaterThan(20);
    expect(operations.map(label).sort()).toEqual(served);
  });

  it('gives every operation a summary and a documented success response', () => {
    const lacking = operations.filter(
      ({ operation }) => !operation.summary?.trim() || !Object.entries(operation.responses).some(([status, r]) => /^2\d\d$/.test(status) && r.description.trim() !== ''),
    );
    expect(lacking.map(label)).toEqual([]);
  });

  it('requires a bearer token exactly where the application does', async () => {
    const mismatched: string[] = [];
    for (const op of operations) {
      const url = op.path.replace(/\{id\}/g, randomUUID()).replace(/\{(\w+)\}/g, 'x');
      const status = (await http[op.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](url)).status;
      const documented = (op.operation.security ?? []).some((requirement) => 'bearer' in requirement);
      if (documented !== (status === 401)) mismatched.push(`${label(op)}: documented ${documented ? 'secured' : 'public'}, answered ${status}`);
    }
    expect(mismatched).toEqual([]);
  });

  it('documents errors as application/problem+json with the Problem schema: 401 and 403 wherever a token is needed', () => {
    const problems: string[] = [];
    for (const op of operations) {
      for (const [status, response] of Object.entries(op.operation.responses)) {
        // terminus answers 503 with its own health body, documented by @HealthCheck().
        if (!/^[45]\d\d$/.test(status) || (op.path.startsWith('/health/') && status === '503')) continue;
        if (response.content?.['application/problem+json']?.schema?.$ref !== PROBLEM_REF) problems.push(`${label(op)} ${status} is not problem+json`);
      }
      if (op.operation.security?.length) {
        for (const status of ['401', '403']) if (!op.operation.responses[status]) problems.push(`${label(op)} does not document ${status}`);
      }
    }
    expect(problems).toEqual([]);
    const problem = doc.components.schemas.ProblemDto;
    expect(Object.keys(problem.properties ?? {})).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'detail', 'instance', 'errors']));
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'detail']));
  });

  it('describes every request body by a schema with properties, and documents 400 for it', () => {
    const problems: string[] = [];
    for (const op of operations) {
      const body = op.operation.requestBody;
      if (!body) {
        if (op.method === 'POST' || op.method === 'PATCH') problems.push(`${label(op)} has no request body`);
        continue;
      }
      const ref = body.content['application/json']?.schema.$ref;
      const schema = ref ? doc.components.schemas[ref.replace('#/components/schemas/', '')] : undefined;
      if (!schema || Object.keys(schema.properties ?? {}).length === 0) problems.push(`${label(op)} body ${ref ?? 'inline'} has no properties`);
      if (!op.operation.responses['400']) problems.push(`${label(op)} does not document 400`);
    }
    expect(problems).toEqual([]);
  });
});
