/**
 * Verification codes: every genuine result (win message, result page) carries `KJ-XXXX-XXXX`, which
 * anyone can check on Kuji's /verify page. The code is 40 bits of HMAC-SHA256 keyed by the campaign's
 * secret seed over a versioned, domain-separated message, written in Crockford base32 — so it can be
 * read aloud or typed from a screenshot, and nobody without the seed can mint one for a user id.
 */
import { constantTimeEqual, hmacSha256, sha256, toHex } from './sha256';

/** Versioned and domain-separated from the seed's other uses (result-link tokens, the draw). */
const codeMessagePrefix = 'verification-code:v1:';
/** Crockford's base32 alphabet: no I, L, O or U, so no letter is mistaken for a digit. */
const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Matches a code inside a message; tolerant of case and of the look-alikes Crockford decodes. */
const codePattern = /\bKJ-([0-9A-Z]{4})-([0-9A-Z]{4})\b/i;
const wholeCodePattern = /^KJ-([0-9A-Z]{4})-([0-9A-Z]{4})$/i;

/** The participant's verification code, `KJ-XXXX-XXXX`. Throws on an empty seed. */
export function verificationCode(secretSeed: string, xUserId: string): string {
  // An empty key would make every code computable by anyone.
  if (secretSeed === '') throw new Error('a verification code needs the campaign secret seed');
  const digest = hmacSha256(secretSeed, `${codeMessagePrefix}${xUserId}`);
  // The first 40 bits (5 bytes) as eight 5-bit groups, most significant first.
  let bits = 0;
  let bitCount = 0;
  let text = '';
  for (let i = 0; i < 5; i++) {
    bits = (bits << 8) | digest[i]!;
    bitCount += 8;
    while (bitCount >= 5) {
      bitCount -= 5;
      text += crockford[(bits >>> bitCount) & 31];
    }
    bits &= (1 << bitCount) - 1;
  }
  return `KJ-${text.slice(0, 4)}-${text.slice(4)}`;
}

/**
 * The canonical form of a code a person typed: upper case, Crockford's look-alikes decoded
 * (O→0, I/L→1), surrounding blanks ignored. Undefined when it is not a code at all.
 */
export function normaliseVerificationCode(input: string): string | undefined {
  const match = wholeCodePattern.exec(input.trim());
  return match ? canonical(match[1]!, match[2]!) : undefined;
}

/** The first code found in a message's text, in canonical form; undefined when there is none. */
export function findVerificationCode(text: string): string | undefined {
  const match = codePattern.exec(text);
  return match ? canonical(match[1]!, match[2]!) : undefined;
}

/** Whether `code` is this participant's code (compared in constant time); never throws. */
export function isVerificationCode(secretSeed: string, xUserId: string, code: string): boolean {
  if (secretSeed === '') return false;
  const normalised = normaliseVerificationCode(code);
  return (
    normalised !== undefined && constantTimeEqual(verificationCode(secretSeed, xUserId), normalised)
  );
}

function canonical(first: string, second: string): string | undefined {
  const decode = (group: string): string | undefined => {
    let out = '';
    for (const char of group.toUpperCase()) {
      const mapped = char === 'O' ? '0' : char === 'I' || char === 'L' ? '1' : char;
      if (!crockford.includes(mapped)) return undefined;
      out += mapped;
    }
    return out;
  };
  const a = decode(first);
  const b = decode(second);
  return a !== undefined && b !== undefined ? `KJ-${a}-${b}` : undefined;
}

/**
 * A message's text as /verify compares it: line breaks as LF, surrounding blanks trimmed (a
 * copy-paste adds or loses those), everything else exactly as sent.
 */
export function normaliseMessageText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/** Hex SHA-256 of the normalised text: what a delivery stores when sent, and /verify recomputes. */
export function messageDigest(text: string): string {
  return toHex(sha256(normaliseMessageText(text)));
}
