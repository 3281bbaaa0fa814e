import { maskIdentifier } from '@cd/domain';

// Logs must never carry personal data (PIPL Art. 51): identifiers and names that
// reach a URL are masked before the URL is logged; headers and bodies are not logged.

/** Query parameters whose values are personal: identifiers and names (idNumber, identifier, name, debtorName …). */
const PERSONAL_QUERY_KEY = /(?:id_?number|identifier|name)$/i;
/** Any 15–18 character resident-ID-like token, wherever it appears (path or another parameter). */
const ID_LIKE_TOKEN = /(?<![0-9A-Za-z])\d{14,17}[\dXx](?![0-9A-Za-z])/g;
/**
 * A passport-number-like token: 6–20 letters and digits with at least one letter and five digits
 * (E12345678, EA1234567, C01X00T47), or 8–9 digits alone (several countries' passports). A token
 * touching `-`, `_`, `:` or `.` is part of something else — a UUID, a timestamp, a topic or key name —
 * and stays; so do case numbers like (2024)京0105执1234号 (no letters, short digit runs).
 */
const PASSPORT_LIKE_TOKEN = /(?<![-\w:.])(?:(?=[A-Za-z]*\d(?:[A-Za-z]*\d){4})(?=\d*[A-Za-z])[A-Za-z\d]{6,20}|\d{8,9})(?![-\w:.])/g;

export const REDACTED = '[redacted]';

/** The URL as it may be logged: personal query values masked, ID-like tokens masked anywhere. */
export function maskUrl(url: string): string {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const query = at < 0 ? undefined : url.slice(at + 1);
  const maskedQuery = query
    ?.split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const key = safeDecode(pair.slice(0, eq));
      return PERSONAL_QUERY_KEY.test(key) ? `${pair.slice(0, eq)}=${maskValue(key, safeDecode(pair.slice(eq + 1)))}` : pair;
    })
    .join('&');
  return maskIdLikeTokens(maskedQuery === undefined ? path : `${path}?${maskedQuery}`);
}

/** Resident-ID-like and passport-like tokens masked as such (maskIdentifier). */
export function maskIdLikeTokens(text: string): string {
  return text
    .replace(ID_LIKE_TOKEN, (token) => maskIdentifier({ type: 'RESIDENT_ID', value: token }))
    .replace(PASSPORT_LIKE_TOKEN, (token) => maskIdentifier({ type: 'PASSPORT', value: token, country: 'XXX' }));
}

/** Quoted literals of a database error message: `Duplicate entry '…' for key '…'`, `Incorrect … value: '…'`. */
const QUOTED = /'(?:[^'\\]|\\.)*'/g;
/** …except the names of keys, columns and tables, which say where and are not data. */
const NAMES_A_PLACE = /\b(?:key|column|table|index|constraint|database) $/i;

/**
 * An error as it may be logged. Database errors quote the offending value, which can be a name
 * or part of a stored document: for them the quoted values are masked.
 */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  if (!isDatabaseError(error)) return maskIdLikeTokens(text);
  return maskIdLikeTokens(text.replace(QUOTED, (quoted, at: number) => (NAMES_A_PLACE.test(text.slice(Math.max(0, at - 12), at)) ? quoted : `'${REDACTED}'`)));
}

function isDatabaseError(error: unknown): boolean {
  const candidate = error as { code?: unknown; sqlMessage?: unknown; driverError?: unknown } | null;
  return Boolean(candidate && (candidate.driverError !== undefined || candidate.sqlMessage !== undefined || (typeof candidate.code === 'string' && candidate.code.startsWith('ER_'))));
}

function maskValue(key: string, value: string): string {
  if (/name$/i.test(key)) return value === '' ? '' : '***';
  const residentLike = /^(?:\d{15}|\d{17}[\dXx])$/.test(value);
  // Passport-style masking keeps the first character only; a short value is masked whole.
  const masked = maskIdentifier(residentLike ? { type: 'RESIDENT_ID', value } : { type: 'PASSPORT', value, country: 'XXX' });
  // A mask cut through a surrogate pair leaves half a character, which encodeURIComponent refuses (a 500 from logging).
  return encodeURIComponent(masked.replace(LONE_SURROGATE, '*'));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
