// Uploads one document for a return through POST /v1/documents, answering with what to cite.
import { CliError } from './cli-error.ts';

export interface UploadedDocument {
  sha256: string;
  bytes: number;
  mediaType: string;
}

/** The body goes as it is: the service tells its type from its content, not from a declared type. */
export async function uploadDocument(options: { url: string; token: string; force: string; name: string; body: Buffer }): Promise<UploadedDocument> {
  let response: Response;
  try {
    response = await fetch(`${options.url}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/octet-stream', 'x-vawg-force': options.force },
      body: options.body,
    });
  } catch (error) {
    throw new CliError(`cannot reach ${options.url} to upload ${options.name} (${(error as Error).message})`);
  }
  const answer = (await response.json().catch(() => ({}))) as Partial<UploadedDocument> & { title?: string; detail?: string };
  if ((response.status !== 201 && response.status !== 200) || !answer.sha256) {
    throw new CliError(`${options.name} was not taken: ${response.status} ${answer.title ?? ''}: ${answer.detail ?? 'no detail'}`);
  }
  return { sha256: answer.sha256, bytes: answer.bytes ?? options.body.length, mediaType: answer.mediaType ?? '' };
}
