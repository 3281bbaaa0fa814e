// `npm run dev-token -- court 110000` | `-- partner bank-icbc` | `-- debtor 11010519491231002X` | `-- supervisor` | `-- admin`
// Prints a bearer token signed with the configured key, for local use only.
import { loadConfig } from '../config/app-config';
import { ROLES, type Role, type TokenClaims } from './principal';
import { TokenService } from './token.service';

const [role, scope, ttl] = process.argv.slice(2);
if (!ROLES.includes(role as Role)) {
  console.error(`usage: npm run dev-token -- <${ROLES.join('|')}> [court code | partner id | identifier] [ttl seconds]`);
  process.exit(2);
}
const config = loadConfig();
if (config.env === 'production') {
  console.error('dev-token refuses to run with NODE_ENV=production');
  process.exit(2);
}
// A debtor's identifier never goes into `sub`: the subject is stored in audit rows and idempotency scopes.
const claims: TokenClaims = { sub: `dev-${role}${scope && role !== 'debtor' ? `-${scope}` : ''}`, role: role as Role };
if (role === 'court') claims.court = scope;
if (role === 'partner') claims.partner = scope;
if (role === 'debtor') claims.identifier = scope;
try {
  console.log(new TokenService(config).issue(claims, { expiresInSeconds: ttl ? Number(ttl) : 8 * 3600 }));
} catch (error) {
  // Only HS256 secrets (JWT_KEYS) can sign here; tokens for JWT_PUBLIC_KEYS / JWT_JWKS_URL come from the identity provider.
  console.error((error as Error).message);
  process.exit(2);
}
