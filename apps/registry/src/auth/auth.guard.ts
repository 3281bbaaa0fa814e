import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../common/app-error';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import type { Principal, Role } from './principal';
import { TokenService } from './token.service';

/** Global guard: authenticated by default, authorised by the handler's @Roles. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new AppError('UNAUTHENTICATED', 'A bearer token is required (Authorization: Bearer <jwt>).');
    const principal = await this.tokens.verify(match[1]);
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || !roles.includes(principal.role)) {
      throw new AppError('FORBIDDEN', `Role ${principal.role} may not call this endpoint.`);
    }
    return true;
  }
}
