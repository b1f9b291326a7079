import { readdirSync } from 'node:fs';
import { Client } from 'pg';
import { ComponentError } from './errors';
import { exec, which } from './exec';
import { ensureAptBinaries, type Logger } from './provision';
import { waitUntilReady } from './wait';

async function ping(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

function clusterVersion(): string | undefined {
  try {
    return readdirSync('/etc/postgresql').sort().at(-1);
  } catch {
    return undefined;
  }
}

export interface PostgresHandle {
  /** True when this call started the server (so whoever started it stops it). */
  startedByUs: boolean;
  stop(): Promise<void>;
}

/**
 * Uses the PostgreSQL that answers at `adminUrl`; otherwise installs Debian's package if needed
 * and starts its cluster on the standard port.
 */
export async function ensurePostgres(adminUrl: string, log: Logger): Promise<PostgresHandle> {
  const noop: PostgresHandle = { startedByUs: false, stop: async () => undefined };
  try {
    await ping(adminUrl);
    return noop;
  } catch {
    log('PostgreSQL is not answering; starting it');
  }
  await ensureAptBinaries([{ binary: 'pg_ctlcluster', pkg: 'postgresql' }], log);
  const version = clusterVersion();
  if (!version || !which('pg_ctlcluster')) {
    throw new ComponentError(
      'postgresql',
      'no PostgreSQL cluster found under /etc/postgresql',
      'install the postgresql package or point DATABASE_URL at a running server',
    );
  }
  await exec('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']).catch((err) => {
    throw new ComponentError('postgresql', `pg_ctlcluster start failed: ${(err as Error).message}`);
  });
  await waitUntilReady(() => ping(adminUrl), {
    component: 'postgresql',
    timeoutMs: 30_000,
    hint: `check /var/log/postgresql and that ${new URL(adminUrl).host} is the server's address`,
  });
  return {
    startedByUs: true,
    stop: async () => {
      await exec('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'stop']).catch(() => undefined);
    },
  };
}

/** Creates the database named in `databaseUrl` if it does not exist (connects to the postgres DB to do so). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new ComponentError('postgresql', `unsupported database name "${name}"`);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** Drops and recreates a database: the tests start from an empty schema every run. */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name) || !name.includes('test')) {
    throw new ComponentError('postgresql', `refusing to drop "${name}": only test databases are recreated`);
  }
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
