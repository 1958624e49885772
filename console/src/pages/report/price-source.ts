/**
 * Where the X price table was read: a link only when it is an http(s) address; anything else
 * (an override's free text) is shown as words, never as a link relative to the console.
 */
export function priceSourceHref(source: string): string | null {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return null;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
}
