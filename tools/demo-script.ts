// The demo's job posting and its candidate's answers (`npm run demo`, the full-interview e2e test
// and the turn-latency benchmark use them). The first answer is thin on purpose, so the interviewer
// asks its follow-up; the rest cover the rubric's key points.

export const DEMO_POSTING = {
  title: 'Backend Engineer',
  description: 'Builds and runs the services behind a real-time product: APIs, queues, databases.',
  timeBudgetMinutes: 10,
  recordingPolicy: 'optional' as const,
  competencies: [
    {
      name: 'System design',
      description: 'Designs services that hold up under load and failure.',
      rubric: {
        one: 'Names components without trade-offs.',
        five: 'Reasons about load, failure modes and trade-offs with numbers.',
        keyPoints: ['caching', 'failure modes', 'horizontal scaling'],
      },
    },
    {
      name: 'Debugging',
      description: 'Finds the cause of a production problem methodically.',
      rubric: {
        one: 'Guesses and restarts things.',
        five: 'Measures, forms hypotheses and verifies the fix.',
        keyPoints: ['metrics', 'logs', 'reproduce'],
      },
    },
    {
      name: 'Collaboration',
      description: 'Works well with others under pressure.',
      rubric: {
        one: 'Works alone, blames others.',
        five: 'Communicates early, shares context, writes things down.',
        keyPoints: ['communication', 'documentation'],
      },
    },
  ],
  questions: [
    {
      text: 'How would you design a URL shortener that serves ten thousand requests per second?',
      competency: 'System design',
      followUps: ['What happens when your database or cache fails?'],
    },
    {
      text: 'Tell me about a production incident you debugged. How did you find the cause?',
      competency: 'Debugging',
      followUps: ['How did you confirm the fix worked?'],
    },
    {
      text: 'Describe a time you disagreed with a teammate about a technical decision.',
      competency: 'Collaboration',
      followUps: ['What did you do to keep the team informed?'],
    },
  ],
};

/** What the simulated candidate answers, per question: the first answer, then the follow-up's. */
export const DEMO_ANSWERS: ReadonlyArray<{ answer: string; followUp: string }> = [
  {
    answer: 'I would use a database.',
    followUp:
      'I would put a Redis caching layer in front of PostgreSQL and keep the app servers stateless for horizontal scaling. ' +
      'For failure modes, if the cache fails we fall back to the database with rate limits, and replicas take over reads.',
  },
  {
    answer:
      'Our checkout latency doubled one evening. I looked at the metrics first and saw the database connection pool saturated, ' +
      'then the logs showed a new query without an index. I could reproduce it in staging, added the index and watched p95 drop back.',
    followUp: 'I compared the latency metrics before and after the deploy and kept an alert on the pool for a week.',
  },
  {
    answer:
      'A teammate wanted to rewrite a service in a new language. I suggested we write down both options in a short design document, ' +
      'with communication to the whole team early, and we agreed on a small experiment first. The documentation helped us decide.',
    followUp: 'We posted weekly updates in the team channel and kept the decision record in the repository.',
  },
];
