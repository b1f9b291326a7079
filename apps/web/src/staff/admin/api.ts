import { staffRequest } from '../session';
import type { StaffRole } from '../session';

// user-management's org admin APIs as the pages use them (people, job postings, interviews).

export const ROLES: readonly StaffRole[] = ['admin', 'recruiter', 'hiring_manager', 'interviewer'];
/** `hiring manager`, for sentences; `roleName` is the capitalised form for lists and options. */
export const roleLabel = (role: StaffRole) => role.replace('_', ' ');
export const roleName = (role: StaffRole) => roleLabel(role).replace(/^./, (c) => c.toUpperCase());

export interface StaffMember {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  active: boolean;
  deactivatedAt: string | null;
  createdAt: string;
}

export interface Candidate {
  id: string;
  email: string;
  fullName: string;
  createdAt: string;
}

export type RecordingPolicy = 'off' | 'optional' | 'mandatory';
export const RECORDING_POLICIES: ReadonlyArray<{ value: RecordingPolicy; label: string }> = [
  { value: 'off', label: 'Off: never recorded' },
  { value: 'optional', label: 'Optional: recorded if the candidate agrees' },
  { value: 'mandatory', label: 'Mandatory: the candidate must agree to join' },
];

export interface Competency {
  name: string;
  description: string;
  rubric: { one: string; five: string; keyPoints: string[] };
}

export interface Question {
  text: string;
  competency?: string;
  followUps: string[];
}

export interface JobPostingInput {
  title: string;
  description: string;
  competencies: Competency[];
  questions: Question[];
  timeBudgetMinutes: number;
  recordingPolicy: RecordingPolicy;
}

export interface JobPosting extends JobPostingInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface IssuedInvite {
  url: string;
  expiresAt: string;
}

// The API's page size limit: the admin pages show up to this many rows.
const PAGE = 200;

export const listUsers = () => staffRequest<StaffMember[]>(`/v1/users?limit=${PAGE}`);
export const createUser = (body: { email: string; displayName: string; role: StaffRole; password: string }) =>
  staffRequest<StaffMember>('/v1/users', { body });
export const changeRole = (userId: string, role: StaffRole) =>
  staffRequest<StaffMember>(`/v1/users/${encodeURIComponent(userId)}/role`, { method: 'PUT', body: { role } });
export const deactivateUser = (userId: string) =>
  staffRequest<StaffMember>(`/v1/users/${encodeURIComponent(userId)}/deactivate`, { method: 'POST', body: {} });

export const listCandidates = () => staffRequest<Candidate[]>(`/v1/candidates?limit=${PAGE}`);
export const createCandidate = (body: { email: string; fullName: string }) =>
  staffRequest<Candidate>('/v1/candidates', { body });

export const listPostings = () => staffRequest<JobPosting[]>(`/v1/job-postings?limit=${PAGE}`);
export const createPosting = (body: JobPostingInput) => staffRequest<JobPosting>('/v1/job-postings', { body });

export const createInterview = (body: { jobPostingId: string; candidateId: string }) =>
  staffRequest<{ interview: { id: string }; invite: IssuedInvite }>('/v1/interviews', { body });

export const getPosting = (id: string) => staffRequest<JobPosting>(`/v1/job-postings/${encodeURIComponent(id)}`);
export const getCandidate = (id: string) => staffRequest<Candidate>(`/v1/candidates/${encodeURIComponent(id)}`);
