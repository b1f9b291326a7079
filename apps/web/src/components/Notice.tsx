import type { ReactNode } from 'react';

/** A message box; errors are announced to screen readers as they appear. */
export function Notice(props: { tone: 'info' | 'error' | 'success'; children: ReactNode }) {
  return (
    <div className={`notice notice-${props.tone}`} role={props.tone === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
