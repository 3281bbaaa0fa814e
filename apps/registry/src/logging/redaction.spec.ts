import { describeError, maskIdLikeTokens, maskUrl } from './redaction';

describe('maskUrl', () => {
  it('masks a resident ID in the idNumber query parameter, keeping only the province', () => {
    expect(maskUrl('/v1/restrictions?idNumber=11010519491231002X&limit=5')).toBe('/v1/restrictions?idNumber=11****************&limit=5');
  });

  it('masks names and identifiers of the public list whatever their encoding', () => {
    const url = `/v1/public/dishonest-debtors?name=${encodeURIComponent('张三')}&idNumber=E1234567&page=2`;
    expect(maskUrl(url)).toBe('/v1/public/dishonest-debtors?name=***&idNumber=E*******&page=2');
  });

  it('masks ID-like tokens (15 to 18 characters) anywhere, also in the path and in other parameters', () => {
    expect(maskUrl('/v1/debtors/110105194912310021/status?q=110105491231002')).toBe('/v1/debtors/11****************/status?q=11*************');
  });

  it('leaves other values alone: UUIDs, case numbers, cursors, short numbers', () => {
    const url = '/v1/restrictions/0190f3a4-5b6c-7d8e-9f00-112233445566?caseNumber=(2026)%E4%BA%AC0108%E6%89%A7123%E5%8F%B7&limit=20';
    expect(maskUrl(url)).toBe(url);
  });

  it('masks an identifier of characters outside the BMP without failing on a half-masked pair', () => {
    const masked = maskUrl('/v1/restrictions?idNumber=%F0%90%80%85123456&caseNumber=le');
    expect(decodeURIComponent(masked)).toBe('/v1/restrictions?idNumber=********&caseNumber=le');
  });

  it('keeps a parameter without a value and an empty name as they are', () => {
    expect(maskUrl('/x?flag&name=')).toBe('/x?flag&name=');
  });
});

describe('maskIdLikeTokens', () => {
  it('masks an identifier quoted in a message', () => {
    expect(maskIdLikeTokens('no listing for 11010519491231002x in 110108')).toBe('no listing for 11**************** in 110108');
  });

  it('masks passport-number-like tokens: letters with digits, or eight to nine digits alone', () => {
    expect(maskIdLikeTokens("passport E12345678 (CHN), 'EA1234567', C01X00T47/D; 123456789 and g1234567")).toBe(
      "passport E******** (CHN), 'E********', C********/D; 1******** and G*******",
    );
  });

  it('leaves UUIDs, timestamps, case numbers, topic and key names, short numbers and words alone', () => {
    const text =
      'restriction 0190f3a4-5b6c-7d8e-9f00-112233445566 at 2026-11-29T16:39:06.727Z in (2024)京0105执1234号 on cd.restriction.v1 ' +
      'key k2026-01 partner bank-7f3a9c21 version 12 of 20000 in 1500 ms: ER_DUP_ENTRY EXIT_BAN court 110108 sha256';
    expect(maskIdLikeTokens(text)).toBe(text);
  });
});

describe('describeError', () => {
  function driverError(message: string): Error {
    return Object.assign(new Error(message), { code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: message });
  }

  it('masks the values a database error quotes, keeping the names of keys and columns', () => {
    const text = describeError(driverError("Duplicate entry 'debtor:dev-debtor-张三-key-1' for key 'PRIMARY'"));
    expect(text).toContain("Duplicate entry '[redacted]' for key 'PRIMARY'");
    expect(text).not.toContain('张三');
    expect(describeError(driverError("Incorrect string value: '\\xF0\\x9F' for column 'subject_name' at row 1"))).toContain(
      "Incorrect string value: '[redacted]' for column 'subject_name' at row 1",
    );
  });

  it('masks quoted values of a TypeORM QueryFailedError (it wraps the driver error)', () => {
    const error = Object.assign(new Error("Data truncated for column 'kind' at row 1: 'EXIT_BAN 11010519491231002X'"), { driverError: {} });
    expect(describeError(error)).not.toMatch(/EXIT_BAN|1101051949/);
  });

  it('logs other errors with their stack, ID-like tokens masked', () => {
    const text = describeError(new Error("no listing for '11010519491231002X'"));
    expect(text).toMatch(/^Error: no listing for '11\*{16}'\n\s+at /);
  });
});
