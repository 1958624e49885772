import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exampleCampaignConfig } from '../../domain/campaign-config';
import {
  parseStoredConfig,
  storedConfigKey,
  storedConfigMemoSize,
} from '../../domain/stored-config';

const now = new Date('2026-11-22T03:00:00Z');

describe('parseStoredConfig', () => {
  it('parses a configuration version once and answers repeats from memory', () => {
    const json = structuredClone(exampleCampaignConfig(now));
    const key = storedConfigKey('memo-once', 1);
    const first = parseStoredConfig(json, key);
    assert.equal(first.success, true);
    // The same version is immutable: a second call must not parse again, so it returns the
    // very same object even when handed other JSON.
    const second = parseStoredConfig({ not: 'a config' }, key);
    assert.equal(second, first);
  });

  it('parses another version of the same campaign on its own', () => {
    const json = structuredClone(exampleCampaignConfig(now));
    const v1 = parseStoredConfig(json, storedConfigKey('memo-versions', 1));
    const v2 = parseStoredConfig({ ...json, name: '' }, storedConfigKey('memo-versions', 2));
    assert.equal(v1.success, true);
    assert.equal(v2.success, false);
    assert.ok(!v2.success && v2.issues.some((issue) => issue.path === 'name'));
  });

  it('holds a bounded number of versions', () => {
    const json = structuredClone(exampleCampaignConfig(now));
    for (let i = 0; i < 400; i++) parseStoredConfig(json, storedConfigKey('memo-bound', i));
    assert.ok(storedConfigMemoSize() <= 256);
  });

  it('saves the time of a large configuration on every later call', () => {
    const json = structuredClone(exampleCampaignConfig(now));
    json.prizes[0] = {
      ...json.prizes[0]!,
      stock: 50_000,
      codes: Array.from({ length: 50_000 }, (_, i) => `CODE-${i}`),
    };
    const key = storedConfigKey('memo-large', 1);
    const started = performance.now();
    parseStoredConfig(json, key);
    const firstMs = performance.now() - started;
    const again = performance.now();
    for (let i = 0; i < 100; i++) parseStoredConfig(json, key);
    const hundredMs = performance.now() - again;
    assert.ok(
      hundredMs < firstMs,
      `100 repeats took ${hundredMs} ms, the first parse ${firstMs} ms`,
    );
  });
});
