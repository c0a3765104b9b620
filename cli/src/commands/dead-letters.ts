// `vawg dead-letters` and `vawg redrive` (operations.md): what the stages could not process, and
// sending it through again once the cause is fixed. The stage that processes a redriven message
// marks its letter resolved in the same transaction, so a letter counts once however often it is sent.
import { stages } from '@vawg/contracts';
import { discardDeadLetters, listDeadLetters, redriveDeadLetters, type DeadLetterSummary } from '@vawg/pipeline';
import { connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';

export interface DeadLetterOptions {
  stage?: string;
  force?: string;
  id?: string[];
  all?: boolean;
}

function checkStage(stage: string | undefined): void {
  if (stage && !(stages as readonly string[]).includes(stage)) throw new CliError(`--stage ${stage} is not a stage: one of ${stages.join(', ')}`);
}

function printLetters(letters: DeadLetterSummary[]): void {
  console.log('id                                        stage      force                  status      attempts  dead-lettered at          error');
  for (const l of letters) {
    console.log(`${l.id.padEnd(41)} ${l.stage.padEnd(10)} ${(l.force ?? '-').padEnd(22)} ${l.status.padEnd(11)} ${String(l.attempts).padEnd(9)} ${l.deadLetteredAt.slice(0, 19).padEnd(25)} ${l.error.slice(0, 100)}`);
  }
}

export async function deadLettersCommand(options: DeadLetterOptions): Promise<void> {
  checkStage(options.stage);
  const connection = await connect();
  try {
    const letters = await listDeadLetters(connection.pool, { stage: options.stage, force: options.force, ids: options.id, all: options.all ?? false });
    if (letters.length === 0) {
      console.log(options.all ? 'no dead letters' : 'no dead letters waiting (`--all` lists those already redriven and processed too)');
      return;
    }
    printLetters(letters);
    const open = letters.filter((l) => l.status === 'dead').length;
    console.log(`\n${letters.length} listed, ${open} waiting for a redrive. After fixing the cause: vawg redrive${options.stage ? ` --stage ${options.stage}` : ''}${options.force ? ` --force ${options.force}` : ''}`);
  } finally {
    await connection.close();
  }
}

export async function redriveCommand(options: DeadLetterOptions & { again?: boolean }): Promise<void> {
  checkStage(options.stage);
  const connection = await connect();
  try {
    const sent = await redriveDeadLetters(connection.pool, await connection.bus(), {
      stage: options.stage, force: options.force, ids: options.id, again: options.again ?? false,
    });
    if (sent.length === 0) {
      console.log('nothing to redrive: no dead letter waiting matches (`vawg dead-letters` lists them; `--again` re-sends those sent and not yet processed)');
      return;
    }
    printLetters(sent);
    console.log(`\nsent ${sent.length} back to the stages they came from; \`vawg dead-letters --all\` shows each as processed once its stage has taken it`);
  } finally {
    await connection.close();
  }
}

export async function discardCommand(options: { id: string[]; reason: string }): Promise<void> {
  if (options.reason.trim().length < 10) throw new CliError('say why, in a sentence: --reason "…" (it stays on record with the letter)');
  const connection = await connect();
  try {
    const discarded = await discardDeadLetters(connection.pool, options.id, options.reason.trim());
    if (discarded.length === 0) {
      console.log('nothing discarded: no dead letter waiting has these ids (`vawg dead-letters` lists them)');
      return;
    }
    printLetters(discarded);
    console.log(`\ndiscarded ${discarded.length}: they count as discarded in the publication's account, and it no longer waits for them`);
  } finally {
    await connection.close();
  }
}
