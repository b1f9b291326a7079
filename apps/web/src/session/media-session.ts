import { mediaUrl } from '../config';
import { ApiError, requestJson } from '../http';

interface TelemetryToken {
  token: string;
  expiresAt: string;
  renewInMs: number;
  heartbeatIntervalMs: number;
  graceMs: number;
}

export interface TelemetryEvent {
  type: 'log' | 'presence' | 'marker';
  level?: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, string | number | boolean | null>;
}

export interface MediaSessionHandlers {
  /** The media plane ended the session (410: ended or reaped); the page should leave. */
  onEnded?: () => void;
}

const MAX_QUEUED = 200;
const FLUSH_MS = 2_000;

/**
 * The page's liveness with the media plane (R-H1, R-T3, R-R5): a telemetry JWT from the LiveKit
 * token, heartbeats on the interval the server asks for, the JWT renewed before it expires, and
 * client events (errors, presence, markers) sent in batches. A failed heartbeat is retried on the
 * next tick: the grace period is at least two intervals, so one lost beat never reaps a session.
 */
export class MediaSession {
  private current: TelemetryToken | null = null;
  private queue: Array<TelemetryEvent & { at: string }> = [];
  private timers: Array<ReturnType<typeof setTimeout>> = [];
  private stopped = false;

  private constructor(private readonly handlers: MediaSessionHandlers) {}

  static async open(livekitToken: string, handlers: MediaSessionHandlers = {}): Promise<MediaSession> {
    const session = new MediaSession(handlers);
    session.current = await requestJson<TelemetryToken>(await mediaUrl('/v1/tokens/telemetry'), {
      body: { livekitToken },
    });
    session.scheduleHeartbeat(0);
    session.scheduleRenewal();
    session.timers.push(setInterval(() => void session.flush(), FLUSH_MS));
    return session;
  }

  /** The telemetry JWT for media-plane calls (recording state, avatar sessions). */
  get token(): string | null {
    return this.current?.token ?? null;
  }

  /** Queues an event; sent within a couple of seconds, oldest dropped if the plane is unreachable. */
  event(event: TelemetryEvent): void {
    if (this.stopped) return;
    this.queue.push({ ...event, message: event.message.slice(0, 2_000), at: new Date().toISOString() });
    if (this.queue.length > MAX_QUEUED) this.queue.splice(0, this.queue.length - MAX_QUEUED);
  }

  /** Sends what is queued and stops heartbeating (the session then ends by LiveKit's webhook). */
  async close(): Promise<void> {
    if (this.stopped) return;
    await this.flush();
    this.stop();
  }

  private stop() {
    this.stopped = true;
    this.timers.forEach((t) => clearTimeout(t));
    this.timers = [];
  }

  private scheduleHeartbeat(delayMs: number) {
    if (this.stopped) return;
    this.timers.push(
      setTimeout(() => {
        void this.beat().then((next) => this.scheduleHeartbeat(next));
      }, delayMs),
    );
  }

  private async beat(): Promise<number> {
    const interval = this.current?.heartbeatIntervalMs ?? 5_000;
    try {
      const answer = await requestJson<{ nextHeartbeatInMs: number }>(
        await mediaUrl('/v1/sessions/current/heartbeat'),
        { method: 'POST', token: this.token ?? undefined },
      );
      return answer.nextHeartbeatInMs;
    } catch (err) {
      if (err instanceof ApiError && err.status === 410) this.end();
      return interval;
    }
  }

  private scheduleRenewal() {
    if (this.stopped || !this.current) return;
    this.timers.push(
      setTimeout(() => {
        void this.renew();
      }, this.current.renewInMs),
    );
  }

  private async renew() {
    try {
      this.current = await requestJson<TelemetryToken>(await mediaUrl('/v1/tokens/telemetry/renew'), {
        method: 'POST',
        token: this.token ?? undefined,
      });
      this.scheduleRenewal();
    } catch (err) {
      if (err instanceof ApiError && err.status === 410) return this.end();
      // Unreachable for now: try again soon, well before the token's expiry.
      this.timers.push(setTimeout(() => void this.renew(), 5_000));
    }
  }

  private async flush() {
    if (this.queue.length === 0 || !this.token) return;
    const batch = this.queue.splice(0, 50);
    try {
      await requestJson(await mediaUrl('/v1/sessions/current/events'), {
        body: { events: batch },
        token: this.token,
      });
    } catch (err) {
      // Kept for the next flush unless the plane refused them as such (4xx other than 429).
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
        if (err.status === 410) this.end();
        return;
      }
      this.queue.unshift(...batch);
    }
  }

  private end() {
    if (this.stopped) return;
    this.stop();
    this.handlers.onEnded?.();
  }
}
