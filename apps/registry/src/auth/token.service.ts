import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { JwksKeySet } from './jwks-key-set';
import { ROLES, type Principal, type TokenClaims } from './principal';
import { publicKeyFromPem, secretKey, type VerificationKey } from './verification-key';

// Keys are addressed by `kid`, and several are valid at once: a new key is added, tokens are
// issued with it, and the old one is removed later — rotation without downtime. Keys come from
// JWT_KEYS (HS256 secrets), JWT_PUBLIC_KEYS (PEM) and an identity provider's JWKS; a kid
// configured locally is never looked up in the JWKS.
@Injectable()
export class TokenService {
  private readonly signer = new JwtService();
  private readonly localKeys: Map<string, VerificationKey>;
  private readonly jwks: JwksKeySet | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { keys, publicKeys, jwks } = config.auth;
    this.localKeys = new Map([
      ...Object.entries(keys).map(([kid, secret]) => [kid, secretKey(secret)] as const),
      ...Object.entries(publicKeys).map(([kid, pem]) => [kid, publicKeyFromPem(pem)] as const),
    ]);
    this.jwks = jwks ? new JwksKeySet(jwks) : undefined;
  }

  async verify(token: string): Promise<Principal> {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new AppError('UNAUTHENTICATED', 'Bearer token is malformed.');
    }
    if (typeof kid !== 'string' || !kid) throw new AppError('UNAUTHENTICATED', 'Bearer token names no key (kid).');
    const key = this.localKeys.get(kid) ?? (await this.jwks?.get(kid));
    if (!key) throw new AppError('UNAUTHENTICATED', 'Bearer token is signed with an unknown key.');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, key.key, {
        algorithms: key.algorithms,
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        clockTolerance: this.config.auth.clockSkewSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      const expired = error instanceof errors.JWTExpired;
      throw new AppError('UNAUTHENTICATED', expired ? 'Bearer token has expired.' : 'Bearer token is invalid.');
    }
    return toPrincipal(claims as JWTPayload & Partial<TokenClaims>);
  }

  /** Issues an HS256 token with a configured secret (tests and the dev-token command). */
  issue(claims: TokenClaims, options: { kid?: string; expiresInSeconds?: number } = {}): string {
    const kid = options.kid ?? Object.keys(this.config.auth.keys)[0];
    const secret = kid === undefined ? undefined : this.config.auth.keys[kid];
    if (!secret) throw new Error(`No HS256 secret${kid ? ` with kid "${kid}"` : ''} in JWT_KEYS to sign with.`);
    return this.signer.sign(claims, {
      secret,
      algorithm: 'HS256',
      keyid: kid,
      issuer: this.config.auth.issuer,
      audience: this.config.auth.audience,
      expiresIn: options.expiresInSeconds ?? 3600,
    });
  }
}

function toPrincipal(claims: Partial<TokenClaims>): Principal {
  if (typeof claims.sub !== 'string' || !claims.sub) throw new AppError('UNAUTHENTICATED', 'Bearer token has no subject.');
  // The subject is recorded as the actor of every audited act (audit_log.actor_id, 120 characters).
  if ([...claims.sub].length > 120) throw new AppError('UNAUTHENTICATED', 'Bearer token subject is longer than 120 characters.');
  const role = claims.role;
  if (!role || !ROLES.includes(role)) throw new AppError('UNAUTHENTICATED', 'Bearer token has no valid role.');
  const scope = { court: claims.court, partner: claims.partner, debtor: claims.identifier }[role as 'court' | 'partner' | 'debtor'];
  if (['court', 'partner', 'debtor'].includes(role) && (typeof scope !== 'string' || !scope)) {
    throw new AppError('UNAUTHENTICATED', `Bearer token for role ${role} lacks its scope claim.`);
  }
  return {
    role,
    subject: claims.sub,
    ...(role === 'court' ? { courtCode: claims.court } : {}),
    ...(role === 'partner' ? { partnerId: claims.partner } : {}),
    ...(role === 'debtor' ? { identifier: claims.identifier } : {}),
  };
}
