import type { INestApplicationContext } from '@nestjs/common';
import { DataSource, MoreThan } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher';
import type { StaffPrincipal } from '../auth/staff-principal';
import { InterviewsService, type IssuedInvite } from '../interviews/interviews.service';
import { MeetingInvitesService, type GuestInvite } from '../meetings/meeting-invites.service';
import { MeetingsService } from '../meetings/meetings.service';
import {
  CandidateEntity,
  InterviewEntity,
  JobPostingEntity,
  MeetingEntity,
  OrganizationEntity,
  UserEntity,
  type UserRole,
} from '../persistence/entities';

export interface StaffSeed {
  email: string;
  displayName: string;
  role: UserRole;
  password: string;
}

/** Creates (or finds, by slug and email) an organization and its staff; passwords are (re)set. */
export async function ensureOrganizationWithStaff(
  app: INestApplicationContext,
  org: { name: string; slug: string },
  staff: StaffSeed[],
): Promise<{ org: OrganizationEntity; users: Record<string, UserEntity> }> {
  const dataSource = app.get(DataSource);
  const hasher = app.get(PasswordHasher);
  const orgs = dataSource.getRepository(OrganizationEntity);
  const saved =
    (await orgs.findOneBy({ slug: org.slug })) ??
    (await orgs.save(orgs.create({ name: org.name, slug: org.slug, agentAutoJoin: true })));
  const usersRepo = dataSource.getRepository(UserEntity);
  const users: Record<string, UserEntity> = {};
  for (const s of staff) {
    const passwordHash = await hasher.hash(s.password);
    const existing = await usersRepo
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email: s.email })
      .getOne();
    if (existing && existing.orgId !== saved.id) throw new Error(`${s.email} belongs to another organization`);
    if (existing)
      await usersRepo.update({ id: existing.id }, { passwordHash, role: s.role, displayName: s.displayName });
    else
      await usersRepo.insert({
        orgId: saved.id,
        email: s.email,
        displayName: s.displayName,
        role: s.role,
        passwordHash,
      });
    users[s.role] = await usersRepo
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email: s.email })
      .getOneOrFail();
  }
  return { org: saved, users };
}

export const DEMO_ORG = { name: 'Parley Demo', slug: 'parley-demo' };

const DEMO_POSTING: Omit<JobPostingEntity, 'id' | 'orgId' | 'createdBy' | 'createdAt' | 'updatedAt'> = {
  title: 'Senior Backend Engineer (demo)',
  description: 'Builds and runs the real-time services behind a video interview platform.',
  timeBudgetMinutes: 20,
  recordingPolicy: 'optional',
  competencies: [
    {
      name: 'System design',
      description: 'Designs services that stay correct under load and failure.',
      rubric: {
        one: 'Names components without trade-offs.',
        five: 'Weighs consistency, latency and failure modes with numbers.',
        keyPoints: ['idempotency', 'back-pressure', 'observability'],
      },
    },
    {
      name: 'Debugging',
      description: 'Finds root causes methodically.',
      rubric: {
        one: 'Guesses and changes code at random.',
        five: 'Forms hypotheses, measures, and narrows down quickly.',
        keyPoints: ['reproduce first', 'bisect', 'read the logs'],
      },
    },
    {
      name: 'Communication',
      description: 'Explains technical decisions clearly.',
      rubric: {
        one: 'Hard to follow; skips context.',
        five: 'Clear, structured, adapts to the listener.',
        keyPoints: ['structure', 'examples', 'listening'],
      },
    },
  ],
  questions: [
    {
      text: 'Tell me about a service you designed that had to survive partial outages.',
      competency: 'System design',
      followUps: ['How did you test the failure modes?'],
    },
    {
      text: 'Walk me through the hardest production bug you have fixed.',
      competency: 'Debugging',
      followUps: ['What would you do differently now?'],
    },
    {
      text: 'How do you explain a risky technical change to non-engineers?',
      competency: 'Communication',
      followUps: [],
    },
  ],
};

export interface DemoSeedResult {
  orgId: string;
  staff: StaffSeed[];
  interviewId: string;
  invite: IssuedInvite | null;
  meetingId: string;
  meetingGuestInvite: GuestInvite | null;
}

/**
 * The demo data `npm start` and `npm run seed` create: one org with an admin, a recruiter and a
 * hiring manager, a job posting with three competencies, a candidate, an interview with a fresh
 * invite link, and an upcoming meeting. Safe to run again: it finds what exists, issues a new
 * invite for the open demo interview and schedules a new meeting when the last one is over.
 */
export async function seedDemo(
  app: INestApplicationContext,
  passwords: Record<'admin' | 'recruiter' | 'hiring_manager', string>,
): Promise<DemoSeedResult> {
  const staff: StaffSeed[] = [
    { email: 'admin@demo.parley.local', displayName: 'Ada Admin', role: 'admin', password: passwords.admin },
    {
      email: 'recruiter@demo.parley.local',
      displayName: 'Rita Recruiter',
      role: 'recruiter',
      password: passwords.recruiter,
    },
    {
      email: 'manager@demo.parley.local',
      displayName: 'Hal Hiring-Manager',
      role: 'hiring_manager',
      password: passwords.hiring_manager,
    },
  ];
  const { org, users } = await ensureOrganizationWithStaff(app, DEMO_ORG, staff);
  const recruiter: StaffPrincipal = { userId: users.recruiter.id, orgId: org.id, role: 'recruiter' };
  const dataSource = app.get(DataSource);

  const postings = dataSource.getRepository(JobPostingEntity);
  const posting =
    (await postings.findOneBy({ orgId: org.id, title: DEMO_POSTING.title })) ??
    (await postings.save(postings.create({ ...DEMO_POSTING, orgId: org.id, createdBy: recruiter.userId })));
  const candidates = dataSource.getRepository(CandidateEntity);
  const candidate =
    (await candidates.findOneBy({ orgId: org.id, email: 'casey.candidate@example.com' })) ??
    (await candidates.save(
      candidates.create({ orgId: org.id, email: 'casey.candidate@example.com', fullName: 'Casey Candidate' }),
    ));

  const interviews = app.get(InterviewsService);
  const open = await dataSource.getRepository(InterviewEntity).findOne({
    where: [
      { orgId: org.id, candidateId: candidate.id, jobPostingId: posting.id, status: 'scheduled' },
      { orgId: org.id, candidateId: candidate.id, jobPostingId: posting.id, status: 'in_progress' },
    ],
    order: { createdAt: 'DESC' },
  });
  let interviewId: string;
  let invite: IssuedInvite | null;
  if (open) {
    interviewId = open.id;
    invite = await interviews.reissueInvite(recruiter, open.id);
  } else {
    const created = await interviews.create(recruiter, { jobPostingId: posting.id, candidateId: candidate.id });
    interviewId = created.interview.id;
    invite = created.invite;
  }

  const upcoming = await dataSource.getRepository(MeetingEntity).findOne({
    where: { orgId: org.id, status: 'scheduled', endsAt: MoreThan(new Date()) },
    order: { startsAt: 'ASC' },
  });
  let meetingId = upcoming?.id;
  if (!meetingId) {
    const startsAt = new Date(Date.now() + 5 * 60_000);
    const { meeting } = await app.get(MeetingsService).create(recruiter, {
      title: 'Demo debrief with Casey',
      startsAt,
      endsAt: new Date(startsAt.getTime() + 60 * 60_000),
      participants: [
        { userId: users.hiring_manager.id, role: 'guest' },
        { candidateId: candidate.id, role: 'guest' },
      ],
    });
    meetingId = meeting.id;
  }
  const [meetingGuestInvite] = await app.get(MeetingInvitesService).issue(recruiter, meetingId);
  return { orgId: org.id, staff, interviewId, invite, meetingId, meetingGuestInvite: meetingGuestInvite ?? null };
}
