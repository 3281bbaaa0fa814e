import { CalendarNotCoveredError, WorkingDayCalendar } from './working-day-calendar';

const calendar = WorkingDayCalendar.default();
/** An instant at 10:00 China time on a date. */
const at = (date: string) => new Date(`${date}T10:00:00+08:00`);
/** The deadline instant: last millisecond of a China date. */
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`);

describe('isWorkingDay', () => {
  it.each([
    ['2025-06-06', true, 'a Friday'],
    ['2025-06-07', false, 'a Saturday'],
    ['2025-06-08', false, 'a Sunday'],
    ['2025-10-01', false, 'National Day'],
    ['2025-10-08', false, 'the last day of the 2025 National Day / Mid-Autumn holiday'],
    ['2025-10-09', true, 'the Thursday after it'],
    ['2025-09-28', true, 'Sunday 28 Sep 2025, an adjusted workday'],
    ['2025-10-11', true, 'Saturday 11 Oct 2025, an adjusted workday'],
    ['2025-01-28', false, '2025 Spring Festival eve'],
    ['2024-02-09', true, '2024 Spring Festival eve (not an official day off)'],
    ['2024-02-18', true, 'Sunday 18 Feb 2024, an adjusted workday'],
    ['2026-01-04', true, 'Sunday 4 Jan 2026, an adjusted workday'],
    ['2026-02-23', false, 'the last day of the 2026 Spring Festival'],
  ])('%s is a working day: %s (%s)', (date, expected) => {
    expect(calendar.isWorkingDay(date)).toBe(expected);
  });

  it('reads an instant as its date in China', () => {
    expect(calendar.isWorkingDay(new Date('2025-09-30T15:59:59Z'))).toBe(true); // 23:59 on 30 Sep
    expect(calendar.isWorkingDay(new Date('2025-09-30T16:00:00Z'))).toBe(false); // 00:00 on 1 Oct
  });
});

describe('addWorkingDays: end of the n-th working day after the date', () => {
  it('skips a weekend', () => {
    expect(calendar.addWorkingDays(at('2025-06-06'), 3)).toEqual(endOf('2025-06-11'));
  });

  it('skips the 2025 National Day holiday and counts the adjusted Saturday', () => {
    expect(calendar.addWorkingDays(at('2025-09-30'), 3)).toEqual(endOf('2025-10-11'));
  });

  it('counts the adjusted Sunday 28 Sep 2025', () => {
    expect(calendar.addWorkingDays(at('2025-09-26'), 3)).toEqual(endOf('2025-09-30'));
  });

  it('starts from the China date of the instant', () => {
    expect(calendar.addWorkingDays(new Date('2025-06-05T17:00:00Z'), 3)).toEqual(endOf('2025-06-11')); // Fri 01:00
    expect(calendar.addWorkingDays(new Date('2025-06-05T15:00:00Z'), 3)).toEqual(endOf('2025-06-10')); // Thu 23:00
  });

  it('returns the instant as UTC', () => {
    expect(calendar.addWorkingDays(at('2025-06-06'), 1).toISOString()).toBe('2025-06-09T15:59:59.999Z');
  });

  it('refuses a negative or fractional count', () => {
    expect(() => calendar.addWorkingDays(at('2025-06-06'), -1)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays(at('2025-06-06'), 1.5)).toThrow(RangeError);
  });
});

describe('addCalendarDays', () => {
  it('ends at the end of the n-th calendar day', () => {
    expect(calendar.addCalendarDays(at('2025-09-20'), 15)).toEqual(endOf('2025-10-05'));
  });

  it('optionally moves an end on a rest day to the next working day (Civil Code Art. 203)', () => {
    expect(calendar.addCalendarDays(at('2025-09-20'), 15, { extendPastRestDays: true })).toEqual(endOf('2025-10-09'));
    expect(calendar.addCalendarDays(at('2025-09-18'), 10, { extendPastRestDays: true })).toEqual(endOf('2025-09-28'));
  });
});

describe('coverage', () => {
  it('covers 2024 to 2026 only', () => {
    expect([2023, 2024, 2025, 2026, 2027].map((y) => calendar.coversYear(y))).toEqual([false, true, true, true, false]);
    expect(calendar.coversDate('2026-12-31')).toBe(true);
    expect(calendar.coversDate(new Date('2026-12-31T16:00:00Z'))).toBe(false); // already 2027 in China
  });

  it('throws instead of guessing outside the data', () => {
    expect(() => calendar.isWorkingDay('2027-01-04')).toThrow(CalendarNotCoveredError);
    expect(() => calendar.addWorkingDays(at('2026-12-30'), 3)).toThrow(/no holiday data for 2027/);
  });

  it('loads other years from data', () => {
    const next = new WorkingDayCalendar({ years: { '2027': { holidays: ['2027-01-01'], adjustedWorkdays: [] } } });
    expect(next.isWorkingDay('2027-01-01')).toBe(false);
    expect(next.isWorkingDay('2027-01-04')).toBe(true);
    expect(next.coversYear(2025)).toBe(false);
  });

  it.each([
    [{ '27': { holidays: [], adjustedWorkdays: [] } }, /not a year/],
    [{ '2027': { holidays: ['2028-01-01'], adjustedWorkdays: [] } }, /not a date in 2027/],
    [{ '2027': { holidays: ['2027-02-30'], adjustedWorkdays: [] } }, /not a date in 2027/],
    [{ '2027': { holidays: [], adjustedWorkdays: ['2027-01-05'] } }, /not a weekend day/],
    [{ '2027': { holidays: ['2027-01-02'], adjustedWorkdays: ['2027-01-02'] } }, /both a holiday and a workday/],
  ])('refuses inconsistent data %o', (years, message) => {
    expect(() => new WorkingDayCalendar({ years })).toThrow(message);
  });
});
