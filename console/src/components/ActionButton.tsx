/**
 * A button that changes something: asks first when `confirm` is given, disables itself while the
 * request runs (so a double click sends one request), and shows the API's error beside it.
 * Render it only when the person may press it (`useSession().can(...)`).
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure, apiError, type ApiError } from '../api/client';
import { ErrorNote } from './ErrorNote';

export function ActionButton({
  action,
  run,
  confirm,
  children,
  tone = 'primary',
  disabled,
  onDone,
}: {
  /** `data-action` for tests and styling, e.g. `approve`. */
  action: string;
  run: () => Promise<unknown>;
  confirm?: string;
  children: ComponentChildren;
  tone?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
  onDone?: (result: unknown) => void;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const press = async () => {
    if (pending) return;
    if (confirm && !window.confirm(confirm)) return;
    setPending(true);
    setError(undefined);
    try {
      const result = await run();
      onDone?.(result);
    } catch (failure) {
      setError(failure instanceof ApiFailure ? failure.error : apiError(failure));
    } finally {
      setPending(false);
    }
  };
  return (
    <span class="action">
      <button
        type="button"
        class={`button button-${tone}`}
        data-action={action}
        disabled={disabled || pending}
        aria-busy={pending}
        onClick={() => void press()}
      >
        {children}
      </button>
      <ErrorNote error={error} />
    </span>
  );
}
