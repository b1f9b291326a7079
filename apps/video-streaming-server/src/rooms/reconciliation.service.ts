import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsRegistry } from '@app/observability';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { RoomServiceClient } from 'livekit-server-sdk';
import { Counter } from 'prom-client';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { SessionRepository, VSS_KEYS } from '../sessions/session.repository';
import { InterviewStatusReporter } from '../user-management/interview-status.reporter';

const LOCK_KEY = VSS_KEYS.reconcileLock;
// Rooms asked about per listRooms call, so one call stays small however many rooms are tracked.
const LIST_BATCH = 100;

export interface ReconcileReport {
  rooms: number;
  repaired: number;
}

// LiveKit drops webhooks under load (events queued > 5 s or beyond depth 200), so session state
// built from webhooks drifts. Periodically, one replica (a Redis lock) compares it with what
// RoomService reports and repairs it: rooms that are gone end their sessions, presence is set to
// what LiveKit sees, and rooms with no active session leave the tracked set. Every repair carries
// the time its snapshot was taken and is conditional on it, so a session (re)joined after the
// snapshot is never ended or altered by it.
@Injectable()
export class ReconciliationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconciliationService.name);
  private timer: NodeJS.Timeout | undefined;
  private readonly repairs: Counter;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly sessions: SessionRepository,
    private readonly rooms: RoomServiceClient,
    private readonly interviewStatus: InterviewStatusReporter,
    @Inject(MetricsRegistry) registry: MetricsRegistry,
  ) {
    this.repairs = new Counter({
      name: 'parley_reconciliation_repairs_total',
      help: 'Session state corrected from LiveKit RoomService',
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.liveness.reconcileIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    const token = randomUUID();
    const locked = await this.redis
      .set(LOCK_KEY, token, 'PX', this.config.liveness.reconcileIntervalMs, 'NX')
      .catch(() => null);
    if (!locked) return;
    try {
      await this.reconcileOnce();
    } catch (err) {
      this.logger.warn({ err }, 'reconciliation failed; will retry next interval');
    }
  }

  /** One pass. `snapshotAt` (ms) must not be later than the moment LiveKit is first asked. */
  async reconcileOnce(snapshotAt = Date.now()): Promise<ReconcileReport> {
    const known = await this.sessions.knownRooms();
    if (known.length === 0) return { rooms: 0, repaired: 0 };
    const live = new Set<string>();
    for (let i = 0; i < known.length; i += LIST_BATCH) {
      for (const room of await this.rooms.listRooms(known.slice(i, i + LIST_BATCH))) live.add(room.name);
    }
    let repaired = 0;
    for (const room of known) {
      if (!live.has(room)) {
        const ended = await this.sessions.endRoom(room, snapshotAt, 'room_gone');
        // LiveKit dropped the room_finished webhook: the interviews are reported all the same.
        await this.interviewStatus.reportFinishedRoom(ended, snapshotAt);
        repaired += ended.length;
        continue;
      }
      const seenAt = Math.max(snapshotAt, Date.now());
      const present = new Map(
        (await this.rooms.listParticipants(room)).map((p) => [
          p.identity,
          Number(p.joinedAtMs) || Number(p.joinedAt) * 1000 || seenAt,
        ]),
      );
      let active = 0;
      for (const session of await this.sessions.sessionsInRoom(room)) {
        if (session.status !== 'active') continue;
        active++;
        const joinedAt = present.get(session.identity);
        let applied = false;
        if (joinedAt !== undefined && session.livekit !== 'joined') {
          applied = await this.sessions.setLiveKitPresence(room, session.identity, 'joined', seenAt, joinedAt);
        } else if (joinedAt === undefined && session.livekit === 'joined') {
          applied = await this.sessions.setLiveKitPresence(room, session.identity, 'left', seenAt);
        }
        if (applied) repaired++;
      }
      if (active === 0) await this.sessions.tidyRoom(room);
    }
    this.repairs.inc(repaired);
    return { rooms: known.length, repaired };
  }
}
