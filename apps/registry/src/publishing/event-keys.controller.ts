import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { ApiProblem } from '../common/problem.dto';
import { RateLimited, TOO_MANY } from '../inquiry/rate-limit';
import { EventSigner, type PublicEventKey } from './event-signer';

@ApiTags('public')
@Public()
@RateLimited('public')
@Controller({ path: 'public/event-keys', version: '1' })
export class EventKeysController {
  constructor(private readonly signer: EventSigner) {}

  @Get()
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: "The service's Ed25519 event-signing public keys, by key id (retired keys stay listed)" })
  @ApiOkResponse({ description: 'The public keys (SPKI PEM), active and retired' })
  @ApiProblem(429, TOO_MANY)
  keys(): { keys: PublicEventKey[] } {
    return { keys: this.signer.publicKeys };
  }
}
