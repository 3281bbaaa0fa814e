// `npm run dev-token -- court 110000` | `-- partner bank-icbc` | `-- debtor 11010519491231002X` | `-- supervisor` | `-- admin`
// Prints a bearer token signed with the configured key, for local use only. Bad arguments: a message and exit code 2.
import { loadConfig } from '../config/app-config';
import { DEV_TOKEN_USAGE, DevTokenUsageError, devTokenClaims } from './dev-token-claims';
import { TokenService } from './token.service';

function main(): void {
  let request: ReturnType<typeof devTokenClaims>;
  try {
    request = devTokenClaims(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof DevTokenUsageError)) throw error;
    console.error(`dev-token: ${error.message}\n${DEV_TOKEN_USAGE}`);
    process.exit(2);
  }
  const config = loadConfig();
  if (config.env === 'production') {
    console.error('dev-token refuses to run with NODE_ENV=production');
    process.exit(2);
  }
  try {
    console.log(new TokenService(config).issue(request.claims, { expiresInSeconds: request.expiresInSeconds }));
  } catch (error) {
    // Only HS256 secrets (JWT_KEYS) can sign here; tokens for JWT_PUBLIC_KEYS / JWT_JWKS_URL come from the identity provider.
    console.error((error as Error).message);
    process.exit(2);
  }
}

main();
