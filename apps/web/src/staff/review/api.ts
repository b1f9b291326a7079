import { staffRequest } from '../session';

// user-management's review APIs: interviews with their results, and their recordings.

export const INTERVIEW_STATUSES = ['scheduled', 'in_progress', 'completed', 'abandoned', 'expired'] as const;
export type InterviewStatus = (typeof INTERVIEW_STATUSES)[number];

export interface Interview {
  id: string;
  jobPostingId: string;
  candidateId: string;
  status: string;
  startedAt: string | null;
  endedAt: string | null;
  createdAt: string;
  consent: 'given' | 'declined' | null;
}

export interface InterviewListItem extends Interview {
  scoreSummary: { averageScore: number; competencies: number; recommendation: string } | null;
}

/** Offsets are milliseconds from the interview's startedAt (the session start). */
export interface TranscriptUtterance {
  speaker: 'interviewer' | 'candidate';
  text: string;
  offsetMs: number;
  mode: 'spoken' | 'typed';
}

export interface EvidenceQuote {
  quote: string;
  offsetMs: number;
}

export interface Scorecard {
  competencies: Array<{ name: string; score: number; justification: string; evidence: EvidenceQuote[] }>;
  recommendation: string;
  summary: string;
}

export interface InterviewDetail extends Interview {
  transcript: TranscriptUtterance[] | null;
  scorecard: Scorecard | null;
}

export interface Recording {
  id: string;
  status: 'pending' | 'ready' | 'failed';
  phase?: 'recording' | 'processing' | 'ready' | 'failed';
  durationMs: number | null;
  failureReason: string | null;
  /** Wall-clock time of the media file's t=0. */
  mediaStartedAt: string | null;
  startedAt?: string | null;
  createdAt: string;
}

export interface Playback {
  url: string;
  expiresAt: string;
}

export function listInterviews(filter: { status?: string; jobPostingId?: string }) {
  const query = new URLSearchParams({ limit: '200' });
  if (filter.status) query.set('status', filter.status);
  if (filter.jobPostingId) query.set('jobPostingId', filter.jobPostingId);
  return staffRequest<InterviewListItem[]>(`/v1/interviews?${query}`);
}

export const getInterview = (id: string) => staffRequest<InterviewDetail>(`/v1/interviews/${encodeURIComponent(id)}`);

export const listRecordings = (interviewId: string) =>
  staffRequest<Recording[]>(`/v1/recordings?subjectType=interview&subjectId=${encodeURIComponent(interviewId)}`);

export const getRecording = (id: string) => staffRequest<Recording>(`/v1/recordings/${encodeURIComponent(id)}`);

/** A fresh signed URL; user-management audits every one it issues. */
export const issuePlayback = (id: string) =>
  staffRequest<Playback>(`/v1/recordings/${encodeURIComponent(id)}/playback`, { method: 'POST', body: {} });
