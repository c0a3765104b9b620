// `vawg tokens create | list | revoke | rotate` (operations.md): credentials you can account for.
// A token is shown once, when made; it is stored only as a hash, and named afterwards by its id.
import { readFile } from 'node:fs/promises';
import { forceIds } from '@vawg/contracts';
import { issueCredential } from '@vawg/ingest';
import { withTransaction } from '@vawg/db';
import { connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';

/** `90d`, `12h`, `30m`, or an ISO 8601 instant: when a credential stops working. */
export function parseExpiry(text: string, now = new Date()): Date {
  const relative = /^(\d+)([dhm])$/.exec(text);
  if (relative) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() + Number(relative[1]) * unit);
  }
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime())) throw new CliError(`--expires ${text}: give a duration such as 90d, 12h or 30m, or an instant such as 2027-01-31T00:00:00Z`);
  if (at.getTime() <= now.getTime()) throw new CliError(`--expires ${text} is in the past`);
  return at;
}

export async function tokensCreateCommand(options: { force?: string; operator?: boolean; expires?: string; label?: string }): Promise<void> {
  if (!options.operator && !options.force) throw new CliError('say whose credential it is: --force <force id> (or --operator)');
  if (options.force && !forceIds.includes(options.force)) {
    throw new CliError(`unknown force "${options.force}": use an id from contracts/reference/forces.csv, e.g. kent, metropolitan`);
  }
  const expiresAt = options.expires ? parseExpiry(options.expires) : undefined;
  const connection = await connect();
  try {
    const { token, id } = await issueCredential(connection.pool, options.force ? { role: 'force', force: options.force } : { role: 'operator', force: null }, { label: options.label, expiresAt });
    console.error(`Credential ${id} for ${options.force ?? 'an operator'}${expiresAt ? `, until ${expiresAt.toISOString()}` : ''}. It is shown once and stored only as a hash:`);
    console.log(token);
  } finally {
    await connection.close();
  }
}

interface CredentialRow { id: string; role: string; force: string | null; label: string | null; created_at: Date; expires_at: Date | null; last_used_at: Date | null; revoked_at: Date | null }

export async function tokensListCommand(options: { force?: string; all?: boolean }): Promise<void> {
  const connection = await connect();
  try {
    const { rows } = await connection.pool.query<CredentialRow>(
      `SELECT id, role, force, label, created_at, expires_at, last_used_at, revoked_at FROM ingest.credentials
        WHERE ($1::text IS NULL OR force = $1) AND ($2 OR (revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())))
        ORDER BY coalesce(force, ''), created_at`, [options.force ?? null, options.all ?? false]);
    if (rows.length === 0) {
      console.log(options.all ? 'no credentials' : 'no credentials in force (`--all` lists revoked and expired ones too)');
      return;
    }
    const day = (d: Date | null) => d?.toISOString().slice(0, 16).replace('T', ' ') ?? '-';
    console.log('id                                    whose                    created           expires           last used         state     label');
    for (const r of rows) {
      const state = r.revoked_at ? 'revoked' : r.expires_at && r.expires_at <= new Date() ? 'expired' : 'in force';
      console.log(`${r.id}  ${(r.force ?? 'operator').padEnd(24)} ${day(r.created_at).padEnd(17)} ${day(r.expires_at).padEnd(17)} ${day(r.last_used_at).padEnd(17)} ${state.padEnd(9)} ${r.label ?? ''}`);
    }
  } finally {
    await connection.close();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function tokensRevokeCommand(options: { id: string }): Promise<void> {
  if (!UUID.test(options.id)) throw new CliError(`--id ${options.id}: a credential's id, as \`vawg tokens list\` shows it`);
  const connection = await connect();
  try {
    const { rows } = await connection.pool.query<{ force: string | null }>(
      'UPDATE ingest.credentials SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING force', [options.id]);
    if (rows.length === 0) throw new CliError(`no credential ${options.id} in force (see \`vawg tokens list --all\`)`);
    console.log(`revoked ${options.id} (${rows[0]!.force ?? 'operator'}): refused everywhere within 5 seconds, its console sessions ended`);
  } finally {
    await connection.close();
  }
}

/**
 * A new credential for the same force (or operator), with the old one's label and expiry unless
 * told otherwise; the old one kept for a grace period so the force can switch. One transaction,
 * and a credential is rotated once: rotating it again while its successor stands is refused.
 */
export async function tokensRotateCommand(options: { id: string; grace?: string; expires?: string }): Promise<void> {
  if (!UUID.test(options.id)) throw new CliError(`--id ${options.id}: a credential's id, as \`vawg tokens list\` shows it`);
  const graceUntil = parseExpiry(options.grace ?? '24h');
  const expiresAt = options.expires ? parseExpiry(options.expires) : undefined;
  const connection = await connect();
  try {
    const outcome = await withTransaction(connection.pool, async (client) => {
      const { rows } = await client.query<CredentialRow>(
        `SELECT id, role, force, label, created_at, expires_at, last_used_at, revoked_at FROM ingest.credentials
          WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) FOR UPDATE`, [options.id]);
      const old = rows[0];
      if (!old) throw new CliError(`no credential ${options.id} in force (see \`vawg tokens list --all\`)`);
      const { rows: successors } = await client.query<{ id: string }>(
        `SELECT id FROM ingest.credentials WHERE rotated_from = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`, [old.id]);
      if (successors[0]) throw new CliError(`${old.id} was rotated already: its successor ${successors[0].id} is in force (rotate that one, or revoke it first)`);
      const principal = old.role === 'force' && old.force ? { role: 'force' as const, force: old.force } : { role: 'operator' as const, force: null };
      const issued = await issueCredential(client, principal, { label: old.label ?? undefined, expiresAt: expiresAt ?? old.expires_at ?? undefined, rotatedFrom: old.id });
      const { rows: ended } = await client.query<{ expires_at: Date }>(
        'UPDATE ingest.credentials SET expires_at = least(coalesce(expires_at, $2), $2) WHERE id = $1 RETURNING expires_at', [old.id, graceUntil]);
      return { ...issued, old, oldUntil: ended[0]!.expires_at };
    });
    console.error(`Credential ${outcome.id} replaces ${outcome.old.id} (${outcome.old.force ?? 'operator'}), which works until ${outcome.oldUntil.toISOString()}. Shown once:`);
    console.log(outcome.token);
  } finally {
    await connection.close();
  }
}

/** The token to send with: --token, else --token-file, else VAWG_TOKEN (neither of the last two shows in `ps`). */
export async function tokenFrom(options: { token?: string; tokenFile?: string }): Promise<string> {
  if (options.token) return options.token;
  if (options.tokenFile) {
    const text = (await readFile(options.tokenFile, 'utf8').catch(() => { throw new CliError(`--token-file ${options.tokenFile}: cannot read it`); })).trim();
    if (!text) throw new CliError(`--token-file ${options.tokenFile} is empty`);
    return text;
  }
  const fromEnv = process.env.VAWG_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  throw new CliError("say which credential to send with: VAWG_TOKEN, --token-file <file> (neither shows in `ps`), or --token <token>");
}
