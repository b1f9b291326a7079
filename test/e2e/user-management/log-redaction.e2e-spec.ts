import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadUserManagementConfig } from '../../../apps/user-management/src/config';
import { createUserManagement } from '../../../apps/user-management/src/create-app';
import { as, createTestOrg, db, TEST_PASSWORD, type TestOrg } from '../../support/um.util';

const env = inject('stackEnv');
const EMAIL_PREFIX = 'log-redaction-';
let app: NestFastifyApplication;
let org: TestOrg;
const lines: string[] = [];

describe('a failing query’s values never reach the log', () => {
  beforeAll(async () => {
    app = await createUserManagement(
      loadUserManagementConfig({ ...env, LOG_LEVEL: 'info', LOGIN_MAX_ATTEMPTS: '1000' }),
      { logDestination: { write: (line: string) => void lines.push(line) } },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    org = await createTestOrg(app, 'logs');
    // A fault only this test's rows hit: the insert of a user fails, with the values in the
    // driver's detail the way a constraint violation puts them there.
    await db(app).query(`
      CREATE OR REPLACE FUNCTION test_refuse_log_redaction_users() RETURNS trigger AS $$
      BEGIN
        IF NEW.email LIKE '${EMAIL_PREFIX}%' THEN
          RAISE EXCEPTION 'refused by a test trigger' USING DETAIL = 'Key (email)=(' || NEW.email || ') hash ' || NEW.password_hash;
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await db(app).query(`
      CREATE OR REPLACE TRIGGER test_refuse_log_redaction_users BEFORE INSERT ON users
      FOR EACH ROW EXECUTE FUNCTION test_refuse_log_redaction_users()`);
  });
  afterAll(async () => {
    await db(app)
      ?.query(`DROP TRIGGER IF EXISTS test_refuse_log_redaction_users ON users`)
      .catch(() => undefined);
    await db(app)
      ?.query(`DROP FUNCTION IF EXISTS test_refuse_log_redaction_users()`)
      .catch(() => undefined);
    await app?.close();
  });

  it('a 500 from a failed INSERT logs the error without its parameters or driver detail', async () => {
    const email = `${EMAIL_PREFIX}${Date.now()}@example.com`;
    const response = await as(app, org.tokens.admin, {
      url: '/v1/users',
      body: { email, displayName: 'Logan Redact', role: 'interviewer', password: TEST_PASSWORD },
    });
    expect(response.status, response.body.slice(0, 300)).toBe(500);
    const errorId = /errorId ([0-9a-f-]{36})/.exec(response.json.message)?.[1];
    expect(errorId).toBeDefined();

    const line = lines.find((l) => l.includes(errorId!));
    expect(line, 'the 500 was logged').toBeDefined();
    const entry = JSON.parse(line!);
    // What went wrong is still there…
    expect(entry.err.message).toMatch(/refused by a test trigger/);
    expect(entry.err.type).toBe('QueryFailedError');
    expect(entry.err.query).toMatch(/INSERT INTO "users"/);
    // …the values are not: the argon2 hash, the email, the driver's detail.
    expect(entry.err).not.toHaveProperty('parameters');
    expect(entry.err).not.toHaveProperty('driverError');
    expect(entry.err).not.toHaveProperty('detail');
    const everything = lines.join('\n');
    expect(everything).not.toContain('$argon2id$');
    expect(everything).not.toContain(email);
    expect(everything).not.toContain(TEST_PASSWORD);
  });
});
