import { RoomContext } from '@app/contracts';
import { signServiceToken, type ServiceKey } from '@app/service-auth';

/** What user-management says of a room, as the request function needs it. */
export type RoomContextLookup =
  { outcome: 'found'; context: RoomContext } | { outcome: 'unknown' } | { outcome: 'unreachable'; reason: string };

export interface RoomContextSourceOptions {
  userManagementUrl: string;
  serviceKey: ServiceKey;
  /** How long an answer is reused: dispatch must be fast, and a flag change may take this long. */
  cacheMs: number;
  timeoutMs: number;
}

// R-G1: the org's auto-join flag lives in user-management (GET /internal/v1/rooms/:room, the
// agent's own service key). Answers are cached briefly: a room's dispatch, a reconnecting job and
// a burst of new rooms of one org need one call, not one each. "Unreachable" is never cached, so
// the next dispatch asks again.
export class RoomContextSource {
  private readonly cache = new Map<string, { lookup: RoomContextLookup; until: number }>();

  constructor(private readonly options: RoomContextSourceOptions) {}

  async lookup(room: string, now = Date.now()): Promise<RoomContextLookup> {
    const cached = this.cache.get(room);
    if (cached && cached.until > now) return cached.lookup;
    const lookup = await this.fetch(room);
    if (lookup.outcome !== 'unreachable') {
      this.cache.set(room, { lookup, until: now + this.options.cacheMs });
      // Bounded: expired answers go as new ones come in.
      if (this.cache.size > 1_000) {
        for (const [key, entry] of this.cache) if (entry.until <= now) this.cache.delete(key);
      }
    }
    return lookup;
  }

  private async fetch(room: string): Promise<RoomContextLookup> {
    const { userManagementUrl, serviceKey, timeoutMs } = this.options;
    let response: Response;
    try {
      const token = await signServiceToken(serviceKey, 'interviewer-agent');
      response = await fetch(`${userManagementUrl}/internal/v1/rooms/${encodeURIComponent(room)}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return { outcome: 'unreachable', reason: (err as Error).message };
    }
    if (response.status === 404) return { outcome: 'unknown' };
    if (!response.ok) return { outcome: 'unreachable', reason: `user-management answered ${response.status}` };
    const parsed = RoomContext.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      return { outcome: 'unreachable', reason: 'user-management sent a room context we cannot read' };
    return { outcome: 'found', context: parsed.data };
  }
}
