import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ConventionalRoomName } from '@app/contracts';
import { ParticipantInfo_State } from '@livekit/protocol';
import { RoomServiceClient } from 'livekit-server-sdk';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { OBSERVER_SECRET_HEADER, ObserverSecretGuard } from '../auth/observer-secret.guard';
import { SessionRepository } from '../sessions/session.repository';
import { callLiveKit } from './livekit-call';

class RoomParamsDto extends createZodDto(z.strictObject({ room: ConventionalRoomName })) {}

@ApiTags('rooms')
@UseGuards(ObserverSecretGuard)
@ApiHeader({ name: OBSERVER_SECRET_HEADER, required: true })
@Controller('v1/rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomServiceClient,
    private readonly sessions: SessionRepository,
  ) {}

  @Get(':room/participants')
  @ApiOperation({ summary: 'Who LiveKit sees in the room, next to our session state (for operators).' })
  @ApiServiceUnavailableResponse({ description: 'LiveKit is unreachable (R-L3).' })
  async participants(@Param() params: RoomParamsDto) {
    const [participants, sessions] = await Promise.all([
      callLiveKit('the room’s participant list', () => this.rooms.listParticipants(params.room)),
      this.sessions.sessionsInRoom(params.room),
    ]);
    return {
      room: params.room,
      participants: participants.map((p) => ({
        identity: p.identity,
        state: ParticipantInfo_State[p.state],
        joinedAt: Number(p.joinedAt),
      })),
      sessions,
    };
  }
}
