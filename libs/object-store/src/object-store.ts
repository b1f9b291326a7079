import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface ObjectStoreOptions {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

export function createS3Client(options: ObjectStoreOptions): S3Client {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // Health checks and tests must not hang on a stopped store.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_500, requestTimeout: 10_000 },
  });
}

/** The adapter every service uses for the bucket; nothing else talks S3. */
export class ObjectStore {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  static fromOptions(options: ObjectStoreOptions): ObjectStore {
    return new ObjectStore(createS3Client(options), options.bucket);
  }

  async put(key: string, body: Uint8Array | string, contentType = 'application/octet-stream'): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async get(key: string): Promise<Buffer> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!result.Body) throw new Error(`object ${key} has no body`);
    return Buffer.from(await result.Body.transformToByteArray());
  }

  /**
   * A GET URL for one object that expires after `expiresInSeconds`: the only way recordings
   * leave the store (R-R7). Signing is local; the object's existence is not checked here.
   */
  presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }

  async headBucket(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** Creates the bucket unless it exists; safe to call on every start. */
  async ensureBucket(): Promise<void> {
    try {
      await this.headBucket();
      return;
    } catch (err) {
      if (!(err instanceof S3ServiceException) || err.$metadata.httpStatusCode !== 404) throw err;
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      // Another process may have created it between our HEAD and CREATE.
      if (
        !(err instanceof S3ServiceException) ||
        !['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(err.name)
      )
        throw err;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
