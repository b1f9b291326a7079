import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { ConsentRequest, InviteDetailsResponse, InviteRequest, RedeemedInviteResponse } from './interview.schemas';
import { InvitesService, type CandidateContext } from './invites.service';

class InviteRequestDto extends createZodDto(InviteRequest) {}
class ConsentRequestDto extends createZodDto(ConsentRequest) {}
class InviteDetailsResponseDto extends createZodDto(InviteDetailsResponse) {}
class RedeemedInviteResponseDto extends createZodDto(RedeemedInviteResponse) {}
class ConsentResponseDto extends createZodDto(
  z.object({
    interviewId: z.uuid(),
    consent: z.enum(['given', 'declined']),
    consentAt: z.iso.datetime(),
    recordingPolicy: z.string(),
  }),
) {}

const contextOf = (request: FastifyRequest): CandidateContext => ({
  ip: request.ip,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
});

// Candidates have no account: the invite code (in the body, never the URL) is their credential.
@ApiTags('invites (candidates)')
@ApiNotFoundResponse({ description: 'unknown invite or wrong code (the same answer for both)' })
@Controller('v1/invites')
export class InvitesController {
  constructor(private readonly invites: InvitesService) {}

  @Post('inspect')
  @HttpCode(200)
  @ApiOperation({
    summary: 'What the invite is for: organization, job, time budget, recording policy, consent so far.',
  })
  @ApiOkResponse({ type: InviteDetailsResponseDto })
  inspect(@Body() body: InviteRequestDto) {
    return this.invites.inspect(body.invite);
  }

  @Post('consent')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record the candidate’s recording consent or refusal (R-R1).' })
  @ApiOkResponse({ type: ConsentResponseDto })
  @ApiConflictResponse({ description: 'the job posting never records' })
  @ApiGoneResponse({ description: 'the interview is completed, abandoned or the invite expired' })
  consent(@Body() body: ConsentRequestDto, @Req() request: FastifyRequest) {
    return this.invites.recordConsent(body.invite, body.choice, contextOf(request));
  }

  @Post('redeem')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A session ticket for the interview room (R-T1); again for reconnects while the interview is open.',
  })
  @ApiOkResponse({ type: RedeemedInviteResponseDto })
  @ApiConflictResponse({ description: 'recording is mandatory and consent was not given' })
  @ApiGoneResponse({ description: 'the interview is completed, abandoned or the invite expired' })
  redeem(@Body() body: InviteRequestDto, @Req() request: FastifyRequest) {
    return this.invites.redeem(body.invite, contextOf(request));
  }
}
