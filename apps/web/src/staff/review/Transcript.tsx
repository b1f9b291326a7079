import { useEffect, useRef } from 'react';
import type { TranscriptUtterance } from './api';
import { clock } from './format';

const SPEAKER: Record<TranscriptUtterance['speaker'], string> = { interviewer: 'Interviewer', candidate: 'Candidate' };

/**
 * The interview's transcript. With a recording each line is a button that plays from that moment,
 * and the line being played is marked (aria-current) and kept in view inside the panel.
 */
export function Transcript(props: {
  utterances: TranscriptUtterance[];
  activeIndex: number;
  onSeek?: (offsetMs: number) => void;
}) {
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const panel = list.current;
    const line = panel?.querySelector<HTMLElement>('[aria-current="true"]');
    if (!panel || !line) return;
    // Scrolls the panel only, never the page: the reviewer may be reading the scorecard.
    const top = line.offsetTop - panel.offsetTop;
    if (top < panel.scrollTop || top + line.offsetHeight > panel.scrollTop + panel.clientHeight) {
      panel.scrollTop = top - panel.clientHeight / 3;
    }
  }, [props.activeIndex]);

  if (props.utterances.length === 0) return <p className="muted">The transcript is empty.</p>;
  return (
    <ol className="transcript" ref={list}>
      {props.utterances.map((u, index) => {
        const body = (
          <>
            <span className="transcript-meta">
              <span className="transcript-speaker">{SPEAKER[u.speaker]}</span>{' '}
              <time className="muted">{clock(u.offsetMs)}</time>
              {u.mode === 'typed' && <span className="muted"> · typed</span>}
            </span>
            <span className="transcript-text">{u.text}</span>
          </>
        );
        const active = index === props.activeIndex;
        return (
          <li key={`${u.offsetMs}-${index}`} className={`transcript-line transcript-${u.speaker}`}>
            {props.onSeek ? (
              <button
                type="button"
                className={`transcript-seek${active ? ' is-active' : ''}`}
                aria-current={active ? 'true' : undefined}
                onClick={() => props.onSeek?.(u.offsetMs)}
              >
                {body}
              </button>
            ) : (
              <div className="transcript-static">{body}</div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
