/**
 * `npm test` on a machine without Chromium: as root on Debian it installs the packages with
 * progress lines; anywhere else it stops with a message naming the missing piece and the way to
 * get it. Chromium is hidden by giving the search no candidates that exist, and apt-get is a
 * stand-in script, so the real system is never changed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHROMIUM_PACKAGES, ensureChromium, ProvisionError } from '../../scripts/lib/provision';

describe('ensureChromium', () => {
  let scratch: string;
  let browser: string;
  let aptLog: string;

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'kuji-chromium-'));
    browser = path.join(scratch, 'bin', 'chromium');
    aptLog = path.join(scratch, 'apt.log');
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** A stand-in apt-get: logs its arguments; `install` puts an executable where Debian would. */
  function fakeAptGet(name: string, installWorks: boolean): string {
    const file = path.join(scratch, name);
    const install = installWorks
      ? `mkdir -p "${path.dirname(browser)}" && printf '#!/bin/sh\\n' > "${browser}" && chmod +x "${browser}"`
      : 'echo "E: Unable to locate package chromium" >&2; exit 100';
    writeFileSync(
      file,
      `#!/bin/sh\necho "$*" >> "${aptLog}"\nif [ "$1" = install ]; then ${install}; fi\n`,
      { mode: 0o755 },
    );
    return file;
  }

  /** Runs `work` with progress lines (stderr) captured. */
  async function capturingStderr<T>(work: () => Promise<T>): Promise<{ result: T; lines: string }> {
    const write = process.stderr.write.bind(process.stderr);
    let lines = '';
    process.stderr.write = (chunk: string | Uint8Array) => {
      lines += String(chunk);
      return true;
    };
    try {
      return { result: await work(), lines };
    } finally {
      process.stderr.write = write;
    }
  }

  it('names Chromium and how to get it when it is missing and cannot be installed', async () => {
    for (const options of [
      { candidates: [browser], aptGet: undefined, isRoot: true },
      { candidates: [browser], aptGet: fakeAptGet('apt-unused', true), isRoot: false },
    ]) {
      await assert.rejects(ensureChromium(options), (error: unknown) => {
        assert.ok(error instanceof ProvisionError);
        assert.equal(error.tool, 'Chromium');
        assert.match(error.message, /apt-get install -y chromium fonts-noto-cjk/);
        assert.match(error.message, /CHROME_PATH/);
        return true;
      });
    }
    assert.equal(existsSync(aptLog), false, 'nothing installs without root');
  });

  it('says why when apt-get cannot install it', async () => {
    const aptGet = fakeAptGet('apt-broken', false);
    const { lines } = await capturingStderr(() =>
      assert.rejects(ensureChromium({ candidates: [browser], aptGet, isRoot: true }), {
        name: 'ProvisionError',
        message: /Chromium: installing it failed .*exited with 100.*apt-get install -y chromium/s,
      }),
    );
    assert.match(lines, /Chromium is missing: installing Debian's chromium, fonts-noto-cjk/);
    rmSync(aptLog, { force: true });
  });

  it('installs it with apt-get as root on Debian, with progress lines, and finds it after', async () => {
    const aptGet = fakeAptGet('apt-get', true);
    const { result, lines } = await capturingStderr(() =>
      ensureChromium({ candidates: [browser], aptGet, isRoot: true }),
    );
    assert.equal(result, browser);
    assert.deepEqual(readFileSync(aptLog, 'utf8').trim().split('\n'), [
      'update -q',
      `install -y -q ${CHROMIUM_PACKAGES.join(' ')}`,
    ]);
    assert.match(lines, /apt-get install chromium fonts-noto-cjk: done in/);

    // Cached by the system: the next run finds it without installing again.
    rmSync(aptLog);
    assert.equal(await ensureChromium({ candidates: [browser], aptGet, isRoot: true }), browser);
    assert.equal(existsSync(aptLog), false);
  });
});
