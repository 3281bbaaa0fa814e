/**
 * Typed placeholders for the rows of a derived table that an UPDATE or INSERT … SELECT joins to.
 *
 * A bare `?` in a derived table is a utf8mb4 string. Compared with an ascii key column, MySQL 8
 * may convert the column instead of the parameter (the Unicode side wins between two columns of
 * equal coercibility), which rules out the column's index and turns the join into a table scan;
 * MariaDB converts the parameter. Casting the parameter to the key's own character set and
 * collation leaves nothing to convert on either server.
 */
export const param = {
  /** An identifier stored as `ascii_bin` (restriction ids, partner ids, codes). */
  asciiKey: 'CAST(? AS CHAR CHARACTER SET ascii) COLLATE ascii_bin',
  unsigned: 'CAST(? AS UNSIGNED)',
  /** A value that is only assigned, never compared with an indexed column. */
  value: '?',
} as const;

/** `SELECT <p> AS a, <p> AS b UNION ALL SELECT …`: `count` rows of the given typed columns. */
export function derivedRows(count: number, columns: Record<string, string>): string {
  const row = `SELECT ${Object.entries(columns)
    .map(([name, placeholder]) => `${placeholder} AS ${name}`)
    .join(', ')}`;
  return Array.from({ length: count }, () => row).join(' UNION ALL ');
}

export interface ColumnType {
  /** information_schema.COLUMNS.DATA_TYPE, e.g. `bigint`, `char`. */
  dataType: string;
  /** information_schema.COLUMNS.COLUMN_TYPE, e.g. `bigint(20) unsigned`. */
  columnType: string;
  characterSet: string | null;
  collation: string | null;
}

/** The placeholder that matches a column as information_schema.COLUMNS describes it. */
export function placeholderFor(column: ColumnType): string {
  if (column.characterSet && column.collation) {
    if (!/^\w+$/.test(column.characterSet) || !/^\w+$/.test(column.collation)) throw new Error(`unexpected character set ${column.characterSet} / ${column.collation}`);
    return `CAST(? AS CHAR CHARACTER SET ${column.characterSet}) COLLATE ${column.collation}`;
  }
  if (/int$/i.test(column.dataType)) return /unsigned/i.test(column.columnType) ? param.unsigned : 'CAST(? AS SIGNED)';
  return param.value;
}
