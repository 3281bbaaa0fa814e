import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import request from 'supertest';
import { startRegistry, testConfig, type TestRegistry } from '../../../../test/support/registry';

// The guard in the running application with every key source at once: the HS256 secrets of
// JWT_KEYS (the test tokens), a public key from JWT_PUBLIC_KEYS, and an identity provider's
// JWKS served on 127.0.0.1 that rotates while the service runs.

const ISSUER = 'credit-discipline';
const AUDIENCE = 'credit-discipline-registry';

interface Key {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  jwk: object;
}

function key(kid: string, type: 'ed25519' | 'ec' | 'rsa'): Key {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const alg = { ed25519: 'EdDSA', ec: 'ES256', rsa: 'RS256' }[type];
  return { kid, alg, privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const sign = (k: Key, claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: k.alg, kid: k.kid }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(k.privateKey);

describe('authentication with configured and JWKS keys (running application)', () => {
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let provider: Server;
  let published: object[] = [];
  let fetches = 0;
  const idp1 = key('idp-2026-01', 'ed25519');
  const idp2 = key('idp-2026-07', 'ec');
  const pinned = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pinnedKey: Key = { kid: 'court-ca-1', alg: 'RS256', privateKey: pinned.privateKey, jwk: {} };

  beforeAll(async () => {
    provider = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    published = [idp1.jwk];
    registry = await startRegistry(
      testConfig({
        env: {
          RELAY_ENABLED: 'false',
          RECEIPTS_CONSUMER_ENABLED: 'false',
          JWT_KEYS: JSON.stringify({ 'hs-test': 'hs256-secret-for-the-test-tokens-0123456789' }),
          JWT_PUBLIC_KEYS: JSON.stringify({ [pinnedKey.kid]: pinned.publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
          JWT_JWKS_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/jwks.json`,
          JWT_JWKS_COOLDOWN_S: '1',
        },
      }),
    );
    http = request(registry.app.getHttpServer());
  });
  afterAll(async () => {
    await registry?.close();
    provider.closeAllConnections();
    await new Promise((resolve) => provider.close(resolve));
  });

  const coverage = (token: string) => http.get('/v1/supervision/coverage').set('authorization', `Bearer ${token}`);

  it('accepts tokens from each source side by side', async () => {
    await coverage(registry.token({ role: 'supervisor' })).expect(200);
    await coverage(await sign(pinnedKey, { sub: 'officer-1', role: 'supervisor' })).expect(200);
    await coverage(await sign(idp1, { sub: 'officer-2', role: 'supervisor' })).expect(200);
    // Roles and scopes from an external provider are enforced exactly like our own.
    const court = await sign(idp1, { sub: 'clerk', role: 'court', court: '110108' });
    expect((await coverage(court).expect(403)).body.code).toBe('FORBIDDEN');
    await http.get('/v1/restrictions').set('authorization', `Bearer ${court}`).expect(200);
  });

  it('picks up a key the provider adds, without a restart', async () => {
    const before = fetches;
    published = [idp1.jwk, idp2.jwk];
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the refetch cooldown
    await coverage(await sign(idp2, { sub: 'officer-3', role: 'supervisor' })).expect(200);
    await coverage(await sign(idp1, { sub: 'officer-4', role: 'supervisor' })).expect(200);
    expect(fetches).toBe(before + 1);
  });

  it('refuses forged and confused tokens with 401 problem+json', async () => {
    const pem = new TextEncoder().encode(pinned.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const hmacWithPublicKey = await new SignJWT({ sub: 'x', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: pinnedKey.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(pem);
    const unknownKey = await sign(key('idp-rogue', 'ed25519'), { sub: 'x', role: 'admin' });
    for (const token of [hmacWithPublicKey, unknownKey]) {
      const res = await coverage(token).expect(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
  });
});
