import { z } from 'zod';
import { RECORDING_POLICIES } from '../persistence/entities';

const text = (max: number) => z.string().trim().min(1).max(max);

export const Competency = z.strictObject({
  name: text(100),
  description: z.string().trim().max(2_000).default(''),
  rubric: z.strictObject({
    one: text(1_000).describe('what a score of 1 looks like'),
    five: text(1_000).describe('what a score of 5 looks like'),
    keyPoints: z.array(text(300)).max(20).default([]),
  }),
});

export const Question = z.strictObject({
  text: text(1_000),
  competency: text(100).optional().describe('the competency this question probes'),
  followUps: z.array(text(500)).max(10).default([]),
});

const JobPostingFields = {
  title: text(200),
  description: z.string().trim().max(20_000).default(''),
  competencies: z.array(Competency).max(20).default([]),
  questions: z.array(Question).max(50).default([]),
  timeBudgetMinutes: z.number().int().min(5).max(240),
  recordingPolicy: z.enum(RECORDING_POLICIES).default('optional'),
};

// zod 4 runs object refinements even when a field failed, so these never trust the shapes.
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const namesAreKnown = (p: { competencies?: unknown; questions?: unknown }) => {
  const names = new Set(list<{ name?: unknown }>(p.competencies).map((c) => c?.name));
  return list<{ competency?: unknown }>(p.questions).every(
    (q) => q?.competency === undefined || names.has(q.competency),
  );
};
const uniqueNames = (p: { competencies?: unknown }) => {
  const competencies = list<{ name?: unknown }>(p.competencies);
  return new Set(competencies.map((c) => c?.name)).size === competencies.length;
};

export const CreateJobPostingRequest = z
  .strictObject(JobPostingFields)
  .refine(uniqueNames, { message: 'competency names must be unique', path: ['competencies'] })
  .refine(namesAreKnown, { message: 'a question names a competency that is not in competencies', path: ['questions'] });

export const UpdateJobPostingRequest = z
  .strictObject({
    title: JobPostingFields.title.optional(),
    description: z.string().trim().max(20_000).optional(),
    competencies: z.array(Competency).max(20).optional(),
    questions: z.array(Question).max(50).optional(),
    timeBudgetMinutes: JobPostingFields.timeBudgetMinutes.optional(),
    recordingPolicy: z.enum(RECORDING_POLICIES).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .refine(uniqueNames, { message: 'competency names must be unique', path: ['competencies'] });

export const JobPostingView = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  competencies: z.array(Competency),
  questions: z.array(Question),
  timeBudgetMinutes: z.number(),
  recordingPolicy: z.enum(RECORDING_POLICIES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
