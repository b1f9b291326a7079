import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { findIllFormedText } from '@app/contracts';
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
    rejectIllFormedText(body);
    return this.webhooks.receive(body, authorization);
  }
}

/**
 * The raw body skips the global pipe's well-formed-text check, and JSON's "\ud800" only becomes a
 * lone surrogate once parsed: a room name or identity holding one would fail every write
 * downstream on every redelivery. Refused here, naming the field, before any processing. A body
 * that is not JSON is left to the signature check, which refuses it.
 */
function rejectIllFormedText(rawBody: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return;
  }
  const problems = findIllFormedText(parsed);
  if (problems.length > 0) {
    const described = problems.map((p) => `${p.path.join('.') || '(body)'}: ${p.message}`).join('; ');
    throw new DomainError(DomainErrorCode.ValidationFailed, `Invalid webhook: ${described}`.slice(0, 1_000));
  }
}
