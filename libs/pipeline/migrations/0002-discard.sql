-- An operator may discard a dead letter that can never be processed (its content is wrong and the
-- force will send a correction, say), with the reason on record. Its event then counts as
-- `discarded` in its submission's progress: accounted for, never counted, no longer waited for.
ALTER TABLE pipeline.dead_letters
  DROP CONSTRAINT dead_letters_resolution_check,
  ADD CONSTRAINT dead_letters_resolution_check CHECK (resolution IN ('processed', 'dead-again', 'discarded')),
  ADD COLUMN note text;
ALTER TABLE pipeline.progress
  DROP CONSTRAINT progress_check,
  ADD CONSTRAINT progress_check CHECK (stage || '.' || outcome IN (
    'ingest.accepted',
    'validate.passed', 'validate.duplicate', 'validate.refused', 'validate.held', 'validate.withdrawn', 'validate.dead-lettered', 'validate.discarded',
    'aggregate.counted', 'aggregate.dead-lettered', 'aggregate.discarded'));
-- A redriven message must carry the letter's own bytes to resolve it.
ALTER TABLE pipeline.dead_letters ADD COLUMN original_sha256 text;
