import type { Scorecard } from './api';
import { clock, RECOMMENDATION_LABEL } from './format';

/** Per competency: the score, why, and the candidate's words it rests on (buttons that play them). */
export function ScorecardView(props: { scorecard: Scorecard; onSeek?: (offsetMs: number) => void }) {
  const { scorecard } = props;
  return (
    <div className="scorecard">
      <p className="recommendation">
        Recommendation:{' '}
        <strong className={`recommendation-${scorecard.recommendation}`}>
          {RECOMMENDATION_LABEL[scorecard.recommendation] ?? scorecard.recommendation}
        </strong>
      </p>
      {scorecard.summary && <p>{scorecard.summary}</p>}
      {scorecard.competencies.map((c) => (
        <article key={c.name} className="competency">
          <h3>
            {c.name}{' '}
            <span className="score" aria-label={`score ${c.score} out of 5`}>
              {c.score}/5
            </span>
          </h3>
          <div className="score-bar" aria-hidden="true">
            <span style={{ width: `${(c.score / 5) * 100}%` }} />
          </div>
          <p>{c.justification}</p>
          {c.evidence.length > 0 && (
            <ul className="evidence" aria-label={`Evidence for ${c.name}`}>
              {c.evidence.map((e, i) => (
                <li key={`${e.offsetMs}-${i}`}>
                  {props.onSeek ? (
                    <button
                      type="button"
                      className="evidence-quote"
                      aria-label={`Play from ${clock(e.offsetMs)}: “${e.quote}”`}
                      onClick={() => props.onSeek?.(e.offsetMs)}
                    >
                      <q>{e.quote}</q> <time className="muted">{clock(e.offsetMs)}</time>
                    </button>
                  ) : (
                    <blockquote className="evidence-quote">
                      <q>{e.quote}</q> <time className="muted">{clock(e.offsetMs)}</time>
                    </blockquote>
                  )}
                </li>
              ))}
            </ul>
          )}
        </article>
      ))}
    </div>
  );
}
