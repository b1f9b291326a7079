import { useState, type FormEvent } from 'react';
import { Notice } from '../components/Notice';

/**
 * A form's submit: busy while `action` runs (the submit button disables itself), and the message
 * `describe` gives a failure, shown until the next try. Shared by the staff forms.
 */
export function useFormSubmit(action: () => Promise<void>, describe: (err: unknown) => string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

/** The end of a staff form: the failure (if any), then the submit button, disabled while busy. */
export function SubmitFooter(props: { busy: boolean; error: string | null; label: string; busyLabel: string }) {
  return (
    <>
      {props.error && <Notice tone="error">{props.error}</Notice>}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.busy}>
          {props.busy ? props.busyLabel : props.label}
        </button>
      </div>
    </>
  );
}
