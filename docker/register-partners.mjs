// One-shot for docker compose: registers the demo partner agents with the registry's admin API,
// so the receipts they send are accepted. Safe to run again: an existing partner is left as it is.
//
//   REGISTRY_URL   the registry, e.g. http://registry:3000
//   JWT_KEYS       the registry's HS256 secrets {"<kid>": "<secret>"}; the first signs a short admin token
//   DEMO_PARTNERS  [{"id", "name", "sector", "kinds"?, "receiptDeadline": {"value", "unit"}, "keyId", "publicKeyPem"}]
/* global process, fetch, console, Buffer, URL */
import { createHmac } from 'node:crypto';

const base64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

// The registry's default issuer and audience (JWT_ISSUER, JWT_AUDIENCE are not set in the compose file).
function adminToken(keys) {
  const [kid, secret] = Object.entries(keys)[0];
  const now = Math.floor(Date.now() / 1000);
  const header = base64url({ alg: 'HS256', typ: 'JWT', kid });
  const claims = base64url({ sub: 'compose-register-partners', role: 'admin', iss: 'credit-discipline', aud: 'credit-discipline-registry', iat: now, exp: now + 300 });
  const signature = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}

async function main() {
  const registry = process.env.REGISTRY_URL;
  const token = adminToken(JSON.parse(process.env.JWT_KEYS));
  for (const { keyId, publicKeyPem, ...registration } of JSON.parse(process.env.DEMO_PARTNERS)) {
    const { id } = registration;
    const response = await fetch(new URL('/v1/admin/partners', registry), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...registration, publicKeys: [{ keyId, publicKeyPem }] }),
    });
    const problem = response.ok ? undefined : await response.json().catch(() => ({}));
    if (response.ok || problem?.code === 'PARTNER_EXISTS') {
      console.log(`partner ${id}: ${response.ok ? 'registered' : 'already registered'}`);
    } else {
      throw new Error(`partner ${id}: ${response.status} ${JSON.stringify(problem)}`);
    }
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
