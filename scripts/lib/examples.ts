/**
 * The ready campaigns in examples/: each a POST /v1/campaigns body whose schedule says `now` or
 * `now+<n>m|h|d`, filled in at posting time so the campaign starts at once and ends minutes later.
 * Also the participants' moves that make the emulated audience enter a campaign (`npm run demo`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';

export const examplesDir = path.join(repoRoot, 'examples');

export interface ExampleBody {
  id: string;
  config: Record<string, unknown> & { schedule: Record<string, unknown> };
}

export function listExamples(): string[] {
  return readdirSync(examplesDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

const relativeInstant = /^now(?:\+(\d+)([mhd]))?$/;
const unitMs: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `now`, `now+10m`, `now+2h`, `now+1d` → an ISO instant; anything else is left as written. */
export function fillInstant(value: unknown, now: Date): unknown {
  if (typeof value !== 'string') return value;
  const match = relativeInstant.exec(value);
  if (!match) return value;
  const offset = match[1] ? Number(match[1]) * (unitMs[match[2] ?? 'm'] ?? 0) : 0;
  return new Date(now.getTime() + offset).toISOString();
}

/** The example's body with its dates filled in and a campaign id not used before (`<id>-<time>`). */
export function loadExample(name: string, now: Date, id?: string): ExampleBody {
  if (!listExamples().includes(name)) {
    throw new Error(`no example named ${name}; there are: ${listExamples().join(', ')}`);
  }
  const body = JSON.parse(
    readFileSync(path.join(examplesDir, `${name}.json`), 'utf8'),
  ) as ExampleBody;
  const schedule = body.config.schedule;
  schedule.startAt = fillInstant(schedule.startAt, now);
  schedule.endAt = fillInstant(schedule.endAt, now);
  const stamp = now.toISOString().slice(5, 19).replace(/[-:T]/g, '');
  return { ...body, id: id ?? `${body.id}-${stamp}` };
}

/** An action of the emulator's `POST /_admin/actions` (emulator/README.md). */
export type EmulatorAction =
  | { type: 'dm'; from: string; to: string; text: string }
  | { type: 'reply'; user: string; post: string; text: string }
  | { type: 'repost'; user: string; post: string }
  | { type: 'follow'; user: string; target: string };

interface EntryRuleLike {
  type: string;
  keyword?: string;
  keywords?: string[];
  hashtags?: string[];
}

/**
 * Demo participants who can take part in any example: DMs open to everyone, neither protected
 * nor suspended, and none of them the examples' rehearsal test account (@aoi_y).
 */
export const demoEntrants = ['sakura_t', 'yui_m', 'mei_a', 'asahi_p', 'ema_cc', 'taiga_dd'];

/** What each entrant does on X so that every entry rule of the campaign holds for them. */
export function entryActions(
  rules: EntryRuleLike[],
  post: string,
  sender: string,
  entrants: string[] = demoEntrants,
): EmulatorAction[] {
  return entrants.flatMap((user, index) =>
    rules.flatMap((rule): EmulatorAction[] => {
      const words = [rule.keywords?.[0], ...(rule.hashtags ?? [])].filter(Boolean).join(' ');
      switch (rule.type) {
        case 'dm_keyword':
          return [{ type: 'dm', from: user, to: sender, text: rule.keyword ?? '' }];
        case 'reply':
          return [{ type: 'reply', user, post, text: `参加します ${index + 1} ${words}`.trim() }];
        case 'repost':
          return [{ type: 'repost', user, post }];
        case 'follow':
          return [{ type: 'follow', user, target: sender }];
        default:
          return [];
      }
    }),
  );
}
