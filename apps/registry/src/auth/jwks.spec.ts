import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { SignJWT } from 'jose';
import { AppError } from '../common/app-error';
import { loadConfig } from '../config/app-config';
import { JwksKeySet } from './jwks-key-set';
import { TokenService } from './token.service';

// An identity provider's JWKS served by a tiny HTTP server on 127.0.0.1, so fetching,
// caching, refetch on an unknown kid, the cooldown, the timeout and rotation run for real.

const ISSUER = 'https://idp.test';
const AUDIENCE = 'credit-discipline-registry';

interface Provider {
  url: string;
  keys: object[];
  fetches: number;
  /** 200 normally; anything else simulates an outage. */
  status: number;
  hang: boolean;
  /** Requests that were left hanging and then closed by the client. */
  abandoned: number;
  close(): Promise<void>;
}

async function startProvider(): Promise<Provider> {
  const state = { keys: [] as object[], fetches: 0, status: 200, hang: false, abandoned: 0 };
  const server: Server = createServer((request, response) => {
    state.fetches++;
    if (state.hang) {
      // never answers; counts the client giving up on it
      request.socket.once('close', () => state.abandoned++);
      return;
    }
    response.writeHead(state.status, { 'content-type': 'application/jwk-set+json' });
    response.end(state.status === 200 ? JSON.stringify({ keys: state.keys }) : '{"error":"down"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  jwk: object;
}

function signingKey(kid: string, type: 'rsa' | 'ec' | 'ed25519', withAlg = true): SigningKey {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const alg = { rsa: 'RS256', ec: 'ES256', ed25519: 'EdDSA' }[type];
  return { kid, alg, privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, use: 'sig', ...(withAlg ? { alg } : {}) } };
}

function sign(key: { kid: string; alg: string; privateKey: KeyObject | Uint8Array }, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: 'officer-7', role: 'supervisor', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key.privateKey);
}

function tokenService(provider: Provider, env: NodeJS.ProcessEnv = {}): TokenService {
  return new TokenService(
    loadConfig({ NODE_ENV: 'test', JWT_JWKS_URL: provider.url, JWT_ISSUER: ISSUER, JWT_JWKS_COOLDOWN_S: '1', JWT_JWKS_TIMEOUT_MS: '300', ...env }),
  );
}

const outcome = (tokens: TokenService, token: string): Promise<string> =>
  tokens.verify(token).then(
    (principal) => `ok:${principal.role}`,
    (error: unknown) => (error instanceof AppError ? error.message : `unexpected: ${String(error)}`),
  );

const UNKNOWN_KEY = 'Bearer token is signed with an unknown key.';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Real waits for the cooldown and cache age, and RSA key generation on a busy machine.
jest.setTimeout(20_000);
beforeAll(() => Logger.overrideLogger(false)); // ignored keys and failed fetches are warned about; asserted through their effect

describe('JWKS (identity provider on 127.0.0.1)', () => {
  let provider: Provider;
  beforeEach(async () => {
    provider = await startProvider();
  });
  afterEach(() => provider.close());

  it('verifies RS256, ES256 and EdDSA tokens by kid from one fetch', async () => {
    const keys = [signingKey('r1', 'rsa'), signingKey('e1', 'ec'), signingKey('o1', 'ed25519', false)];
    provider.keys = keys.map((k) => k.jwk);
    const tokens = tokenService(provider);
    for (const key of keys) expect(await outcome(tokens, await sign(key))).toBe('ok:supervisor');
    expect(provider.fetches).toBe(1);
  });

  it('rotation: a new kid is accepted after the refetch it triggers; a withdrawn kid is refused once the cache is refreshed', async () => {
    const k1 = signingKey('2026-01', 'ed25519');
    const k2 = signingKey('2026-07', 'rsa');
    provider.keys = [k1.jwk];
    const tokens = tokenService(provider, { JWT_JWKS_MAX_AGE_S: '3' });
    const byK1 = await sign(k1);
    const byK2 = await sign(k2);
    expect(await outcome(tokens, byK1)).toBe('ok:supervisor');
    expect(provider.fetches).toBe(1);

    // The provider publishes the next key before signing with it; once the cooldown (1 s) is over,
    // the first token naming it triggers one refetch, and both keys are valid at once.
    provider.keys = [k1.jwk, k2.jwk];
    await sleep(1100);
    expect(await outcome(tokens, byK2)).toBe('ok:supervisor');
    expect(await outcome(tokens, byK1)).toBe('ok:supervisor');
    expect(provider.fetches).toBe(2);

    // The provider withdraws the old key: still cached until the set is older than JWT_JWKS_MAX_AGE_S…
    provider.keys = [k2.jwk];
    expect(await outcome(tokens, byK1)).toBe('ok:supervisor');
    await sleep(3100);
    // …then refetched, and the old key is gone.
    expect(await outcome(tokens, byK1)).toBe(UNKNOWN_KEY);
    expect(await outcome(tokens, byK2)).toBe('ok:supervisor');
    expect(provider.fetches).toBe(3);
  });

  it('within the cooldown an unknown kid does not trigger a fetch', async () => {
    const k1 = signingKey('k1', 'ed25519');
    provider.keys = [k1.jwk];
    const tokens = tokenService(provider, { JWT_JWKS_COOLDOWN_S: '60' });
    expect(await outcome(tokens, await sign(k1))).toBe('ok:supervisor');
    const k2 = signingKey('k2', 'ed25519');
    provider.keys = [k1.jwk, k2.jwk];
    expect(await outcome(tokens, await sign(k2))).toBe(UNKNOWN_KEY);
    expect(provider.fetches).toBe(1);
  });

  it('tokens with made-up kids cost at most one fetch per cooldown', async () => {
    const k1 = signingKey('k1', 'ec');
    provider.keys = [k1.jwk];
    const tokens = tokenService(provider, { JWT_JWKS_COOLDOWN_S: '60' });
    expect(await outcome(tokens, await sign(k1))).toBe('ok:supervisor');
    const results = await Promise.all(
      Array.from({ length: 25 }, async () => outcome(tokens, await sign({ ...signingKey(randomBytes(4).toString('hex'), 'ec') }))),
    );
    expect(new Set(results)).toEqual(new Set([UNKNOWN_KEY]));
    expect(provider.fetches).toBe(1);
  });

  it('never takes a symmetric or private key from the JWKS, nor a key whose alg does not fit it', async () => {
    const secret = randomBytes(32);
    const rsaKey = signingKey('rsa-as-es', 'rsa');
    const withPrivate = signingKey('leaked', 'ed25519');
    provider.keys = [
      { kty: 'oct', kid: 'sym', k: secret.toString('base64url'), alg: 'HS256' },
      { ...rsaKey.jwk, alg: 'ES256' },
      { ...(withPrivate.privateKey.export({ format: 'jwk' }) as object), kid: 'leaked', alg: 'EdDSA' },
    ];
    const tokens = tokenService(provider);
    expect(await outcome(tokens, await sign({ kid: 'sym', alg: 'HS256', privateKey: secret }))).toBe(UNKNOWN_KEY);
    expect(await outcome(tokens, await sign(rsaKey))).toBe(UNKNOWN_KEY);
    expect(await outcome(tokens, await sign(withPrivate))).toBe(UNKNOWN_KEY);
  });

  it('an HS256 token naming a JWKS kid is refused (the public key is never an HMAC secret)', async () => {
    const key = signingKey('r1', 'rsa', false);
    provider.keys = [key.jwk];
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey; // any bytes: the check is on the algorithm
    const forged = await sign({ kid: 'r1', alg: 'HS256', privateKey: new TextEncoder().encode(pem.export({ type: 'spki', format: 'pem' }).toString()) });
    expect(await outcome(tokenService(provider), forged)).toBe('Bearer token is invalid.');
  });

  it('a kid listed twice is ambiguous and not used', async () => {
    const a = signingKey('dup', 'ed25519');
    const b = signingKey('dup', 'ed25519');
    provider.keys = [a.jwk, b.jwk];
    expect(await outcome(tokenService(provider), await sign(a))).toBe(UNKNOWN_KEY);
  });

  it('a provider that does not answer is given up after JWT_JWKS_TIMEOUT_MS', async () => {
    provider.hang = true;
    expect(await outcome(tokenService(provider), await sign(signingKey('k1', 'ed25519')))).toBe(UNKNOWN_KEY);
    // The answer came while the provider still held the request open: the client abandoned it.
    while (provider.abandoned === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(provider.fetches).toBe(1);
  });

  it('an outage keeps the last good key set in use', async () => {
    const k1 = signingKey('k1', 'ed25519');
    provider.keys = [k1.jwk];
    const tokens = tokenService(provider, { JWT_JWKS_MAX_AGE_S: '1' });
    const token = await sign(k1);
    expect(await outcome(tokens, token)).toBe('ok:supervisor');
    provider.status = 503;
    await sleep(1100);
    expect(await outcome(tokens, token)).toBe('ok:supervisor');
    expect(provider.fetches).toBe(2);
  });
});

describe('JwksKeySet timing (fake clock)', () => {
  let provider: Provider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(() => provider.close());

  it('refreshes a stale set at most once per cooldown, and joins a fetch under way', async () => {
    const k1 = signingKey('k1', 'ed25519');
    provider.keys = [k1.jwk];
    let now = 1_000_000;
    const set = new JwksKeySet({ url: provider.url, cooldownMs: 30_000, timeoutMs: 1000, maxAgeMs: 600_000 }, () => now);
    const [a, b] = await Promise.all([set.get('k1'), set.get('k1')]);
    expect(a?.algorithms).toEqual(['EdDSA']);
    expect(b).toBe(a);
    expect(provider.fetches).toBe(1);
    now += 29_999;
    expect(await set.get('k2')).toBeUndefined();
    expect(provider.fetches).toBe(1);
    now += 1;
    expect(await set.get('k2')).toBeUndefined();
    expect(provider.fetches).toBe(2);
    now += 600_000;
    expect(await set.get('k1')).toBeDefined();
    expect(provider.fetches).toBe(3);
  });
});
