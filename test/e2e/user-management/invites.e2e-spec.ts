import { randomUUID } from 'node:crypto';
import { SESSION_TICKET_AUDIENCE } from '@app/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { importJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodePayload, ticketKeyFromEnv } from '../../support/tickets.util';
import {
  as,
  asService,
  call,
  createInterview,
  createTestOrg,
  db,
  POSTING,
  startUm,
  type TestOrg,
} from '../../support/um.util';
import { startVss } from '../../support/vss.util';

const env = inject('stackEnv');
const USER_AGENT = 'parley-e2e-candidate/1.0';
const NOT_FOUND = 'invite not found; check the link, or ask the recruiter for a new one';
let app: NestFastifyApplication;
let vss: NestFastifyApplication;
let org: TestOrg;

const invite = (action: 'inspect' | 'consent' | 'redeem', body: Record<string, unknown>) =>
  call(app, { url: `/v1/invites/${action}`, body, headers: { 'user-agent': USER_AGENT } });
const redeem = (code: string) => invite('redeem', { invite: code });
const consent = (code: string, choice: 'given' | 'declined') => invite('consent', { invite: code, choice });
const interviewAsRecruiter = (interviewId: string) =>
  as(app, org.tokens.recruiter, { url: `/v1/interviews/${interviewId}` });

async function consentAudit(interviewId: string) {
  return (await db(app).query(
    `SELECT action, actor_type, actor_id, org_id, user_agent, details FROM audit_log WHERE resource_id = $1 AND action LIKE 'interview.consent_%' ORDER BY id`,
    [interviewId],
  )) as Array<{
    action: string;
    actor_type: string;
    actor_id: string;
    org_id: string;
    user_agent: string | null;
    details: Record<string, unknown>;
  }>;
}

/** One character of the secret part changed (a valid-looking code that is not the one issued). */
function tamper(code: string): string {
  const [id, secret] = code.split('.');
  const i = 10;
  return `${id}.${secret.slice(0, i)}${secret[i] === 'A' ? 'B' : 'A'}${secret.slice(i + 1)}`;
}

describe('user-management invites (candidates)', () => {
  beforeAll(async () => {
    [app, vss] = await Promise.all([startUm(env), startVss(env)]);
    org = await createTestOrg(app, 'invites');
  });
  afterAll(async () => {
    await app?.close();
    await vss?.close();
  });

  it('inspect shows the organization, job title, candidate, time budget and recording policy', async () => {
    const { code, interviewId } = await createInterview(app, org, 'mandatory');
    const response = await invite('inspect', { invite: code });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      interviewId,
      organization: `Org ${org.slug}`,
      jobTitle: POSTING.title,
      candidateName: 'Casey Candidate',
      status: 'scheduled',
      timeBudgetMinutes: POSTING.timeBudgetMinutes,
      recordingPolicy: 'mandatory',
      consent: null,
    });
    expect(Date.parse(response.json.expiresAt)).toBeGreaterThan(Date.now());
    expect(response.body).not.toContain('inviteSecretHash');
  });

  describe('redeem', () => {
    it('returns a short-lived session ticket for the interview room that gets a participant token from video-streaming-server', async () => {
      const { code, interviewId, candidateId, room } = await createInterview(app, org, 'optional');
      expect(room).toBe(`interview_${interviewId}`);
      const response = await redeem(code);
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        room,
        identity: `candidate-${candidateId}`,
        interviewId,
        recordingPolicy: 'optional',
        consent: null,
      });

      const claims = decodePayload(response.json.ticket) as Record<string, unknown> & { iat: number; exp: number };
      expect(claims).toMatchObject({
        sub: `candidate-${candidateId}`,
        room: `interview_${interviewId}`,
        role: 'candidate',
        org: org.orgId,
        sessionId: interviewId,
        aud: 'parley:video-streaming-server',
      });
      expect(claims.exp - claims.iat).toBeGreaterThan(0);
      expect(claims.exp - claims.iat).toBeLessThanOrEqual(15 * 60);
      expect(Date.parse(response.json.ticketExpiresAt)).toBe(claims.exp * 1000);
      // Signed with the session-ticket key: the public half verifies it.
      const { d: _d, ...publicJwk } = ticketKeyFromEnv(env);
      await expect(
        jwtVerify(response.json.ticket, await importJWK(publicJwk, 'EdDSA'), { audience: SESSION_TICKET_AUDIENCE }),
      ).resolves.toBeTruthy();

      const participant = await call(vss, {
        url: '/v1/tokens/participant',
        body: { ticket: response.json.ticket, room, identity: `candidate-${candidateId}` },
      });
      expect(participant.status).toBe(200);
      expect(participant.json).toMatchObject({ room, identity: `candidate-${candidateId}`, role: 'candidate' });
      expect(decodePayload(participant.json.token)).toMatchObject({
        sub: `candidate-${candidateId}`,
        video: { room, roomJoin: true },
      });
    });

    it('works again for a reconnect: redeemed twice → 200 both times, each ticket accepted', async () => {
      const { code, room, candidateId } = await createInterview(app, org, 'off');
      const first = await redeem(code);
      const second = await redeem(code);
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      for (const r of [first, second]) {
        const participant = await call(vss, {
          url: '/v1/tokens/participant',
          body: { ticket: r.json.ticket, room, identity: `candidate-${candidateId}` },
        });
        expect(participant.status).toBe(200);
      }
    });

    it('an expired invite → 410 with a clear message, and the interview becomes expired', async () => {
      const { code, interviewId } = await createInterview(app, org, 'off');
      const expiredAt = new Date(Date.now() - 60_000);
      await db(app).query('UPDATE interviews SET invite_expires_at = $2 WHERE id = $1', [interviewId, expiredAt]);
      const response = await redeem(code);
      expect(response.status).toBe(410);
      expect(response.json.code).toBe('GONE');
      expect(response.json.message).toBe(
        `this invite expired on ${expiredAt.toISOString()}; ask the recruiter for a new one`,
      );
      const view = await interviewAsRecruiter(interviewId);
      expect(view.status).toBe(200);
      expect(view.json.status).toBe('expired');
      // Still gone on the next try, and consent cannot be recorded on it either.
      expect((await redeem(code)).status).toBe(410);
      expect((await consent(code, 'given')).status).toBe(410);
    });

    it('a candidate already in the interview can reconnect after the invite’s expiry', async () => {
      const { code, interviewId } = await createInterview(app, org, 'optional');
      const started = await asService(
        app,
        env,
        {
          method: 'POST',
          url: `/internal/v1/interviews/${interviewId}/status`,
          body: { status: 'in_progress' },
        },
        'interviewer-agent',
      );
      expect(started.status).toBe(200);
      await db(app).query('UPDATE interviews SET invite_expires_at = $2 WHERE id = $1', [
        interviewId,
        new Date(Date.now() - 60_000),
      ]);
      expect((await redeem(code)).status).toBe(200);
      expect((await interviewAsRecruiter(interviewId)).json.status).toBe('in_progress');
    });

    it('a completed interview (results from the agent through the internal API) → 410', async () => {
      const { code, interviewId } = await createInterview(app, org, 'optional');
      expect((await redeem(code)).status).toBe(200);
      const results = await asService(
        app,
        env,
        {
          method: 'PUT',
          url: `/internal/v1/interviews/${interviewId}/results`,
          body: {
            startedAt: new Date().toISOString(),
            transcript: [
              { speaker: 'candidate', text: 'I would use a token bucket.', offsetMs: 1_000, mode: 'spoken' },
            ],
            scorecard: {
              competencies: [
                {
                  name: 'Design',
                  score: 4,
                  justification: 'Names a fitting algorithm.',
                  evidence: [{ quote: 'a token bucket', offsetMs: 1_000 }],
                },
              ],
              recommendation: 'yes',
              summary: 'Solid.',
            },
          },
        },
        'interviewer-agent',
      );
      expect(results.status).toBe(200);
      expect(results.json.status).toBe('completed');

      const response = await redeem(code);
      expect(response.status).toBe(410);
      expect(response.json.message).toMatch(/completed/);
      expect((await consent(code, 'given')).status).toBe(410);
      // Looking at it still works, and says why.
      const inspected = await invite('inspect', { invite: code });
      expect(inspected.status).toBe(200);
      expect(inspected.json.status).toBe('completed');
    });

    it('a tampered secret and an unknown interview id → the same 404', async () => {
      const { code } = await createInterview(app, org, 'off');
      const tampered = tamper(code);
      expect(tampered).not.toBe(code);
      expect(tampered).toHaveLength(code.length);
      const unknown = `${randomUUID()}.${code.split('.')[1]}`;
      for (const bad of [tampered, unknown]) {
        for (const action of ['redeem', 'inspect'] as const) {
          const response = await invite(action, { invite: bad });
          expect(response.status).toBe(404);
          expect(response.json).toMatchObject({ code: 'NOT_FOUND', message: NOT_FOUND });
        }
        expect((await consent(bad, 'given')).status).toBe(404);
      }
      // Control: the real code still works.
      expect((await redeem(code)).status).toBe(200);
    });

    it('reissuing the invite retires the old code; the new one works', async () => {
      const { code: oldCode, interviewId } = await createInterview(app, org, 'off');
      expect((await redeem(oldCode)).status).toBe(200);
      const reissued = await as(app, org.tokens.recruiter, { url: `/v1/interviews/${interviewId}/invite`, body: {} });
      expect(reissued.status).toBe(200);
      expect(reissued.json.code).not.toBe(oldCode);
      expect(reissued.json.code.startsWith(`${interviewId}.`)).toBe(true);
      expect(reissued.json.url).toContain(`#invite=${reissued.json.code}`);

      const old = await redeem(oldCode);
      expect(old.status).toBe(404);
      expect(old.json.message).toBe(NOT_FOUND);
      expect((await redeem(reissued.json.code)).status).toBe(200);
    });

    it('reissuing an expired invite reopens the interview', async () => {
      const { code, interviewId } = await createInterview(app, org, 'off');
      await db(app).query(`UPDATE interviews SET invite_expires_at = now() - interval '1 minute' WHERE id = $1`, [
        interviewId,
      ]);
      expect((await redeem(code)).status).toBe(410);
      const reissued = await as(app, org.tokens.recruiter, { url: `/v1/interviews/${interviewId}/invite`, body: {} });
      expect(reissued.status).toBe(200);
      expect((await interviewAsRecruiter(interviewId)).json.status).toBe('scheduled');
      expect((await redeem(reissued.json.code)).status).toBe(200);
      expect((await redeem(code)).status).toBe(404);
    });
  });

  describe('recording consent (R-R1)', () => {
    it('policy off: there is nothing to consent to → 409, nothing stored or audited; redeem works', async () => {
      const { code, interviewId } = await createInterview(app, org, 'off');
      const response = await consent(code, 'given');
      expect(response.status).toBe(409);
      expect(response.json.message).toMatch(/never recorded/);
      expect((await interviewAsRecruiter(interviewId)).json).toMatchObject({ consent: null, consentAt: null });
      expect(await consentAudit(interviewId)).toHaveLength(0);
      expect((await redeem(code)).status).toBe(200);
    });

    it('policy optional: redeem works without consent; a refusal is stored with its time and audited, and redeem still works', async () => {
      const { code, interviewId, candidateId } = await createInterview(app, org, 'optional');
      expect((await redeem(code)).status).toBe(200);

      const before = Date.now();
      const declined = await consent(code, 'declined');
      expect(declined.status).toBe(200);
      expect(declined.json).toMatchObject({ interviewId, consent: 'declined', recordingPolicy: 'optional' });

      const view = await interviewAsRecruiter(interviewId);
      expect(view.status).toBe(200);
      expect(view.json.consent).toBe('declined');
      expect(view.json.consentAt).toBe(declined.json.consentAt);
      expect(Date.parse(view.json.consentAt)).toBeGreaterThanOrEqual(before - 1_000);
      expect(Date.parse(view.json.consentAt)).toBeLessThanOrEqual(Date.now() + 1_000);

      expect(await consentAudit(interviewId)).toEqual([
        {
          action: 'interview.consent_declined',
          actor_type: 'candidate',
          actor_id: candidateId,
          org_id: org.orgId,
          user_agent: USER_AGENT,
          details: { recordingPolicy: 'optional' },
        },
      ]);

      const again = await redeem(code);
      expect(again.status).toBe(200);
      expect(again.json.consent).toBe('declined');
    });

    it('policy mandatory: no redeem without consent, nor after a refusal; after consent it works; each change is audited', async () => {
      const { code, interviewId, candidateId } = await createInterview(app, org, 'mandatory');
      const without = await redeem(code);
      expect(without.status).toBe(409);
      expect(without.json.code).toBe('CONFLICT');
      expect(without.json.message).toMatch(/consent/);
      expect(await consentAudit(interviewId)).toHaveLength(0);

      expect((await consent(code, 'declined')).status).toBe(200);
      const afterDecline = await redeem(code);
      expect(afterDecline.status).toBe(409);
      expect(afterDecline.json.message).toMatch(/declined/);
      expect(afterDecline.json.message).toMatch(/consent/);
      expect((await consentAudit(interviewId)).map((r) => r.action)).toEqual(['interview.consent_declined']);

      const given = await consent(code, 'given');
      expect(given.status).toBe(200);
      expect(given.json.consent).toBe('given');
      const response = await redeem(code);
      expect(response.status).toBe(200);
      expect(response.json.consent).toBe('given');
      expect((await interviewAsRecruiter(interviewId)).json).toMatchObject({
        consent: 'given',
        consentAt: given.json.consentAt,
      });

      const audit = await consentAudit(interviewId);
      expect(audit.map((r) => r.action)).toEqual(['interview.consent_declined', 'interview.consent_given']);
      for (const row of audit) {
        expect(row).toMatchObject({
          actor_type: 'candidate',
          actor_id: candidateId,
          org_id: org.orgId,
          user_agent: USER_AGENT,
          details: { recordingPolicy: 'mandatory' },
        });
      }
    });
  });
});
