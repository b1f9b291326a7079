import { useState } from 'react';

/** Copies `text` to the clipboard and says so (for screen readers too). */
export function CopyButton(props: { text: string; label?: string }) {
  const [result, setResult] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setResult('copied');
    } catch {
      // No clipboard permission (or an insecure context): the field stays there to copy by hand.
      setResult('failed');
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={() => void copy()}>
        {props.label ?? 'Copy'}
      </button>
      <span role="status" className="copy-result">
        {result === 'copied' ? 'Copied.' : result === 'failed' ? 'Could not copy: select the link and copy it.' : ''}
      </span>
    </>
  );
}
