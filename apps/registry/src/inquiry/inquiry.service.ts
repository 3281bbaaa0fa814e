import { normaliseIdentifierValue } from '@cd/domain';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { CorrectionsService, type CorrectionView } from '../corrections/corrections.service';
import { DeliveryLedger } from '../deliveries/delivery-ledger';
import { enforcementReport } from '../deliveries/enforcement';
import { PartnerDirectory } from '../partners/partner-directory';
import type { PublicListQuery } from './inquiry.dto';
import { InquiryRepository } from './inquiry.repository';
import { debtorRestrictionView, ownIdentifierView, publicListingView, type DebtorRestrictionView, type PublicListingView, type ShownIdentifier } from './views';

export interface DebtorStatus {
  debtor: { identifier: ShownIdentifier };
  asOf: string;
  /** Newest first: as subject, or as a person named for an organisation. */
  restrictions: DebtorRestrictionView[];
  /** More restrictions exist than MAX_DEBTOR_RESTRICTIONS; the oldest are left out. */
  truncated: boolean;
}

export interface PublicListPage {
  items: PublicListingView[];
  page: number;
  pageSize: number;
  hasMore: boolean;
}

const MAX_DEBTOR_RESTRICTIONS = 200;
export const PUBLIC_PAGE_SIZE = 20;
// A name alone is weak evidence and the easiest way to harvest the list: stop early.
export const NAME_SEARCH_MAX_PAGES = 10;

@Injectable()
export class InquiryService {
  constructor(
    private readonly inquiry: InquiryRepository,
    private readonly ledger: DeliveryLedger,
    private readonly directory: PartnerDirectory,
    private readonly corrections: CorrectionsService,
  ) {}

  /** The caller's own restrictions; the identifier comes from the token only. */
  async debtorStatus(principal: Principal): Promise<DebtorStatus> {
    const identifierValue = principal.identifier!;
    const found = await this.inquiry.concerning(identifierValue, MAX_DEBTOR_RESTRICTIONS + 1);
    const shown = found.slice(0, MAX_DEBTOR_RESTRICTIONS);
    const partners = new Map((await this.directory.all()).map((p) => [p.id, p]));
    const now = new Date();
    const ledger = await this.ledger.forRestrictions(shown.map(({ state }) => state.id));
    // The same requests /v1/me/corrections lists (newest first), by restriction.
    const corrections = new Map<string, CorrectionView[]>();
    for (const request of await this.corrections.mine(principal)) {
      corrections.set(request.restrictionId, [...(corrections.get(request.restrictionId) ?? []), request]);
    }
    const restrictions = shown.map(({ state, courtName }) =>
      debtorRestrictionView(state, {
        identifierValue,
        courtName,
        report: enforcementReport(state, ledger.get(state.id) ?? [], partners),
        now,
        corrections: corrections.get(state.id) ?? [],
      }),
    );
    return {
      debtor: { identifier: ownIdentifierView(identifierValue, shown.map((s) => s.state)) },
      asOf: now.toISOString(),
      restrictions,
      truncated: found.length > shown.length,
    };
  }

  async searchPublicList(query: PublicListQuery): Promise<PublicListPage> {
    const name = query.name?.trim() || undefined;
    const identifierValue = query.idNumber === undefined ? undefined : normaliseIdentifierValue(query.idNumber);
    if (name === undefined && identifierValue === undefined) {
      throw new AppError('VALIDATION_FAILED', 'Search the public list by name, idNumber or both.', [
        { field: 'name', rule: 'nameOrIdNumber', message: 'name or idNumber is required' },
        { field: 'idNumber', rule: 'nameOrIdNumber', message: 'name or idNumber is required' },
      ]);
    }
    const page = query.page === undefined ? 1 : Number(query.page);
    const maxPages = identifierValue === undefined ? NAME_SEARCH_MAX_PAGES : Number.MAX_SAFE_INTEGER;
    if (page > maxPages) {
      throw new AppError('VALIDATION_FAILED', `A search by name alone shows at most ${NAME_SEARCH_MAX_PAGES} pages; add idNumber to narrow it.`, [
        { field: 'page', rule: 'max', message: `page must be at most ${NAME_SEARCH_MAX_PAGES} for a search by name alone` },
      ]);
    }
    const now = new Date();
    const rows = await this.inquiry.publishedListings(
      { identifierValue, name, offset: (page - 1) * PUBLIC_PAGE_SIZE, limit: PUBLIC_PAGE_SIZE + 1 },
      now,
    );
    const items = rows
      .slice(0, PUBLIC_PAGE_SIZE)
      .map(({ state, courtName }) => publicListingView(state, courtName, now))
      .filter((item): item is PublicListingView => item !== null);
    return { items, page, pageSize: PUBLIC_PAGE_SIZE, hasMore: rows.length > PUBLIC_PAGE_SIZE && page < maxPages };
  }
}
