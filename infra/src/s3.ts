// An S3 endpoint for tests and local runs: s3rver on loopback, storing under a local directory.
import S3rver from 's3rver';
import { mkdir } from 'node:fs/promises';

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
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    ...S3RVER_CREDENTIALS,
    region: 'eu-west-2',
    stop: () => server.close(),
  };
}
