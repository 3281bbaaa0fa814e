import type { RestrictionKind } from './restriction.types';
import type { WorkingDayCalendar } from './working-day-calendar';

/** A partner id: 3–64 of a-z, 0-9 and -, neither starting nor ending with -. */
export const PARTNER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;

export const PARTNER_SECTORS = [
  'BANK',
  'MARKET_REGULATOR',
  'AIRLINE',
  'RAILWAY',
  'HOTEL_OPERATOR',
  'TRAVEL_AGENCY',
  'BORDER_CONTROL',
  'CREDIT_BUREAU',
] as const;
export type PartnerSector = (typeof PARTNER_SECTORS)[number];

/**
 * Typical routing (domain-rules §5, 2016 Memorandum). Only a default offered when a
 * partner is registered: what a partner enforces is stored per partner, as data.
 */
export const SECTOR_DEFAULT_KINDS: Record<PartnerSector, readonly RestrictionKind[]> = {
  BANK: ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION'],
  MARKET_REGULATOR: ['DISHONEST_LISTING'],
  AIRLINE: ['CONSUMPTION_RESTRICTION'],
  RAILWAY: ['CONSUMPTION_RESTRICTION'],
  HOTEL_OPERATOR: ['CONSUMPTION_RESTRICTION'],
  TRAVEL_AGENCY: ['CONSUMPTION_RESTRICTION'],
  BORDER_CONTROL: ['EXIT_BAN'],
  CREDIT_BUREAU: ['DISHONEST_LISTING'],
};

/** HOURS are elapsed hours (for partners that enforce around the clock); WORKING_HOURS run on working days only. */
export const DEADLINE_UNITS = ['SECONDS', 'MINUTES', 'HOURS', 'WORKING_HOURS', 'WORKING_DAYS'] as const;
export type DeadlineUnit = (typeof DEADLINE_UNITS)[number];

export interface ReceiptDeadline {
  value: number;
  unit: DeadlineUnit;
}

/** When a partner's receipt for a version published at `publishedAt` falls due. */
export function receiptDueAt(publishedAt: Date, deadline: ReceiptDeadline, calendar: WorkingDayCalendar): Date {
  switch (deadline.unit) {
    case 'SECONDS':
      return new Date(publishedAt.getTime() + deadline.value * 1000);
    case 'MINUTES':
      return new Date(publishedAt.getTime() + deadline.value * 60_000);
    case 'HOURS':
      return new Date(publishedAt.getTime() + deadline.value * 3_600_000);
    case 'WORKING_HOURS':
      return calendar.addWorkingHours(publishedAt, deadline.value);
    case 'WORKING_DAYS':
      return calendar.addWorkingDays(publishedAt, deadline.value);
  }
}
