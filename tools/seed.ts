import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { runMigrations } from '@app/database';
import { DEV_PROFILE, loadOrCreateSecrets, STATE_DIR, stackEnv } from '@app/devstack';
import { z } from 'zod';
import { UserManagementModule } from '../apps/user-management/src/app.module';
import { loadUserManagementConfig } from '../apps/user-management/src/config';
import { seedDemo, type DemoSeedResult } from '../apps/user-management/src/seed/seed';

// `npm run seed` (and `npm start`, after migrating): the demo org, its people, a job posting, an
// interview with a fresh invite link and a meeting. The demo passwords are generated once per
// machine into .parley/demo-credentials.json (git-ignored, 0600): nothing secret is committed.

const DemoPasswords = z.object({
  admin: z.string().min(12),
  recruiter: z.string().min(12),
  hiring_manager: z.string().min(12),
});
type DemoPasswords = z.infer<typeof DemoPasswords>;

export function loadOrCreateDemoPasswords(file = join(STATE_DIR, 'demo-credentials.json')): DemoPasswords {
  if (existsSync(file)) {
    const parsed = DemoPasswords.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  }
  const make = () => randomBytes(12).toString('base64url');
  const passwords = { admin: make(), recruiter: make(), hiring_manager: make() };
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(passwords, null, 2), { mode: 0o600 });
  return passwords;
}

export async function runDemoSeed(env: Record<string, string | undefined>): Promise<DemoSeedResult> {
  const config = loadUserManagementConfig(env);
  const app = await NestFactory.createApplicationContext(UserManagementModule.register(config), {
    logger: ['error', 'warn'],
  });
  try {
    return await seedDemo(app, loadOrCreateDemoPasswords());
  } finally {
    await app.close();
  }
}

export function describeDemo(result: DemoSeedResult, userManagementUrl: string): string {
  const lines = [
    'Demo data (org "Parley Demo"):',
    ...result.staff.map((s) => `  ${s.role.padEnd(15)} ${s.email.padEnd(30)} password ${s.password}`),
    `  staff sign-in:  ${userManagementUrl}/staff/sign-in (API: POST ${userManagementUrl}/v1/auth/login)`,
    `  interview:      ${userManagementUrl}/staff/interviews/${result.interviewId}`,
  ];
  if (result.invite)
    lines.push(
      `  candidate link: ${result.invite.url}`,
      `  invite code:    ${result.invite.code} (for POST /v1/invites/redeem)`,
    );
  lines.push(`  meeting:        ${userManagementUrl}/staff/meetings/${result.meetingId}`);
  if (result.meetingGuestInvite)
    lines.push(
      `  candidate's meeting link: ${result.meetingGuestInvite.url}`,
      `  candidate's meeting code: ${result.meetingGuestInvite.code} (for POST /v1/meeting-invites/token)`,
    );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const base = stackEnv(DEV_PROFILE, loadOrCreateSecrets(), `http://127.0.0.1:${DEV_PROFILE.objectStorePort}`);
  const env = { ...base, ...process.env };
  await runMigrations({ url: env.DATABASE_URL!, applicationName: 'parley-seed' });
  const result = await runDemoSeed(env);
  console.log(describeDemo(result, `http://127.0.0.1:${DEV_PROFILE.ports.userManagement}`));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`seed failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
