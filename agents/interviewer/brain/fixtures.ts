import type { InterviewPlan } from '@app/contracts';
import type { RecordingContext } from './interview-brain';

// A realistic interview plan for the brain's unit tests, the demo interview and the e2e tests: a
// backend posting with three competencies, each with rubric key points, and four questions. The
// answers below are what a strong and a weak candidate might say, so a scripted candidate (a demo
// bot, an e2e test typing on lk.chat) can drive a whole interview.

export const BACKEND_ENGINEER_INTERVIEW_ID = '3f6c1a2e-8b4d-4c1e-9f2a-6d7b8c9e0a11';

export const BACKEND_ENGINEER_PLAN: InterviewPlan = {
  interviewId: BACKEND_ENGINEER_INTERVIEW_ID,
  orgId: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
  room: `interview_${BACKEND_ENGINEER_INTERVIEW_ID}`,
  status: 'scheduled',
  candidate: { id: 'c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f', fullName: 'Maya Okafor' },
  jobPosting: {
    id: '5e7f9a1b-3c5d-4e6f-a8b9-0c1d2e3f4a5b',
    title: 'Backend Engineer',
    description:
      'Build and run the order and payment APIs behind our mobile apps: TypeScript services on Node.js and ' +
      'PostgreSQL, deployed several times a day by the team that wrote them.',
    timeBudgetMinutes: 30,
    competencies: [
      {
        name: 'API design',
        description: 'Designs HTTP APIs that mobile clients can rely on and that can change without breaking them.',
        rubric: {
          one: 'Lists endpoints only; no thought for retries, errors or how the API changes over time.',
          five: 'Makes writes safe to retry, versions the contract, pages large lists and returns consistent, documented errors.',
          keyPoints: [
            'Idempotency keys for retries',
            'Versioning the contract',
            'Cursor pagination',
            'Consistent error responses',
          ],
        },
      },
      {
        name: 'Data modeling and performance',
        description: 'Models data in PostgreSQL and keeps queries fast and schema changes safe as tables grow.',
        rubric: {
          one: 'Guesses at the cause of slowness; would change a busy table in one risky step.',
          five: 'Measures with the query plan, indexes for the access pattern, and changes schemas in backward-compatible steps with batched backfills.',
          keyPoints: [
            'Reading the query plan with EXPLAIN',
            'Composite indexes',
            'Zero-downtime migrations',
            'Backfill in batches',
          ],
        },
      },
      {
        name: 'Operating in production',
        description: 'Runs what they build: notices problems early, limits the damage and learns from incidents.',
        rubric: {
          one: 'Relies on customers to report problems; looks for someone to blame.',
          five: 'Detects problems through metrics and alerts, debugs with structured logs and traces, rolls back fast and runs blameless postmortems.',
          keyPoints: [
            'Metrics and alerting',
            'Structured logs and tracing',
            'Rolling back or a feature flag',
            'Blameless postmortem',
          ],
        },
      },
    ],
    questions: [
      {
        text: 'Walk me through how you would design the API for placing an order from our mobile app, knowing that the phone may retry a request on a flaky network.',
        competency: 'API design',
        followUps: ['If the app sends the same order twice, how do you make sure the customer is charged only once?'],
      },
      {
        text: "The endpoint that lists a customer's orders has become slow now that the orders table has fifty million rows. How would you find the cause and fix it?",
        competency: 'Data modeling and performance',
        followUps: [],
      },
      {
        text: 'Tell me about a production incident you were part of. How was it detected, how did you limit the damage, and what changed afterwards?',
        competency: 'Operating in production',
        followUps: ['Looking back, what would have caught it earlier?'],
      },
      {
        text: 'We need to split the customer name column into first and last name on a table that takes writes all day. How would you roll that change out?',
        competency: 'Data modeling and performance',
        followUps: ['What would you do if the change failed halfway through?'],
      },
    ],
  },
};

export const CONSENTED_RECORDING: RecordingContext = { recordingPolicy: 'optional', consent: 'given' };

/** What a strong candidate says, one answer per question: each mentions most of its key points. */
export const STRONG_ANSWERS: readonly string[] = [
  'I would expose POST /v1/orders and require an idempotency key header, generated on the phone once per order. ' +
    'The server stores the key with the result, so a retry of the same request returns the original order instead of creating a second one. ' +
    'Errors come back in one consistent format with a machine-readable code, and listing orders uses cursor pagination so the app can scroll safely.',
  'First I would look at the query plan with EXPLAIN ANALYZE to see whether it scans the whole table. ' +
    'Usually the fix is a composite index on customer id and created at, matching the sort, plus keyset pagination instead of large offsets. ' +
    'Then I would check the p99 latency on the dashboard after the deploy.',
  'Last year a release doubled the error rate on checkout. Our alerting on the payment metrics paged me within five minutes. ' +
    'I rolled back the deploy behind the feature flag, and the structured logs with the trace id showed a missing null check. ' +
    'We wrote a blameless postmortem and added a contract test for that path.',
  'I would do it as a zero-downtime migration in steps: add the new columns as nullable, write to both old and new columns, ' +
    'then backfill the existing rows in batches of a few thousand so locks stay short. ' +
    'Once reads use the new columns and the numbers match, a later migration drops the old one.',
];

/** What a weak candidate says: short, and off the rubric. */
export const THIN_ANSWERS: readonly string[] = [
  'I would make a REST endpoint for it.',
  'Maybe add more servers.',
  'We had an outage once and fixed it.',
  'Just change the column at night.',
];
