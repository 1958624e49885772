/**
 * Claims (issue #12): a prize becomes someone's (draw, instant win, promotion), they claim it on
 * the campaign's page before a deadline, and an unclaimed prize goes to the next alternate in
 * draw order. This module holds the pure rules: the `claim` section of a campaign, the claim
 * form's validation, deadlines and the choice of alternates.
 */
import { z } from 'zod';
import { isStorableText } from './storable-text';

export const claimFields = ['name', 'email', 'postalAddress', 'phone'] as const;
export type ClaimField = (typeof claimFields)[number];

export const claimLimits = {
  retentionDays: 365,
  name: 100,
  email: 254,
  postalAddress: 400,
  phone: 30,
} as const;

/** The `claim` section of a campaign: present means claims are on. */
export const claimConfigSchema = z.object({
  /** What the claim form asks for; [] for digital prizes (codes), where claiming is one press. */
  fields: z
    .array(z.enum(claimFields))
    .default([])
    .refine((fields) => new Set(fields).size === fields.length, 'a field is listed twice'),
  /** Claim answers are purged this many days after the campaign ends. */
  retentionDays: z.int().min(1).max(claimLimits.retentionDays).default(30),
});
export type ClaimConfig = z.infer<typeof claimConfigSchema>;

/** Text shown to a participant in both languages. */
export interface ClaimIssue {
  field: ClaimField;
  ja: string;
  en: string;
}

export type ClaimAnswers = Partial<Record<ClaimField, string>>;

export type ClaimValidation =
  { ok: true; answers: ClaimAnswers } | { ok: false; issues: ClaimIssue[] };

const fieldLabels: Record<ClaimField, { ja: string; en: string }> = {
  name: { ja: 'お名前', en: 'Name' },
  email: { ja: 'メールアドレス', en: 'Email address' },
  postalAddress: { ja: '送付先住所', en: 'Postal address' },
  phone: { ja: '電話番号', en: 'Phone number' },
};

// Deliberately loose: one @, a dot in the domain, no spaces. The mail itself is the real check.
const emailPattern = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
// Digits with the separators people type (+81 90-1234-5678, (03) 1234 5678); 7 to 15 digits.
const phonePattern = /^\+?[0-9()\-\s]+$/;
// Control characters other than line breaks never belong in a form answer.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function fieldText(field: ClaimField, max: number, multiline: boolean) {
  const label = fieldLabels[field];
  return z
    .string({
      error: () => `${label.ja}を入力してください。 / Please enter your ${label.en.toLowerCase()}.`,
    })
    .transform((value) => value.normalize('NFKC').replace(/\r\n?/g, '\n').trim())
    .pipe(
      z
        .string()
        .min(1, `${label.ja}を入力してください。 / Please enter your ${label.en.toLowerCase()}.`)
        .max(
          max,
          `${label.ja}は${max}文字以内で入力してください。 / ${label.en} must be at most ${max} characters.`,
        )
        .refine(
          (value) =>
            isStorableText(value) &&
            !controlCharacters.test(value) &&
            (multiline || !value.includes('\n')),
          `${label.ja}に使えない文字が含まれています。 / ${label.en} contains characters that cannot be used.`,
        ),
    );
}

const fieldSchemas: Record<ClaimField, z.ZodType<string>> = {
  name: fieldText('name', claimLimits.name, false),
  email: fieldText('email', claimLimits.email, false).refine(
    (value) => emailPattern.test(value),
    'メールアドレスの形式が正しくありません。 / That is not a valid email address.',
  ),
  postalAddress: fieldText('postalAddress', claimLimits.postalAddress, true).refine(
    (value) => value.replace(/\s/g, '').length >= 5,
    '送付先住所が短すぎます（郵便番号から番地・建物名まで）。 / The postal address is too short (postcode, street, building).',
  ),
  phone: fieldText('phone', claimLimits.phone, false).refine((value) => {
    const digits = value.replace(/\D/g, '').length;
    return phonePattern.test(value) && digits >= 7 && digits <= 15;
  }, '電話番号の形式が正しくありません。 / That is not a valid phone number.'),
};

/**
 * The claim form's answers for `fields`, normalised (NFKC, trimmed, CRLF → LF), or one issue per
 * field that is missing or wrong, each in Japanese and English. Fields not asked for are ignored.
 */
export function validateClaimAnswers(
  fields: readonly ClaimField[],
  input: Readonly<Record<string, unknown>>,
): ClaimValidation {
  const answers: ClaimAnswers = {};
  const issues: ClaimIssue[] = [];
  for (const field of fields) {
    const result = fieldSchemas[field].safeParse(input[field] ?? '');
    if (result.success) {
      answers[field] = result.data;
    } else {
      const message = result.error.issues[0]?.message ?? '';
      const [ja, en] = message.split(' / ');
      issues.push({ field, ja: ja ?? message, en: en ?? message });
    }
  }
  return issues.length === 0 ? { ok: true, answers } : { ok: false, issues };
}

const hourMs = 60 * 60 * 1000;

/** The deadline of a claim opened at `openedAt`. */
export function claimDeadline(openedAt: Date, deadlineHours: number): Date {
  return new Date(openedAt.getTime() + deadlineHours * hourMs);
}

/**
 * The alternates who take the next `count` forfeited prizes: the first ones in draw order who
 * have not had a prize yet (`taken`: everyone with a claim, promoted or not). Fewer when the
 * list runs out; then the rest of the prizes stay forfeited.
 */
export function nextAlternates(
  alternatesInDrawOrder: readonly string[],
  taken: ReadonlySet<string>,
  count: number,
): string[] {
  const picked: string[] = [];
  for (const xUserId of alternatesInDrawOrder) {
    if (picked.length >= count) break;
    if (!taken.has(xUserId) && !picked.includes(xUserId)) picked.push(xUserId);
  }
  return picked;
}

/** When the claim data of a campaign is purged: `retentionDays` after it ended. */
export function claimPurgeAt(endedAt: Date, retentionDays: number): Date {
  return new Date(endedAt.getTime() + retentionDays * 24 * hourMs);
}
