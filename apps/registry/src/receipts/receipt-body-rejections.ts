import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal';
import { TokenService } from '../auth/token.service';
import { ReceiptsService } from './receipts.service';

const ROUTE = '/v1/receipts';
/** Not readable (400), over the body limit (413), not JSON at all (415). */
const UNREADABLE = new Set([400, 413, 415]);

/**
 * A body POST /v1/receipts cannot take in at all — not JSON, empty, too large, another media type, or
 * refused by the request pipe — is answered 400/413/415 before the service sees it. From an authenticated partner it is also published on
 * the rejected-receipts topic (MALFORMED, keyed by the token's partner), as every receipt not accepted is.
 * Fastify parses the body before the guard runs, so the token is verified here when the guard did not.
 */
@Injectable()
export class ReceiptBodyRejections implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tokens: TokenService,
    private readonly receipts: ReceiptsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onSend', async (request, reply, payload) => {
      if (UNREADABLE.has(reply.statusCode) && request.method === 'POST' && request.routeOptions.url === ROUTE) {
        const partnerId = await this.partnerOf(request);
        if (partnerId) await this.receipts.rejectUnreadable(partnerId, request.body ?? null, detailOf(payload));
      }
      return payload;
    });
  }

  private async partnerOf(request: FastifyRequest & { principal?: Principal }): Promise<string | undefined> {
    const principal = request.principal ?? (await this.verified(request.headers.authorization));
    return principal?.role === 'partner' ? principal.partnerId : undefined;
  }

  private async verified(authorization: string | undefined): Promise<Principal | undefined> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    return match ? this.tokens.verify(match[1]).catch(() => undefined) : undefined;
  }
}

function detailOf(payload: unknown): string {
  try {
    const detail = (JSON.parse(String(payload)) as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail;
  } catch {
    // not the problem document
  }
  return 'the request body could not be read';
}
