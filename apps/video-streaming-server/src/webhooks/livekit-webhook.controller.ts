import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { DomainError, DomainErrorCode } from '@app/errors';
import { LiveKitWebhookService, type WebhookOutcome } from './livekit-webhook.service';

export const WEBHOOK_CONTENT_TYPE = 'application/webhook+json';

@ApiTags('webhooks')
@Controller('v1/livekit')
export class LiveKitWebhookController {
  constructor(private readonly webhooks: LiveKitWebhookService) {}

  // The body arrives as the raw string (see the content-type parser in create-app.ts): the
  // signature covers those exact bytes, so it must not be parsed and re-serialised first.
  @Post('webhook')
  @HttpCode(200)
  @ApiConsumes(WEBHOOK_CONTENT_TYPE)
  @ApiOperation({ summary: 'LiveKit webhook receiver (R-L2): signature-verified, deduplicated by event id.' })
  @ApiOkResponse({ description: '{ status: accepted | duplicate, id, event }' })
  @ApiUnauthorizedResponse({ description: 'unsigned, forged, altered or stale' })
  receive(@Body() body: unknown, @Headers('authorization') authorization: string | undefined): Promise<WebhookOutcome> {
    if (typeof body !== 'string') {
      throw new DomainError(DomainErrorCode.ValidationFailed, `webhooks must be sent as ${WEBHOOK_CONTENT_TYPE}`);
    }
    return this.webhooks.receive(body, authorization);
  }
}
