// The `vawg` command line (operations.md, "The command line").
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '@vawg/config';
import pkg from '../package.json' with { type: 'json' };
import { CliError } from './cli-error.ts';
import { interrupted } from './bring-up.ts';
import { upCommand } from './commands/up.ts';
import { demoCommand } from './commands/demo.ts';
import { tokensCreateCommand, tokensListCommand, tokensRevokeCommand, tokensRotateCommand } from './commands/tokens.ts';
import { sendCommand } from './commands/send.ts';
import { publishCommand } from './commands/publish.ts';
import { reportsCommand } from './commands/reports.ts';
import { replayCommand } from './commands/replay.ts';
import { deadLettersCommand, discardCommand, redriveCommand } from './commands/dead-letters.ts';
import { completenessCommand } from './commands/completeness.ts';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

const program = new Command('vawg').version(pkg.version).description('The national VAWG data system: ingest, validate, aggregate, publish.');

program.command('up').description('start every service in this process, on the embedded defaults unless the environment names a broker, database or S3 endpoint')
  .option('--port <port>', 'port of the ingest API (default 8080, or a free one)', integer)
  .action(upCommand);
program.command('demo').description('up, then send a synthetic year for every force, publish, and print where the report is')
  .option('--exit', 'stop once the report is published instead of staying up')
  .option('--crimes-per-force-month <n>', 'volume of the synthetic data', integer, 40)
  .action(demoCommand);
const tokens = program.command('tokens').description('credentials: create, list, revoke, rotate');
tokens.command('create').description('create a credential and print it once')
  .option('--force <force>', 'the force it belongs to (an id from forces.csv)')
  .option('--operator', 'an operator credential: reads everything, sends nothing')
  .option('--expires <when>', 'when it stops working: a duration (90d, 12h) or an instant')
  .option('--label <text>', 'a note to tell it by, e.g. the system that holds it')
  .action(tokensCreateCommand);
tokens.command('list').description('credentials in force (never their tokens): id, whose, created, expires, last used')
  .option('--force <force>', 'only this force\'s')
  .option('--all', 'revoked and expired ones too')
  .action(tokensListCommand);
tokens.command('revoke').description('revoke a credential: refused everywhere within 5 seconds')
  .requiredOption('--id <id>', 'its id, as `vawg tokens list` shows it')
  .action(tokensRevokeCommand);
tokens.command('rotate').description('a new credential for the same force, printed once; the old one works for a grace period')
  .requiredOption('--id <id>', 'the credential to replace')
  .option('--grace <duration>', 'how long the old one still works (default 24h)')
  .option('--expires <when>', 'when the new one stops working')
  .action(tokensRotateCommand);
program.command('send').description('send NDJSON or CSV files through the ingest API and print the receipt totals')
  .argument('<files...>', 'NDJSON files, one event a line; or CSV files (*.csv), one event type a file, a row an event')
  .requiredOption('--force <force>', 'the force sending')
  .option('--token <token>', "the force's credential (it shows in `ps`: prefer VAWG_TOKEN or --token-file)")
  .option('--token-file <file>', "a file holding the force's credential")
  .option('--url <url>', 'the ingest API (default: the running `vawg up`, or VAWG_URL)')
  .option('--type <type>', 'the event type of the CSV files (default: from each file name, e.g. crime.recorded.csv, or its type column)')
  .action(sendCommand);
program.command('publish').description('publish (or republish) a half-year now, and print the revision')
  .requiredOption('--period <period>', 'a half-year, e.g. 2025-H1')
  .option('--cutoff <time>', 'as at this instant: only events received by then (default: now)')
  .option('--wait <seconds>', 'how long to wait for the stages to count what was accepted by the cut-off (default 300)', integer)
  .option('--allow-incomplete', 'publish even if some accepted events are not yet counted; the manifest and report say how many')
  .action(publishCommand);
program.command('reports').description('list publications; with --download, copy a revision\'s files to a folder')
  .option('--period <period>', 'only this half-year')
  .option('--revision <n>', 'the revision to download (default: the latest)', integer)
  .option('--download <dir>', 'copy the files of the chosen revision under this folder')
  .action(reportsCommand);

program.command('replay').description('recompute every aggregate from the stored events and check the live ones against it')
  .option('--from <month>', 'check only months from this one (YYYY-MM)')
  .action(replayCommand);

program.command('completeness').description('the completeness grid of a period: each force × month of each dataset, its state and volume')
  .requiredOption('--period <period>', 'a half-year (2025-H1) or a month (2025-04)')
  .option('--force <force>', 'only this force')
  .option('--dataset <dataset>', 'only this dataset: crime, orders, dvds, allegations or returns')
  .option('--json', 'the grid as JSON, as GET /v1/completeness gives it')
  .action(completenessCommand);

const collect = (value: string, previous: string[] = []) => [...previous, value];
/** Which dead letters: the filters `dead-letters` and `redrive` share. */
const letters = (command: Command) => command
  .option('--stage <stage>', 'only this stage: validate, aggregate or refusals')
  .option('--force <force>', 'only this force')
  .option('--id <id>', 'only this letter (repeatable)', collect);
letters(program.command('dead-letters').description('list the messages a stage could not process after its retries (waiting for a redrive)'))
  .option('--all', 'also those already redriven and processed')
  .action(deadLettersCommand);
letters(program.command('redrive').description('after a fix, send dead letters back through their stage; each is processed once however often it is sent'))
  .option('--again', 'also re-send letters already sent and not yet processed')
  .action(redriveCommand);
program.command('discard').description('record that dead letters can never be processed (the force will send a correction, say): they count as discarded, and publications no longer wait for them')
  .requiredOption('--id <id>', 'the letter (repeatable)', collect)
  .requiredOption('--reason <text>', 'why, kept on record with the letter')
  .action(discardCommand);

try {
  await program.parseAsync();
} catch (error) {
  // Stopped by Ctrl-C mid-way: what failed failed because it was stopped; exit with the signal's code.
  await interrupted();
  if (error instanceof CliError || error instanceof ConfigError) {
    console.error(`vawg: ${error.message}`);
  } else {
    // Not a failure we foresaw: still one line, with the stack only when asked for.
    console.error(`vawg: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (run with LOG_LEVEL=debug for details)`);
    if (process.env.LOG_LEVEL === 'debug') console.error(error);
  }
  process.exit(1);
}
