import { validateReceipt } from '@cd/contracts';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ReceiptDto } from './receipts.dto';

// The receipt's two statements of its rules — the published JSON Schema and the DTO — must give
// the same verdict on every body; the service runs both on REST and Kafka receipts alike.
const base = {
  partnerId: 'bank-icbc-beijing',
  restrictionId: '0190f3a0-1c2d-7e4f-8a5b-6c7d8e9f0a1b',
  version: 3,
  eventId: '0190f3a0-1c2d-7e4f-9a5b-6c7d8e9f0a1c',
  outcome: 'APPLIED',
  partnerReference: 'CA-BLK-20250602-0042',
  time: '2026-06-02T02:03:04.567Z',
  keyId: 'bank-icbc-2026',
  signature: `${'A'.repeat(86)}==`,
};
const failed = { ...base, outcome: 'FAILED', reason: '系统维护' };
const emoji = '😀'; // one code point, two UTF-16 units, four bytes in utf8mb4
const variation = '\uFE0F'; // a code point that validator.js's isLength does not count

const cases: [string, Record<string, unknown>, boolean][] = [
  ['a complete receipt', base, true],
  ['without a partner reference', { ...base, partnerReference: undefined }, true],
  ['FAILED with a reason', failed, true],
  ['APPLIED with a reason', { ...base, reason: 'noted' }, true],
  ['FAILED without a reason', { ...failed, reason: undefined }, false],
  ['an empty reason', { ...failed, reason: '' }, false],
  ['a null reason', { ...failed, reason: null }, false],
  ['a 500-character reason', { ...failed, reason: 'r'.repeat(500) }, true],
  ['a 501-character reason', { ...failed, reason: 'r'.repeat(501) }, false],
  ['a reason of 500 four-byte characters', { ...failed, reason: emoji.repeat(500) }, true],
  ['a reason of 500 characters and a variation selector', { ...failed, reason: `${'r'.repeat(500)}${variation}` }, false],
  ['an empty partner reference', { ...base, partnerReference: '' }, false],
  ['a null partner reference', { ...base, partnerReference: null }, false],
  ['a 200-character partner reference', { ...base, partnerReference: 'p'.repeat(200) }, true],
  ['a 201-character partner reference', { ...base, partnerReference: 'p'.repeat(201) }, false],
  ['a partner reference of 200 four-byte characters', { ...base, partnerReference: emoji.repeat(200) }, true],
  ['a partner reference of 200 characters and a variation selector', { ...base, partnerReference: `${'p'.repeat(200)}${variation}` }, false],
  ['a date without a time', { ...base, time: '2026-01-01' }, false],
  ['a time without an offset', { ...base, time: '2026-01-01T00:00:00' }, false],
  ['a +08:00 offset', { ...base, time: '2026-06-02T10:03:04+08:00' }, true],
  ['an offset without a colon', { ...base, time: '2026-06-02T10:03:04+0800' }, false],
  ['nanoseconds', { ...base, time: '2026-06-02T10:03:04.123456789Z' }, true],
  ['ten fraction digits', { ...base, time: '2026-06-02T10:03:04.1234567891Z' }, false],
  ['a lower-case t and z', { ...base, time: '2026-06-02t10:03:04z' }, false],
  ['a space for the T', { ...base, time: '2026-06-02 10:03:04Z' }, false],
  ['30 February', { ...base, time: '2026-02-30T00:00:00Z' }, false],
  ['29 February of a leap year', { ...base, time: '2028-02-29T00:00:00Z' }, true],
  ['29 February of another year', { ...base, time: '2027-02-29T00:00:00Z' }, false],
  ['a leap second', { ...base, time: '2026-12-31T23:59:60Z' }, false],
  ['hour 24', { ...base, time: '2026-06-02T24:00:00Z' }, false],
  ['a week date', { ...base, time: '2026-W01-1T00:00:00Z' }, false],
  ['a time as a number', { ...base, time: 1767225600000 }, false],
  ['year 9999 at -05:00 (well-formed; the service refuses its range)', { ...base, time: '9999-12-31T23:59:59-05:00' }, true],
  ['an upper-case restriction id', { ...base, restrictionId: base.restrictionId.toUpperCase() }, false],
  ['an upper-case event id', { ...base, eventId: base.eventId.toUpperCase() }, false],
  ['a urn:uuid event id', { ...base, eventId: `urn:uuid:${base.eventId}` }, false],
  ['a key id with a space', { ...base, keyId: 'k 1' }, false],
  ['a 64-character key id', { ...base, keyId: 'k'.repeat(64) }, true],
  ['a 65-character key id', { ...base, keyId: 'k'.repeat(65) }, false],
  ['an empty key id', { ...base, keyId: '' }, false],
  ['a 64-character partner id', { ...base, partnerId: 'b'.repeat(64) }, true],
  ['a 65-character partner id', { ...base, partnerId: 'b'.repeat(65) }, false],
  ['an empty partner id', { ...base, partnerId: '' }, false],
  ['an upper-case partner id', { ...base, partnerId: 'Bank-ICBC' }, false],
  ['a non-ASCII partner id', { ...base, partnerId: '工商银行' }, false],
  ['an 84-character signature', { ...base, signature: `${'A'.repeat(82)}==` }, false],
  ['a signature without padding', { ...base, signature: 'A'.repeat(88) }, false],
  ['version 0', { ...base, version: 0 }, false],
  ['version 1.5', { ...base, version: 1.5 }, false],
  ['a version as text', { ...base, version: '3' }, false],
  ['version 2^32 - 1', { ...base, version: 4294967295 }, true],
  ['version 2^32', { ...base, version: 4294967296 }, false],
  ['an unknown outcome', { ...base, outcome: 'IGNORED' }, false],
  ['an extra field', { ...base, comment: 'done' }, false],
  ['no time', { ...base, time: undefined }, false],
  ['no signature', { ...base, signature: undefined }, false],
];

describe('receipt rules: the JSON Schema and the DTO agree', () => {
  it.each(cases)('%s', async (_name, fields, valid) => {
    const body = JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
    const schema = validateReceipt(body);
    const dto = await validate(plainToInstance(ReceiptDto, body), { whitelist: true, forbidNonWhitelisted: true });
    expect({ schema: schema.valid, dto: dto.length === 0 }).toEqual({ schema: valid, dto: valid });
  });
});
