import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ensureDatabase, ensurePostgres, recreateDatabase, type PostgresHandle } from './postgres';
import {
  ensureAptBinaries,
  ensureGoTool,
  LIVEKIT_SERVER,
  STACK_APT_BINARIES,
  VERSITYGW,
  type Logger,
} from './provision';
import { ensureRedis, type RedisHandle } from './redis';
import { startLiveKitServer, type LiveKitServerHandle } from './livekit-server';
import { startObjectStoreServer, type ObjectStoreServerHandle } from './object-store-server';
import { ensureRecorder, startRecorder, type RecorderHandle } from './recorder';
import { DATA_DIR, LOG_DIR, RUN_DIR, STATE_DIR } from './paths';

export interface StackProfile {
  /** Names the profile's run, data and log folders: dev, test, or test-<slot>. */
  name: string;
  livekit: { port: number; rtcTcpPort: number; rtcUdpPort: number };
  objectStorePort: number;
  /** The server's address; the profile's own database and Redis DB index go on top. */
  postgresServerUrl: string;
  databaseName: string;
  redisServerUrl: string;
  redisDb: number;
  ports: { userManagement: number; videoStreamingServer: number; agentHealth: number; recorder: number };
  /** Tests start from an empty database every run; development keeps its data. */
  freshDatabase: boolean;
}

// Development and tests use different ports, database, Redis DB index and bucket folder, so
// `npm test` can run while `npm start` is up and never touches a developer's data.
export const DEV_PROFILE: StackProfile = {
  name: 'dev',
  livekit: { port: 7880, rtcTcpPort: 7881, rtcUdpPort: 7882 },
  objectStorePort: 7070,
  postgresServerUrl: 'postgres://postgres@127.0.0.1:5432',
  databaseName: 'parley',
  redisServerUrl: 'redis://127.0.0.1:6379',
  redisDb: 0,
  ports: { userManagement: 3000, videoStreamingServer: 3001, agentHealth: 8081, recorder: 7090 },
  freshDatabase: false,
};

/**
 * The test profile for a slot. Slot 0 (the default) is what `npm test` and CI use; other slots
 * (PARLEY_TEST_SLOT=1..9) shift every port by 100 per slot and use their own database, Redis DB
 * and folders, so several test runs can share one machine without touching each other.
 */
export function testProfile(slot: number): StackProfile {
  if (!Number.isInteger(slot) || slot < 0 || slot > 9)
    throw new Error(`PARLEY_TEST_SLOT must be an integer 0..9, got ${slot}`);
  const shift = slot * 100;
  return {
    name: slot === 0 ? 'test' : `test-${slot}`,
    livekit: { port: 17880 + shift, rtcTcpPort: 17881 + shift, rtcUdpPort: 17882 + shift },
    objectStorePort: 17070 + shift,
    postgresServerUrl: 'postgres://postgres@127.0.0.1:5432',
    databaseName: slot === 0 ? 'parley_test' : `parley_test_${slot}`,
    redisServerUrl: 'redis://127.0.0.1:6379',
    redisDb: 15 - slot,
    ports: {
      userManagement: 13000 + shift,
      videoStreamingServer: 13001 + shift,
      agentHealth: 18081 + shift,
      recorder: 17090 + shift,
    },
    freshDatabase: true,
  };
}

export const TEST_PROFILE: StackProfile = testProfile(Number(process.env.PARLEY_TEST_SLOT ?? 0));

const StackSecrets = z.object({
  livekitApiKey: z.string().min(3),
  livekitApiSecret: z.string().min(32),
  s3AccessKeyId: z.string().min(3),
  s3SecretAccessKey: z.string().min(8),
  observerSecret: z.string().min(32),
  telemetryKeyId: z.string().min(1),
  telemetrySecret: z.string().min(32),
  // Ed25519 key pair for session tickets: user-management signs, video-streaming-server verifies.
  ticketKeyId: z.string().min(1),
  ticketPrivateJwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), d: z.string() }),
  staffJwtKeyId: z.string().min(1),
  staffJwtSecret: z.string().min(32),
  // user-management's internal API: one key per calling service (the media plane's, the agent's),
  // so user-management knows who calls and what that caller may do.
  internalKeyId: z.string().min(1),
  internalSecret: z.string().min(32),
  agentInternalKeyId: z.string().min(1),
  agentInternalSecret: z.string().min(32),
});
export type StackSecrets = z.infer<typeof StackSecrets>;

export function randomSecrets(): StackSecrets {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string; d: string };
  return {
    livekitApiKey: `API${randomBytes(6).toString('hex')}`,
    livekitApiSecret: randomBytes(32).toString('base64url'),
    s3AccessKeyId: `parley${randomBytes(4).toString('hex')}`,
    s3SecretAccessKey: randomBytes(24).toString('base64url'),
    observerSecret: randomBytes(32).toString('base64url'),
    telemetryKeyId: `tm-${randomBytes(3).toString('hex')}`,
    telemetrySecret: randomBytes(32).toString('base64url'),
    ticketKeyId: `st-${randomBytes(3).toString('hex')}`,
    ticketPrivateJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d },
    staffJwtKeyId: `sj-${randomBytes(3).toString('hex')}`,
    staffJwtSecret: randomBytes(32).toString('base64url'),
    internalKeyId: `in-${randomBytes(3).toString('hex')}`,
    internalSecret: randomBytes(32).toString('base64url'),
    agentInternalKeyId: `ia-${randomBytes(3).toString('hex')}`,
    agentInternalSecret: randomBytes(32).toString('base64url'),
  };
}

/**
 * Local development secrets are generated on first start and kept in .parley/ (git-ignored,
 * mode 0600), so no key is ever committed and a restart keeps working tokens and stored files.
 */
export function loadOrCreateSecrets(file = join(STATE_DIR, 'dev-secrets.json')): StackSecrets {
  const existing: unknown = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  if (StackSecrets.safeParse(existing).success) return StackSecrets.parse(existing);
  // Secrets added by a later version are filled in; the ones already there are kept.
  const merged = StackSecrets.safeParse({ ...randomSecrets(), ...(existing as object | undefined) });
  const secrets = merged.success ? merged.data : randomSecrets();
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export interface LocalStack {
  profile: StackProfile;
  secrets: StackSecrets;
  /** Environment for the apps and the agent: every variable their config schemas read. */
  env: Record<string, string>;
  livekit: LiveKitServerHandle;
  objectStore: ObjectStoreServerHandle;
  recorder: RecorderHandle;
  stop(): Promise<void>;
}

export function stackEnv(
  profile: StackProfile,
  secrets: StackSecrets,
  objectStoreEndpoint: string,
): Record<string, string> {
  return {
    LIVEKIT_URL: `ws://127.0.0.1:${profile.livekit.port}`,
    LIVEKIT_API_KEY: secrets.livekitApiKey,
    LIVEKIT_API_SECRET: secrets.livekitApiSecret,
    REDIS_URL: `${profile.redisServerUrl}/${profile.redisDb}`,
    DATABASE_URL: `${profile.postgresServerUrl}/${profile.databaseName}`,
    S3_ENDPOINT: objectStoreEndpoint,
    S3_REGION: 'us-east-1',
    S3_BUCKET: 'parley',
    S3_ACCESS_KEY_ID: secrets.s3AccessKeyId,
    S3_SECRET_ACCESS_KEY: secrets.s3SecretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    SESSION_TICKET_PUBLIC_KEYS: JSON.stringify({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: secrets.ticketPrivateJwk.x, kid: secrets.ticketKeyId }],
    }),
    SESSION_TICKET_PRIVATE_KEY: JSON.stringify({ ...secrets.ticketPrivateJwk, kid: secrets.ticketKeyId }),
    TELEMETRY_SIGNING_KEYS: `${secrets.telemetryKeyId}:${secrets.telemetrySecret}`,
    OBSERVER_SHARED_SECRET: secrets.observerSecret,
    STAFF_JWT_KEYS: `${secrets.staffJwtKeyId}:${secrets.staffJwtSecret}`,
    // user-management verifies (id:secret:caller,…); each caller signs with its own key only.
    INTERNAL_API_KEYS: [
      `${secrets.internalKeyId}:${secrets.internalSecret}:video-streaming-server`,
      `${secrets.agentInternalKeyId}:${secrets.agentInternalSecret}:interviewer-agent`,
    ].join(','),
    VSS_INTERNAL_API_KEY: `${secrets.internalKeyId}:${secrets.internalSecret}`,
    AGENT_INTERNAL_API_KEY: `${secrets.agentInternalKeyId}:${secrets.agentInternalSecret}`,
    USER_MANAGEMENT_URL: `http://127.0.0.1:${profile.ports.userManagement}`,
    // user-management serves the web app; its pages call the media plane directly (CORS).
    PUBLIC_WEB_URL: `http://127.0.0.1:${profile.ports.userManagement}`,
    PUBLIC_MEDIA_API_URL: `http://127.0.0.1:${profile.ports.videoStreamingServer}`,
    WEB_ORIGINS: [
      `http://127.0.0.1:${profile.ports.userManagement}`,
      `http://localhost:${profile.ports.userManagement}`,
      'http://127.0.0.1:5173',
      'http://localhost:5173',
    ].join(','),
    // R-R4: Parley's Go-SDK recorder stands in for LiveKit egress here (see README).
    RECORDER: 'local',
    RECORDER_URL: `http://127.0.0.1:${profile.ports.recorder}`,
    // Interview results wait here until user-management takes them (R-G2: never lost).
    AGENT_OUTBOX_DIR: join(DATA_DIR, profile.name, 'agent-outbox'),
    // Node 20 is this machine's runtime; the SDK's notice about its 2027 Node 22 floor is in the README.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * Provisions what is missing (ffmpeg, the pinned Go binaries, PostgreSQL, Redis) and starts
 * livekit-server and the object store for `profile`. The same code serves `npm start`, the e2e
 * tests and CI.
 */
export async function startLocalStack(profile: StackProfile, secrets: StackSecrets, log: Logger): Promise<LocalStack> {
  const runDir = join(RUN_DIR, profile.name);
  const logDir = join(LOG_DIR, profile.name);
  mkdirSync(runDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    await Promise.all([
      ensureAptBinaries(STACK_APT_BINARIES, log),
      ensureGoTool(LIVEKIT_SERVER, log),
      ensureGoTool(VERSITYGW, log),
      ensureRecorder(log),
    ]);

    const pg: PostgresHandle = await ensurePostgres(`${profile.postgresServerUrl}/postgres`, log);
    if (pg.startedByUs) stops.push(() => pg.stop());
    const databaseUrl = `${profile.postgresServerUrl}/${profile.databaseName}`;
    await (profile.freshDatabase ? recreateDatabase(databaseUrl) : ensureDatabase(databaseUrl));

    const redis: RedisHandle = await ensureRedis(`${profile.redisServerUrl}/${profile.redisDb}`, log, runDir);
    if (redis.startedByUs) stops.push(() => redis.stop());

    const webhookUrl = `http://127.0.0.1:${profile.ports.videoStreamingServer}/v1/livekit/webhook`;
    const [livekit, objectStore] = await Promise.all([
      startLiveKitServer(
        {
          name: 'livekit-server',
          ...profile.livekit,
          keys: { [secrets.livekitApiKey]: secrets.livekitApiSecret },
          webhook: { apiKey: secrets.livekitApiKey, urls: [webhookUrl] },
          runDir,
          logDir,
        },
        log,
      ).then((handle) => {
        stops.push(() => handle.stop());
        return handle;
      }),
      startObjectStoreServer(
        {
          name: 'object-store',
          port: profile.objectStorePort,
          dataDir: join(DATA_DIR, profile.name, 'object-store'),
          accessKeyId: secrets.s3AccessKeyId,
          secretAccessKey: secrets.s3SecretAccessKey,
          bucket: 'parley',
          region: 'us-east-1',
          logDir,
        },
        log,
      ).then((handle) => {
        stops.push(() => handle.stop());
        return handle;
      }),
    ]);

    const recorder = await startRecorder(
      {
        name: 'recorder',
        port: profile.ports.recorder,
        livekitUrl: `ws://127.0.0.1:${profile.livekit.port}`,
        livekitApiKey: secrets.livekitApiKey,
        livekitApiSecret: secrets.livekitApiSecret,
        objectStore: {
          endpoint: objectStore.endpoint,
          region: 'us-east-1',
          bucket: 'parley',
          accessKeyId: secrets.s3AccessKeyId,
          secretAccessKey: secrets.s3SecretAccessKey,
        },
        webhookUrl,
        spoolDir: join(DATA_DIR, profile.name, 'recorder-spool'),
        logDir,
      },
      log,
    );
    stops.push(() => recorder.stop());

    return {
      profile,
      secrets,
      env: stackEnv(profile, secrets, objectStore.endpoint),
      livekit,
      objectStore,
      recorder,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
