/**
 * A person pauses a campaign from the Temporal Web UI's "Send a Signal" form (headless Chromium
 * on the CLI dev server's UI), and the API shows it paused within a second: the API reads the
 * workflow's live state, whatever sent the change.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from '../../scripts/lib/paths';
import { findFreePort } from '../../scripts/lib/postgres';
import { findChromium } from '../../scripts/lib/provision';
import { campaignWorkflowId } from '../../workflows/search-attributes';
import { type ApiHarness, startApiHarness } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { reachableExampleConfig, seedAccount } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';

const artifacts = path.join(repoRoot, 'test-results');

interface Detail {
  campaign: { phase: string; paused: boolean };
  workflow: { live: boolean; state: { paused: boolean } | null };
}

describe('the Temporal Web UI', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let api: ApiHarness;
  let browser: Browser;
  let webUiUrl: string;

  before(async () => {
    const uiPort = await findFreePort();
    webUiUrl = `http://127.0.0.1:${uiPort}`;
    [env, testDb] = await Promise.all([
      createDevServerEnv({ ui: true, uiPort }),
      createTestDatabase(),
    ]);
    api = await startApiHarness(env, testDb, { webUiUrl });
    browser = await chromium.launch({
      executablePath: findChromium(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    await env?.teardown();
    await testDb?.close();
  });

  async function detail(id: string): Promise<Detail> {
    const response = await api.app.inject({
      url: `/v1/campaigns/${id}`,
      headers: api.auth('viewer'),
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Detail>();
  }

  async function screenshot(page: Page, name: string) {
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, name), fullPage: false });
  }

  it("pauses a campaign from the 'Send a Signal' form; the API shows it paused within a second", async () => {
    const accountId = await seedAccount(testDb.db);
    const created = await api.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: api.auth('operator'),
      payload: {
        id: 'web-ui-pause',
        config: { ...reachableExampleConfig(new Date()), accountId },
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    for (let attempt = 0; attempt < 150; attempt += 1) {
      if ((await detail('web-ui-pause')).campaign.phase === 'awaiting_approval') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const before = await detail('web-ui-pause');
    assert.equal(before.workflow.live, true);
    assert.equal(before.campaign.paused, false);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const workflowId = campaignWorkflowId('web-ui-pause');
    await page.goto(`${webUiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByText(workflowId).first().waitFor({ timeout: 30_000 });

    await page.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
    const form = page.getByRole('dialog', { name: 'Send a Signal' });
    await form.waitFor();
    // With a worker running, the UI lists the workflow's own signals (from its metadata query).
    await form.getByTestId('signal-select-button').click();
    await form.getByRole('option', { name: 'pause', exact: true }).click();
    const input = form.locator('.cm-content[role="textbox"]');
    await input.click();
    // Typed keys would meet the editor's bracket auto-closing; insert the JSON as one piece.
    await page.keyboard.insertText('{"by":"hanako","reason":"Web UI"}');
    // Leaving the editor reformats the JSON and moves the Submit button: leave it first, or the
    // click on Submit only ends the editing.
    await form.getByText('only single JSON payload supported').click();
    assert.match(await form.innerText(), /"by":\s*"hanako",\s*"reason":\s*"Web UI"/);
    await screenshot(page, 'web-ui-signal-form.png');

    const submittedAt = Date.now();
    await form.getByRole('button', { name: 'Submit' }).click();
    let shown = before;
    while (!shown.campaign.paused && Date.now() - submittedAt < 5_000) {
      shown = await detail('web-ui-pause');
    }
    const elapsed = Date.now() - submittedAt;
    assert.equal(shown.campaign.paused, true, 'the API shows the pause');
    assert.equal(shown.workflow.live, true);
    assert.equal(shown.workflow.state?.paused, true);
    assert.ok(elapsed <= 1_000, `paused through the API after ${elapsed} ms`);
    console.log(`the API showed the Web UI's pause ${elapsed} ms after Submit`);

    await form.waitFor({ state: 'hidden' });
    await page.getByText('Workflow Execution Signaled').first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'web-ui-signal-sent.png');
    // The workflow records who paused it, whichever way the signal came.
    let audit: { actor: string; action: string }[] = [];
    for (let attempt = 0; attempt < 50 && audit.length === 0; attempt += 1) {
      audit = await testDb.db
        .selectFrom('audit_log')
        .select(['actor', 'action'])
        .where('campaign_id', '=', 'web-ui-pause')
        .where('action', '=', 'campaign.pause')
        .execute();
      if (audit.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(audit, [{ actor: 'hanako', action: 'campaign.pause' }]);
  });
});
