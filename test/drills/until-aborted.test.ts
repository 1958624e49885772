/** Waiting inside a drill: the runner's abort ends every wait at once. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pause, untilAborted, waitFor } from '../../drills/until-aborted';

describe('untilAborted', () => {
  it('answers what the work answers', async () => {
    assert.equal(await untilAborted(new AbortController().signal, Promise.resolve(7)), 7);
  });

  it('rejects with the abort reason as soon as the signal aborts, work still pending', async () => {
    const controller = new AbortController();
    const waiting = untilAborted(controller.signal, new Promise(() => undefined));
    controller.abort(new Error('over its budget'));
    await assert.rejects(waiting, /over its budget/);
  });

  it('rejects at once when already aborted', async () => {
    await assert.rejects(pause(60_000, AbortSignal.abort(new Error('gone'))), /gone/);
  });
});

describe('waitFor', () => {
  it('probes until the probe answers', async () => {
    let calls = 0;
    const value = await waitFor(
      'the third call',
      () => Promise.resolve(++calls >= 3 ? calls : undefined),
      {
        signal: new AbortController().signal,
        timeoutMs: 5_000,
        everyMs: 1,
      },
    );
    assert.equal(value, 3);
  });

  it('names what it waited for when time runs out', async () => {
    await assert.rejects(
      waitFor('a stop', () => Promise.resolve(undefined), {
        signal: new AbortController().signal,
        timeoutMs: 20,
        everyMs: 5,
      }),
      /never saw a stop within 20 ms/,
    );
  });
});
