// An S3 endpoint for tests and local runs: s3rver on loopback, storing under a local directory.
import S3rver from 's3rver';
import { mkdir, unlink } from 'node:fs/promises';

export interface S3Endpoint {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  stop: () => Promise<void>;
}

/** s3rver checks signatures against these fixed credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3rver(directory: string, port = 0): Promise<S3Endpoint> {
  await mkdir(directory, { recursive: true });
  const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, vhostBuckets: false });
  keepDirectoriesOnDelete(server);
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    ...S3RVER_CREDENTIALS,
    region: 'eu-west-2',
    stop: () => server.close(),
  };
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}

/**
 * s3rver removes a key's folders once empty when it deletes an object, and a put into the same
 * folder at that moment fails to open its file: an unhandled error that ends the whole server
 * (seen under the fuzz suite: an upload to `documents-incoming/<force>/` while another was being
 * moved out). Deleting only the object's files, leaving empty folders, removes the race.
 */
function keepDirectoriesOnDelete(server: S3rver): void {
  const store = (server as unknown as { store: FilesystemStore }).store;
  store.deleteObject = async (bucket, key) => {
    await Promise.all(['object', 'object.md5', 'metadata.json'].map((resource) =>
      unlink(store.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      })));
  };
}
