/** Progress lines for long provisioning steps, so a first run never looks hung. */
export function step(message: string): void {
  process.stderr.write(`[kuji] ${message}\n`);
}

/**
 * Runs `work` and prints an elapsed-time line every `everyMs` until it settles.
 */
export async function withTicker<T>(label: string, work: Promise<T>, everyMs = 20_000): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    step(`${label}: still working (${Math.round((Date.now() - started) / 1000)} s)`);
  }, everyMs);
  try {
    const result = await work;
    step(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } finally {
    clearInterval(timer);
  }
}
