import { Body, Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createZodDto } from 'nestjs-zod';
import { CurrentMediaClient, MediaClientGuard, type MediaClient } from '../auth/media-client.guard';
import { SpeechRequest, TTS_HEADERS } from './speech.contract';
import { SpeechService } from './speech.service';

class SpeechRequestDto extends createZodDto(SpeechRequest) {}

// R-A1: speech for a media client (session ticket or telemetry JWT), streamed as MP3 from the
// provider's first bytes on. The rules are in SpeechService; errors leave through the global filter.
@ApiTags('speech')
@ApiBearerAuth()
@UseGuards(MediaClientGuard)
@Controller('v1/speech')
export class SpeechController {
  constructor(private readonly speech: SpeechService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Speaks the text (1-1,000 characters) with an allow-listed voice, as audio/mpeg streamed while it is made. ' +
      'Identical requests come from a cache. 503 with reason vendor_unavailable (and x-parley-fallback: captions) ' +
      'when the vendor fails or its circuit is open.',
  })
  @ApiProduces('audio/mpeg')
  @ApiResponse({ status: 200, description: 'MP3 audio, chunked' })
  async speak(
    @CurrentMediaClient() _client: MediaClient,
    @Body() body: SpeechRequestDto,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    // The client leaving (or the answer ending) stops the provider's work.
    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort());
    // A refusal's fallback hint (`captions`) leaves through libs/http's filter, body and header.
    const answer = await this.speech.speak(body, gone.signal);
    return reply
      .header('content-type', 'audio/mpeg')
      .header('cache-control', 'no-store')
      .header(TTS_HEADERS.provider, answer.provider)
      .header(TTS_HEADERS.cache, answer.cache)
      .send(answer.body);
  }
}
