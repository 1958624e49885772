/** The social graph: follows and blocks, and who may see a protected account's content. */
import { userPayload } from './payloads';
import type { EmuFollow, EmuUser } from './types';
import { UsersWorld } from './users';

export class GraphWorld extends UsersWorld {
  follows: EmuFollow[] = [];
  blocks = new Set<string>();

  isFollowing(followerId: string, followeeId: string): boolean {
    return this.follows.some((f) => f.followerId === followerId && f.followeeId === followeeId);
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
    const before = this.follows.length;
    this.follows = this.follows.filter(
      (f) => !(f.followerId === follower.id && f.followeeId === followee.id),
    );
    if (this.follows.length === before) return false;
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
    this.follows = this.follows.filter(
      (f) =>
        !(f.followerId === blocked.id && f.followeeId === blocker.id) &&
        !(f.followerId === blocker.id && f.followeeId === blocked.id),
    );
  }

  unblock(blockerRef: string, blockedRef: string): void {
    const blocker = this.requireUser(blockerRef);
    const blocked = this.requireUser(blockedRef);
    this.blocks.delete(`${blocker.id}:${blocked.id}`);
  }
}
