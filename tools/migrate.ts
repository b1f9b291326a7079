import 'reflect-metadata';
import { parseEnv, postgresEnv } from '@app/config';
import { revertMigrations, runMigrations } from '@app/database';
import { z } from 'zod';

// npm run migrate -- up | down [steps] | reset
const Args = z.tuple([z.enum(['up', 'down', 'reset']), z.coerce.number().int().positive().optional()]);

async function main(): Promise<void> {
  const parsedArgs = Args.safeParse(process.argv.slice(2));
  if (!parsedArgs.success) {
    process.stderr.write('usage: npm run migrate -- up | down [steps] | reset\n');
    process.exit(2);
  }
  const [command, steps] = parsedArgs.data;
  const env = parseEnv('migrate', z.object(postgresEnv));
  const options = { url: env.DATABASE_URL, applicationName: 'parley-migrate' };
  if (command === 'up') {
    const { applied } = await runMigrations(options);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } else {
    const { applied } = await revertMigrations(options, command === 'reset' ? Number.POSITIVE_INFINITY : (steps ?? 1));
    console.log(applied.length ? `reverted: ${applied.join(', ')}` : 'nothing to revert');
  }
}

main().catch((err) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
