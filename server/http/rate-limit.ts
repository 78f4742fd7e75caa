/**
 * A sliding-window rate limit per key (an address, a link token, …), kept in the node's memory: the
 * sign-in and the partner links use it. Each node counts for itself; behind a load balancer with n
 * nodes a client gets at most n times the limit, which still stops guessing and flooding.
 */
export interface RateLimit {
  /** Requests allowed per window. */
  max: number;
  windowMs: number;
}

export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: RateLimit,
    /** Keys kept at most: beyond, the oldest go (a flood of new keys cannot grow memory). */
    private readonly maxKeys = 10_000,
  ) {}

  /**
   * Counts a request of `key`. Returns 0 while within the limit, otherwise the seconds until the
   * oldest counted request leaves the window (for Retry-After).
   */
  hit(key: string, now = Date.now()): number {
    const { max, windowMs } = this.limit;
    const list = (this.hits.get(key) ?? []).filter((t) => now - t < windowMs);
    list.push(now);
    // Re-insert: the Map's order is then the order of last use, so pruning drops idle keys first.
    this.hits.delete(key);
    this.hits.set(key, list);
    if (this.hits.size > this.maxKeys) this.prune(now);
    if (list.length <= max) return 0;
    return Math.max(1, Math.ceil((list[list.length - 1 - max] + windowMs - now) / 1000));
  }

  private prune(now: number): void {
    for (const [k, list] of this.hits) if (!list.some((t) => now - t < this.limit.windowMs)) this.hits.delete(k);
    for (const k of this.hits.keys()) {
      if (this.hits.size <= this.maxKeys) break;
      this.hits.delete(k);
    }
  }
}
