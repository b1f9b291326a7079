import { Inject, Injectable } from '@nestjs/common';
import type { HeartbeatResponse, TelemetryClaims, TelemetryEvent, TimelineResponse } from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { SessionRepository } from './session.repository';

@Injectable()
export class SessionsService {
  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly sessions: SessionRepository,
  ) {}

  /** R-H1: refreshes liveness; an ended or reaped session must rejoin with a new token instead. */
  async heartbeat(claims: TelemetryClaims): Promise<HeartbeatResponse> {
    const result = await this.sessions.heartbeat(
      { room: claims.room, identity: claims.sub, role: claims.role, org: claims.org },
      Date.now(),
    );
    if (result === 'ended') {
      throw new DomainError(DomainErrorCode.Gone, 'this session has ended; rejoin the room to start a new one');
    }
    return { status: 'alive', nextHeartbeatInMs: this.config.liveness.heartbeatIntervalMs };
  }

  /** R-R5: appends client events to the session's capped timeline. */
  async record(claims: TelemetryClaims, events: TelemetryEvent[]): Promise<{ accepted: number }> {
    await this.sessions.appendTimeline(claims.room, claims.sub, events, Date.now());
    return { accepted: events.length };
  }

  async timeline(claims: TelemetryClaims, limit: number): Promise<TimelineResponse> {
    return {
      room: claims.room,
      identity: claims.sub,
      entries: await this.sessions.timeline(claims.room, claims.sub, limit),
    };
  }
}
