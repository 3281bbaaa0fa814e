import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { AppError } from '../common/app-error';
import { loadConfig } from '../config/app-config';
import { TokenService } from './token.service';

// Verification without a database: HS256 secrets, configured public keys, and the
// guards against algorithm confusion, missing claims and clock trouble.

const SECRET = 'an-hs256-secret-of-at-least-32-characters';
const ISSUER = 'credit-discipline';
const AUDIENCE = 'credit-discipline-registry';
const COURT = { sub: 'clerk@110108', role: 'court', court: '110108' };

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

function service(env: NodeJS.ProcessEnv = {}): TokenService {
  return new TokenService(
    loadConfig({
      NODE_ENV: 'test',
      JWT_KEYS: JSON.stringify({ hs1: SECRET }),
      JWT_PUBLIC_KEYS: JSON.stringify({ rsa1: pem(rsa.publicKey), ec1: pem(ec.publicKey), ed1: pem(ed.publicKey) }),
      ...env,
    }),
  );
}

interface SignOptions {
  alg: string;
  kid?: string;
  claims?: Record<string, unknown>;
  issuer?: string;
  audience?: string;
  /** Seconds from now; null: no exp claim. */
  expiresIn?: number | null;
  notBefore?: number;
}

function sign(key: KeyObject | Uint8Array, options: SignOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...COURT, ...options.claims })
    .setProtectedHeader({ alg: options.alg, ...(options.kid === undefined ? {} : { kid: options.kid }) })
    .setIssuedAt()
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE);
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 600));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(key);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refusal(tokens: TokenService, token: string): Promise<string> {
  const error = await tokens.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('UNAUTHENTICATED');
  return (error as AppError).message;
}

describe('TokenService', () => {
  const hs = new TextEncoder().encode(SECRET);

  it.each([
    ['HS256 (JWT_KEYS)', () => sign(hs, { alg: 'HS256', kid: 'hs1' })],
    ['RS256 (JWT_PUBLIC_KEYS)', () => sign(rsa.privateKey, { alg: 'RS256', kid: 'rsa1' })],
    ['ES256 (JWT_PUBLIC_KEYS)', () => sign(ec.privateKey, { alg: 'ES256', kid: 'ec1' })],
    ['EdDSA (JWT_PUBLIC_KEYS)', () => sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1' })],
  ])('verifies %s and maps the claims to a principal', async (_name, make) => {
    await expect(service().verify(await make())).resolves.toEqual({ role: 'court', subject: 'clerk@110108', courtCode: '110108' });
  });

  it('issues HS256 tokens that it verifies, with every role and its scope', async () => {
    const tokens = service();
    await expect(tokens.verify(tokens.issue({ sub: 'p', role: 'partner', partner: 'bank-1' }))).resolves.toMatchObject({ role: 'partner', partnerId: 'bank-1' });
    await expect(tokens.verify(tokens.issue({ sub: 'd', role: 'debtor', identifier: '11010519491231002X' }))).resolves.toMatchObject({
      role: 'debtor',
      identifier: '11010519491231002X',
    });
    await expect(tokens.verify(tokens.issue({ sub: 's', role: 'supervisor' }))).resolves.toEqual({ role: 'supervisor', subject: 's' });
  });

  describe('no algorithm confusion', () => {
    it('an HS256 token whose "secret" is a configured public key is refused', async () => {
      // The classic attack: sign HMAC with the (public) PEM text and name the public key's kid.
      for (const [kid, key] of [['rsa1', rsa.publicKey], ['ed1', ed.publicKey]] as const) {
        const forged = await sign(new TextEncoder().encode(pem(key)), { alg: 'HS256', kid });
        expect(await refusal(service(), forged)).toBe('Bearer token is invalid.');
      }
    });

    it('a key verifies only the algorithms of its own type', async () => {
      const tokens = service();
      // RSA-signed but claiming the EC or Ed25519 key; EC-signed claiming the RSA key.
      expect(await refusal(tokens, await sign(rsa.privateKey, { alg: 'RS256', kid: 'ec1' }))).toBe('Bearer token is invalid.');
      expect(await refusal(tokens, await sign(rsa.privateKey, { alg: 'RS256', kid: 'ed1' }))).toBe('Bearer token is invalid.');
      expect(await refusal(tokens, await sign(ec.privateKey, { alg: 'ES256', kid: 'rsa1' }))).toBe('Bearer token is invalid.');
      // An asymmetric token naming the HS256 secret's kid.
      expect(await refusal(tokens, await sign(ed.privateKey, { alg: 'EdDSA', kid: 'hs1' }))).toBe('Bearer token is invalid.');
      // HS512 with the right secret: only HS256 is configured.
      expect(await refusal(tokens, await sign(hs, { alg: 'HS512', kid: 'hs1' }))).toBe('Bearer token is invalid.');
    });

    it('alg "none" is refused, for every kid', async () => {
      const now = Math.floor(Date.now() / 1000);
      for (const kid of ['hs1', 'rsa1', 'ed1']) {
        const unsigned = `${b64({ alg: 'none', kid })}.${b64({ ...COURT, role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now + 600 })}.`;
        expect(await refusal(service(), unsigned)).toBe('Bearer token is invalid.');
      }
    });

    it('a payload rewritten under a valid signature is refused', async () => {
      const [header, , signature] = (await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1' })).split('.');
      const now = Math.floor(Date.now() / 1000);
      expect(await refusal(service(), `${header}.${b64({ ...COURT, role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now + 600 })}.${signature}`)).toBe(
        'Bearer token is invalid.',
      );
    });
  });

  describe('claims', () => {
    it('requires a kid', async () => {
      expect(await refusal(service(), await sign(hs, { alg: 'HS256' }))).toBe('Bearer token names no key (kid).');
    });

    it('refuses a kid that no configured key has', async () => {
      expect(await refusal(service(), await sign(hs, { alg: 'HS256', kid: 'hs9' }))).toBe('Bearer token is signed with an unknown key.');
    });

    it('refuses garbage', async () => {
      expect(await refusal(service(), 'not-a-jwt')).toBe('Bearer token is malformed.');
      expect(await refusal(service(), `${b64({ alg: 'HS256', kid: 'hs1' })}.e30`)).toBe('Bearer token is malformed.');
      expect(await refusal(service(), `${b64({ alg: 'HS256', kid: 'hs1' })}.e30.AAAA`)).toBe('Bearer token is invalid.');
    });

    it('requires exp', async () => {
      expect(await refusal(service(), await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', expiresIn: null }))).toBe('Bearer token is invalid.');
    });

    it('checks issuer and audience', async () => {
      expect(await refusal(service(), await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', issuer: 'https://idp.example' }))).toBe('Bearer token is invalid.');
      expect(await refusal(service(), await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', audience: 'another-service' }))).toBe('Bearer token is invalid.');
      const configured = service({ JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'registry' });
      await expect(configured.verify(await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', issuer: 'https://idp.example', audience: 'registry' }))).resolves.toMatchObject({
        role: 'court',
      });
    });

    it('allows JWT_CLOCK_SKEW_S (default 30 s) on exp and nbf, not more', async () => {
      const tokens = service();
      await expect(tokens.verify(await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', expiresIn: -10 }))).resolves.toMatchObject({ role: 'court' });
      await expect(tokens.verify(await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', notBefore: 10 }))).resolves.toMatchObject({ role: 'court' });
      expect(await refusal(tokens, await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', expiresIn: -60 }))).toBe('Bearer token has expired.');
      expect(await refusal(tokens, await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', notBefore: 60 }))).toBe('Bearer token is invalid.');
      const strict = service({ JWT_CLOCK_SKEW_S: '0' });
      expect(await refusal(strict, await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', expiresIn: -10 }))).toBe('Bearer token has expired.');
    });

    it.each([
      ['no subject', { sub: '' }, 'Bearer token has no subject.'],
      ['a subject too long to audit', { sub: 'x'.repeat(121) }, 'Bearer token subject is longer than 120 characters.'],
      ['an unknown role', { role: 'root' }, 'Bearer token has no valid role.'],
      ['a court role without a court', { court: undefined }, 'Bearer token for role court lacks its scope claim.'],
      ['a partner role without a partner', { role: 'partner', court: undefined }, 'Bearer token for role partner lacks its scope claim.'],
      ['a debtor role without an identifier', { role: 'debtor' }, 'Bearer token for role debtor lacks its scope claim.'],
    ])('refuses a token with %s', async (_name, claims, message) => {
      expect(await refusal(service(), await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed1', claims }))).toBe(message);
    });
  });

  describe('rotation without downtime (configured keys)', () => {
    const oldRsa = rsa;
    const newRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

    it('an old public key verifies while both are configured, and not once it is removed', async () => {
      const byOld = await sign(oldRsa.privateKey, { alg: 'RS256', kid: '2026-01' });
      const byNew = await sign(newRsa.privateKey, { alg: 'RS256', kid: '2026-07' });
      const both = service({ JWT_PUBLIC_KEYS: JSON.stringify({ '2026-01': pem(oldRsa.publicKey), '2026-07': pem(newRsa.publicKey) }) });
      await expect(both.verify(byOld)).resolves.toMatchObject({ role: 'court' });
      await expect(both.verify(byNew)).resolves.toMatchObject({ role: 'court' });
      const newOnly = service({ JWT_PUBLIC_KEYS: JSON.stringify({ '2026-07': pem(newRsa.publicKey) }) });
      expect(await refusal(newOnly, byOld)).toBe('Bearer token is signed with an unknown key.');
      await expect(newOnly.verify(byNew)).resolves.toMatchObject({ role: 'court' });
    });

    it('an old HS256 secret verifies while both are configured, and not once it is removed', async () => {
      const newSecret = 'the-next-hs256-secret-0123456789abcdef';
      const byOld = await sign(hs, { alg: 'HS256', kid: 'hs1' });
      const both = service({ JWT_KEYS: JSON.stringify({ hs2: newSecret, hs1: SECRET }) });
      await expect(both.verify(byOld)).resolves.toMatchObject({ role: 'court' });
      await expect(both.verify(both.issue({ sub: 'x', role: 'admin' }))).resolves.toMatchObject({ role: 'admin' });
      expect(await refusal(service({ JWT_KEYS: JSON.stringify({ hs2: newSecret }) }), byOld)).toBe('Bearer token is signed with an unknown key.');
    });
  });
});
