/**
 * "Start from an example": the repository's own examples (examples/*.json, the ones
 * `npm run example` posts), bundled as they are, with their relative times (`now`, `now+10m`)
 * filled in for the moment the preset is chosen.
 */
import drawnReplyHashtag from '../../../../examples/drawn-reply-hashtag.json';
import followRepostClaims from '../../../../examples/follow-repost-claims.json';
import followRepost from '../../../../examples/follow-repost.json';
import instantWin from '../../../../examples/instant-win.json';
import type { Draft } from './draft';
import { isoInZone } from './zoned-time';

export interface Preset {
  id: string;
  config: Draft;
}

function asPreset(example: unknown): Preset | undefined {
  if (!example || typeof example !== 'object') return undefined;
  const { id, config } = example as { id?: unknown; config?: unknown };
  if (typeof id !== 'string' || !config || typeof config !== 'object') return undefined;
  return { id, config: config as Draft };
}

export const presets: Preset[] = [instantWin, drawnReplyHashtag, followRepost, followRepostClaims]
  .map(asPreset)
  .filter((preset): preset is Preset => preset !== undefined);

const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `now`, `now+10m`, `now+2h`, `now+1d` → an instant in the campaign's zone; else as written. */
export function fillInstant(value: unknown, now: Date, timeZone: string): unknown {
  if (typeof value !== 'string') return value;
  const match = /^now(?:\+(\d+)([mhd]))?$/.exec(value);
  if (!match) return value;
  const offset = match[1] ? Number(match[1]) * (units[match[2] ?? 'm'] ?? 0) : 0;
  // Whole minutes: what the form's date-time inputs show.
  const minute = Math.ceil((now.getTime() + offset) / 60_000) * 60_000;
  return isoInZone(new Date(minute), timeZone);
}

/** The preset's configuration, ready for the form: times filled in, the chosen sender kept. */
export function presetDraft(preset: Preset, now: Date, accountId: string | undefined): Draft {
  const config = structuredClone(preset.config);
  const schedule = (config.schedule ?? {}) as Record<string, unknown>;
  const timeZone = typeof schedule.timezone === 'string' ? schedule.timezone : 'Asia/Tokyo';
  config.schedule = {
    ...schedule,
    startAt: fillInstant(schedule.startAt, now, timeZone),
    endAt: fillInstant(schedule.endAt, now, timeZone),
  };
  if (accountId) config.accountId = accountId;
  return config;
}

/** The name of a preset in the reader's language: the examples name themselves "日本語 / English". */
export function presetName(preset: Preset, lang: 'ja' | 'en'): string {
  const name = typeof preset.config.name === 'string' ? preset.config.name : preset.id;
  const [ja, en] = name.split(' / ');
  return (lang === 'ja' ? ja : (en ?? ja)) ?? name;
}
