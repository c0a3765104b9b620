// The object store (S3 API). Reports and raw submissions are written once and never changed.
import {
  S3Client, PutObjectCommand, GetObjectCommand, DeleteObjectCommand, ListObjectsV2Command, CreateBucketCommand, HeadBucketCommand,
  NoSuchKey, S3ServiceException,
} from '@aws-sdk/client-s3';

export interface ObjectStoreOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
  /** Longest one request may take, connecting included (default 10 s); the SDK tries twice. */
  timeoutMs?: number;
}

export interface ObjectStore {
  readonly bucket: string;
  put(key: string, body: Buffer | string, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
  /** Every key under a prefix, in key order. */
  list(prefix: string): Promise<string[]>;
  ensureBucket(): Promise<void>;
  ping(): Promise<boolean>;
  close(): void;
}

export function createObjectStore(options: ObjectStoreOptions): ObjectStore {
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: options.accessKeyId && options.secretAccessKey
      ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
      : undefined,
    // Checksums only when an operation requires them: s3rver cannot read aws-chunked bodies, and
    // we always send whole Buffers, so nothing is lost against real S3 either.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // An endpoint that accepts the connection and never answers must not hang a request: the SDK
    // only warns on a request timeout unless told to throw (a publication once hung for ever so).
    requestHandler: { connectionTimeout: Math.min(options.timeoutMs ?? 10_000, 3_000), requestTimeout: options.timeoutMs ?? 10_000, throwOnRequestTimeout: true },
    maxAttempts: 2,
  });
  const Bucket = options.bucket;

  return {
    bucket: Bucket,
    async put(key, body, contentType) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: bytes, ContentType: contentType, ContentLength: bytes.length }));
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        if (!out.Body) return null;
        return Buffer.from(await out.Body.transformToByteArray());
      } catch (error) {
        if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) return null;
        throw error;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
      } catch {
        await client.send(new CreateBucketCommand({ Bucket }));
      }
    },
    async ping() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
        return true;
      } catch {
        return false;
      }
    },
    close() {
      client.destroy();
    },
  };
}
