import { DomainError, normaliseIdentifierValue, PARTNER_ID_PATTERN, validateIdentifier } from '@cd/domain';
import { ROLES, type Role, type TokenClaims } from './principal';

export const DEV_TOKEN_USAGE = `usage: npm run dev-token -- <${ROLES.join('|')}> [court code | partner id | identifier] [ttl seconds]
  court <code>          e.g. court 110108 (2–32 of 0-9 A-Z, as in the courts table)
  partner <id>          e.g. partner bank-icbc (3–64 of a-z 0-9 -)
  debtor <identifier>   a valid resident ID (GB 11643 check character) or a passport number (5–20 of A-Z 0-9)
  supervisor | admin    no scope`;

const COURT_CODE = /^[0-9A-Z]{2,32}$/;
const MAX_TTL_SECONDS = 30 * 24 * 3600;

/** A dev-token command line that cannot make a usable token; the message says which argument and why. */
export class DevTokenUsageError extends Error {}

/** The claims and lifetime for `dev-token <role> [scope] [ttl]`, or a DevTokenUsageError. */
export function devTokenClaims(args: string[]): { claims: TokenClaims; expiresInSeconds: number } {
  const [role, scope, ttl, ...extra] = args;
  if (!ROLES.includes(role as Role)) throw new DevTokenUsageError(role ? `unknown role "${role}"` : 'a role is required');
  if (extra.length > 0) throw new DevTokenUsageError(`unexpected arguments after the ttl: ${extra.join(' ')}`);
  // A debtor's identifier never goes into `sub`: the subject is stored in audit rows and idempotency scopes.
  const claims: TokenClaims = { sub: `dev-${role}${scope && role !== 'debtor' ? `-${scope}` : ''}`, role: role as Role };
  switch (role as Role) {
    case 'court':
      if (!scope) throw new DevTokenUsageError('court needs a court code, e.g. court 110108');
      if (!COURT_CODE.test(scope)) throw new DevTokenUsageError(`court code "${scope}" must be 2–32 of 0-9 A-Z`);
      claims.court = scope;
      break;
    case 'partner':
      if (!scope) throw new DevTokenUsageError('partner needs a partner id, e.g. partner bank-icbc');
      if (!PARTNER_ID_PATTERN.test(scope)) throw new DevTokenUsageError(`partner id "${scope}" must be 3–64 of a-z, 0-9 and -`);
      claims.partner = scope;
      break;
    case 'debtor':
      if (!scope) throw new DevTokenUsageError('debtor needs the identifier of the person, e.g. debtor 11010519491231002X');
      claims.identifier = debtorIdentifier(scope);
      break;
    case 'supervisor':
    case 'admin':
      if (scope !== undefined) throw new DevTokenUsageError(`${role} takes no scope (got "${scope}")`);
  }
  if (ttl !== undefined && !(/^[1-9]\d*$/.test(ttl) && Number(ttl) <= MAX_TTL_SECONDS)) {
    throw new DevTokenUsageError(`ttl "${ttl}" must be a whole number of seconds, 1–${MAX_TTL_SECONDS}`);
  }
  return { claims, expiresInSeconds: ttl ? Number(ttl) : 8 * 3600 };
}

/** Resident ID when it has that shape (then fully checked), else a passport number. Messages do not echo the number. */
function debtorIdentifier(scope: string): string {
  const value = normaliseIdentifierValue(scope);
  // 12 or more digits are taken for a (mistyped) resident ID: passports of digits alone are shorter.
  const residentShaped = /^\d{11,17}[\dX]$/.test(value);
  try {
    return validateIdentifier(residentShaped ? { type: 'RESIDENT_ID', value } : { type: 'PASSPORT', value, country: 'XXX' }, 'identifier').value;
  } catch (error) {
    if (error instanceof DomainError) throw new DevTokenUsageError(`debtor identifier is not valid: ${error.message}`);
    throw error;
  }
}
