/** The configuration as JSON, editable: for a field the form does not cover, or to paste one. */
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../../i18n';
import type { Draft } from './draft';
import { messages } from './messages';
import { Section } from './sections-entry';

export function JsonSection({
  draft,
  setDraft,
}: {
  draft: Draft;
  setDraft: (draft: Draft) => void;
}) {
  const t = useT(messages);
  const [text, setText] = useState(() => JSON.stringify(draft, null, 2));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setText(JSON.stringify(draft, null, 2));
    setProblem(null);
  }, [draft]);
  const apply = () => {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error('{…}');
      }
      setDraft(parsed as Draft);
    } catch (error) {
      setProblem(
        t('jsonInvalid', { error: error instanceof Error ? error.message : String(error) }),
      );
    }
  };
  return (
    <Section id="json" title={t('secJson')}>
      <details>
        <summary class="muted small">{t('jsonHint')}</summary>
        <textarea
          class="json-editor"
          name="config-json"
          rows={16}
          spellcheck={false}
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
        />
        {problem && <p class="field-error">{problem}</p>}
        <button
          type="button"
          class="button button-secondary"
          data-action="apply-json"
          onClick={apply}
        >
          {t('jsonApply')}
        </button>
      </details>
    </Section>
  );
}
