/**
 * Languages: Japanese by default, English on a switch in the header (kept in localStorage: a
 * preference, never a credential). Each page declares its own messages next to its code:
 *   const messages = { ja: { title: 'キャンペーン' }, en: { title: 'Campaigns' } } as const;
 *   const t = useT(messages); t('title')
 * `{name}` in a message is replaced from the second argument.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Lang = 'ja' | 'en';
export type Messages = { ja: Record<string, string>; en: Record<string, string> };

const storageKey = 'kuji.lang';

export function initialLang(): Lang {
  try {
    const stored = window.localStorage.getItem(storageKey);
    if (stored === 'ja' || stored === 'en') return stored;
  } catch {
    // Storage may be off (private mode): Japanese.
  }
  return 'ja';
}

export function storeLang(lang: Lang): void {
  try {
    window.localStorage.setItem(storageKey, lang);
  } catch {
    // Not kept: the switch still works for this page.
  }
  document.documentElement.lang = lang;
}

export const LangContext = createContext<{ lang: Lang; setLang: (lang: Lang) => void }>({
  lang: 'ja',
  setLang: () => undefined,
});

export function useLang(): Lang {
  return useContext(LangContext).lang;
}

function fill(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** A translator for one page's messages, in the reader's language. */
export function useT<M extends Messages>(messages: M) {
  const lang = useLang();
  return (key: keyof M['ja'] & keyof M['en'], vars?: Record<string, string | number>): string =>
    fill(messages[lang][key as string] ?? String(key), vars);
}

/** One of a pair the API already gives in both languages (`{ja, en}`), in the reader's. */
export function pick(
  lang: Lang,
  text: { ja?: string | null; en?: string | null } | null | undefined,
) {
  if (!text) return '';
  return (lang === 'ja' ? (text.ja ?? text.en) : (text.en ?? text.ja)) ?? '';
}
