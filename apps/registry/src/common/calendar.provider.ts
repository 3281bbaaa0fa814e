import { readFileSync } from 'node:fs';
import { WorkingDayCalendar, type HolidayCalendarData } from '@cd/domain';
import { Logger, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * The PRC working-day calendar used for every "N working days" deadline. A newly
 * announced year (the State Council publishes it each November or December) is added
 * without a release through HOLIDAY_CALENDAR_FILE: {"years": {"2027": {"holidays": [...],
 * "adjustedWorkdays": [...]}}}.
 */
export const calendarProvider: Provider = {
  provide: WorkingDayCalendar,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): WorkingDayCalendar => {
    const calendar = config.holidayCalendarFile
      ? WorkingDayCalendar.withYears(JSON.parse(readFileSync(config.holidayCalendarFile, 'utf8')) as HolidayCalendarData)
      : WorkingDayCalendar.default();
    const nextYear = new Date().getUTCFullYear() + 1;
    if (new Date().getUTCMonth() >= 10 && !calendar.coversYear(nextYear)) {
      new Logger('WorkingDayCalendar').warn(`holiday data for ${nextYear} is not loaded yet: set HOLIDAY_CALENDAR_FILE once the State Council publishes it`);
    }
    return calendar;
  },
};
