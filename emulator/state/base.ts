/**
 * The bottom layer of the emulator's world: the app, the clock, snowflake ids and the event log.
 *
 * The world is one object built in layers, one X resource per file, each extending the one
 * below: base → users → graph (follows, blocks, visibility) → posts (replies, quotes, reposts,
 * likes) → dms → tokens → subscriptions → EmulatorState (loading a scenario). Every change that
 * X's Activity API reports is recorded as an event; subscribed users' events are delivered to the
 * webhook live, and any window of them can be replayed.
 */
import type { EmulatorClock } from '../clock';
import { defaultApp, type EmuApp, type EmuEvent } from './types';

const TWITTER_EPOCH = 1288834974657n;

export class WorldBase {
  app: EmuApp = { ...defaultApp };
  /** Every Activity API event, subscribed or not, with its time on the emulator clock. */
  events: EmuEvent[] = [];

  /** Seeding a scenario builds the world as it already was: that is not news for the webhook. */
  protected muted = false;
  private seq = 0;
  private idSequence = 0;
  private listeners: ((event: EmuEvent) => void)[] = [];

  constructor(readonly clock: EmulatorClock) {}

  onEvent(listener: (event: EmuEvent) => void): void {
    this.listeners.push(listener);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** Snowflake-shaped ids: time-ordered like X's. */
  newId(atMs = this.clock.now()): string {
    this.idSequence = (this.idSequence + 1) & 0x3fffff;
    return (
      ((BigInt(Math.max(atMs, Number(TWITTER_EPOCH))) - TWITTER_EPOCH) << 22n) |
      BigInt(this.idSequence)
    ).toString();
  }

  protected emit(
    eventType: string,
    filterUserId: string | undefined,
    payload: unknown,
    includes?: unknown,
    direction?: 'inbound' | 'outbound',
  ): void {
    if (this.muted) return;
    // Recorded whoever is subscribed: live delivery filters, and a replay job can still
    // re-deliver what happened while an account was unsubscribed.
    const event: EmuEvent = {
      index: this.events.length,
      eventType,
      filterUserId,
      atMs: this.clock.now(),
      payload,
      includes,
      direction,
    };
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }
}
