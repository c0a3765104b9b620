// What a validate step decides about one message. One place (the batch handler) turns these
// into messages on the valid, refused and dead-letter topics.
import type { DeadLetter, FailureRecord, ValidMessage } from '@vawg/contracts';

export type StepResult =
  | { type: 'ok'; message: ValidMessage }
  | { type: 'refuse'; failure: FailureRecord }
  | { type: 'dead-letter'; letter: DeadLetter };
