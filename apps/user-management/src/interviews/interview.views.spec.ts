import { describe, expect, it } from 'vitest';
import type { InterviewEntity } from '../persistence/entities';
import { toInterviewListItemView } from './interview.views';

const interview = (scorecard: unknown): InterviewEntity =>
  ({
    id: '00000000-0000-4000-8000-000000000001',
    jobPostingId: '00000000-0000-4000-8000-000000000002',
    candidateId: '00000000-0000-4000-8000-000000000003',
    status: 'completed',
    roomName: 'interview-00000000-0000-4000-8000-000000000001',
    inviteExpiresAt: new Date('2030-01-01T00:00:00Z'),
    consent: null,
    consentAt: null,
    startedAt: null,
    endedAt: null,
    createdAt: new Date('2030-01-01T00:00:00Z'),
    transcript: [{ speaker: 'candidate', text: 'hello', offsetMs: 0, mode: 'spoken' }],
    scorecard,
  }) as unknown as InterviewEntity;

describe('toInterviewListItemView', () => {
  it('summarises the scorecard: mean score to one decimal, count, recommendation; no transcript', () => {
    const view = toInterviewListItemView(
      interview({
        competencies: [
          { name: 'A', score: 4 },
          { name: 'B', score: 3 },
          { name: 'C', score: 4 },
        ],
        recommendation: 'yes',
        summary: '',
      }),
    );
    expect(view.scoreSummary).toEqual({ averageScore: 3.7, competencies: 3, recommendation: 'yes' });
    expect(view).not.toHaveProperty('transcript');
    expect(view).not.toHaveProperty('scorecard');
  });

  it('no scorecard, or one of an unexpected shape, is no summary', () => {
    expect(toInterviewListItemView(interview(null)).scoreSummary).toBeNull();
    expect(toInterviewListItemView(interview({ competencies: 'x' })).scoreSummary).toBeNull();
  });

  it('a scorecard without competencies averages to 0 over 0', () => {
    expect(toInterviewListItemView(interview({ competencies: [], recommendation: 'no' })).scoreSummary).toEqual({
      averageScore: 0,
      competencies: 0,
      recommendation: 'no',
    });
  });
});
