/** Posts (replies, quotes and reposts are posts too, as on X) and likes. */
import { randomBytes } from 'node:crypto';
import { GraphWorld } from './graph';
import { postPayload, userPayload } from './payloads';
import { bump, PostIndex } from './post-index';
import { hashtagEntities, mentionEntities } from './text';
import { EmulatorError, type EmuLike, type EmuPost, type EmuUser } from './types';

export class PostsWorld extends GraphWorld {
  posts = new PostIndex();
  postKeys = new Map<string, string>();
  /** Every like in the order it happened; add them only through `like`. */
  likes: EmuLike[] = [];
  /** `user:post` of every like, and the counts per user and per post. */
  private likePairs = new Set<string>();
  private likesByUser = new Map<string, number>();
  private likesOfPost = new Map<string, number>();

  likesBy(userId: string): number {
    return this.likesByUser.get(userId) ?? 0;
  }

  likesOf(postId: string): number {
    return this.likesOfPost.get(postId) ?? 0;
  }

  post(ref: string): EmuPost | undefined {
    return this.posts.get(ref) ?? this.posts.get(this.postKeys.get(ref) ?? '');
  }

  requirePost(ref: string): EmuPost {
    const post = this.post(ref);
    if (!post) throw new EmulatorError(`Unknown post: ${ref}`);
    return post;
  }

  canSeePost(viewerId: string | undefined, post: EmuPost): boolean {
    const author = this.users.get(post.authorId);
    return author !== undefined && this.canSeeUserContent(viewerId, author);
  }

  mentionedUsernames(text: string): string[] {
    return mentionEntities(text).map((m) => m.username);
  }

  hashtags(text: string): string[] {
    return hashtagEntities(text).map((h) => h.tag);
  }

  createPost(input: {
    author: string;
    text: string;
    key?: string;
    id?: string;
    atMs?: number;
    replyTo?: string;
    quoteOf?: string;
    repostOf?: string;
    replySettings?: EmuPost['replySettings'];
    viaApi?: boolean;
  }): EmuPost {
    const author = this.requireUser(input.author);
    const atMs = input.atMs ?? this.clock.now();
    const parent = input.replyTo ? this.requirePost(input.replyTo) : undefined;
    const quoted = input.quoteOf ? this.requirePost(input.quoteOf) : undefined;
    const reposted = input.repostOf ? this.requirePost(input.repostOf) : undefined;
    const id = input.id ?? this.newId(atMs);
    if (this.posts.has(id)) throw new EmulatorError(`Duplicate post id: ${id}`);
    const post: EmuPost = {
      id,
      seq: this.nextSeq(),
      authorId: author.id,
      text: reposted
        ? `RT @${this.users.get(reposted.authorId)?.username ?? ''}: ${reposted.text}`
        : input.text,
      createdAtMs: atMs,
      conversationId: parent ? parent.conversationId : id,
      inReplyToPostId: parent?.id,
      inReplyToUserId: parent?.authorId,
      quotedPostId: quoted?.id,
      repostOfId: reposted?.id,
      replySettings: input.replySettings ?? 'everyone',
      viaApi: input.viaApi ?? false,
    };
    this.posts.set(id, post);
    if (input.key) this.postKeys.set(input.key, id);
    this.emitPostEvents(post, author, parent, quoted, reposted);
    return post;
  }

  private emitPostEvents(
    post: EmuPost,
    author: EmuUser,
    parent?: EmuPost,
    quoted?: EmuPost,
    reposted?: EmuPost,
  ): void {
    const payload = postPayload(this, post);
    const includes = { users: [userPayload(author)] };
    this.emit('post.create', author.id, payload, includes);
    // The Activity API never delivers posts of protected accounts to others.
    if (author.protected) return;
    if (reposted && reposted.authorId !== author.id) {
      this.emit('post.repost.create', reposted.authorId, payload, includes);
      return;
    }
    if (parent && parent.authorId !== author.id)
      this.emit('post.reply.create', parent.authorId, payload, includes);
    if (quoted && quoted.authorId !== author.id)
      this.emit('post.quote.create', quoted.authorId, payload, includes);
    for (const username of this.mentionedUsernames(post.text)) {
      const mentioned = this.user(username);
      if (mentioned && mentioned.id !== author.id)
        this.emit('post.mention.create', mentioned.id, payload, includes);
    }
  }

  repost(userRef: string, postRef: string, atMs?: number): EmuPost {
    const user = this.requireUser(userRef);
    const original = this.requirePost(postRef);
    const existing = this.posts.repostBy(user.id, original.id);
    if (existing) return existing;
    return this.createPost({ author: user.id, text: '', repostOf: original.id, atMs });
  }

  like(userRef: string, postRef: string, atMs = this.clock.now()): EmuLike | undefined {
    const user = this.requireUser(userRef);
    const post = this.requirePost(postRef);
    const pair = `${user.id}:${post.id}`;
    if (this.likePairs.has(pair)) return undefined;
    const like = { userId: user.id, postId: post.id, seq: this.nextSeq(), atMs };
    this.likes.push(like);
    this.likePairs.add(pair);
    bump(this.likesByUser, user.id, 1);
    bump(this.likesOfPost, post.id, 1);
    const author = this.users.get(post.authorId);
    const payload = {
      id: randomBytes(16).toString('hex'),
      created_at: new Date(post.createdAtMs).toISOString(),
      timestamp_ms: String(atMs),
      liked_tweet_id: post.id,
      liked_tweet_author_id: post.authorId,
    };
    const includes = {
      users: [userPayload(user), ...(author ? [userPayload(author)] : [])],
      tweets: [postPayload(this, post)],
    };
    if (post.authorId !== user.id)
      this.emit('like.create', post.authorId, payload, includes, 'inbound');
    this.emit('like.create', user.id, payload, includes, 'outbound');
    return like;
  }
}
