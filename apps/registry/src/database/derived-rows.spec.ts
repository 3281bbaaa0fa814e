import { derivedRows, param, placeholderFor } from './derived-rows';

describe('derivedRows', () => {
  it('repeats one typed row per entry, joined by UNION ALL', () => {
    expect(derivedRows(2, { rid: param.asciiKey, v: param.unsigned })).toBe(
      'SELECT CAST(? AS CHAR CHARACTER SET ascii) COLLATE ascii_bin AS rid, CAST(? AS UNSIGNED) AS v UNION ALL ' +
        'SELECT CAST(? AS CHAR CHARACTER SET ascii) COLLATE ascii_bin AS rid, CAST(? AS UNSIGNED) AS v',
    );
  });

  it('has one placeholder per column and row', () => {
    const sql = derivedRows(3, { a: param.asciiKey, b: param.value, c: param.unsigned });
    expect(sql.split('?').length - 1).toBe(9);
  });
});

describe('placeholderFor', () => {
  it('casts a string column to its own character set and collation', () => {
    expect(placeholderFor({ dataType: 'char', columnType: 'char(36)', characterSet: 'ascii', collation: 'ascii_bin' })).toBe(param.asciiKey);
    expect(placeholderFor({ dataType: 'varchar', columnType: 'varchar(200)', characterSet: 'utf8mb4', collation: 'utf8mb4_unicode_ci' })).toBe(
      'CAST(? AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_unicode_ci',
    );
  });

  it('casts integer columns by signedness (mysql2 hands big integers over as strings)', () => {
    expect(placeholderFor({ dataType: 'bigint', columnType: 'bigint(20) unsigned', characterSet: null, collation: null })).toBe(param.unsigned);
    expect(placeholderFor({ dataType: 'int', columnType: 'int(11)', characterSet: null, collation: null })).toBe('CAST(? AS SIGNED)');
  });

  it('refuses a character set name it would have to quote', () => {
    expect(() => placeholderFor({ dataType: 'char', columnType: 'char(1)', characterSet: 'ascii; DROP', collation: 'ascii_bin' })).toThrow(/unexpected character set/);
  });
});
