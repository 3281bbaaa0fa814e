// Test data builders for the domain (and for app tests that need valid commands).
// Plain TypeScript, no jest: every builder takes overrides so a test states only what it is about.
import { DomainError } from '../domain-error';
import { residentIdCheckChar, usccCheckChar } from '../identifiers';
import type { ImposeCommand, ImposeContext, PriorListing } from '../restriction.commands';
import type { AffectedPerson, CaseInfo, Identifier, PersonRole, Subject } from '../restriction.types';

export const ADULT_ID = '11010519491231002X';
export const COMPANY_USCC = '91350100M000100Y43';
export const OTHER_USCC = '91110000802100433B';
export const DECIDED_AT = '2025-06-01T02:00:00.000Z'; // 10:00 in China
export const NOW = new Date('2025-06-02T02:00:00.000Z');

/** A valid resident ID for a birth date YYYYMMDD. */
export function residentId(birth: string, sequence = '123', area = '110105'): string {
  const first17 = `${area}${birth}${sequence}`;
  return first17 + residentIdCheckChar(first17);
}

export function uscc(first17: string): string {
  return first17 + usccCheckChar(first17);
}

export const rid = (value: string): Identifier => ({ type: 'RESIDENT_ID', value });

export function aPerson(overrides: Partial<Subject> = {}): Subject {
  return { type: 'PERSON', name: '张三', identifier: rid(ADULT_ID), sex: 'MALE', ...overrides };
}

export function anOrganisation(overrides: Partial<Subject> = {}): Subject {
  return {
    type: 'ORGANISATION',
    name: '福州某某贸易有限公司',
    identifier: { type: 'USCC', value: COMPANY_USCC },
    legalRepresentative: '李四',
    ...overrides,
  };
}

export function anAffectedPerson(role: PersonRole, overrides: Partial<AffectedPerson> = {}): AffectedPerson {
  return { role, name: '李四', identifier: rid(residentId('19800101', '456')), ...overrides };
}

export function aCase(overrides: Partial<CaseInfo> = {}): CaseInfo {
  return {
    caseNumber: '（2025）京0105执1234号',
    courtCode: 'J10',
    enforcementBasis: { issuer: '北京市朝阳区人民法院', documentNumber: '（2024）京0105民初5678号' },
    filingDate: '2025-03-01',
    ...overrides,
  };
}

export function aListingCommand(overrides: Partial<ImposeCommand> = {}): ImposeCommand {
  return {
    kind: 'DISHONEST_LISTING',
    subject: aPerson(),
    case: aCase(),
    ground: 'EVADES_ENFORCEMENT',
    obligation: '支付货款人民币 100,000 元',
    performanceStatus: '全部未履行',
    dishonestConduct: '转移财产规避执行',
    decidedAt: DECIDED_AT,
    ...overrides,
  };
}

export function aConsumptionCommand(overrides: Partial<ImposeCommand> = {}): ImposeCommand {
  return { kind: 'CONSUMPTION_RESTRICTION', subject: aPerson(), case: aCase(), decidedAt: DECIDED_AT, ...overrides };
}

export function anExitBanCommand(overrides: Partial<ImposeCommand> = {}): ImposeCommand {
  return { kind: 'EXIT_BAN', subject: aPerson(), case: aCase(), decidedAt: DECIDED_AT, ...overrides };
}

export function aContext(overrides: Partial<ImposeContext> = {}): ImposeContext {
  let next = 0;
  return { now: NOW, newId: () => `r-${++next}`, priorListings: [], ...overrides };
}

export function aPriorListing(overrides: Partial<PriorListing> = {}): PriorListing {
  return { status: 'LIFTED', caseNumber: aCase().caseNumber, liftReason: 'CREDITOR_REQUEST', liftedAt: '2025-01-10T02:00:00.000Z', ...overrides };
}

/** The DomainError thrown by `fn`; fails loudly when it throws nothing or something else. */
export function domainErrorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}
