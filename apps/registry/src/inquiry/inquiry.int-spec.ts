import { ageOn, residentIdCheckChar } from '@cd/domain';
import { publishedEventId } from '../../../../test/support/stored';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { registerPartner } from '../../../../test/support/partners';
import {
  COURTS,
  creditCode,
  exitBanBody,
  listingBody,
  residentId,
  startRegistry,
  testConfig,
  type TestRegistry,
} from '../../../../test/support/registry';

type Http = ReturnType<typeof request>;
interface StatusItem {
  id: string;
  kind: string;
  status: string;
  concerns: { code: string }[];
  [field: string]: unknown;
}

const tag = () => randomBytes(3).toString('hex');
const person = (name: string, value: string, sex = 'MALE') => ({ type: 'PERSON', name, identifier: { type: 'RESIDENT_ID', value }, sex });
const organisation = (name: string, value: string, legalRepresentative: string) => ({ type: 'ORGANISATION', name, identifier: { type: 'USCC', value }, legalRepresentative });
const officer = (role: string, name: string, value: string) => ({ role, name, identifier: { type: 'RESIDENT_ID', value } });
const consumptionBody = (overrides: Record<string, unknown>) => {
  const { kind: _kind, ...exitBan } = exitBanBody();
  return { ...exitBan, kind: 'CONSUMPTION_RESTRICTION', ...overrides };
};

/**
 * How many resident IDs agree with what the public list shows of one: the mask, the sex and the age
 * on the day shown. Region codes a prober must try for a kept prefix are counted at their fewest:
 * one for a kept city (4) or county (6) — some cities have a single code — and 16 for a kept province
 * or nothing kept (Beijing, Tianjin and Shanghai have 16 county-level codes). The rest is enumerated:
 * every birth date giving that age × every sequence of the right parity, the check character computed.
 */
function candidateCount(mask: string, sex: 'MALE' | 'FEMALE', age: number, on: string): number {
  expect(mask).toHaveLength(18);
  const fits = (value: string, from: number) => [...value].every((c, i) => mask[from + i] === '*' || mask[from + i] === c);
  const keptRegion = [...mask.slice(0, 6)].findIndex((c) => c === '*');
  const regionCodes = keptRegion === -1 || keptRegion >= 4 ? 1 : 16;
  const region = mask.slice(0, 6).replace(/\*/g, '0');
  let count = 0;
  const year = Number(on.slice(0, 4)) - age;
  for (let day = new Date(Date.UTC(year - 1, 0, 1)); day.getUTCFullYear() <= year; day.setUTCDate(day.getUTCDate() + 1)) {
    const birth = day.toISOString().slice(0, 10);
    if (ageOn(birth, on) !== age || !fits(birth.replace(/-/g, ''), 6)) continue;
    for (let sequence = sex === 'MALE' ? 1 : 0; sequence < 1000; sequence += 2) {
      const first17 = `${region}${birth.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
      if (fits(first17.slice(14), 14) && fits(residentIdCheckChar(first17), 17)) count += 1;
    }
  }
  return count * regionCodes;
}

async function impose(http: Http, court: string, body: Record<string, unknown>): Promise<{ id: string; version: number; linkedRestrictions: { id: string }[] }> {
  return (await http.post('/v1/restrictions').set('authorization', court).send(body).expect(201)).body;
}

describe('debtor status and the public list (real MariaDB)', () => {
  let registry: TestRegistry;
  let http: Http;
  let court: string;

  beforeAll(async () => {
    registry = await startRegistry(
      testConfig({
        env: { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false', PUBLIC_RATE_LIMIT_PER_MINUTE: '100000', DEBTOR_RATE_LIMIT_PER_MINUTE: '100000' },
      }),
    );
    http = request(registry.app.getHttpServer());
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
  });
  afterAll(() => registry.close());

  describe('GET /v1/me/status', () => {
    const alice = residentId('1981-03-04');
    const bob = residentId('1977-07-07');
    const company = creditCode();
    const other = creditCode();
    const ids: Record<string, string> = {};
    const status = async (identifier: string): Promise<{ text: string; body: { debtor: { identifier: { value: string } }; restrictions: StatusItem[] } }> => {
      const res = await http.get('/v1/me/status').set('authorization', `Bearer ${registry.token({ role: 'debtor', identifier })}`).expect(200);
      return { text: res.text, body: res.body };
    };
    const byId = (items: StatusItem[]) => new Map(items.map((item) => [item.id, item]));

    beforeAll(async () => {
      const aliceListing = await impose(http, court, listingBody({ subject: person(`艾丽${tag()}`, alice, 'FEMALE') }));
      ids.aliceListing = aliceListing.id;
      ids.aliceConsumption = aliceListing.linkedRestrictions[0].id;
      ids.aliceExitBan = (await impose(http, court, exitBanBody({ subject: person('艾丽', alice, 'FEMALE') }))).id;
      // Alice is the company's legal representative, Bob its directly responsible person.
      ids.companyExitBan = (
        await impose(
          http,
          court,
          exitBanBody({
            subject: organisation(`某某贸易有限公司${tag()}`, company, '艾丽'),
            affectedPersons: [officer('LEGAL_REPRESENTATIVE', '艾丽', alice), officer('DIRECTLY_RESPONSIBLE_PERSON', '鲍勃', bob)],
          }),
        )
      ).id;
      ids.companyConsumption = (
        await impose(
          http,
          court,
          consumptionBody({ subject: organisation('某某贸易有限公司', company, '艾丽'), affectedPersons: [officer('LEGAL_REPRESENTATIVE', '艾丽', alice)], measures: ['AIR_TRAVEL', 'HIGH_SPEED_RAIL'] }),
        )
      ).id;
      ids.otherExitBan = (
        await impose(
          http,
          court,
          exitBanBody({ subject: organisation(`另一公司${tag()}`, other, '鲍勃'), affectedPersons: [officer('LEGAL_REPRESENTATIVE', '鲍勃', bob)] }),
        )
      ).id;
      const bobListing = await impose(http, court, listingBody({ subject: person(`鲍勃${tag()}`, bob) }));
      ids.bobListing = bobListing.id;
      ids.bobConsumption = bobListing.linkedRestrictions[0].id;
    });

    it('shows the debtor exactly their own restrictions, as subject and as an organisation\'s legal representative', async () => {
      const { text, body } = await status(alice);
      expect(body.restrictions.map((r) => r.id).sort()).toEqual(
        [ids.aliceListing, ids.aliceConsumption, ids.aliceExitBan, ids.companyExitBan, ids.companyConsumption].sort(),
      );
      const items = byId(body.restrictions);
      expect(items.get(ids.aliceListing)).toMatchObject({
        kind: 'DISHONEST_LISTING',
        status: 'ACTIVE',
        concerns: [{ code: 'SUBJECT' }],
        court: { code: COURTS.HAIDIAN, name: '北京市海淀区人民法院' },
        ground: { code: 'EVADES_ENFORCEMENT' },
        published: true,
        endsBy: { mode: 'FIXED_TERM' },
        prohibits: expect.arrayContaining([expect.objectContaining({ code: 'FINANCING_AND_CREDIT' })]),
      });
      expect(items.get(ids.aliceConsumption)).toMatchObject({ linkedListingId: ids.aliceListing, endsBy: { mode: 'UNTIL_LIFTED' } });
      expect(items.get(ids.companyExitBan)).toMatchObject({
        concerns: [{ code: 'LEGAL_REPRESENTATIVE', text: '法定代表人' }],
        subject: { type: 'ORGANISATION', identifier: { type: 'USCC', value: company } },
        prohibits: [expect.objectContaining({ code: 'EXIT' })],
        affectedPersons: [
          expect.objectContaining({ role: 'LEGAL_REPRESENTATIVE', you: true }),
          expect.objectContaining({ role: 'DIRECTLY_RESPONSIBLE_PERSON', name: '鲍勃', you: false, identifier: { type: 'RESIDENT_ID', value: `${bob.slice(0, 2)}****************` } }),
        ],
      });
      expect(items.get(ids.companyConsumption)).toMatchObject({
        concerns: [{ code: 'LEGAL_REPRESENTATIVE' }],
        prohibits: [expect.objectContaining({ code: 'AIR_TRAVEL' }), expect.objectContaining({ code: 'HIGH_SPEED_RAIL' })],
      });
      expect(body.debtor.identifier.value).toBe(`${alice.slice(0, 2)}****************`);
      expect(text).not.toContain(alice);
      expect(text).not.toContain(bob);
    });

    it("never shows another debtor's restrictions (cross-check)", async () => {
      const { text, body } = await status(bob);
      expect(body.restrictions.map((r) => r.id).sort()).toEqual([ids.companyExitBan, ids.otherExitBan, ids.bobListing, ids.bobConsumption].sort());
      expect(byId(body.restrictions).get(ids.companyExitBan)!.concerns).toEqual([{ code: 'DIRECTLY_RESPONSIBLE_PERSON', text: '直接责任人员' }]);
      expect(text).not.toContain(alice);
      expect(text).not.toContain(bob);
      expect(text).not.toContain(ids.aliceListing);

      const stranger = await status(residentId('1990-01-01'));
      expect(stranger.body.restrictions).toEqual([]);
    });

    it('shows per restriction the debtor\'s correction requests: status, pending act with its deadline, overdue', async () => {
      const token = `Bearer ${registry.token({ role: 'debtor', identifier: alice })}`;
      const filed = (
        await http.post('/v1/me/corrections').set('authorization', token).send({ restrictionId: ids.aliceListing, ground: 'INFORMATION_WRONG', statement: '履行情况记载错误。' }).expect(201)
      ).body;
      const corrections = async (restrictionId: string) => byId((await status(alice)).body.restrictions).get(restrictionId)!.corrections;
      const summary = { id: filed.id, ground: 'INFORMATION_WRONG', filedAt: filed.filedAt };
      expect(await corrections(ids.aliceListing)).toEqual([
        { ...summary, status: 'FILED', pendingAct: { act: 'DECISION', party: 'ENFORCING_COURT', dueAt: filed.decisionDueAt }, overdue: false },
      ]);
      expect(await corrections(ids.aliceConsumption)).toEqual([]);

      await registry.dataSource.query('UPDATE correction_requests SET decision_due_at = ? WHERE id = ?', [new Date(Date.now() - 60_000), filed.id]);
      expect(await corrections(ids.aliceListing)).toEqual([{ ...summary, status: 'FILED', pendingAct: expect.objectContaining({ act: 'DECISION' }), overdue: true }]);

      await http.post(`/v1/corrections/${filed.id}/decision`).set('authorization', court).send({ decision: 'REJECT', reason: '经审查，理由不成立。' }).expect(200);
      const [mine] = (await http.get('/v1/me/corrections').set('authorization', token).expect(200)).body;
      expect(mine.pendingAct).toEqual({ act: 'RECONSIDERATION_FILING', party: 'DEBTOR', dueAt: mine.reconsiderationDueBy });
      expect(await corrections(ids.aliceListing)).toEqual([{ ...summary, status: 'REJECTED', pendingAct: mine.pendingAct, overdue: false }]);
      expect((await status(bob)).text).not.toContain(filed.id);
    });

    it('has no way to name another person: the identifier comes from the token only', async () => {
      const res = await http
        .get('/v1/me/status')
        .query({ identifier: bob, idNumber: bob })
        .set('authorization', `Bearer ${registry.token({ role: 'debtor', identifier: alice })}`)
        .expect(200);
      expect(res.body.restrictions.map((r: StatusItem) => r.id)).not.toContain(ids.bobListing);
    });

    it('shows a lifted restriction with its lift time and reason', async () => {
      await http.post(`/v1/restrictions/${ids.aliceExitBan}/lift`).set('authorization', court).send({ reason: 'SECURITY_PROVIDED' }).expect(200);
      const lifted = byId((await status(alice)).body.restrictions).get(ids.aliceExitBan)!;
      expect(lifted).toMatchObject({ status: 'LIFTED', liftReason: { code: 'SECURITY_PROVIDED' }, liftedAt: expect.any(String) });
    });

    it('answers 401 without a token and 403 to every role but debtor', async () => {
      expect((await http.get('/v1/me/status').expect(401)).body.code).toBe('UNAUTHENTICATED');
      for (const token of [registry.courtToken(), registry.token({ role: 'partner', partner: 'bank-x' }), registry.token({ role: 'supervisor' }), registry.token({ role: 'admin' })]) {
        const res = await http.get('/v1/me/status').set('authorization', `Bearer ${token}`).expect(403);
        expect(res.body.code).toBe('FORBIDDEN');
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
    });
  });

  describe('GET /v1/public/dishonest-debtors', () => {
    const rawIds: string[] = [];
    const restrictionIds: string[] = [];
    const search = async (query: Record<string, string>, status = 200) => {
      const res = await http.get('/v1/public/dishonest-debtors').query(query).expect(status);
      for (const raw of rawIds) expect(res.text).not.toContain(raw);
      for (const id of restrictionIds) expect(res.text).not.toContain(id);
      return res.body;
    };
    const remember = (...restrictions: { id: string; linkedRestrictions?: { id: string }[] }[]) => {
      for (const r of restrictions) restrictionIds.push(r.id, ...(r.linkedRestrictions ?? []).map((l) => l.id));
    };

    const listed = { name: `公示甲${tag()}`, id: residentId('1970-08-15') };
    const namesake = { id: residentId('1985-02-01') };
    const inGrace = { name: `宽限期${tag()}`, id: residentId('1966-06-06') };
    const lifted = { name: `已删除${tag()}`, id: residentId('1960-01-01') };
    const consumptionOnly = { name: `限消${tag()}`, id: residentId('1979-09-09') };
    const exitOnly = { name: `限出${tag()}`, id: residentId('1979-10-10') };
    const company = { name: `公示有限公司${tag()}`, id: creditCode() };
    const latin = { name: `Zhang Wei ${tag()}`, id: residentId('1982-12-12') };
    const rare = { name: `张𠀀${tag()}`, id: residentId('1983-03-03') };

    beforeAll(async () => {
      rawIds.push(listed.id, namesake.id, inGrace.id, lifted.id, consumptionOnly.id, exitOnly.id, latin.id, rare.id);
      remember(await impose(http, court, listingBody({ subject: person(listed.name, listed.id) })));
      remember(await impose(http, court, listingBody({ subject: person(listed.name, namesake.id, 'FEMALE') })));
      const now = Date.now();
      remember(
        await impose(
          http,
          court,
          listingBody({ subject: person(inGrace.name, inGrace.id), decidedAt: new Date(now - 3600_000).toISOString(), publishAfter: new Date(now + 40 * 86400_000).toISOString() }),
        ),
      );
      const toLift = await impose(http, court, listingBody({ subject: person(lifted.name, lifted.id) }));
      remember(toLift);
      await http.post(`/v1/restrictions/${toLift.id}/lift`).set('authorization', court).send({ reason: 'PERFORMED', includeLinked: true }).expect(200);
      remember(await impose(http, court, consumptionBody({ subject: person(consumptionOnly.name, consumptionOnly.id) })));
      remember(await impose(http, court, exitBanBody({ subject: person(exitOnly.name, exitOnly.id) })));
      remember(
        await impose(
          http,
          court,
          listingBody({ subject: organisation(company.name, company.id, '钱七'), affectedPersons: [officer('LEGAL_REPRESENTATIVE', '钱七', residentId('1971-01-01'))] }),
        ),
      );
      remember(await impose(http, court, listingBody({ subject: person(latin.name, latin.id) })));
      remember(await impose(http, court, listingBody({ subject: person(rare.name, rare.id) })));
    });

    it('finds a published listing by the full identifier, masked, with the List Rules Art. 6 fields', async () => {
      const body = await search({ idNumber: listed.id });
      expect(body).toMatchObject({ page: 1, pageSize: 20, hasMore: false });
      expect(body.items).toEqual([
        {
          name: listed.name,
          subjectType: 'PERSON',
          identifier: { type: 'RESIDENT_ID', value: `${listed.id.slice(0, 2)}****************` },
          sex: 'MALE',
          age: expect.any(Number),
          legalRepresentative: null,
          courtName: '北京市海淀区人民法院',
          caseNumber: expect.any(String),
          enforcementBasis: { issuer: '北京市海淀区人民法院', documentNumber: '(2025)京0108民初1234号' },
          obligation: '支付货款人民币120000元及利息',
          performanceStatus: '全部未履行',
          ground: { code: 'EVADES_ENFORCEMENT', text: expect.any(String) },
          dishonestConduct: '转移财产规避执行',
          publishedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
          filingDate: '2026-01-05',
        },
      ]);
      expect(body.items[0].age).toBeGreaterThanOrEqual(55);
      expect(JSON.stringify(body)).not.toContain('19700815');
    });

    it('leaves a prober at least 10^6 candidate numbers given the mask, the sex and the age (candidate space)', async () => {
      const [item] = (await search({ idNumber: listed.id })).items;
      const count = candidateCount(item.identifier.value, item.sex, item.age, item.publishedOn);
      expect(count).toBeGreaterThanOrEqual(1_000_000);
      // What the mask used to show (first and last four) left a few dozen.
      expect(candidateCount(`${listed.id.slice(0, 4)}${'*'.repeat(10)}${listed.id.slice(-4)}`, item.sex, item.age, item.publishedOn)).toBeLessThan(100);

      // A number agreeing with everything shown but wrong in a masked digit finds nothing, with or without the name.
      const sequence = (Number(listed.id.slice(14, 17)) + 2) % 1000;
      for (const first17 of [`${listed.id.slice(0, 14)}${String(sequence).padStart(3, '0')}`, `${listed.id.slice(0, 4)}01${listed.id.slice(6, 17)}`]) {
        const wrong = first17 + residentIdCheckChar(first17);
        rawIds.push(wrong);
        expect(wrong).not.toBe(listed.id);
        expect((await search({ name: listed.name, idNumber: wrong })).items).toEqual([]);
        expect((await search({ idNumber: wrong })).items).toEqual([]);
      }
      expect((await search({ name: listed.name, idNumber: listed.id })).items).toHaveLength(1);
    });

    it('a partial number, a 17-character prefix or a masked number finds nothing', async () => {
      expect((await search({ idNumber: listed.id.slice(0, 17) })).items).toEqual([]);
      expect((await search({ idNumber: listed.id.slice(0, 14) })).items).toEqual([]);
      expect((await search({ idNumber: listed.id.slice(-6) })).items).toEqual([]);
      expect((await search({ idNumber: `${listed.id.slice(0, 17)}0` === listed.id ? `${listed.id.slice(0, 17)}1` : `${listed.id.slice(0, 17)}0` })).items).toEqual([]);
      const masked = await search({ idNumber: `${listed.id.slice(0, 2)}****************` }, 400);
      expect(masked).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'idNumber' })] });
      expect((await search({ idNumber: `${listed.id.slice(0, 6)}%` }, 400)).code).toBe('VALIDATION_FAILED');
    });

    it('searches by exact name only: namesakes are told apart by masked numbers, prefixes and wildcards match nothing', async () => {
      const both = await search({ name: listed.name });
      expect(both.items.map((i: { identifier: { value: string } }) => i.identifier.value).sort()).toEqual(
        [listed.id, namesake.id].map((v) => `${v.slice(0, 2)}****************`).sort(),
      );
      expect(both.items.map((i: { sex: string }) => i.sex).sort()).toEqual(['FEMALE', 'MALE']);
      expect((await search({ name: listed.name, idNumber: namesake.id })).items).toHaveLength(1);
      for (const probe of [listed.name.slice(0, -1), `${listed.name.slice(0, -1)}%`, `${listed.name.slice(0, -1)}_`, `${listed.name}%`, '%']) {
        expect({ probe, items: (await search({ name: probe })).items }).toEqual({ probe, items: [] });
      }
      // Exact means byte for byte, not the collation's idea of equal.
      expect((await search({ name: latin.name })).items).toHaveLength(1);
      expect((await search({ name: latin.name.toLowerCase() })).items).toEqual([]);
      expect((await search({ name: rare.name })).items).toHaveLength(1);
      expect((await search({ name: rare.name.replace('𠀀', '𠀁') })).items).toEqual([]);
      // Surrounding spaces in the query are not part of the name.
      expect((await search({ name: ` ${listed.name} ` })).items).toHaveLength(2);
    });

    it('shows an organisation with its credit code in full and its legal representative', async () => {
      const body = await search({ idNumber: company.id });
      expect(body.items).toEqual([
        expect.objectContaining({ name: company.name, subjectType: 'ORGANISATION', identifier: { type: 'USCC', value: company.id }, legalRepresentative: '钱七', sex: null, age: null }),
      ]);
    });

    it('never shows a listing in its grace period, a lifted one, a consumption restriction or an exit ban', async () => {
      for (const hidden of [inGrace, lifted, consumptionOnly, exitOnly]) {
        expect((await search({ idNumber: hidden.id })).items).toEqual([]);
        expect((await search({ name: hidden.name })).items).toEqual([]);
      }
    });

    it('refuses a search without criteria, unknown parameters, and pages past 10 of a name search', async () => {
      const refused: Record<string, string>[] = [{}, { page: '1' }, { name: '' }, { name: '   ' }, { idNumber: '' }, { name: listed.name, id: listed.id }, { name: listed.name, page: '0' }];
      for (const query of refused) {
        const body = await search(query, 400);
        expect(body.code).toBe('VALIDATION_FAILED');
      }
      expect((await search({ name: listed.name, page: '11' }, 400)).errors).toEqual([expect.objectContaining({ field: 'page', rule: 'max' })]);
      expect((await search({ name: listed.name, page: '10' })).items).toEqual([]);
      expect((await search({ idNumber: listed.id, page: '11' })).items).toEqual([]);
    });

    it('pages by 20', async () => {
      const name = `同名${tag()}`;
      for (let i = 0; i < 21; i += 1) {
        const id = residentId('1975-05-05');
        rawIds.push(id);
        remember(await impose(http, court, listingBody({ subject: person(name, id) })));
      }
      const first = await search({ name });
      expect(first).toMatchObject({ page: 1, hasMore: true });
      expect(first.items).toHaveLength(20);
      const second = await search({ name, page: '2' });
      expect(second).toMatchObject({ page: 2, hasMore: false });
      expect(second.items).toHaveLength(1);
    });
  });
});

describe('per-partner enforcement progress in /v1/me/status (real MariaDB, real Kafka)', () => {
  let registry: TestRegistry;
  let http: Http;
  let court: string;

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ env: { RECEIPTS_CONSUMER_ENABLED: 'false', DEBTOR_RATE_LIMIT_PER_MINUTE: '100000' } }));
    http = request(registry.app.getHttpServer());
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
  });
  afterAll(() => registry.close());


  it('shows each obliged partner by name and sector, its confirmation, and the lift confirmation', async () => {
    const border = await registerPartner(registry, 'BORDER_CONTROL', { kinds: ['EXIT_BAN'] });
    const debtor = residentId('1969-04-04');
    const ban = await impose(
      http,
      court,
      exitBanBody({ subject: organisation(`出境公司${tag()}`, creditCode(), '孙八'), affectedPersons: [officer('LEGAL_REPRESENTATIVE', '孙八', debtor)] }),
    );
    const token = `Bearer ${registry.token({ role: 'debtor', identifier: debtor })}`;
    const progress = async () => {
      const res = await http.get('/v1/me/status').set('authorization', token).expect(200);
      expect(res.text).not.toContain(debtor);
      expect(res.text).not.toContain('ref-');
      const [item] = res.body.restrictions;
      expect(item.id).toBe(ban.id);
      for (const partner of item.enforcement) {
        expect(partner).not.toHaveProperty('partnerId');
        expect(partner).not.toHaveProperty('partnerReference');
      }
      return { item, mine: item.enforcement.find((p: { name: string }) => p.name === `测试机构 ${border.id}`) };
    };

    const imposedEvent = await publishedEventId(registry, ban.id, 1);
    let { item, mine } = await progress();
    expect(mine).toMatchObject({ sector: 'BORDER_CONTROL', publishedVersion: 1, confirmedVersion: 0, upToDate: false, imposedConfirmedAt: null, liftConfirmedAt: null, overdue: false });
    expect(mine.dueAt).toEqual(expect.any(String));
    expect(item).toMatchObject({ status: 'ACTIVE', fullyLifted: false });

    await http.post('/v1/receipts').set('authorization', `Bearer ${border.token}`).send(border.receipt({ restrictionId: ban.id, version: 1, eventId: imposedEvent })).expect(202);
    ({ item, mine } = await progress());
    expect(mine).toMatchObject({ confirmedVersion: 1, confirmedOutcome: 'APPLIED', upToDate: true, imposedConfirmedAt: expect.any(String), liftConfirmedAt: null });

    await http.post(`/v1/restrictions/${ban.id}/lift`).set('authorization', court).send({ reason: 'PERFORMED' }).expect(200);
    const liftedEvent = await publishedEventId(registry, ban.id, 2);
    ({ item, mine } = await progress());
    expect(item).toMatchObject({ status: 'LIFTED', liftReason: { code: 'PERFORMED' }, fullyLifted: false });
    expect(mine).toMatchObject({ publishedVersion: 2, confirmedVersion: 1, upToDate: false, liftConfirmedAt: null });

    await http.post('/v1/receipts').set('authorization', `Bearer ${border.token}`).send(border.receipt({ restrictionId: ban.id, version: 2, eventId: liftedEvent })).expect(202);
    ({ item, mine } = await progress());
    expect(mine).toMatchObject({ confirmedVersion: 2, upToDate: true, liftConfirmedAt: expect.any(String) });
    // Other suites' border partners may share the database: fully lifted once every listed partner confirmed.
    expect(item.fullyLifted).toBe(item.enforcement.every((p: { liftConfirmedAt: string | null }) => p.liftConfirmedAt !== null));
  });
});

describe('rate limits on the public list and the debtor status (real MariaDB)', () => {
  let registry: TestRegistry;
  let http: Http;

  beforeAll(async () => {
    registry = await startRegistry(
      testConfig({ env: { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false', PUBLIC_RATE_LIMIT_PER_MINUTE: '3', DEBTOR_RATE_LIMIT_PER_MINUTE: '2' } }),
    );
    http = request(registry.app.getHttpServer());
  });
  afterAll(() => registry.close());

  it('answers 429 RATE_LIMITED with Retry-After once a client exceeds the limit', async () => {
    const query = { name: `无此人${tag()}` };
    for (let i = 0; i < 3; i += 1) {
      const ok = await http.get('/v1/public/dishonest-debtors').query(query).expect(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('3');
    }
    const limited = await http.get('/v1/public/dishonest-debtors').query(query).expect(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Malformed requests count too: probing does not get around the limit.
    await http.get('/v1/public/dishonest-debtors').expect(429);

    const token = `Bearer ${registry.token({ role: 'debtor', identifier: residentId() })}`;
    await http.get('/v1/me/status').set('authorization', token).expect(200);
    await http.get('/v1/me/status').set('authorization', token).expect(200);
    const debtorLimited = await http.get('/v1/me/status').set('authorization', token).expect(429);
    expect(debtorLimited.body.code).toBe('RATE_LIMITED');
    expect(debtorLimited.headers['retry-after']).toBeDefined();
  });

  it('limits the debtor correction routes and the public event keys too', async () => {
    const idNumber = residentId();
    const token = `Bearer ${registry.token({ role: 'debtor', identifier: idNumber })}`;
    const listing = await impose(http, `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`, listingBody({ subject: person(`限流${tag()}`, idNumber) }));
    await http.get('/v1/me/corrections').set('authorization', token).expect(200);
    await http.get('/v1/me/corrections').set('authorization', token).expect(200);
    const limited = await http.get('/v1/me/corrections').set('authorization', token).expect(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Filing counts as well, and a refused filing writes nothing: the request the limit let through is the only one.
    const filing = (ground: string) => ({ restrictionId: listing.id, ground, statement: '记载错误。' });
    const filed = async () => Number((await registry.dataSource.query('SELECT COUNT(*) n FROM correction_requests WHERE restriction_id = ?', [listing.id]))[0].n);
    await http.post('/v1/me/corrections').set('authorization', token).send(filing('INFORMATION_WRONG')).expect(201);
    await http.post('/v1/me/corrections').set('authorization', token).send({ restrictionId: listing.id }).expect(400);
    const refused = await http.post('/v1/me/corrections').set('authorization', token).send(filing('SHOULD_NOT_BE_LISTED')).expect(429);
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(await filed()).toBe(1);

    for (let i = 0; i < 3; i += 1) await http.get('/v1/public/event-keys').expect(200);
    expect((await http.get('/v1/public/event-keys').expect(429)).body.code).toBe('RATE_LIMITED');
  });

  it('with RATE_LIMIT_STORE=database, two instances on one database share one client budget', async () => {
    const env = { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false', PUBLIC_RATE_LIMIT_PER_MINUTE: '4', RATE_LIMIT_STORE: 'database', HTTP_TRUST_PROXY: '127.0.0.1' };
    const [one, two] = [await startRegistry(testConfig({ env })), await startRegistry(testConfig({ env }))];
    try {
      // Client addresses of their own: counters outlive the apps, and another run may have used this minute.
      const address = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0] % 250)}`;
      const [client, other] = [address(), address()];
      const search = (registry: TestRegistry, from = client) =>
        request(registry.app.getHttpServer()).get('/v1/public/dishonest-debtors').query({ name: `无此人${tag()}` }).set('x-forwarded-for', from);
      // Windows are fixed minutes: start well inside one.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
      const statuses: number[] = [];
      for (const registry of [one, two, one, two, one, two]) statuses.push((await search(registry)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      const refused = await search(one);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // Another client has its own budget.
      expect((await search(two, other)).status).toBe(200);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
