import { receiptDueAt } from './partner';
import { WorkingDayCalendar } from './working-day-calendar';

const calendar = WorkingDayCalendar.default();
/** An instant in China time (UTC+8). */
const china = (dateTime: string) => new Date(`${dateTime}+08:00`);
/** The last millisecond of a China date: when a working-day deadline runs out. */
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`);

describe('receiptDueAt', () => {
  describe('WORKING_DAYS, by the calendar data (publication date not counted, due at the end of the n-th working day)', () => {
    it.each([
      ['across a weekend: Friday + 1 → Monday', '2026-06-05T10:00:00', 1, '2026-06-08'],
      ['across a weekend: Friday + 3 → Wednesday', '2026-06-05T10:00:00', 3, '2026-06-10'],
      ['published on a Saturday: + 1 → Monday', '2026-06-06T10:00:00', 1, '2026-06-08'],
      ['onto an adjusted workday (调休): Friday 9 Oct 2026 + 1 → Saturday 10 Oct', '2026-10-09T10:00:00', 1, '2026-10-10'],
      ['onto an adjusted workday (调休): Friday 27 Feb 2026 + 1 → Saturday 28 Feb', '2026-02-27T16:30:00', 1, '2026-02-28'],
      ['across the National Day holiday: Wednesday 30 Sep 2026 + 2 → Friday 9 Oct', '2026-09-30T10:00:00', 2, '2026-10-09'],
      ['across the Spring Festival and an adjusted workday: Friday 13 Feb 2026 + 2 → Tuesday 24 Feb', '2026-02-13T10:00:00', 2, '2026-02-24'],
    ])('%s', (_, published, days, due) => {
      expect(receiptDueAt(china(published), { value: days, unit: 'WORKING_DAYS' }, calendar)).toEqual(endOf(due));
    });

    it('reads the publication instant as its date in China: 16:00 UTC on a Friday is already Saturday there', () => {
      expect(receiptDueAt(new Date('2026-06-05T15:59:59.999Z'), { value: 1, unit: 'WORKING_DAYS' }, calendar)).toEqual(endOf('2026-06-08'));
      expect(receiptDueAt(new Date('2026-06-05T16:00:00.000Z'), { value: 1, unit: 'WORKING_DAYS' }, calendar)).toEqual(endOf('2026-06-08'));
      expect(receiptDueAt(new Date('2026-06-04T16:00:00.000Z'), { value: 1, unit: 'WORKING_DAYS' }, calendar)).toEqual(endOf('2026-06-08'));
      expect(receiptDueAt(new Date('2026-06-04T15:59:59.999Z'), { value: 1, unit: 'WORKING_DAYS' }, calendar)).toEqual(endOf('2026-06-05'));
    });
  });

  describe('WORKING_HOURS: the clock runs on working days only (China time, whole days)', () => {
    it.each([
      ['Friday 20:00, 8 h: 4 h on Friday, the weekend skipped, 4 h on Monday', '2026-06-05T20:00:00', 8, '2026-06-08T04:00:00'],
      ['Friday 10:00, 6 h: within the day', '2026-06-05T10:00:00', 6, '2026-06-05T16:00:00'],
      ['National Day, 2 h: the clock starts when the holiday is over', '2026-10-01T10:00:00', 2, '2026-10-08T02:00:00'],
      ['Saturday 23:00 before the adjusted working Sunday (调休), 3 h', '2026-09-19T23:00:00', 3, '2026-09-20T03:00:00'],
      ['Wednesday 12:00, 60 h: Wed 12 + Thu 24 + Fri 24 = 60', '2026-06-03T12:00:00', 60, '2026-06-06T00:00:00'],
    ])('%s', (_case, published, hours, due) => {
      expect(receiptDueAt(china(published), { value: hours, unit: 'WORKING_HOURS' }, calendar)).toEqual(china(due));
    });
  });

  describe('SECONDS, MINUTES and HOURS: elapsed time, weekends and holidays included', () => {
    const friday = china('2026-06-05T23:30:00.250');

    it.each([
      [{ value: 90, unit: 'SECONDS' as const }, '2026-06-05T23:31:30.250'],
      [{ value: 45, unit: 'MINUTES' as const }, '2026-06-06T00:15:00.250'],
      [{ value: 2, unit: 'HOURS' as const }, '2026-06-06T01:30:00.250'],
      [{ value: 72, unit: 'HOURS' as const }, '2026-06-08T23:30:00.250'],
    ])('%j after Friday 23:30 → %s China time', (deadline, due) => {
      expect(receiptDueAt(friday, deadline, calendar)).toEqual(china(due));
    });

    it('ignores the calendar: 24 hours from the eve of National Day end on the holiday', () => {
      expect(receiptDueAt(china('2026-09-30T12:00:00'), { value: 24, unit: 'HOURS' }, calendar)).toEqual(china('2026-10-01T12:00:00'));
    });
  });
});
