import type { z } from 'zod';
import type { InterviewEntity } from '../persistence/entities';
import type { InterviewDetailView, InterviewListItemView, InterviewView } from './interview.schemas';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toInterviewView(i: InterviewEntity): z.infer<typeof InterviewView> {
  return {
    id: i.id,
    jobPostingId: i.jobPostingId,
    candidateId: i.candidateId,
    status: i.status,
    roomName: i.roomName,
    inviteExpiresAt: i.inviteExpiresAt.toISOString(),
    consent: i.consent,
    consentAt: iso(i.consentAt),
    startedAt: iso(i.startedAt),
    endedAt: iso(i.endedAt),
    createdAt: i.createdAt.toISOString(),
  };
}

export function toInterviewDetailView(i: InterviewEntity): z.infer<typeof InterviewDetailView> {
  return { ...toInterviewView(i), transcript: i.transcript, scorecard: i.scorecard };
}

/** The scorecard's gist for the list; a stored scorecard of an unexpected shape counts as none. */
export function toInterviewListItemView(i: InterviewEntity): z.infer<typeof InterviewListItemView> {
  const scorecard = i.scorecard as { competencies?: unknown; recommendation?: unknown } | null;
  const scores = Array.isArray(scorecard?.competencies)
    ? (scorecard.competencies as Array<{ score?: unknown }>)
        .map((c) => c?.score)
        .filter((s): s is number => typeof s === 'number')
    : [];
  const scoreSummary =
    scorecard && typeof scorecard.recommendation === 'string'
      ? {
          averageScore: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10 : 0,
          competencies: scores.length,
          recommendation: scorecard.recommendation,
        }
      : null;
  return { ...toInterviewView(i), scoreSummary };
}
