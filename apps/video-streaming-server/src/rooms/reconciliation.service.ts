import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsRegistry } from '@app/observability';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { RoomServiceClient } from 'livekit-server-sdk';
import { Counter } from 'prom-client';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { SessionRepository } from '../sessions/session.repository';

const LOCK_KEY = 'vss:reconcile:lock';

export interface ReconcileReport {
  rooms: number;
  repaired: number;
}

// LiveKit drops webhooks under load (events queued > 5 s or beyond depth 200), so session state
// built from webhooks drifts. Periodically, one replica (a Redis lock) compares it with what
// RoomService reports and repairs it: rooms that are gone end their sessions, presence is set to
// what LiveKit sees.
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

  async reconcileOnce(now = Date.now()): Promise<ReconcileReport> {
    const known = await this.sessions.knownRooms();
    if (known.length === 0) return { rooms: 0, repaired: 0 };
    const live = new Set((await this.rooms.listRooms(known)).map((room) => room.name));
    let repaired = 0;
    for (const room of known) {
      if (!live.has(room)) {
        repaired += await this.sessions.endRoom(room, now, 'room_gone');
        continue;
      }
      const present = new Set((await this.rooms.listParticipants(room)).map((p) => p.identity));
      for (const session of await this.sessions.sessionsInRoom(room)) {
        if (session.status !== 'active') continue;
        const inRoom = present.has(session.identity);
        if (inRoom && session.livekit !== 'joined') {
          await this.sessions.setLiveKitPresence(room, session.identity, 'joined', now);
          repaired++;
        } else if (!inRoom && session.livekit === 'joined') {
          await this.sessions.setLiveKitPresence(room, session.identity, 'left', now);
          repaired++;
        }
      }
    }
    this.repairs.inc(repaired);
    return { rooms: known.length, repaired };
  }
}
