import { randomBytes, randomInt } from 'node:crypto';
import { residentIdCheckChar } from '@cd/domain';
import request from 'supertest';
import { TokenService } from '../auth/token.service';
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

// Every bad input is refused with the right 4xx as problem+json naming the field
// or rule, and leaves no trace: no restriction, history, person, outbox (the only
// path to Kafka), audit or idempotency row is written or changed.
//
// Fixtures belong to a court of their own, and the "nothing changed" snapshot is
// scoped to it, so integration tests running in parallel workers against the same
// database cannot disturb the comparison.

interface BadInput {
  name: string;
  send: () => request.Test;
  status: number;
  code: string;
  field?: string;
  rule?: string;
  /** A legitimate request that must happen before the "before" snapshot (idempotency reuse). */
  setup?: () => Promise<void>;
}

const RUN = randomBytes(3).toString('hex');
const COURT = `99${randomInt(1000, 9999)}`;
const UNREGISTERED_COURT = `98${randomInt(1000, 9999)}`;
const ACTOR = `bad-input-${RUN}`;
const IDEM_PREFIX = `bad-input-${RUN}-`;

describe('bad inputs are refused with problem+json and change nothing (real MariaDB)', () => {
  let registry: TestRegistry;
  const http = () => request(registry.app.getHttpServer());
  const tokens: Record<'court' | 'otherCourt' | 'unregistered' | 'partner' | 'expired' | 'unknownKid' | 'wrongSecret' | 'noCourtClaim', string> = {
    court: '',
    otherCourt: '',
    unregistered: '',
    partner: '',
    expired: '',
    unknownKid: '',
    wrongSecret: '',
    noCourtClaim: '',
  };
  // formTarget and nullPatchTarget are used by one case each: if that case's defect writes, no other case is disturbed.
  const fx = { exitBan: '', liftedExitBan: '', listing: '', consumption: '', formTarget: '', nullPatchTarget: '' };
  const bearer = (token: string) => `Bearer ${token}`;

  const post = (body: unknown, token = tokens.court) => http().post('/v1/restrictions').set('authorization', bearer(token)).send(body as object);
  const patch = (id: string, body: unknown, ifMatch?: string, token = tokens.court) => {
    const req = http().patch(`/v1/restrictions/${id}`).set('authorization', bearer(token));
    return (ifMatch === undefined ? req : req.set('if-match', ifMatch)).send(body as object);
  };
  const lift = (id: string, body: unknown, token = tokens.court) =>
    http().post(`/v1/restrictions/${id}/lift`).set('authorization', bearer(token)).send(body as object);
  const permit = (id: string, body: unknown) => http().post(`/v1/restrictions/${id}/permissions`).set('authorization', bearer(tokens.court)).send(body as object);
  const get = (path: string, token = tokens.court) => http().get(path).set('authorization', bearer(token));

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ env: { RELAY_ENABLED: 'false' } }));
    await registry.dataSource.query("INSERT INTO courts (code, name, parent_code) VALUES (?, '北京市测试法院', '110000')", [COURT]);

    tokens.court = registry.token({ role: 'court', court: COURT, sub: `${ACTOR}-clerk` });
    tokens.otherCourt = registry.token({ role: 'court', court: COURTS.CHAOYANG, sub: `${ACTOR}-chaoyang` });
    tokens.unregistered = registry.token({ role: 'court', court: UNREGISTERED_COURT, sub: `${ACTOR}-nowhere` });
    tokens.partner = registry.token({ role: 'partner', partner: 'bank-icbc', sub: `${ACTOR}-partner` });
    tokens.expired = registry.token({ role: 'court', court: COURT, sub: `${ACTOR}-expired` }, { expiresInSeconds: -600 });
    tokens.noCourtClaim = registry.token({ role: 'court', sub: `${ACTOR}-nocourt` });
    const foreignKeys = (keys: Record<string, string>) => new TokenService({ ...registry.config, auth: { ...registry.config.auth, keys } });
    tokens.unknownKid = foreignKeys({ rogue: 'rogue-secret-0123456789abcdef0123456789' }).issue({ sub: `${ACTOR}-rogue`, role: 'court', court: COURT });
    const [kid] = Object.keys(registry.config.auth.keys);
    tokens.wrongSecret = foreignKeys({ [kid]: 'not-the-real-secret-0123456789abcdef0123' }).issue({ sub: `${ACTOR}-forger`, role: 'court', court: COURT });

    fx.exitBan = (await post(exitBanBody()).expect(201)).body.id;
    fx.liftedExitBan = (await post(exitBanBody()).expect(201)).body.id;
    await lift(fx.liftedExitBan, { reason: 'PERFORMED' }).expect(200);
    const listing = (await post(listingBody()).expect(201)).body;
    fx.listing = listing.id;
    fx.consumption = listing.linkedRestrictions[0].id;
    fx.formTarget = (await post(exitBanBody()).expect(201)).body.id;
    fx.nullPatchTarget = (await post(exitBanBody()).expect(201)).body.id;
  });
  afterAll(() => registry.close());

  const scope = `SELECT id FROM restrictions WHERE court_code IN (?, ?)`;
  async function snapshot(): Promise<Record<string, unknown>> {
    const q = (sql: string, params: unknown[]) => registry.dataSource.query(sql, params);
    const courts = [COURT, UNREGISTERED_COURT];
    const count = async (sql: string, params: unknown[]) => Number((await q(sql, params))[0].n);
    return {
      restrictions: await q(
        `SELECT id, version, status, SHA2(state, 256) AS checksum, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') AS updatedAt
           FROM restrictions WHERE court_code IN (?, ?) ORDER BY id`,
        courts,
      ),
      restriction_history: await count(`SELECT COUNT(*) n FROM restriction_history WHERE restriction_id IN (${scope})`, courts),
      restriction_persons: await count(`SELECT COUNT(*) n FROM restriction_persons WHERE restriction_id IN (${scope})`, courts),
      outbox: await count(`SELECT COUNT(*) n FROM outbox WHERE restriction_id IN (${scope})`, courts),
      audit_log: await count(`SELECT COUNT(*) n FROM audit_log WHERE resource_id IN (${scope}) OR actor_id LIKE ?`, [...courts, `${ACTOR}%`]),
      idempotency_keys: await count('SELECT COUNT(*) n FROM idempotency_keys WHERE principal IN (?, ?) OR idem_key LIKE ?', [
        ...courts.map((c) => `court:${c}`),
        `${IDEM_PREFIX}%`,
      ]),
    };
  }

  function expectProblem(res: request.Response, expected: Pick<BadInput, 'status' | 'code' | 'field' | 'rule'>): void {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status: expected.status, code: expected.code });
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toEqual(
      expect.objectContaining({
        type: expect.any(String),
        title: expect.any(String),
        status: expected.status,
        code: expected.code,
        detail: expect.any(String),
      }),
    );
    if (expected.field !== undefined || expected.rule !== undefined) {
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            ...(expected.field !== undefined ? { field: expected.field } : {}),
            ...(expected.rule !== undefined ? { rule: expected.rule } : {}),
          }),
        ]),
      );
    }
  }

  // --- request bodies -------------------------------------------------------------

  const person = (identifier: Record<string, unknown>) => ({ type: 'PERSON', name: '王五', identifier });
  const organisation = (identifier: Record<string, unknown> = { type: 'USCC', value: creditCode() }) => ({
    type: 'ORGANISATION',
    name: '北京某某贸易有限公司',
    identifier,
    legalRepresentative: '赵六',
  });
  const officer = (role: string, value = residentId()) => ({ role, name: '钱七', identifier: { type: 'RESIDENT_ID', value } });
  const withCase = (body: Record<string, unknown>, changes: Record<string, unknown>) => ({
    ...body,
    case: { ...(body.case as Record<string, unknown>), ...changes },
  });
  const withoutCaseNumber = (body: Record<string, unknown>) => {
    const { caseNumber: _omitted, ...rest } = body.case as Record<string, unknown>;
    return { ...body, case: rest };
  };
  const withoutGround = () => {
    const { ground: _omitted, ...rest } = listingBody();
    return rest;
  };

  const wrongCheckChar = (id: string) => id.slice(0, 17) + [...'0123456789X'].find((c) => c !== id[17]);
  const impossibleBirthDate = () => {
    const first17 = '110108' + '19900230' + '123';
    return first17 + residentIdCheckChar(first17);
  };
  const dateYearsAgo = (years: number) => {
    const d = new Date();
    d.setUTCFullYear(d.getUTCFullYear() - years);
    return d.toISOString().slice(0, 10);
  };
  const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
  const monthsFromNow = (months: number) => {
    const d = new Date();
    d.setUTCMonth(d.getUTCMonth() + months);
    return d.toISOString();
  };
  const rawJson = (text: string, contentType = 'application/json') =>
    http().post('/v1/restrictions').set('authorization', bearer(tokens.court)).set('content-type', contentType).send(text);

  const idemReused = { key: `${IDEM_PREFIX}reused`, body: exitBanBody() };

  const cases: BadInput[] = [
    // Identifiers (GB 11643, GB 32100, passports)
    { name: 'resident ID with a wrong check character', send: () => post(exitBanBody({ subject: person({ type: 'RESIDENT_ID', value: wrongCheckChar(residentId()) }) })), status: 422, code: 'INVALID_RESIDENT_ID', field: 'subject.identifier.value' },
    { name: 'resident ID with an impossible birth date (30 Feb)', send: () => post(exitBanBody({ subject: person({ type: 'RESIDENT_ID', value: impossibleBirthDate() }) })), status: 422, code: 'INVALID_RESIDENT_ID', field: 'subject.identifier.value' },
    { name: 'resident ID of 17 characters', send: () => post(exitBanBody({ subject: person({ type: 'RESIDENT_ID', value: residentId().slice(0, 17) }) })), status: 422, code: 'INVALID_RESIDENT_ID', field: 'subject.identifier.value' },
    { name: 'USCC with a wrong check character on an organisation', send: () => post(listingBody({ subject: organisation({ type: 'USCC', value: wrongCheckChar(creditCode()) }) })), status: 422, code: 'INVALID_USCC', field: 'subject.identifier.value' },
    { name: 'resident ID on an organisation subject', send: () => post(listingBody({ subject: organisation({ type: 'RESIDENT_ID', value: residentId() }) })), status: 422, code: 'IDENTIFIER_TYPE_MISMATCH', field: 'subject.identifier.type' },
    { name: 'passport without issuing country', send: () => post(exitBanBody({ subject: person({ type: 'PASSPORT', value: 'E12345678' }) })), status: 422, code: 'INVALID_PASSPORT', field: 'subject.identifier.country' },
    { name: "affected person's resident ID with a wrong check character", send: () => post(exitBanBody({ subject: organisation(), affectedPersons: [officer('LEGAL_REPRESENTATIVE', wrongCheckChar(residentId()))] })), status: 422, code: 'INVALID_RESIDENT_ID', field: 'affectedPersons.0.identifier.value' },

    // Listing rules (List Rules Arts. 1–4)
    { name: 'a minor (born 10 years ago) listed', send: () => post(listingBody({ subject: { ...person({ type: 'RESIDENT_ID', value: residentId(dateYearsAgo(10)) }), sex: 'FEMALE' } })), status: 422, code: 'SUBJECT_IS_MINOR', field: 'subject.identifier.value' },
    { name: 'unknown ground', send: () => post(listingBody({ ground: 'OWES_MONEY' })), status: 400, code: 'VALIDATION_FAILED', field: 'ground', rule: 'isIn' },
    { name: 'listing without a ground', send: () => post(withoutGround()), status: 422, code: 'GROUND_REQUIRED', field: 'ground' },
    { name: 'term extension on ground 1 (ABLE_BUT_REFUSES)', send: () => post(listingBody({ ground: 'ABLE_BUT_REFUSES', noExclusionAttested: true, extensionYears: 1 })), status: 422, code: 'TERM_NOT_ALLOWED_FOR_GROUND', field: 'extensionYears' },
    { name: 'ABLE_BUT_REFUSES without the Art. 3 attestation', send: () => post(listingBody({ ground: 'ABLE_BUT_REFUSES' })), status: 422, code: 'EXCLUSION_ATTESTATION_REQUIRED', field: 'noExclusionAttested' },
    { name: 'extension of 4 years', send: () => post(listingBody({ extensionYears: 4 })), status: 422, code: 'EXTENSION_OUT_OF_RANGE', field: 'extensionYears' },
    { name: 'extensionYears as a string', send: () => post(listingBody({ extensionYears: '2' })), status: 400, code: 'VALIDATION_FAILED', field: 'extensionYears', rule: 'isInt' },
    { name: 'ground on an exit ban', send: () => post(exitBanBody({ ground: 'EVADES_ENFORCEMENT' })), status: 422, code: 'GROUND_NOT_ALLOWED', field: 'ground' },
    { name: 'publishAfter 4 months after the decision', send: () => post(listingBody({ publishAfter: monthsFromNow(4) })), status: 422, code: 'GRACE_PERIOD_OUT_OF_RANGE', field: 'publishAfter' },
    { name: 'publishAfter on an exit ban', send: () => post(exitBanBody({ publishAfter: monthsFromNow(2) })), status: 422, code: 'GRACE_PERIOD_NOT_ALLOWED', field: 'publishAfter' },
    { name: 'expiresAt on a listing', send: () => post(listingBody({ expiresAt: monthsFromNow(6) })), status: 422, code: 'EXPIRY_NOT_ALLOWED', field: 'expiresAt' },

    // Case information (List Rules Art. 6)
    { name: 'missing case.caseNumber', send: () => post(withoutCaseNumber(exitBanBody())), status: 400, code: 'VALIDATION_FAILED', field: 'case.caseNumber' },
    { name: 'empty case.caseNumber', send: () => post(withCase(exitBanBody(), { caseNumber: '' })), status: 400, code: 'VALIDATION_FAILED', field: 'case.caseNumber', rule: 'isNotEmpty' },
    { name: 'blank case.caseNumber', send: () => post(withCase(exitBanBody(), { caseNumber: '   ' })), status: 422, code: 'FIELD_REQUIRED', field: 'case.caseNumber' },
    { name: 'filingDate after decidedAt', send: () => post(withCase(exitBanBody(), { filingDate: dateYearsAgo(-1) })), status: 422, code: 'INVALID_DATE_RANGE', field: 'case.filingDate' },
    { name: 'filingDate 30 Feb', send: () => post(withCase(exitBanBody(), { filingDate: '2025-02-30' })), status: 422, code: 'INVALID_DATE', field: 'case.filingDate' },

    // Shape and types
    { name: 'unknown top-level field', send: () => post(exitBanBody({ priority: 'HIGH' })), status: 400, code: 'VALIDATION_FAILED', field: 'priority', rule: 'unknownField' },
    { name: 'unknown nested field subject.foo', send: () => post(exitBanBody({ subject: { ...person({ type: 'RESIDENT_ID', value: residentId() }), foo: 1 } })), status: 400, code: 'VALIDATION_FAILED', field: 'subject.foo', rule: 'unknownField' },
    { name: 'kind as a number', send: () => post(exitBanBody({ kind: 3 })), status: 400, code: 'VALIDATION_FAILED', field: 'kind', rule: 'isIn' },
    { name: 'subject as a string', send: () => post(exitBanBody({ subject: '李四' })), status: 400, code: 'VALIDATION_FAILED', field: 'subject', rule: 'isObject' },
    { name: 'decidedAt not ISO-8601', send: () => post(exitBanBody({ decidedAt: 'yesterday' })), status: 400, code: 'VALIDATION_FAILED', field: 'decidedAt', rule: 'isIso8601' },
    { name: 'decidedAt without a time of day', send: () => post(exitBanBody({ decidedAt: '2026-01-10' })), status: 422, code: 'INVALID_DATE', field: 'decidedAt' },
    { name: 'decidedAt in the future', send: () => post(exitBanBody({ decidedAt: hoursFromNow(2) })), status: 422, code: 'INVALID_DATE_RANGE', field: 'decidedAt' },
    { name: 'unknown consumption measure', send: () => post(listingBody({ measures: ['YACHTS'] })), status: 400, code: 'VALIDATION_FAILED', field: 'measures', rule: 'isIn' },

    // Exit bans (Enforcement Interpretation Arts. 23–25)
    { name: 'measures on an exit ban', send: () => post(exitBanBody({ measures: ['AIR_TRAVEL'] })), status: 422, code: 'MEASURES_NOT_ALLOWED', field: 'measures' },
    { name: "ACTUAL_CONTROLLER on an organisation's exit ban", send: () => post(exitBanBody({ subject: organisation(), affectedPersons: [officer('ACTUAL_CONTROLLER')] })), status: 422, code: 'AFFECTED_PERSON_ROLE_NOT_ALLOWED', field: 'affectedPersons.0.role' },
    { name: 'organisation exit ban without affected persons', send: () => post(exitBanBody({ subject: organisation() })), status: 422, code: 'AFFECTED_PERSONS_REQUIRED', field: 'affectedPersons' },
    { name: 'exit ban ending before it starts', send: () => post(exitBanBody({ expiresAt: hoursFromNow(-2) })), status: 422, code: 'INVALID_DATE_RANGE', field: 'expiresAt' },

    // Transport
    { name: 'malformed JSON body', send: () => rawJson('{"kind": "EXIT_BAN", '), status: 400, code: 'MALFORMED_REQUEST' },
    { name: 'JSON array body', send: () => rawJson(JSON.stringify([exitBanBody()])), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'text/plain body', send: () => rawJson(JSON.stringify(exitBanBody()), 'text/plain'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'JSON body labelled application/x-www-form-urlencoded', send: () => rawJson(JSON.stringify(exitBanBody()), 'application/x-www-form-urlencoded'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'lift sent as a form (reason=PERFORMED)', send: () => http().post(`/v1/restrictions/${fx.formTarget}/lift`).set('authorization', bearer(tokens.court)).type('form').send('reason=PERFORMED'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'application/xml body', send: () => rawJson('<restriction kind="EXIT_BAN"/>', 'application/xml'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'body over the size limit', send: () => post(exitBanBody({ dishonestConduct: 'x'.repeat(registry.config.http.bodyLimitBytes + 1024) })), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'Idempotency-Key of 201 characters', send: () => post(exitBanBody()).set('idempotency-key', IDEM_PREFIX + 'k'.repeat(201)), status: 400, code: 'VALIDATION_FAILED', field: 'Idempotency-Key', rule: 'format' },
    { name: 'refused body with an Idempotency-Key keeps no key', send: () => post(exitBanBody({ subject: person({ type: 'RESIDENT_ID', value: wrongCheckChar(residentId()) }) })).set('idempotency-key', `${IDEM_PREFIX}refused`), status: 422, code: 'INVALID_RESIDENT_ID', field: 'subject.identifier.value' },
    {
      name: 'Idempotency-Key reused with a different body',
      setup: async () => {
        await post(idemReused.body).set('idempotency-key', idemReused.key).expect(201);
      },
      send: () => post(exitBanBody()).set('idempotency-key', idemReused.key),
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'Idempotency-Key',
    },

    // Lifting (List Rules Art. 10, Consumption Rules Art. 9, Enforcement Interpretation Art. 25)
    { name: 'lift a listing with SECURITY_PROVIDED', send: () => lift(fx.listing, { reason: 'SECURITY_PROVIDED' }), status: 422, code: 'LIFT_REASON_NOT_ALLOWED', field: 'reason' },
    { name: 'lift with TERM_EXPIRED (reserved to the service)', send: () => lift(fx.exitBan, { reason: 'TERM_EXPIRED' }), status: 422, code: 'LIFT_REASON_RESERVED', field: 'reason' },
    { name: 'lift with an unknown reason', send: () => lift(fx.exitBan, { reason: 'PAID_UP' }), status: 400, code: 'VALIDATION_FAILED', field: 'reason', rule: 'isIn' },
    { name: 'lift an already lifted restriction', send: () => lift(fx.liftedExitBan, { reason: 'PERFORMED' }), status: 409, code: 'ALREADY_LIFTED' },
    { name: "lift a listing's consumption restriction while the listing is active", send: () => lift(fx.consumption, { reason: 'PERFORMED' }), status: 409, code: 'LINKED_LISTING_ACTIVE', field: 'reason' },
    { name: 'lift with liftedAt before the decision', send: () => lift(fx.exitBan, { reason: 'PERFORMED', liftedAt: '2020-01-01T00:00:00Z' }), status: 422, code: 'INVALID_DATE_RANGE', field: 'liftedAt' },
    { name: 'lift with a stale If-Match', send: () => lift(fx.exitBan, { reason: 'PERFORMED' }).set('if-match', '"7"'), status: 412, code: 'STALE_VERSION', field: 'If-Match' },

    // Corrections (PATCH, If-Match)
    { name: 'PATCH with a stale If-Match', send: () => patch(fx.exitBan, { subject: { name: '李肆' } }, '"2"'), status: 412, code: 'STALE_VERSION', field: 'If-Match' },
    { name: 'PATCH without If-Match', send: () => patch(fx.exitBan, { subject: { name: '李肆' } }), status: 428, code: 'PRECONDITION_REQUIRED', field: 'If-Match', rule: 'required' },
    { name: 'PATCH with a garbage If-Match', send: () => patch(fx.exitBan, { subject: { name: '李肆' } }, 'latest'), status: 400, code: 'VALIDATION_FAILED', field: 'If-Match', rule: 'format' },
    { name: 'PATCH with an empty body', send: () => patch(fx.exitBan, {}, '"1"'), status: 400, code: 'VALIDATION_FAILED', rule: 'notEmpty' },
    { name: 'PATCH with subject: null (not a nullable field)', send: () => patch(fx.nullPatchTarget, { subject: null }, '"1"'), status: 400, code: 'VALIDATION_FAILED', field: 'subject' },
    { name: 'PATCH changing subject.type', send: () => patch(fx.exitBan, { subject: { type: 'ORGANISATION' } }, '"1"'), status: 400, code: 'VALIDATION_FAILED', field: 'subject.type', rule: 'unknownField' },
    { name: 'PATCH a resident ID with a wrong check character', send: () => patch(fx.exitBan, { subject: { identifier: { type: 'RESIDENT_ID', value: wrongCheckChar(residentId()) } } }, '"1"'), status: 422, code: 'INVALID_RESIDENT_ID', field: 'subject.identifier.value' },
    { name: 'PATCH expiresAt on a listing', send: () => patch(fx.listing, { expiresAt: monthsFromNow(6) }, '"1"'), status: 422, code: 'EXPIRY_NOT_ALLOWED', field: 'expiresAt' },
    { name: 'PATCH a lifted restriction', send: () => patch(fx.liftedExitBan, { subject: { name: '李肆' } }, '"2"'), status: 409, code: 'ALREADY_LIFTED' },

    // Necessity permissions (Consumption Rules Art. 8)
    { name: 'permission on an exit ban', send: () => permit(fx.exitBan, { measures: ['AIR_TRAVEL'], validFrom: hoursFromNow(24), validUntil: hoursFromNow(48), reason: '赴上海就医' }), status: 422, code: 'PERMISSION_NOT_ALLOWED' },
    { name: 'permission with validUntil before validFrom', send: () => permit(fx.consumption, { measures: ['AIR_TRAVEL'], validFrom: hoursFromNow(48), validUntil: hoursFromNow(24), reason: '赴上海就医' }), status: 422, code: 'INVALID_DATE_RANGE', field: 'validUntil' },
    { name: 'permission without a reason', send: () => permit(fx.consumption, { measures: ['AIR_TRAVEL'], validFrom: hoursFromNow(24), validUntil: hoursFromNow(48) }), status: 400, code: 'VALIDATION_FAILED', field: 'reason' },

    // Search
    { name: 'search with limit=0', send: () => get('/v1/restrictions?limit=0'), status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
    { name: 'search with limit=201', send: () => get('/v1/restrictions?limit=201'), status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
    { name: 'search with limit=abc', send: () => get('/v1/restrictions?limit=abc'), status: 400, code: 'VALIDATION_FAILED', field: 'limit', rule: 'matches' },
    { name: 'search with an unknown query parameter', send: () => get('/v1/restrictions?court=110105'), status: 400, code: 'VALIDATION_FAILED', field: 'court', rule: 'unknownField' },
    { name: 'search with an unknown kind', send: () => get('/v1/restrictions?kind=TRAVEL_BAN'), status: 400, code: 'VALIDATION_FAILED', field: 'kind', rule: 'isIn' },
    { name: 'search with a malformed cursor', send: () => get('/v1/restrictions?cursor=page-2'), status: 400, code: 'VALIDATION_FAILED', field: 'cursor' },

    // Scope: own court, existing restriction, well-formed id
    { name: "GET another court's restriction", send: () => get(`/v1/restrictions/${fx.exitBan}`, tokens.otherCourt), status: 403, code: 'FORBIDDEN' },
    { name: "PATCH another court's restriction", send: () => patch(fx.exitBan, { subject: { name: '李肆' } }, '"1"', tokens.otherCourt), status: 403, code: 'FORBIDDEN' },
    { name: "lift another court's restriction", send: () => lift(fx.exitBan, { reason: 'PERFORMED' }, tokens.otherCourt), status: 403, code: 'FORBIDDEN' },
    { name: 'GET an unknown restriction id', send: () => get('/v1/restrictions/01900000-0000-7000-8000-000000000000'), status: 404, code: 'RESTRICTION_NOT_FOUND' },
    { name: 'lift an unknown restriction id', send: () => lift('01900000-0000-7000-8000-000000000000', { reason: 'PERFORMED' }), status: 404, code: 'RESTRICTION_NOT_FOUND' },
    { name: 'malformed restriction id', send: () => get('/v1/restrictions/12345'), status: 400, code: 'VALIDATION_FAILED', field: 'id', rule: 'isUuid' },

    // Authentication and authorisation
    { name: 'missing token', send: () => http().post('/v1/restrictions').send(exitBanBody()), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'expired token', send: () => post(exitBanBody(), tokens.expired), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'token signed with an unknown kid', send: () => post(exitBanBody(), tokens.unknownKid), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'token signed with the wrong secret', send: () => post(exitBanBody(), tokens.wrongSecret), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'garbage bearer token', send: () => post(exitBanBody(), 'not.a.jwt'), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'court token without a court claim', send: () => post(exitBanBody(), tokens.noCourtClaim), status: 401, code: 'UNAUTHENTICATED' },
    { name: 'partner token on the court API', send: () => post(exitBanBody(), tokens.partner), status: 403, code: 'FORBIDDEN' },
    { name: 'court token for an unregistered court', send: () => post(exitBanBody(), tokens.unregistered), status: 403, code: 'COURT_NOT_REGISTERED' },
  ];

  it('covers at least 30 distinct bad inputs', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name → $status $code', async ({ send, setup, ...expected }) => {
    await setup?.();
    const before = await snapshot();
    const res = await send();
    // Checked first: a refused request that nevertheless wrote is the worse failure.
    expect(await snapshot()).toEqual(before);
    expectProblem(res, expected);
  });
});
