/** The social graph: follows and blocks, and who may see a protected account's content. */
import { userPayload } from './payloads';
import { bump } from './post-index';
import type { EmuFollow, EmuUser } from './types';
import { UsersWorld } from './users';

const pairKey = (followerId: string, followeeId: string) => `${followerId}:${followeeId}`;

export class GraphWorld extends UsersWorld {
  /** Every follow in the order it happened (X's list order); change it only through the methods. */
  follows: EmuFollow[] = [];
  blocks = new Set<string>();
  /** `follower:followee` of every follow, and each user's counts: lookups stay O(1) at scale. */
  private followPairs = new Set<string>();
  private followerCounts = new Map<string, number>();
  private followingCounts = new Map<string, number>();

  isFollowing(followerId: string, followeeId: string): boolean {
    return this.followPairs.has(pairKey(followerId, followeeId));
  }

  followersCount(userId: string): number {
    return this.followerCounts.get(userId) ?? 0;
  }

  followingCount(userId: string): number {
    return this.followingCounts.get(userId) ?? 0;
  }

  private indexFollow(followerId: string, followeeId: string, delta: 1 | -1): void {
    if (delta === 1) this.followPairs.add(pairKey(followerId, followeeId));
    else this.followPairs.delete(pairKey(followerId, followeeId));
    bump(this.followerCounts, followeeId, delta);
    bump(this.followingCounts, followerId, delta);
  }

  /** Removes the follow of `followerId` to `followeeId`; false when there was none. */
  private removeFollow(followerId: string, followeeId: string): boolean {
    if (!this.isFollowing(followerId, followeeId)) return false;
    this.follows = this.follows.filter(
      (f) => !(f.followerId === followerId && f.followeeId === followeeId),
    );
    this.indexFollow(followerId, followeeId, -1);
    return true;
  }

  isBlocking(blockerId: string, blockedId: string): boolean {
    return this.blocks.has(`${blockerId}:${blockedId}`);
  }

  /** Can `viewerId` see this user's posts and lists? */
  canSeeUserContent(viewerId: string | undefined, owner: EmuUser): boolean {
    if (owner.suspended) return false;
    if (!owner.protected) return true;
    return (
      viewerId !== undefined && (viewerId === owner.id || this.isFollowing(viewerId, owner.id))
    );
  }

  follow(followerRef: string, followeeRef: string, atMs = this.clock.now()): EmuFollow | undefined {
    const follower = this.requireUser(followerRef);
    const followee = this.requireUser(followeeRef);
    if (this.isFollowing(follower.id, followee.id)) return undefined;
    const follow = { followerId: follower.id, followeeId: followee.id, seq: this.nextSeq(), atMs };
    this.follows.push(follow);
    this.indexFollow(follower.id, followee.id, 1);
    for (const filterUser of new Set([followee.id, follower.id])) {
      this.emit('follow.follow', filterUser, {
        source: { data: userPayload(follower) },
        target: { data: userPayload(followee) },
      });
    }
    return follow;
  }

  unfollow(followerRef: string, followeeRef: string): boolean {
    const follower = this.requireUser(followerRef);
    const followee = this.requireUser(followeeRef);
    if (!this.removeFollow(follower.id, followee.id)) return false;
    for (const filterUser of new Set([followee.id, follower.id])) {
      this.emit('follow.unfollow', filterUser, {
        source: { data: userPayload(follower) },
        target: { data: userPayload(followee) },
      });
    }
    return true;
  }

  block(blockerRef: string, blockedRef: string): void {
    const blocker = this.requireUser(blockerRef);
    const blocked = this.requireUser(blockedRef);
    this.blocks.add(`${blocker.id}:${blocked.id}`);
    // Blocking removes follows both ways, as on X.
    this.removeFollow(blocked.id, blocker.id);
    this.removeFollow(blocker.id, blocked.id);
  }

  unblock(blockerRef: string, blockedRef: string): void {
    const blocker = this.requireUser(blockerRef);
    const blocked = this.requireUser(blockedRef);
    this.blocks.delete(`${blocker.id}:${blocked.id}`);
  }
}
