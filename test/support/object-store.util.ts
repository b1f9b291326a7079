import { ObjectStore } from '@app/object-store';

/** The test stack's bucket, as the apps reach it (path-style, the stack's credentials). */
export function objectStoreFromEnv(env: Record<string, string>): ObjectStore {
  return ObjectStore.fromOptions({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    bucket: env.S3_BUCKET,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: true,
  });
}
