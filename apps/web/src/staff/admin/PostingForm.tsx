import { useState } from 'react';
import { SubmitFooter, useFormSubmit } from '../form-submit';
import { describeError } from '../../http';
import { createPosting, RECORDING_POLICIES, type JobPosting, type RecordingPolicy } from './api';

interface CompetencyDraft {
  name: string;
  description: string;
  one: string;
  five: string;
  keyPoints: string;
}
interface QuestionDraft {
  text: string;
  competency: string;
  followUps: string;
}

const emptyCompetency = (): CompetencyDraft => ({ name: '', description: '', one: '', five: '', keyPoints: '' });
const emptyQuestion = (): QuestionDraft => ({ text: '', competency: '', followUps: '' });
// Key points and follow-ups are typed one per line.
const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** A new job posting: what the AI interviewer asks, how it scores, how long, and whether it records. */
export function PostingForm(props: { onCreated: (posting: JobPosting) => void }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [minutes, setMinutes] = useState('30');
  const [policy, setPolicy] = useState<RecordingPolicy>('optional');
  const [competencies, setCompetencies] = useState<CompetencyDraft[]>([emptyCompetency()]);
  const [questions, setQuestions] = useState<QuestionDraft[]>([emptyQuestion()]);

  const editCompetency = (index: number, patch: Partial<CompetencyDraft>) =>
    setCompetencies((list) => list.map((c, i) => (i === index ? { ...c, ...patch } : c)));
  const editQuestion = (index: number, patch: Partial<QuestionDraft>) =>
    setQuestions((list) => list.map((q, i) => (i === index ? { ...q, ...patch } : q)));
  const competencyNames = competencies.map((c) => c.name.trim()).filter(Boolean);

  const { busy, error, submit } = useFormSubmit(
    async () => {
      const posting = await createPosting({
        title: title.trim(),
        description: description.trim(),
        timeBudgetMinutes: Number(minutes),
        recordingPolicy: policy,
        competencies: competencies.map((c) => ({
          name: c.name.trim(),
          description: c.description.trim(),
          rubric: { one: c.one.trim(), five: c.five.trim(), keyPoints: lines(c.keyPoints) },
        })),
        questions: questions.map((q) => ({
          text: q.text.trim(),
          ...(q.competency && competencyNames.includes(q.competency) ? { competency: q.competency } : {}),
          followUps: lines(q.followUps),
        })),
      });
      setTitle('');
      setDescription('');
      setCompetencies([emptyCompetency()]);
      setQuestions([emptyQuestion()]);
      props.onCreated(posting);
    },
    (err) => `The job posting was not created. ${describeError(err)}`,
  );

  return (
    <form className="staff-form card-block" onSubmit={(e) => void submit(e)} aria-labelledby="new-posting-title">
      <h2 id="new-posting-title">New job posting</h2>
      <div className="field">
        <label htmlFor="posting-title">Job title</label>
        <input id="posting-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="posting-description">Description</label>
        <textarea
          id="posting-description"
          rows={3}
          maxLength={20_000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="posting-minutes">Time budget (minutes)</label>
          <input
            id="posting-minutes"
            type="number"
            required
            min={5}
            max={240}
            step={1}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
          />
        </div>
        <fieldset className="field">
          <legend>Recording</legend>
          {RECORDING_POLICIES.map((p) => (
            <label key={p.value} className="check">
              <input
                type="radio"
                name="recording-policy"
                value={p.value}
                checked={policy === p.value}
                onChange={() => setPolicy(p.value)}
              />
              {p.label}
            </label>
          ))}
        </fieldset>
      </div>

      <h3>Competencies</h3>
      {competencies.map((c, i) => (
        <fieldset key={i} className="repeat">
          <legend>Competency {i + 1}</legend>
          <div className="field">
            <label htmlFor={`competency-${i}-name`}>Name</label>
            <input
              id={`competency-${i}-name`}
              required
              maxLength={100}
              value={c.name}
              onChange={(e) => editCompetency(i, { name: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`competency-${i}-description`}>What it means (optional)</label>
            <input
              id={`competency-${i}-description`}
              value={c.description}
              onChange={(e) => editCompetency(i, { description: e.target.value })}
            />
          </div>
          <div className="form-grid">
            <div className="field">
              <label htmlFor={`competency-${i}-one`}>A score of 1 looks like</label>
              <textarea
                id={`competency-${i}-one`}
                rows={2}
                required
                value={c.one}
                onChange={(e) => editCompetency(i, { one: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`competency-${i}-five`}>A score of 5 looks like</label>
              <textarea
                id={`competency-${i}-five`}
                rows={2}
                required
                value={c.five}
                onChange={(e) => editCompetency(i, { five: e.target.value })}
              />
            </div>
          </div>
          <div className="field">
            <label htmlFor={`competency-${i}-points`}>Key points (one per line)</label>
            <textarea
              id={`competency-${i}-points`}
              rows={2}
              value={c.keyPoints}
              onChange={(e) => editCompetency(i, { keyPoints: e.target.value })}
            />
          </div>
          {competencies.length > 1 && (
            <button
              type="button"
              className="small"
              onClick={() => setCompetencies((list) => list.filter((_, j) => j !== i))}
            >
              Remove competency {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <button type="button" className="small" onClick={() => setCompetencies((list) => [...list, emptyCompetency()])}>
        Add a competency
      </button>

      <h3>Questions</h3>
      {questions.map((q, i) => (
        <fieldset key={i} className="repeat">
          <legend>Question {i + 1}</legend>
          <div className="field">
            <label htmlFor={`question-${i}-text`}>Question</label>
            <textarea
              id={`question-${i}-text`}
              rows={2}
              required
              value={q.text}
              onChange={(e) => editQuestion(i, { text: e.target.value })}
            />
          </div>
          <div className="form-grid">
            <div className="field">
              <label htmlFor={`question-${i}-competency`}>Probes competency</label>
              <select
                id={`question-${i}-competency`}
                value={q.competency}
                onChange={(e) => editQuestion(i, { competency: e.target.value })}
              >
                <option value="">None in particular</option>
                {competencyNames.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`question-${i}-followups`}>Follow-ups (one per line)</label>
              <textarea
                id={`question-${i}-followups`}
                rows={2}
                value={q.followUps}
                onChange={(e) => editQuestion(i, { followUps: e.target.value })}
              />
            </div>
          </div>
          {questions.length > 1 && (
            <button
              type="button"
              className="small"
              onClick={() => setQuestions((list) => list.filter((_, j) => j !== i))}
            >
              Remove question {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <button type="button" className="small" onClick={() => setQuestions((list) => [...list, emptyQuestion()])}>
        Add a question
      </button>

      <SubmitFooter busy={busy} error={error} busyLabel="Creating…" label="Create job posting" />
    </form>
  );
}
