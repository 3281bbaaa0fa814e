export const ROLES = ['court', 'partner', 'debtor', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, from verified JWT claims. */
export interface Principal {
  role: Role;
  /** JWT `sub`: who acts, recorded in the audit log. */
  subject: string;
  /** role `court`: the court's code. */
  courtCode?: string;
  /** role `partner`: the partner's id. */
  partnerId?: string;
  /** role `debtor`: the subject's identifier value. */
  identifier?: string;
}

export interface TokenClaims {
  sub: string;
  role: Role;
  court?: string;
  partner?: string;
  identifier?: string;
}

/** Stable key identifying the caller (for idempotency scopes and audit). */
export function principalKey(p: Principal): string {
  return `${p.role}:${p.courtCode ?? p.partnerId ?? p.subject}`;
}
