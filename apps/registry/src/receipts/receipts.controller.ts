import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/problem.dto';
import { ReceiptDto } from './receipts.dto';
import { ReceiptsService } from './receipts.service';

@ApiTags('partners')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Roles('partner')
@Controller({ path: 'receipts', version: '1' })
export class ReceiptsController {
  constructor(private readonly receipts: ReceiptsService) {}

  // The body is checked by the service, not the pipe: REST and Kafka receipts get exactly the same checks and rejections.
  @Post()
  @HttpCode(202)
  @ApiBody({ type: ReceiptDto })
  @ApiOperation({ summary: 'Submit a signed receipt (REST alternative to the receipts topic)' })
  @ApiAcceptedResponse({ description: 'ACCEPTED, or DUPLICATE for a receipt already recorded' })
  @ApiProblems(422)
  submit(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ status: 'ACCEPTED' | 'DUPLICATE' }> {
    return this.receipts.submit(body, principal.partnerId!);
  }
}
