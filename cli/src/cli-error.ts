/** A failure the user can act on: printed as one line (what went wrong, what to do), exit 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}
