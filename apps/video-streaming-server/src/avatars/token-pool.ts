import type { AvatarSessionGrant } from './avatar-provider';

export interface TokenPoolOptions {
  /** Fresh tokens to keep ready. */
  target: number;
  /** Never hand out a token with less than this left. */
  marginMs: number;
  /** A token with less than margin + this left is no longer fresh: a replacement is minted. */
  refreshAheadMs: number;
  now?: () => number;
}

/**
 * R-A2: the ready tokens of one vendor. Each token is handed out once (vendors' session tokens are
 * single-use), the one closest to its expiry first, and never within the safety margin of it.
 * Tokens nearing expiry stop counting as fresh, so the lane mints replacements while they are
 * still usable; the pool never holds more than twice its target.
 */
export class TokenPool {
  private readonly tokens: AvatarSessionGrant[] = []; // sorted by expiresAt, soonest first
  private readonly now: () => number;

  constructor(private readonly options: TokenPoolOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The soonest-expiring token still outside the margin, or undefined. */
  take(): AvatarSessionGrant | undefined {
    this.prune();
    return this.tokens.shift();
  }

  /** Adds a freshly minted token; false when it was too close to expiry to keep. */
  put(grant: AvatarSessionGrant): boolean {
    if (grant.expiresAt - this.now() < this.options.marginMs) return false;
    const at = this.tokens.findIndex((t) => t.expiresAt > grant.expiresAt);
    this.tokens.splice(at < 0 ? this.tokens.length : at, 0, grant);
    while (this.tokens.length > Math.max(1, this.options.target * 2)) this.tokens.shift();
    return true;
  }

  /** Drops the tokens within the margin; returns how many. */
  prune(): number {
    const limit = this.now() + this.options.marginMs;
    let dropped = 0;
    while (this.tokens.length > 0 && this.tokens[0].expiresAt < limit) {
      this.tokens.shift();
      dropped++;
    }
    return dropped;
  }

  /** Tokens that will stay outside the margin for at least refresh-ahead. */
  fresh(): number {
    const limit = this.now() + this.options.marginMs + this.options.refreshAheadMs;
    return this.tokens.filter((t) => t.expiresAt >= limit).length;
  }

  /** How many mints would bring the fresh tokens (with `pending` mints on their way) to target. */
  deficit(pending: number): number {
    this.prune();
    return Math.max(0, this.options.target - this.fresh() - pending);
  }

  clear(): void {
    this.tokens.length = 0;
  }
}
