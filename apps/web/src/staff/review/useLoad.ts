import { useEffect, useState } from 'react';

export type Load<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'done'; value: T };

/** Runs `load` whenever `key` changes; a stale answer (the key moved on) is dropped. */
export function useLoad<T>(key: string, load: () => Promise<T>): Load<T> {
  const [result, setResult] = useState<{ key: string; load: Load<T> }>({ key, load: { state: 'loading' } });
  useEffect(() => {
    let current = true;
    setResult({ key, load: { state: 'loading' } });
    load().then(
      (value) => current && setResult({ key, load: { state: 'done', value } }),
      (error: unknown) => current && setResult({ key, load: { state: 'error', error } }),
    );
    return () => {
      current = false;
    };
    // `load` is a fresh closure each render; `key` says when it means something new.
  }, [key]);
  return result.key === key ? result.load : { state: 'loading' };
}
