// The object store (S3 API). Reports and raw submissions are written once and never changed.
import type { Readable } from 'node:stream';
import {
  S3Client, PutObjectCommand, GetObjectCommand, DeleteObjectCommand, ListObjectsV2Command, CreateBucketCommand, HeadBucketCommand,
  CopyObjectCommand, HeadObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand, NoSuchKey, NotFound, S3ServiceException,
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
  /**
   * Writes what a stream yields, never holding more than one part (5 MiB) of it: one PUT when it
   * ends within the first part, else a multipart upload (aborted if the stream fails).
   */
  putStream(key: string, body: Readable, contentType: string): Promise<void>;
  /** The object as a stream, with its size and type; null for a missing key. */
  getStream(key: string): Promise<{ body: Readable; bytes: number; contentType: string | null } | null>;
  /** Size and type of an object, without reading it; null for a missing key. */
  head(key: string): Promise<{ bytes: number; contentType: string | null } | null>;
  /** A server-side copy (nothing passes through this process); `contentType` replaces the source's. */
  copy(fromKey: string, toKey: string, contentType?: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key under a prefix, in key order. */
  list(prefix: string): Promise<string[]>;
  ensureBucket(): Promise<void>;
  ping(): Promise<boolean>;
  close(): void;
}

/** The part size of a streamed upload: S3's smallest multipart part. */
export const STREAM_PART_BYTES = 5 * 1024 * 1024;

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
  const missing = (error: unknown) => error instanceof NoSuchKey || error instanceof NotFound
    || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404);

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
    async putStream(key, body, contentType) {
      // One part buffer, filled and sent in turn: the stream is read no faster than the store takes
      // it, and never more than one part is held (@aws-sdk/lib-storage's Upload was measured
      // holding most of a 30 MiB stream at once).
      const part = Buffer.allocUnsafe(STREAM_PART_BYTES);
      let filled = 0;
      let uploadId: string | undefined;
      const parts: { PartNumber: number; ETag: string }[] = [];
      const sendPart = async () => {
        uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType }))).UploadId;
        const PartNumber = parts.length + 1;
        const out = await client.send(new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber, Body: part.subarray(0, filled), ContentLength: filled }));
        if (!out.ETag) throw new Error(`part ${PartNumber} of ${key} was stored without an ETag`);
        parts.push({ PartNumber, ETag: out.ETag });
        filled = 0;
      };
      try {
        for await (const chunk of body) {
          let data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
          while (data.length > 0) {
            const n = data.copy(part, filled, 0, Math.min(data.length, part.length - filled));
            filled += n;
            data = data.subarray(n);
            if (filled === part.length) await sendPart();
          }
        }
        if (!uploadId) {
          await client.send(new PutObjectCommand({ Bucket, Key: key, Body: part.subarray(0, filled), ContentType: contentType, ContentLength: filled }));
          return;
        }
        if (filled > 0) await sendPart();
        await client.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      } catch (error) {
        if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
        throw error;
      }
    },
    async getStream(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        if (!out.Body) return null;
        return { body: out.Body as Readable, bytes: out.ContentLength ?? 0, contentType: out.ContentType ?? null };
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
    },
    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { bytes: out.ContentLength ?? 0, contentType: out.ContentType ?? null };
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
    },
    async copy(fromKey, toKey, contentType) {
      await client.send(new CopyObjectCommand({
        Bucket, Key: toKey, CopySource: `${Bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
        ...(contentType ? { MetadataDirective: 'REPLACE', ContentType: contentType } : {}),
      }));
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
