/**
 * The emulator's posts by id, with the counts X shows kept as posts come and go: each author's
 * posts, each post's reposts, replies and quotes, and who reposted what. Lookups stay O(1) with
 * a hundred thousand posts; the map itself is the record (deleting from it keeps them right).
 */
import type { EmuPost } from './types';

export class PostIndex extends Map<string, EmuPost> {
  private byAuthor = new Map<string, number>();
  private reposts = new Map<string, number>();
  private replies = new Map<string, number>();
  private quotes = new Map<string, number>();
  /** `author:original` → the author's repost of it. */
  private repostIds = new Map<string, string>();

  override set(id: string, post: EmuPost): this {
    // Map's constructor calls set before the fields above exist: nothing to index then.
    if (this.byAuthor === undefined) return super.set(id, post);
    this.delete(id);
    super.set(id, post);
    this.index(post, 1);
    return this;
  }

  override delete(id: string): boolean {
    const post = this.get(id);
    if (!post) return false;
    super.delete(id);
    this.index(post, -1);
    return true;
  }

  override clear(): void {
    super.clear();
    for (const counts of [this.byAuthor, this.reposts, this.replies, this.quotes]) counts.clear();
    this.repostIds.clear();
  }

  postsBy(authorId: string): number {
    return this.byAuthor.get(authorId) ?? 0;
  }

  repostsOf(postId: string): number {
    return this.reposts.get(postId) ?? 0;
  }

  repliesTo(postId: string): number {
    return this.replies.get(postId) ?? 0;
  }

  quotesOf(postId: string): number {
    return this.quotes.get(postId) ?? 0;
  }

  /** The author's repost of `originalId`, if any. */
  repostBy(authorId: string, originalId: string): EmuPost | undefined {
    const id = this.repostIds.get(`${authorId}:${originalId}`);
    return id === undefined ? undefined : this.get(id);
  }

  private index(post: EmuPost, delta: 1 | -1): void {
    bump(this.byAuthor, post.authorId, delta);
    if (post.repostOfId) {
      bump(this.reposts, post.repostOfId, delta);
      const key = `${post.authorId}:${post.repostOfId}`;
      if (delta === 1) {
        if (!this.repostIds.has(key)) this.repostIds.set(key, post.id);
      } else if (this.repostIds.get(key) === post.id) {
        this.repostIds.delete(key);
        // Another repost of the same post by the same author (only a direct set makes one).
        for (const other of this.values())
          if (other.authorId === post.authorId && other.repostOfId === post.repostOfId) {
            this.repostIds.set(key, other.id);
            break;
          }
      }
    }
    if (post.inReplyToPostId) bump(this.replies, post.inReplyToPostId, delta);
    if (post.quotedPostId) bump(this.quotes, post.quotedPostId, delta);
  }
}

/** Adds `delta` to a count, dropping it at zero. */
export function bump(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}
