import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PagesService, type StaticFile } from './pages.service';

// The pages hold no data: the HTML and its scripts are public, and every figure they show
// comes from the authenticated API, called by the page with the bearer token the user gave it.
// No inline script or style anywhere, so the policy below needs no 'unsafe-inline'. With single
// sign-on the page posts the authorisation code to the identity provider's token endpoint, so that
// one origin joins connect-src; the sign-in redirect is a navigation, which CSP does not restrict.
export function pageCsp(tokenUrl?: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    tokenUrl ? `connect-src 'self' ${new URL(tokenUrl).origin}` : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy without single sign-on. */
export const PAGE_CSP = pageCsp();

@ApiExcludeController()
@Public()
@Controller({ path: 'pages' })
export class PagesController {
  private readonly pageHeaders: Record<string, string>;

  constructor(
    private readonly pages: PagesService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.pageHeaders = {
      'content-security-policy': pageCsp(config.pages.oidc?.tokenUrl),
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'cross-origin-opener-policy': 'same-origin',
    };
  }

  @Get('debtor')
  debtor(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): FastifyReply {
    return send(reply, this.pages.page('debtor'), ifNoneMatch, this.pageHeaders);
  }

  @Get('supervision')
  supervision(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): FastifyReply {
    return send(reply, this.pages.page('supervision'), ifNoneMatch, this.pageHeaders);
  }

  /** What the pages' scripts need to sign in: the single sign-on settings, or `sso: null` (tokens are pasted). */
  @Get('config.json')
  config(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): FastifyReply {
    return send(reply, this.pages.config(), ifNoneMatch, { 'x-content-type-options': 'nosniff' });
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): FastifyReply {
    return send(reply, this.pages.asset(name), ifNoneMatch, { 'x-content-type-options': 'nosniff' });
  }
}

/** Revalidated on every load (no-cache + ETag), so a deployment is seen at once and an unchanged file costs a 304. */
function send(reply: FastifyReply, file: StaticFile, ifNoneMatch: string | undefined, headers: Record<string, string>): FastifyReply {
  void reply.headers({ ...headers, 'cache-control': 'no-cache', etag: file.etag });
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === file.etag)) return reply.code(304).send();
  return reply.type(file.contentType).send(file.body);
}
