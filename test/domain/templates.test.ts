import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findFullWidthPlaceholders,
  findUnknownVariables,
  identicalTextRisk,
  identicalTextThreshold,
  renderTemplate,
  renderTemplateOrThrow,
  templateVariables,
} from '../../domain/templates';

describe('templateVariables', () => {
  it('lists each placeholder once, in order of appearance, unknown ones included', () => {
    assert.deepEqual(templateVariables('{name}さん {prize} {name} {Name} { code }'), [
      'name',
      'prize',
      'Name',
      ' code ',
    ]);
  });

  it('finds nothing in plain text or across lines', () => {
    assert.deepEqual(templateVariables('ご応募ありがとうございました！'), []);
    assert.deepEqual(templateVariables('{\nname}'), []);
  });
});

describe('findUnknownVariables', () => {
  it('reports typos and names outside the allowed list', () => {
    assert.deepEqual(findUnknownVariables('{name} {Name} {url}'), ['Name', 'url']);
    assert.deepEqual(findUnknownVariables('{name} {code}', ['name', 'resultUrl']), ['code']);
  });
});

describe('findFullWidthPlaceholders', () => {
  it('finds placeholders typed with full-width braces, even one of them', () => {
    assert.deepEqual(findFullWidthPlaceholders('｛name｝さん {prize｝ {code}'), [
      '｛name｝',
      '{prize｝',
    ]);
    assert.deepEqual(findFullWidthPlaceholders('{name}さん'), []);
  });
});

describe('renderTemplate', () => {
  it('fills every variable', () => {
    const result = renderTemplate('{name}さん、{prize}に当選！コード: {code}', {
      name: '山田',
      prize: 'ギフト券',
      code: 'GIFT-0001',
    });
    assert.deepEqual(result, { ok: true, text: '山田さん、ギフト券に当選！コード: GIFT-0001' });
  });

  it('reports missing values instead of sending a blank', () => {
    assert.deepEqual(renderTemplate('{name}さん {code}', { name: '山田' }), {
      ok: false,
      missing: ['code'],
      unknown: [],
    });
  });

  it('reports unknown variables', () => {
    assert.deepEqual(renderTemplate('{nmae}さん', { name: '山田' }), {
      ok: false,
      missing: [],
      unknown: ['nmae'],
    });
  });

  it('never expands a placeholder that arrives inside a value', () => {
    const result = renderTemplate('{name}さん、コード: {code}', { name: '{code}', code: 'SECRET' });
    assert.deepEqual(result, { ok: true, text: '{code}さん、コード: SECRET' });
  });

  it('keeps an empty string value', () => {
    assert.deepEqual(renderTemplate('[{name}]', { name: '' }), { ok: true, text: '[]' });
  });
});

describe('renderTemplateOrThrow', () => {
  it('throws naming what is missing', () => {
    assert.throws(() => renderTemplateOrThrow('{name} {prize}', {}), /missing value for \{name\}/);
    assert.equal(renderTemplateOrThrow('{name}', { name: 'A' }), 'A');
  });
});

describe('identicalTextRisk', () => {
  it('warns when a template without per-recipient variables goes to many people', () => {
    const finding = identicalTextRisk('{prize}に当選しました！', 500);
    assert.equal(finding?.code, 'identical_text_burst');
    assert.equal(finding?.severity, 'warning');
    assert.match(finding?.en ?? '', /500 recipients/);
    assert.match(finding?.ja ?? '', /500人/);
  });

  it('is quiet when a per-recipient variable is used', () => {
    for (const variable of ['name', 'code', 'resultUrl']) {
      assert.equal(identicalTextRisk(`当選！{${variable}}`, 500), null, variable);
    }
  });

  it('is quiet below the threshold', () => {
    assert.equal(identicalTextRisk('当選！', identicalTextThreshold - 1), null);
    assert.notEqual(identicalTextRisk('当選！', identicalTextThreshold), null);
    assert.equal(identicalTextRisk('当選！', 50, 100), null);
  });
});
