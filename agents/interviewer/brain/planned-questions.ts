import type { InterviewPlan } from '@app/contracts';

export type Competency = InterviewPlan['jobPosting']['competencies'][number];

/** A question of the plan as the brains walk it: blank text dropped, its competency looked up in the rubric. */
export interface PlannedQuestion {
  /** 1-based, as said to the candidate. */
  number: number;
  text: string;
  /** null: the question names no competency, or one the posting does not define. */
  competency: Competency | null;
  followUps: string[];
}

/** Which question a candidate turn was taken as the answer to, or that it asked to hear the question again. */
export interface TakenTurn {
  offsetMs: number;
  text: string;
  /** 0-based index into the planned questions. */
  questionIndex: number;
  kind: 'answer' | 'repeat';
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The questions to ask, in plan order. A posting without questions still gets an interview: one
 * question per competency, or a single open question when the posting has no rubric either, so a
 * half-configured posting never leaves the candidate with a greeting and a goodbye.
 */
export function plannedQuestions(plan: InterviewPlan): PlannedQuestion[] {
  const { competencies, questions, title } = plan.jobPosting;
  const asked = questions
    .map((q) => ({
      text: q.text.trim(),
      competency: q.competency ? (competencies.find((c) => sameName(c.name, q.competency!)) ?? null) : null,
      followUps: q.followUps.map((f) => f.trim()).filter(Boolean),
    }))
    .filter((q) => q.text);
  const fallback = competencies.length
    ? competencies
        .filter((c) => c.name.trim())
        .map((c) => ({
          text: `Tell me about your experience with ${c.name.trim()}, with a concrete example from your own work.`,
          competency: c,
          followUps: [],
        }))
    : [];
  const walk = asked.length
    ? asked
    : fallback.length
      ? fallback
      : [
          {
            text: `Tell me about your background and what draws you to ${title.trim() ? `the ${title.trim()} role` : 'this role'}.`,
            competency: null,
            followUps: [],
          },
        ];
  return walk.map((q, i) => ({ ...q, number: i + 1 }));
}
