import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { PagesService, type StaticFile } from './pages.service';

// The pages hold no data: the HTML and its scripts are public, and every figure they show
// comes from the authenticated API, called by the page with the bearer token the user gave it.
// No inline script or style anywhere, so the policy below needs no 'unsafe-inline'.
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': PAGE_CSP,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
};

@ApiExcludeController()
@Public()
@Controller({ path: 'pages' })
export class PagesController {
  constructor(private readonly pages: PagesService) {}

  @Get('debtor')
  debtor(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): FastifyReply {
    return send(reply, this.pages.page('debtor'), ifNoneMatch, PAGE_HEADERS);
  }

  @Get('supervision')
  supervision(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): FastifyReply {
    return send(reply, this.pages.page('supervision'), ifNoneMatch, PAGE_HEADERS);
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
