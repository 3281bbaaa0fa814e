import { DomainError } from './domain-error';

// Courts decide in China Standard Time (UTC+8, no DST): calendar dates, month
// arithmetic and day boundaries are taken there; instants are stored in UTC.
const CHINA_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function daysInMonth(year: number, month1: number): number {
  return new Date(Date.UTC(year, month1, 0)).getUTCDate();
}

export function isRealDate(year: number, month1: number, day: number): boolean {
  return month1 >= 1 && month1 <= 12 && day >= 1 && day <= daysInMonth(year, month1);
}

export function isLocalDate(value: string): boolean {
  const m = LOCAL_DATE.exec(value);
  return m !== null && isRealDate(+m[1], +m[2], +m[3]);
}

/** The calendar date (YYYY-MM-DD) of an instant in China. */
export function chinaDateOf(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Start of a China calendar date as an instant. */
export function chinaStartOf(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS);
}

export function addDaysToDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Day of week of a YYYY-MM-DD date, 0 = Sunday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

// Civil Code Art. 202: a period in months/years ends on the corresponding day;
// without one (e.g. 29 Feb in a common year) on the last day of that month.
function shiftMonths(utcLike: Date, months: number): Date {
  const y = utcLike.getUTCFullYear();
  const m = utcLike.getUTCMonth() + months;
  const ty = y + Math.floor(m / 12);
  const tm = ((m % 12) + 12) % 12;
  const day = Math.min(utcLike.getUTCDate(), daysInMonth(ty, tm + 1));
  const out = new Date(utcLike.getTime());
  out.setUTCFullYear(ty, tm, day);
  return out;
}

/** Same China wall-clock time `months` later, clamped to the end of a shorter month. */
export function addMonthsInChina(instant: Date, months: number): Date {
  const shifted = shiftMonths(new Date(instant.getTime() + CHINA_OFFSET_MS), months);
  return new Date(shifted.getTime() - CHINA_OFFSET_MS);
}

export function addMonthsToDate(date: string, months: number): string {
  return shiftMonths(new Date(`${date}T00:00:00Z`), months).toISOString().slice(0, 10);
}

/** Parses an ISO-8601 instant with an explicit offset; refuses impossible dates such as 2025-02-30. */
export function parseInstant(value: unknown, field: string): Date {
  const m = typeof value === 'string' ? INSTANT.exec(value.trim()) : null;
  const ms = m ? Date.parse(m[0]) : NaN;
  if (!m || Number.isNaN(ms) || !isRealDate(+m[1], +m[2], +m[3]) || +m[4] > 23 || +m[5] > 59 || +(m[6] ?? 0) > 59) {
    throw new DomainError('INVALID_DATE', `${field} must be an ISO-8601 instant with offset, e.g. 2025-03-01T09:30:00+08:00`, field);
  }
  return new Date(ms);
}

export function parseLocalDate(value: unknown, field: string): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (!isLocalDate(trimmed)) throw new DomainError('INVALID_DATE', `${field} must be a real calendar date YYYY-MM-DD`, field);
  return trimmed;
}
