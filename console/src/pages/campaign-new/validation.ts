/**
 * The live check: POST /v1/campaign-configs/validate with the draft, debounced while the operator types;
 * an answer to an older draft never overwrites a newer one.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiError, type ApiError, type paths } from '../../api/client';
import type { Draft } from './draft';

export type Validation =
  paths['/v1/campaign-configs/validate']['post']['responses'][200]['content']['application/json'];
export type Preview = Validation['previews'][number];
export type ComplianceCheck = Validation['compliance'];

export const validateDelayMs = 400;

export function useValidation(draft: Draft): {
  result: Validation | undefined;
  error: ApiError | undefined;
  pending: boolean;
} {
  const [result, setResult] = useState<Validation | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [pending, setPending] = useState(true);
  const latest = useRef(0);
  useEffect(() => {
    const mine = (latest.current += 1);
    setPending(true);
    const timer = window.setTimeout(() => {
      void api
        .POST('/v1/campaign-configs/validate', { body: { config: draft } })
        .then(({ data, error: failure, response }) => {
          if (mine !== latest.current) return;
          if (data) {
            setResult(data);
            setError(undefined);
          } else {
            setError(apiError(failure, response));
          }
          setPending(false);
        })
        .catch((failure: unknown) => {
          if (mine !== latest.current) return;
          setError(apiError(failure));
          setPending(false);
        });
    }, validateDelayMs);
    return () => window.clearTimeout(timer);
  }, [draft]);
  return { result, error, pending };
}
