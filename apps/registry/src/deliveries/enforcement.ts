import type { RestrictionState } from '@cd/domain';
import type { Partner } from '../partners/partner';
import type { DeliveryView } from './delivery-ledger';

export interface PartnerEnforcement extends DeliveryView {
  name: string | null;
  sector: string | null;
  /** The partner confirmed the current published version. */
  upToDate: boolean;
}

export interface EnforcementReport {
  restrictionId: string;
  kind: string;
  version: number;
  status: string;
  decidedAt: string;
  /** Every obliged partner confirmed the latest published version. */
  fullyEnforced: boolean;
  /** Lifted, and every obliged partner confirmed the lift. */
  fullyLifted: boolean;
  /** From the decision to the last partner's first confirmation, once all confirmed. */
  decisionToEnforcementMs: number | null;
  partners: PartnerEnforcement[];
}

export function enforcementReport(state: RestrictionState, deliveries: DeliveryView[], partners: Map<string, Partner>): EnforcementReport {
  const items = deliveries.map((d) => ({
    ...d,
    name: partners.get(d.partnerId)?.name ?? null,
    sector: partners.get(d.partnerId)?.sector ?? null,
    upToDate: d.publishedVersion > 0 && d.confirmedVersion >= d.publishedVersion,
  }));
  const allConfirmed = items.length > 0 && items.every((d) => d.imposedConfirmedAt !== null);
  return {
    restrictionId: state.id,
    kind: state.kind,
    version: state.version,
    status: state.status,
    decidedAt: state.decidedAt,
    fullyEnforced: items.length > 0 && items.every((d) => d.upToDate && d.confirmedVersion >= state.version),
    fullyLifted: state.status === 'LIFTED' && items.length > 0 && items.every((d) => d.liftConfirmedAt !== null),
    decisionToEnforcementMs: allConfirmed
      ? Math.max(...items.map((d) => new Date(d.imposedConfirmedAt!).getTime())) - new Date(state.decidedAt).getTime()
      : null,
    partners: items,
  };
}
