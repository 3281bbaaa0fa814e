import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { ROLES, type Principal, type TokenClaims } from './principal';

// HS256 keys addressed by `kid`, so a new key can be added, tokens issued with
// it, and the old one removed later without downtime.
@Injectable()
export class TokenService {
  private readonly jwt = new JwtService();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  verify(token: string): Principal {
    const header = this.jwt.decode<{ header?: { kid?: string; alg?: string } } | null>(token, { complete: true })?.header;
    const secret = header?.kid ? this.config.auth.keys[header.kid] : undefined;
    if (!secret) throw new AppError('UNAUTHENTICATED', 'Bearer token is malformed or signed with an unknown key.');
    let claims: TokenClaims;
    try {
      claims = this.jwt.verify<TokenClaims & object>(token, {
        secret,
        algorithms: ['HS256'],
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
      });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new AppError('UNAUTHENTICATED', expired ? 'Bearer token has expired.' : 'Bearer token is invalid.');
    }
    return toPrincipal(claims);
  }

  issue(claims: TokenClaims, options: { kid?: string; expiresInSeconds?: number } = {}): string {
    const kid = options.kid ?? Object.keys(this.config.auth.keys)[0];
    return this.jwt.sign(claims, {
      secret: this.config.auth.keys[kid],
      algorithm: 'HS256',
      keyid: kid,
      issuer: this.config.auth.issuer,
      audience: this.config.auth.audience,
      expiresIn: options.expiresInSeconds ?? 3600,
    });
  }
}

function toPrincipal(claims: TokenClaims): Principal {
  if (typeof claims.sub !== 'string' || !claims.sub) throw new AppError('UNAUTHENTICATED', 'Bearer token has no subject.');
  if (!ROLES.includes(claims.role)) throw new AppError('UNAUTHENTICATED', 'Bearer token has no valid role.');
  const scope = { court: claims.court, partner: claims.partner, debtor: claims.identifier }[claims.role as 'court' | 'partner' | 'debtor'];
  if (['court', 'partner', 'debtor'].includes(claims.role) && (typeof scope !== 'string' || !scope)) {
    throw new AppError('UNAUTHENTICATED', `Bearer token for role ${claims.role} lacks its scope claim.`);
  }
  return {
    role: claims.role,
    subject: claims.sub,
    ...(claims.role === 'court' ? { courtCode: claims.court } : {}),
    ...(claims.role === 'partner' ? { partnerId: claims.partner } : {}),
    ...(claims.role === 'debtor' ? { identifier: claims.identifier } : {}),
  };
}
