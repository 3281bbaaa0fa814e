import { startRegistry, testConfig, type TestRegistry } from './support/registry';
import { registerPartner } from './support/partners';

describe('probe', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry(testConfig({ env: { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false' } }));
  });
  afterAll(() => registry.close());
  it('probes', async () => {
    const f = registry.app.getHttpAdapter().getInstance();
    const partner = await registerPartner(registry, 'BANK');
    const admin = `Bearer ${registry.token({ role: 'admin' })}`;
    const court = `Bearer ${registry.courtToken()}`;
    const show = async (label: string, opts: Parameters<typeof f.inject>[0]) => {
      try {
        const r = await f.inject(opts as never);
        console.log(label, r.statusCode, r.headers['content-type'], r.body.slice(0, 300));
      } catch (e) { console.log(label, 'THROW', (e as Error).message); }
    };
    for (const body of ['null', '{}', '[]', '5', '"x"', 'true', '{"constructor":1}', '{"__proto__":{"a":1}}', '{"constructor":{"prototype":{"a":1}}}', '{"toString":1}']) {
      await show(`PATCH partner ${body}`, { method: 'PATCH', url: `/v1/admin/partners/${partner.id}`, headers: { authorization: admin, 'content-type': 'application/json' }, payload: body });
    }
    for (const body of ['null', '[]', '5', '{"constructor":1}', '{"hasOwnProperty":1}']) {
      await show(`POST restr ${body}`, { method: 'POST', url: `/v1/restrictions`, headers: { authorization: court, 'content-type': 'application/json' }, payload: body });
    }
    await show('GET partner unicode', { method: 'GET', url: `/v1/admin/partners/${encodeURIComponent('银行')}`, headers: { authorization: admin } });
    await show('GET partner long', { method: 'GET', url: `/v1/admin/partners/${'a'.repeat(300)}`, headers: { authorization: admin } });
    await show('GET partner emoji', { method: 'GET', url: `/v1/admin/partners/${encodeURIComponent('😀')}`, headers: { authorization: admin } });
    await show('GET partner %zz', { method: 'GET', url: `/v1/admin/partners/%zz`, headers: { authorization: admin } });
    await show('idem unicode', { method: 'POST', url: `/v1/restrictions`, headers: { authorization: court, 'content-type': 'application/json', 'idempotency-key': 'ключ' }, payload: '{}' });
    await show('ctype none', { method: 'POST', url: `/v1/restrictions`, headers: { authorization: court }, payload: '{}' });
    await show('ctype json-patch', { method: 'POST', url: `/v1/restrictions`, headers: { authorization: court, 'content-type': 'application/json-patch+json' }, payload: '{}' });
    await show('ctype multipart', { method: 'POST', url: `/v1/restrictions`, headers: { authorization: court, 'content-type': 'multipart/form-data; boundary=x' }, payload: '{}' });
    await show('ctype charset', { method: 'POST', url: `/v1/restrictions`, headers: { authorization: court, 'content-type': 'application/json; charset=utf-16' }, payload: '{}' });
    await show('empty body', { method: 'POST', url: `/v1/restrictions`, headers: { authorization: court, 'content-type': 'application/json' }, payload: '' });
    await show('search dup', { method: 'GET', url: `/v1/restrictions?kind=EXIT_BAN&kind=EXIT_BAN`, headers: { authorization: court } });
    await show('search emptykey', { method: 'GET', url: `/v1/restrictions?=x`, headers: { authorization: court } });
    await show('search pct', { method: 'GET', url: `/v1/restrictions?kind=%zz`, headers: { authorization: court } });
    await show('search __proto__', { method: 'GET', url: `/v1/restrictions?__proto__=x`, headers: { authorization: court } });
    await show('search constructor', { method: 'GET', url: `/v1/restrictions?constructor=x`, headers: { authorization: court } });
    await show('overdue unicode', { method: 'GET', url: `/v1/supervision/overdue?partnerId=${encodeURIComponent('银行😀')}`, headers: { authorization: `Bearer ${registry.token({ role: 'supervisor' })}` } });
    await show('receipt unicode partner', { method: 'POST', url: `/v1/receipts`, headers: { authorization: `Bearer ${registry.token({ role: 'partner', partner: '银行' })}`, 'content-type': 'application/json' }, payload: JSON.stringify(partner.receipt({ restrictionId: '01900000-0000-7000-8000-000000000000', version: 1, eventId: '01900000-0000-7000-8000-000000000000' })) });
    await show('receipt ok', { method: 'POST', url: `/v1/receipts`, headers: { authorization: `Bearer ${partner.token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ ...partner.receipt({ restrictionId: '01900000-0000-7000-8000-000000000000', version: 1, eventId: '01900000-0000-7000-8000-000000000000' }), keyId: '😀'}) });
    await show('DELETE key unicode', { method: 'DELETE', url: `/v1/admin/partners/${partner.id}/keys/${encodeURIComponent('钥匙')}`, headers: { authorization: admin } });
    await show('PUT', { method: 'PUT', url: `/v1/restrictions`, headers: { authorization: court } });
    await show('trailing slash', { method: 'GET', url: `/v1/restrictions/`, headers: { authorization: court } });
    const t0 = Date.now();
    for (let i = 0; i < 500; i++) await f.inject({ method: 'POST', url: '/v1/restrictions', headers: { authorization: court, 'content-type': 'application/json' }, payload: '{"kind":"X"}' });
    console.log('500 injects ms', Date.now() - t0);
  });
});
