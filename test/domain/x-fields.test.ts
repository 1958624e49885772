import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isXUsername,
  maxDisplayNameLength,
  recipientName,
  renderTemplateOrThrow,
  safeDisplayName,
} from '../../domain/templates';

describe('fields from X before they reach a template', () => {
  it('accepts only usernames X issues: 1–15 ASCII letters, digits, underscores', () => {
    for (const good of ['a', 'kuji_demo', 'A1_b2_C3_d4_E5f'])
      assert.equal(isXUsername(good), true, good);
    for (const bad of [
      '',
      'sixteen_chars_xx',
      'with space',
      'ユーザー',
      '@kuji',
      'a\u0000',
      '<b>',
      7,
      null,
    ]) {
      assert.equal(isXUsername(bad), false, String(bad));
    }
  });

  it('strips controls, NUL, bidi overrides and lone surrogates from display names, and caps them', () => {
    assert.equal(safeDisplayName('花子\u0000\u202e🎁'), '花子🎁');
    assert.equal(safeDisplayName('a\ud800b'), 'ab');
    assert.equal(safeDisplayName('\u200f\u0007'), null);
    assert.equal(Array.from(safeDisplayName('🎁'.repeat(80)) ?? '').length, maxDisplayNameLength);
  });

  it('names a recipient by a valid username, else a safe display name, else neutrally', () => {
    assert.equal(recipientName({ username: 'kuji_demo' }), '@kuji_demo');
    assert.equal(recipientName({ username: '{code}', displayName: '太郎\u202e' }), '太郎');
    assert.equal(recipientName({ username: 'x'.repeat(16) }), 'お客様');
  });

  it('never expands a placeholder carried in by a name', () => {
    const text = renderTemplateOrThrow('{name}さん、コード: {code}', {
      name: recipientName({ username: 'bad name', displayName: '{code}' }),
      code: 'SECRET',
    });
    assert.equal(text, '{code}さん、コード: SECRET');
  });
});
