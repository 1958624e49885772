/**
 * The emulator's notion of "now". It follows wall time plus an offset that tests move forward
 * (rate-limit windows, token expiry, created-at times), or stands still when frozen.
 */
export class EmulatorClock {
  private offsetMs = 0;
  private frozenAtMs: number | undefined;

  constructor(options: { startMs?: number; frozen?: boolean } = {}) {
    if (options.frozen) this.freeze();
    if (options.startMs !== undefined) this.set(options.startMs);
  }

  now(): number {
    return this.frozenAtMs ?? Date.now() + this.offsetMs;
  }

  advance(ms: number): number {
    if (ms < 0) throw new Error('The emulator clock only moves forward.');
    if (this.frozenAtMs !== undefined) this.frozenAtMs += ms;
    else this.offsetMs += ms;
    return this.now();
  }

  set(atMs: number): number {
    if (this.frozenAtMs !== undefined) this.frozenAtMs = atMs;
    else this.offsetMs = atMs - Date.now();
    return this.now();
  }

  freeze(): number {
    this.frozenAtMs = this.now();
    return this.frozenAtMs;
  }

  unfreeze(): number {
    if (this.frozenAtMs !== undefined) {
      this.offsetMs = this.frozenAtMs - Date.now();
      this.frozenAtMs = undefined;
    }
    return this.now();
  }

  get frozen(): boolean {
    return this.frozenAtMs !== undefined;
  }

  describe(): { now: string; nowMs: number; frozen: boolean; offsetMs: number } {
    return {
      now: new Date(this.now()).toISOString(),
      nowMs: this.now(),
      frozen: this.frozen,
      offsetMs: this.offsetMs,
    };
  }
}
