import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * A key and the only algorithms it may verify. The algorithms follow from the key's own type,
 * never from the token's header: an HS256 token is never checked against a public key used as
 * an HMAC secret, and `none` is never among them.
 */
export interface VerificationKey {
  key: KeyObject;
  algorithms: string[];
}

const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC_ALGORITHMS: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
const MIN_RSA_BITS = 2048;

export function secretKey(secret: string): VerificationKey {
  return { key: createSecretKey(Buffer.from(secret, 'utf8')), algorithms: ['HS256'] };
}

export function publicKeyFromPem(pem: string): VerificationKey {
  const key = createPublicKey(pem);
  return { key, algorithms: asymmetricAlgorithms(key) };
}

/** A JWKS entry, or a reason why it is not used: symmetric, private, not for signatures, or an unsupported type. */
export function publicKeyFromJwk(jwk: JsonWebKey & { kid?: unknown; alg?: unknown; use?: unknown; key_ops?: unknown }): VerificationKey | string {
  if (jwk.kty === 'oct') return 'symmetric keys are never taken from a JWKS';
  if ('d' in jwk) return 'the JWKS publishes a private key';
  if (jwk.use !== undefined && jwk.use !== 'sig') return `use "${String(jwk.use)}" is not "sig"`;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return 'key_ops lacks "verify"';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch (error) {
    return `not a usable public key (${(error as Error).message})`;
  }
  const algorithms = asymmetricAlgorithms(key);
  if (jwk.alg === undefined) return algorithms.length ? { key, algorithms } : `unsupported key type ${key.asymmetricKeyType}`;
  return typeof jwk.alg === 'string' && algorithms.includes(jwk.alg) ? { key, algorithms: [jwk.alg] } : `alg "${String(jwk.alg)}" does not fit the key`;
}

function asymmetricAlgorithms(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS ? RSA_ALGORITHMS : [];
    case 'ec': {
      const algorithm = EC_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return algorithm ? [algorithm] : [];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}
