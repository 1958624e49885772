/**
 * /verify's check (B's page renders it): is a message someone received about a Kuji campaign
 * genuine? A participant gives their X handle and the verification code (or pastes the whole
 * message, whose code is read from it). Genuine iff the code is the one the campaign's secret
 * seed gives that participant (domain/verification.ts) and — when a message is given — its text
 * is word for word one Kuji sent them (the SHA-256 each sent delivery keeps).
 *
 * `checked` says what was proven: `message` (a pasted text matched a sent message's digest: that
 * message is genuine) or `code` (only that the code is this person's in that campaign — codes
 * are public in win replies, so a code alone proves no particular message).
 *
 * The page must show "handle unknown" and "code wrong" alike (no oracle for who took part); the
 * reasons are kept apart for logs and tests.
 */
import type { Db } from '../db/client';
import type { EntryOutcome } from '../db/database';
import { findEntriesByUsername, findSentTextDigests } from '../db/repositories/verification';
import type { DeliveryChannel } from '../domain/consent';
import { isXUsername } from '../domain/templates';
import {
  findVerificationCode,
  isVerificationCode,
  messageDigest,
  normaliseVerificationCode,
} from '../domain/verification';

export type VerifyResult =
  | {
      genuine: true;
      campaignId: string;
      campaignName: string;
      /** The X username the check was for (its `@` and blanks removed; matched case-insensitively). */
      username: string;
      outcome: EntryOutcome;
      /** `message`: a pasted text Kuji sent, word for word; `code`: only the code was checked. */
      checked: 'message' | 'code';
      /** How the checked message reached them; without a message, how their result was told. */
      channel: DeliveryChannel;
    }
  | { genuine: false; reason: 'code_unknown' | 'text_altered' | 'no_code' | 'handle_unknown' };

/** `@Name`, `＠name` or `name` → `name`; undefined when it cannot be an X username. */
export function handleToUsername(handle: string): string | undefined {
  const username = handle.trim().replace(/^[@＠]/, '');
  return isXUsername(username) ? username : undefined;
}

export async function verifyParticipantMessage(
  db: Db,
  input: { handle: string; code?: string; message?: string },
): Promise<VerifyResult> {
  const message = input.message?.trim() ? input.message : undefined;
  const typed = input.code?.trim() ? input.code : undefined;
  // A typed code wins over one inside the message; a typed non-code is no one's code.
  const code =
    typed !== undefined
      ? (normaliseVerificationCode(typed) ?? typed)
      : message !== undefined
        ? findVerificationCode(message)
        : undefined;
  if (code === undefined) return { genuine: false, reason: 'no_code' };

  const username = handleToUsername(input.handle);
  const entries = username === undefined ? [] : await findEntriesByUsername(db, username);
  if (entries.length === 0) return { genuine: false, reason: 'handle_unknown' };

  const entry = entries.find(
    (candidate) =>
      candidate.secretSeed !== null &&
      isVerificationCode(candidate.secretSeed, candidate.xUserId, code),
  );
  if (!entry) return { genuine: false, reason: 'code_unknown' };

  const sent = await findSentTextDigests(db, {
    campaignId: entry.campaignId,
    xUserId: entry.xUserId,
  });
  let channel: DeliveryChannel = sent[0]?.channel ?? 'result_page';
  const checked = message !== undefined ? 'message' : 'code';
  if (message !== undefined) {
    const digest = messageDigest(message);
    const match = sent.find((text) => text.textDigest === digest);
    if (!match) return { genuine: false, reason: 'text_altered' };
    channel = match.channel;
  }
  return {
    genuine: true,
    campaignId: entry.campaignId,
    campaignName: entry.campaignName,
    username: username ?? '',
    outcome: entry.outcome,
    checked,
    channel,
  };
}
