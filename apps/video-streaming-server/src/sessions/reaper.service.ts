import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsRegistry } from '@app/observability';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { RoomServiceClient, ServerError } from 'livekit-server-sdk';
import { Counter } from 'prom-client';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { RecordingStopper } from './recording-stopper';
import { InterviewStatusReporter } from '../user-management/interview-status.reporter';
import { parseMember, SessionRepository, VSS_KEYS } from './session.repository';

const HOLD_KEY = VSS_KEYS.reaperHoldUntil;
const RUN_ID_KEY = VSS_KEYS.reaperRedisRunId;
// With this many tracked sessions, "nobody heartbeated within the grace period" is an outage on
// our side (ingestion or Redis), not all candidates leaving at once.
const MASS_REAP_FLOOR = 10;

export type ReaperRun = { held: string } | { reaped: number; claimed: number; revived: number; failed: number };

// R-H2. A session whose last heartbeat is older than the grace period is a zombie: it is claimed
// atomically (Lua, so several replicas never double-clean), then, right before any side effect,
// re-checked and marked abandoned in one atomic step (SessionRepository.abandon), so a heartbeat
// arriving from then on is refused (410) instead of landing between the check and the removal.
// Only then is it removed from the LiveKit room, its recording stopped, its interview reported to
// user-management, and the end noted on its timeline, once. A failed side effect leaves the
// member in the pending set and a later pass resumes it. Claimed zombies are cleaned up by a
// small worker pool (REAPER_CONCURRENCY), batch after batch until none is left, so a mass
// disconnect is reaped in one pass. Cost is O(log N + expired).
// Reaping is held after any sign that heartbeats could not be recorded: a Redis restart (its
// run_id changed), a lost connection seen by this replica, or no fresh heartbeat at all.
@Injectable()
export class ReaperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReaperService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReaperRun> | undefined;
  private connectionLost = false;
  private readonly reaped: Counter;
  private readonly held: Counter;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly sessions: SessionRepository,
    private readonly rooms: RoomServiceClient,
    private readonly recordings: RecordingStopper,
    private readonly interviews: InterviewStatusReporter,
    @Inject(MetricsRegistry) registry: MetricsRegistry,
  ) {
    this.reaped = new Counter({
      name: 'parley_reaper_sessions_reaped_total',
      help: 'Zombie sessions cleaned up',
      registers: [registry],
    });
    this.held = new Counter({
      name: 'parley_reaper_runs_held_total',
      help: 'Reaper runs skipped to avoid false reaps',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.redis.on('close', () => (this.connectionLost = true));
    this.redis.on('ready', () => {
      if (this.connectionLost)
        void this.holdFor(this.config.liveness.graceMs, 'redis connection restored').catch(() => undefined);
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.liveness.reaperIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    try {
      await this.runOnce();
    } catch (err) {
      this.logger.warn({ err }, 'reaper run failed');
    }
  }

  /** One reaper pass; exposed for tests and benchmarks. Never runs twice at once in one process. */
  runOnce(now = Date.now()): Promise<ReaperRun> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: number): Promise<ReaperRun> {
    const hold = await this.holdReason(now);
    if (hold) {
      this.held.inc({ reason: hold });
      return { held: hold };
    }
    const { graceMs, reaperBatchSize, reaperConcurrency } = this.config.liveness;
    let claimed = 0;
    let reaped = 0;
    let revived = 0;
    let failed = 0;
    // Batch after batch until the expired set is empty; a member that failed stays pending and is
    // only claimed again after a grace period, so this loop ends.
    for (;;) {
      const batch = await this.sessions.claimExpired(now - graceMs, reaperBatchSize, now, now - graceMs);
      claimed += batch.length;
      const outcome = await this.cleanUp(batch, now, reaperConcurrency);
      reaped += outcome.reaped;
      revived += outcome.revived;
      failed += outcome.failed;
      if (batch.length < reaperBatchSize) break;
    }
    this.reaped.inc(reaped);
    if (reaped > 0) this.logger.log({ reaped, claimed }, 'reaped zombie sessions');
    return { reaped, claimed, revived, failed };
  }

  private async cleanUp(
    batch: string[],
    now: number,
    concurrency: number,
  ): Promise<{ reaped: number; revived: number; failed: number }> {
    // Claim for action, in one atomic step per member: from here a heartbeat gets 410, so nobody
    // is kicked while still alive (see ABANDON in SessionRepository).
    const claims = await this.sessions.abandon(batch, now, 'heartbeat_timeout');
    const toClean: Array<{ member: string; role: string | undefined; endedAt: number }> = [];
    let revived = 0;
    claims.forEach((claim, i) => {
      if (claim.outcome === 'alive') revived++;
      // 'resume': abandoned by an earlier pass whose side effects failed; they are repeated.
      if (claim.outcome === 'abandoned' || claim.outcome === 'resume')
        toClean.push({ member: batch[i], role: claim.role, endedAt: claim.endedAt });
    });
    // Side effects, each idempotent, a bounded number at a time.
    const done: typeof toClean = [];
    let failed = 0;
    await forEachConcurrently(toClean, concurrency, async (zombie) => {
      const { room, identity } = parseMember(zombie.member);
      try {
        await this.removeFromRoom(room, identity);
        await this.recordings.stopForAbandonedSession(room, identity);
        done.push(zombie);
      } catch (err) {
        failed++;
        // Left in the pending set: the next pass after the grace period resumes it.
        this.logger.warn({ err, member: zombie.member }, 'zombie cleanup failed; will retry');
      }
    });
    try {
      await this.interviews.reportEndedSessions(
        done.map(({ member, role, endedAt }) => ({ session: { room: parseMember(member).room, role }, endedAt })),
      );
      await this.sessions.finishClaim(
        done.map((zombie) => zombie.member),
        now,
        `session abandoned: no heartbeat for ${Math.round(this.config.liveness.graceMs / 1000)} s; removed from the room`,
      );
    } catch (err) {
      this.logger.warn({ err, members: done.length }, 'zombie cleanup could not be finished; will retry');
      return { reaped: 0, revived, failed: failed + done.length };
    }
    // A resumed cleanup completes a reap whose first attempt failed (and was not counted then).
    return { reaped: done.length, revived, failed };
  }

  private async removeFromRoom(room: string, identity: string): Promise<void> {
    try {
      await this.rooms.removeParticipant(room, identity);
    } catch (err) {
      // Already gone (left, or the room closed) is the outcome we wanted.
      if (err instanceof ServerError && (err.status === 404 || err.code === 'not_found')) return;
      throw err;
    }
  }

  private async holdReason(now: number): Promise<string | undefined> {
    const runId = /run_id:(\w+)/.exec(await this.redis.info('server'))?.[1];
    const knownRunId = await this.redis.get(RUN_ID_KEY);
    if (runId && runId !== knownRunId) {
      // A different Redis process than last time (restart, failover): heartbeats sent while it was
      // down were lost, so give every client one grace period to be heard again.
      await this.redis.set(RUN_ID_KEY, runId);
      await this.holdFor(this.config.liveness.graceMs, 'redis restarted');
    }
    const holdUntil = Number((await this.redis.get(HOLD_KEY)) ?? 0);
    if (holdUntil > now) return 'recovering';
    const { newest, count } = await this.sessions.livenessSummary();
    if (newest !== undefined && count >= MASS_REAP_FLOOR && newest < now - this.config.liveness.graceMs)
      return 'no_fresh_heartbeats';
    return undefined;
  }

  private async holdFor(ms: number, why: string): Promise<void> {
    const until = Date.now() + ms;
    // Only ever extend a hold (another replica may have set a later one).
    await this.redis.eval(
      "local cur = tonumber(redis.call('GET', KEYS[1]) or '0') if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end return 1",
      1,
      HOLD_KEY,
      until,
      ms,
    );
    this.connectionLost = false;
    this.logger.warn({ holdMs: ms, why }, 'reaper on hold');
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight; resolves when all have settled. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
