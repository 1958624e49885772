import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { maskCode, maskDetails, maskUsername } from '../../api/redaction';
import { csvField, reportCsv } from '../../api/routes/reports';
import type { ApiRole } from '../../db/database';
import { insertAccount } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { insertCampaign } from '../../db/repositories/campaigns';
import { setEntryOutcomes, upsertEntry } from '../../db/repositories/entries';
import { openIntervention } from '../../db/repositories/interventions';
import { upsertReport } from '../../db/repositories/reports';
import { exampleCampaignConfig } from '../../domain/campaign-config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';

const roles = ['admin', 'operator', 'approver', 'viewer'] as const;
const clearRoles = new Set<ApiRole>(['admin', 'operator']);
const winnerName = 'fujiko_winner';
const winnerCode = 'GIFT-0001';

describe('redaction helpers', () => {
  it('masks a code behind its kind, a username behind its first letter', () => {
    assert.equal(maskCode('GIFT-7F3K-22QX'), 'GIFT-****');
    assert.equal(maskCode('GIFT-0001'), 'GIFT-****');
    assert.equal(maskCode('A1B2C3D4'), '****');
    assert.equal(maskCode('AB-123'), '****');
    assert.equal(maskUsername('fujiko'), 'f***');
    assert.equal(maskUsername('漢字さん'), '漢***');
  });

  it('masks participant values in details at any depth and keeps ids and error codes', () => {
    assert.deepEqual(
      maskDetails({
        xUserId: '42',
        username: 'fujiko',
        phrase: '届いてない',
        code: 'dm_not_permitted',
        nested: [{ username: 'bob', prizeCode: 'CPN-1234', codes: ['CPN-0001', 'CPN-0002'] }],
      }),
      {
        xUserId: '42',
        username: 'f***',
        phrase: '**** (5)',
        code: 'dm_not_permitted',
        nested: [{ username: 'b***', prizeCode: 'CPN-****', codes: ['CPN-****', 'CPN-****'] }],
      },
    );
  });
});

describe('CSV export cells', () => {
  it("prefixes a cell that a spreadsheet would run as a formula with '", () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const field = csvField(`${start}HYPERLINK("https://evil.example","x")`);
      assert.ok(field.startsWith(`"'${start}`) || field.startsWith(`'${start}`), field);
    }
    assert.equal(csvField('=1+1'), "'=1+1");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField(-3), '-3');
    assert.equal(csvField('ギフト券'), 'ギフト券');
  });

  it('escapes a hostile campaign and prize name in the report', () => {
    const csv = reportCsv(
      { id: 'cmp-1', name: '=cmd|"/c calc"!A1' },
      {
        generatedAt: '2026-02-03T09:00:00.000Z',
        stock: [
          {
            prizeId: 'p1',
            name: '+SUM(1,2)',
            stockTotal: 1,
            stockRemaining: 0,
          },
        ],
      },
    );
    assert.match(csv, /\r\ncampaign,name,"'=cmd\|""\/c calc""!A1",\r\n/);
    assert.ok(csv.includes(`\r\nprize_name,p1,"'+SUM(1,2)",\r\n`), csv);
  });
});

describe('participant data by role (API → PostgreSQL)', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  const keys = {} as Record<ApiRole, string>;
  const auth = (role: ApiRole) => ({ authorization: `Bearer ${keys[role]}` });
  let campaignId: string;

  before(async () => {
    testDb = await createTestDatabase();
    // These routes read PostgreSQL only; a lazy client that never connects stands in for Temporal.
    app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    for (const role of roles) {
      keys[role] = (await insertApiKey(testDb.db, { id: role, name: role, role })).secret;
    }
    const accountId = uniqueId('acct');
    await insertAccount(testDb.db, { id: accountId, handle: uniqueId('brand').slice(0, 15) });
    campaignId = uniqueId('cmp');
    await insertCampaign(testDb.db, {
      id: campaignId,
      name: 'least privilege',
      accountId,
      config: { ...exampleCampaignConfig(new Date()), accountId },
      author: 'operator',
    });
    await upsertEntry(testDb.db, {
      campaignId,
      xUserId: '9001',
      username: winnerName,
      consentBasis: 'dm_opt_in',
      facts: {},
      eligible: true,
      reasons: [],
    });
    await setEntryOutcomes(testDb.db, campaignId, [
      { xUserId: '9001', outcome: 'won', prizeId: 'gift-card-1000', prizeCode: winnerCode },
    ]);
    await openIntervention(testDb.db, {
      campaignId,
      accountId,
      kind: 'not_received',
      dedupeKey: 'user:9001',
      details: { xUserId: '9001', username: winnerName, phrase: '届いてない', via: 'dm' },
      openedBy: 'participant:9001',
    });
    await upsertReport(testDb.db, campaignId, {
      campaignId,
      generatedAt: new Date().toISOString(),
    });
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  async function get(role: ApiRole, url: string): Promise<string> {
    const response = await app.inject({ url, headers: auth(role) });
    assert.equal(response.statusCode, 200, `${role} ${url}: ${response.body}`);
    return response.body;
  }

  for (const role of roles) {
    const clear = clearRoles.has(role);
    it(`${clear ? 'shows' : 'masks'} prize codes and usernames of entries to ${role}`, async () => {
      const body = JSON.parse(await get(role, `/v1/campaigns/${campaignId}/entries`)) as {
        entries: { xUserId: string; username: string; prize: { code: string } }[];
      };
      const [entry] = body.entries;
      assert.equal(entry?.xUserId, '9001');
      assert.equal(entry?.username, clear ? winnerName : 'f***');
      assert.equal(entry?.prize.code, clear ? winnerCode : 'GIFT-****');
    });

    it(`${clear ? 'shows' : 'masks'} the configured prize codes to ${role}`, async () => {
      for (const url of ['/v1/campaigns', `/v1/campaigns/${campaignId}`]) {
        const body = await get(role, url);
        const codes = [...body.matchAll(/"GIFT-[^"]*"/g)].map(([code]) => code);
        assert.equal(codes.length, 10, url);
        if (clear) assert.ok(codes.includes(`"${winnerCode}"`), url);
        else
          assert.ok(
            codes.every((code) => code === '"GIFT-****"'),
            `${url}: ${codes.join()}`,
          );
      }
    });

    it(`${clear ? 'shows' : 'masks'} a complainant's name and words in interventions to ${role}`, async () => {
      for (const url of ['/v1/interventions', `/v1/campaigns/${campaignId}/interventions`]) {
        const body = JSON.parse(await get(role, url)) as {
          interventions: { details: Record<string, unknown> }[];
        };
        const details = body.interventions[0]?.details;
        assert.equal(details?.xUserId, '9001');
        assert.equal(details?.username, clear ? winnerName : 'f***');
        assert.equal(details?.phrase, clear ? '届いてない' : '**** (5)');
      }
    });
  }

  it('says in the API document which routes mask, and for whom', async () => {
    const document = JSON.parse(await get('viewer', '/docs/json')) as {
      paths: Record<string, Record<string, { description?: string }>>;
    };
    for (const path of [
      '/v1/campaigns',
      '/v1/campaigns/{id}',
      '/v1/campaigns/{id}/entries',
      '/v1/interventions',
      '/v1/campaigns/{id}/interventions',
    ]) {
      assert.match(
        document.paths[path]?.get?.description ?? '',
        /approvers and viewers get them masked/,
        path,
      );
    }
  });

  it('lets no prize code or username through to approvers and viewers on any read route', async () => {
    const urls = [
      '/v1/campaigns',
      `/v1/campaigns/${campaignId}`,
      `/v1/campaigns/${campaignId}/entries`,
      `/v1/campaigns/${campaignId}/deliveries`,
      `/v1/campaigns/${campaignId}/interventions`,
      '/v1/interventions',
      `/v1/campaigns/${campaignId}/report`,
      `/v1/campaigns/${campaignId}/report.csv`,
    ];
    for (const role of ['approver', 'viewer'] as const) {
      for (const url of urls) {
        const body = await get(role, url);
        assert.doesNotMatch(body, /GIFT-\d{4}/, `${role} ${url}`);
        assert.ok(!body.includes(winnerName), `${role} ${url}`);
      }
    }
  });
});
