/**
 * An X call leaves nothing behind on the kept-alive socket it used: twitter-api-v2 adds six
 * forwarding listeners to the socket of every request made with a debug hook (the answer
 * recorder's), and a reused socket would collect six more per call without end.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TwitterApi } from 'twitter-api-v2';
import { startXEmulator, type XEmulator } from '../../emulator';
import { getMe } from '../../x/api';
import { createXClient } from '../../x/client';
import { baseScenario, senderCredentials } from './support';

const CALLS = 25;
const EVENTS = ['error', 'connect', 'close', 'end', 'lookup', 'timeout'] as const;

/** The keep-alive agent the client's requests go through (x/client.ts shares one per protocol). */
function agentOf(client: TwitterApi): http.Agent {
  const maker = (
    client as unknown as { _requestMaker: { clientSettings: { httpAgent?: unknown } } }
  )._requestMaker;
  const agent = maker.clientSettings.httpAgent as http.Agent | undefined;
  assert.ok(agent, 'the client has an agent');
  return agent;
}

function idleSockets(agent: http.Agent): Socket[] {
  return Object.values(agent.freeSockets).flatMap<Socket>((sockets) => sockets ?? []);
}

describe('X calls on a kept-alive socket', () => {
  let emulator: XEmulator;
  before(async () => {
    emulator = await startXEmulator({ scenario: baseScenario(), holdTimeoutMs: 2_000 });
  });
  after(async () => {
    await emulator?.close();
  });

  it(`leaves no listeners behind after ${CALLS} calls on one socket`, async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => {
      if (warning.name === 'MaxListenersExceededWarning') warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      const client = createXClient(senderCredentials(), {
        baseUrl: emulator.url,
        timeoutMs: 2_000,
      });
      const agent = agentOf(client);
      const counts = () =>
        idleSockets(agent).map((socket) =>
          Object.fromEntries(EVENTS.map((event) => [event, socket.listenerCount(event)])),
        );
      // One call first: what a socket carries when it has served a single request.
      await getMe(client);
      const afterOne = counts();
      assert.ok(afterOne.length > 0, 'the socket is kept alive for reuse');
      for (let call = 1; call < CALLS; call += 1) await getMe(client);
      const afterMany = counts();
      assert.equal(afterMany.length, afterOne.length, 'the calls reused the kept-alive socket');
      // Every socket carries at most what one request leaves, whatever the number of calls.
      const most = Math.max(...afterOne.flatMap((c) => Object.values(c)));
      for (const socket of afterMany) {
        for (const event of EVENTS) {
          const count = socket[event] ?? 0;
          assert.ok(
            count <= most,
            `'${event}' has ${count} listeners after ${CALLS} calls (${most} after one)`,
          );
        }
      }
      // Let a warning emitted during the calls reach the listener.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
