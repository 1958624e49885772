/** Account Activity subscriptions: whose events the webhook receives live. */
import { TokensWorld } from './tokens';

export class SubscriptionsWorld extends TokensWorld {
  /** Users whose Activity API events are delivered; undefined = every user with a token. */
  subscriptions: Set<string> | undefined;

  isSubscribed(userId: string): boolean {
    if (this.subscriptions) return this.subscriptions.has(userId);
    for (const token of this.tokens.values()) {
      if (token.kind !== 'app' && token.userId === userId) return true;
    }
    return false;
  }

  subscribedUserIds(): string[] {
    if (this.subscriptions) return [...this.subscriptions];
    const ids = new Set<string>();
    for (const token of this.tokens.values()) if (token.kind !== 'app') ids.add(token.userId);
    return [...ids];
  }

  /** Subscribes the user; the implicit "everyone with a token" becomes an explicit list. */
  subscribe(userId: string): void {
    this.subscriptions = new Set([...this.subscribedUserIds(), userId]);
  }

  /** Returns whether the user was subscribed. Their events are still recorded, for replay. */
  unsubscribe(userId: string): boolean {
    const was = this.isSubscribed(userId);
    this.subscriptions = new Set(this.subscribedUserIds().filter((id) => id !== userId));
    return was;
  }
}
