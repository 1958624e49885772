/**
 * A subset of X's recent-search query language: keywords, "exact phrases", #hashtags,
 * @mentions, from:, to:, conversation_id:, in_reply_to_tweet_id:, quotes_of_tweet_id:,
 * is:reply, is:quote, is:retweet, has:mentions, negation with '-', and OR between groups
 * (parentheses are ignored). Reposts are never returned (X stopped in 2026-05).
 */
import type { EmuPost, EmulatorState } from './state';

type Predicate = (post: EmuPost) => boolean;

function tokenize(query: string): string[] {
  return [...query.replace(/[()]/g, ' ').matchAll(/-?"[^"]*"|\S+/g)].map((m) => m[0]);
}

function termPredicate(state: EmulatorState, rawTerm: string): Predicate {
  const negated = rawTerm.startsWith('-') && rawTerm.length > 1;
  const term = negated ? rawTerm.slice(1) : rawTerm;
  const userMatches = (ref: string, userId: string | undefined) => {
    const user = state.user(ref);
    return user !== undefined && user.id === userId;
  };
  let predicate: Predicate;
  const [operator, ...rest] = term.split(':');
  const value = rest.join(':');
  if (term.startsWith('"') && term.endsWith('"') && term.length >= 2) {
    const phrase = term.slice(1, -1).toLowerCase();
    predicate = (post) => post.text.toLowerCase().includes(phrase);
  } else if (value && operator === 'from') {
    predicate = (post) => userMatches(value, post.authorId);
  } else if (value && operator === 'to') {
    predicate = (post) => userMatches(value, post.inReplyToUserId);
  } else if (value && operator === 'conversation_id') {
    predicate = (post) => post.conversationId === value;
  } else if (value && operator === 'in_reply_to_tweet_id') {
    predicate = (post) => post.inReplyToPostId === value;
  } else if (value && operator === 'quotes_of_tweet_id') {
    predicate = (post) => post.quotedPostId === value;
  } else if (value && operator === 'is') {
    predicate =
      value === 'reply'
        ? (post) => post.inReplyToPostId !== undefined
        : value === 'quote'
          ? (post) => post.quotedPostId !== undefined
          : value === 'retweet'
            ? (post) => post.repostOfId !== undefined
            : () => true;
  } else if (value && operator === 'has') {
    predicate =
      value === 'mentions' ? (post) => state.mentionedUsernames(post.text).length > 0 : () => true;
  } else if (value && operator === 'lang') {
    predicate = (post) => (/[\u3040-\u30ff\u4e00-\u9fff]/.test(post.text) ? 'ja' : 'en') === value;
  } else if (term.startsWith('#') || term.startsWith('＃')) {
    const tag = term.slice(1).toLowerCase();
    predicate = (post) => state.hashtags(post.text).some((t) => t.toLowerCase() === tag);
  } else if (term.startsWith('@')) {
    const username = term.slice(1).toLowerCase();
    predicate = (post) =>
      state.mentionedUsernames(post.text).some((u) => u.toLowerCase() === username);
  } else {
    const keyword = term.toLowerCase();
    predicate = (post) => post.text.toLowerCase().includes(keyword);
  }
  return negated ? (post) => !predicate(post) : predicate;
}

export function compileQuery(state: EmulatorState, query: string): Predicate {
  const groups: Predicate[][] = [[]];
  for (const token of tokenize(query)) {
    if (token === 'OR') groups.push([]);
    else groups[groups.length - 1]?.push(termPredicate(state, token));
  }
  const alternatives = groups.filter((group) => group.length > 0);
  return (post) =>
    post.repostOfId === undefined &&
    alternatives.some((group) => group.every((predicate) => predicate(post)));
}
