import cnHolidays from './calendar/cn-holidays.json';
import { addDaysToDate, chinaDateOf, chinaStartOf, isLocalDate, weekdayOf } from './time';

export interface HolidayYear {
  /** Every day off in an announced holiday range, weekends included. */
  holidays: string[];
  /** Weekend days that are working days (调休). */
  adjustedWorkdays: string[];
}

export interface HolidayCalendarData {
  source?: string;
  years: Record<string, HolidayYear>;
}

/** A date fell in a year the holiday data does not cover: load the State Council notice for it. */
export class CalendarNotCoveredError extends Error {
  constructor(readonly year: number) {
    super(`Working-day calendar has no holiday data for ${year}; load the State Council notice for ${year}`);
    this.name = 'CalendarNotCoveredError';
  }
}

/**
 * PRC working days from data (domain-rules §6). Dates outside the covered years throw
 * CalendarNotCoveredError instead of silently treating holidays as working days;
 * callers check `coversYear` ahead (e.g. each December) to warn before that happens.
 * Instants are read as their calendar date in China (UTC+8).
 */
export class WorkingDayCalendar {
  private static defaultCalendar?: WorkingDayCalendar;
  private readonly years = new Set<number>();
  private readonly holidays = new Set<string>();
  private readonly adjustedWorkdays = new Set<string>();

  constructor(data: HolidayCalendarData) {
    for (const [year, { holidays, adjustedWorkdays }] of Object.entries(data.years)) {
      if (!/^\d{4}$/.test(year)) throw new Error(`Holiday data: "${year}" is not a year`);
      for (const date of [...holidays, ...adjustedWorkdays]) {
        if (!isLocalDate(date) || !date.startsWith(year)) throw new Error(`Holiday data ${year}: "${date}" is not a date in ${year}`);
      }
      for (const date of adjustedWorkdays) {
        if (holidays.includes(date)) throw new Error(`Holiday data ${year}: ${date} is both a holiday and a workday`);
        if (![0, 6].includes(weekdayOf(date))) throw new Error(`Holiday data ${year}: adjusted workday ${date} is not a weekend day`);
      }
      this.years.add(Number(year));
      holidays.forEach((d) => this.holidays.add(d));
      adjustedWorkdays.forEach((d) => this.adjustedWorkdays.add(d));
    }
  }

  static default(): WorkingDayCalendar {
    return (WorkingDayCalendar.defaultCalendar ??= new WorkingDayCalendar(cnHolidays as HolidayCalendarData));
  }

  /** The shipped data plus (or overridden by) years loaded at run time, e.g. a newly announced year. */
  static withYears(extra: HolidayCalendarData): WorkingDayCalendar {
    return new WorkingDayCalendar({ years: { ...(cnHolidays as HolidayCalendarData).years, ...extra.years } });
  }

  coversYear(year: number): boolean {
    return this.years.has(year);
  }

  coversDate(date: Date | string): boolean {
    return this.coversYear(Number(toDate(date).slice(0, 4)));
  }

  isWorkingDay(date: Date | string): boolean {
    const day = toDate(date);
    const year = Number(day.slice(0, 4));
    if (!this.coversYear(year)) throw new CalendarNotCoveredError(year);
    if (this.holidays.has(day)) return false;
    return this.adjustedWorkdays.has(day) || ![0, 6].includes(weekdayOf(day));
  }

  /**
   * Deadline "within n working days of X": X's own date is not counted (Civil Code Art. 201);
   * returns the last millisecond of the n-th working day after it, China time.
   * An act at or before the returned instant meets the deadline.
   */
  addWorkingDays(from: Date, n: number): Date {
    checkCount(n);
    let day = chinaDateOf(from);
    for (let counted = 0; counted < n; ) {
      day = addDaysToDate(day, 1);
      if (this.isWorkingDay(day)) counted++;
    }
    return endOf(day);
  }

  /**
   * Deadline "within n working hours of X": time runs only on working days (whole days, China
   * time), so an act on a rest day starts the clock at the next working day's midnight and a
   * period that reaches a rest day resumes after it.
   */
  addWorkingHours(from: Date, n: number): Date {
    checkCount(n);
    let remaining = n * 3_600_000;
    let at = from;
    for (;;) {
      const day = chinaDateOf(at);
      const dayEnd = chinaStartOf(addDaysToDate(day, 1));
      if (this.isWorkingDay(day)) {
        if (remaining <= dayEnd.getTime() - at.getTime()) return new Date(at.getTime() + remaining);
        remaining -= dayEnd.getTime() - at.getTime();
      }
      at = dayEnd;
    }
  }

  /**
   * Deadline "within n days of X": the end of the n-th calendar day after X's date, China time.
   * With `extendPastRestDays`, a period ending on a rest day ends on the next working day
   * instead (Civil Code Art. 203; the CPL periods article says the same for procedural periods).
   */
  addCalendarDays(from: Date, n: number, options: { extendPastRestDays?: boolean } = {}): Date {
    checkCount(n);
    let day = addDaysToDate(chinaDateOf(from), n);
    while (options.extendPastRestDays && !this.isWorkingDay(day)) day = addDaysToDate(day, 1);
    return endOf(day);
  }
}

function toDate(date: Date | string): string {
  if (date instanceof Date) return chinaDateOf(date);
  if (!isLocalDate(date)) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
  return date;
}

function endOf(day: string): Date {
  return new Date(chinaStartOf(addDaysToDate(day, 1)).getTime() - 1);
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Day count must be a non-negative integer, got ${n}`);
}
