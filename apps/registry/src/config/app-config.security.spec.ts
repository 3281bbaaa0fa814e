import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config';

// Authentication key sources and HTTP hardening settings.

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const ed = pem(generateKeyPairSync('ed25519').publicKey);
const ec = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.split('\n').slice(1).map((line) => line.replace(/^ {2}- /, ''));
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: JWT key sources', () => {
  it('defaults: the development HS256 key only, 30 s clock skew, no JWKS', () => {
    const { auth } = loadConfig({});
    expect(Object.keys(auth.keys)).toEqual(['dev']);
    expect(auth.publicKeys).toEqual({});
    expect(auth.jwks).toBeUndefined();
    expect(auth.clockSkewSeconds).toBe(30);
  });

  it('reads public keys and a JWKS URL with its timings; the development secret is then not used', () => {
    const { auth } = loadConfig({
      JWT_PUBLIC_KEYS: JSON.stringify({ 'idp-2026': ed, 'idp-ec': ec }),
      JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      JWT_JWKS_COOLDOWN_S: '10',
      JWT_JWKS_TIMEOUT_MS: '1500',
      JWT_JWKS_MAX_AGE_S: '300',
      JWT_CLOCK_SKEW_S: '5',
    });
    expect(auth.keys).toEqual({});
    expect(Object.keys(auth.publicKeys)).toEqual(['idp-2026', 'idp-ec']);
    expect(auth.jwks).toEqual({ url: 'https://idp.example/.well-known/jwks.json', cooldownMs: 10_000, timeoutMs: 1500, maxAgeMs: 300_000 });
    expect(auth.clockSkewSeconds).toBe(5);
  });

  it('starts in production with any one key source', () => {
    const rest = { NODE_ENV: 'production', IDENTIFIER_HASH_KEY: SECRET };
    for (const source of [{ JWT_KEYS: JSON.stringify({ k: SECRET }) }, { JWT_PUBLIC_KEYS: JSON.stringify({ k: ed }) }, { JWT_JWKS_URL: 'https://idp.example/jwks' }]) {
      expect(problemsOf({ ...rest, ...source })).not.toContain('JWT_KEYS, JWT_PUBLIC_KEYS or JWT_JWKS_URL is required in production');
    }
    expect(problemsOf(rest)).toContain('JWT_KEYS, JWT_PUBLIC_KEYS or JWT_JWKS_URL is required in production');
  });

  it.each([
    ['not JSON', 'nope', 'JWT_PUBLIC_KEYS must be a JSON object {"<kid>": "<SPKI PEM of an RSA (2048+ bits), EC or Ed25519 public key>"}'],
    ['an empty object', '{}', 'JWT_PUBLIC_KEYS must be a JSON object {"<kid>": "<SPKI PEM of an RSA (2048+ bits), EC or Ed25519 public key>"}'],
    ['a private key', JSON.stringify({ k: 'x-----BEGIN PRIVATE KEY-----' }), 'JWT_PUBLIC_KEYS["k"]: not a PEM public key'],
    ['a secret', JSON.stringify({ k: SECRET }), 'JWT_PUBLIC_KEYS["k"]: not a PEM public key'],
    ['a short RSA key', JSON.stringify({ k: pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey) }), 'JWT_PUBLIC_KEYS["k"]: RSA key shorter than 2048 bits'],
    ['an X25519 key', JSON.stringify({ k: pem(generateKeyPairSync('x25519').publicKey) }), 'JWT_PUBLIC_KEYS["k"]: unsupported key type x25519'],
  ])('refuses JWT_PUBLIC_KEYS with %s', (_case, value, problem) => {
    expect(problemsOf({ JWT_PUBLIC_KEYS: value })).toEqual([problem]);
  });

  it('refuses a kid that is both a secret and a public key', () => {
    expect(problemsOf({ JWT_KEYS: JSON.stringify({ shared: SECRET }), JWT_PUBLIC_KEYS: JSON.stringify({ shared: ed }) })).toEqual([
      'JWT_KEYS and JWT_PUBLIC_KEYS share key id(s) shared',
    ]);
  });

  it('refuses a JWKS URL that is not one, or plain http in production', () => {
    expect(problemsOf({ JWT_JWKS_URL: 'idp/jwks' })).toEqual(['JWT_JWKS_URL must be a URL, got "idp/jwks"']);
    expect(problemsOf({ JWT_JWKS_URL: 'ftp://idp.example/jwks' })).toEqual(['JWT_JWKS_URL must be an https URL (http only outside production)']);
    expect(problemsOf({ NODE_ENV: 'production', JWT_JWKS_URL: 'http://idp.example/jwks' })).toContain('JWT_JWKS_URL must be an https URL (http only outside production)');
    expect(loadConfig({ JWT_JWKS_URL: 'http://127.0.0.1:8080/jwks' }).auth.jwks?.url).toBe('http://127.0.0.1:8080/jwks');
  });

  it('bounds the clock skew', () => {
    expect(problemsOf({ JWT_CLOCK_SKEW_S: '3600' })).toEqual(['JWT_CLOCK_SKEW_S must be an integer between 0 and 300, got "3600"']);
  });
});

describe('loadConfig: HTTP hardening', () => {
  it('defaults: no proxy trusted, no HSTS, no CORS origin', () => {
    expect(loadConfig({}).http).toMatchObject({ trustProxy: false, hsts: false, corsOrigins: [] });
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 192.168.1.1, ::1, fd00::/8', ['10.0.0.0/8', '192.168.1.1', '::1', 'fd00::/8']],
  ])('reads HTTP_TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ HTTP_TRUST_PROXY: value }).http.trustProxy).toEqual(expected);
  });

  it.each(['yes', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1', '999'])('refuses HTTP_TRUST_PROXY=%s', (value) => {
    expect(problemsOf({ HTTP_TRUST_PROXY: value })[0]).toMatch(/^HTTP_TRUST_PROXY must be/);
  });

  it('reads CORS_ORIGINS as an exact allow-list and HTTP_HSTS', () => {
    const { http } = loadConfig({ CORS_ORIGINS: 'https://court.example, https://bank.example:8443', HTTP_HSTS: 'true' });
    expect(http.corsOrigins).toEqual(['https://court.example', 'https://bank.example:8443']);
    expect(http.hsts).toBe(true);
  });

  it.each(['*', 'https://court.example/', 'https://court.example/path', 'court.example', 'file:///etc', 'https://court.example:443'])('refuses CORS_ORIGINS=%s', (origin) => {
    expect(problemsOf({ CORS_ORIGINS: origin })).toEqual([`CORS_ORIGINS must list origins (scheme://host[:port], no path or "*"), got "${origin}"`]);
  });
});
