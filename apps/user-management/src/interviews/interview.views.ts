import type { z } from 'zod';
import type { InterviewEntity } from '../persistence/entities';
import type { InterviewDetailView, InterviewView } from './interview.schemas';

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
