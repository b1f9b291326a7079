import type { RoomContext } from '@app/contracts';
import { UserManagementUnavailable, type UserManagementClient } from './user-management.client';

/** What user-management says of a room, as the request function needs it. */
export type RoomContextLookup =
  { outcome: 'found'; context: RoomContext } | { outcome: 'unknown' } | { outcome: 'unreachable'; reason: string };

// R-G1: the org's auto-join flag lives in user-management (GET /internal/v1/rooms/:room). Answers
// are cached briefly: a room's dispatch, a reconnecting job and a burst of new rooms of one org
// need one call, not one each. "Unreachable" is never cached, so the next dispatch asks again.
export class RoomContextSource {
  private readonly cache = new Map<string, { lookup: RoomContextLookup; until: number }>();

  constructor(
    private readonly client: UserManagementClient,
    private readonly cacheMs: number,
  ) {}

  async lookup(room: string, now = Date.now()): Promise<RoomContextLookup> {
    const cached = this.cache.get(room);
    if (cached && cached.until > now) return cached.lookup;
    const lookup = await this.fetch(room);
    if (lookup.outcome !== 'unreachable') {
      this.cache.set(room, { lookup, until: now + this.cacheMs });
      // Bounded: expired answers go as new ones come in.
      if (this.cache.size > 1_000) {
        for (const [key, entry] of this.cache) if (entry.until <= now) this.cache.delete(key);
      }
    }
    return lookup;
  }

  private async fetch(room: string): Promise<RoomContextLookup> {
    try {
      const answer = await this.client.roomContext(room);
      if (answer.outcome === 'ok') return { outcome: 'found', context: answer.value };
      if (answer.outcome === 'not_found') return { outcome: 'unknown' };
      return { outcome: 'unreachable', reason: `user-management refused the lookup (${answer.status})` };
    } catch (err) {
      if (err instanceof UserManagementUnavailable) return { outcome: 'unreachable', reason: err.message };
      throw err;
    }
  }
}
