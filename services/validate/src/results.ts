// What the contract step decides about one raw message. The batch handler turns these into
// messages on the valid and refused topics; a message that is not a raw message at all is a
// poison message for the stage runner, which dead-letters it.
import type { FailureRecord, ValidMessage } from '@vawg/contracts';

export type StepResult =
  | { type: 'ok'; message: ValidMessage }
  | { type: 'refuse'; failure: FailureRecord }
  | { type: 'undecodable'; reason: string };
