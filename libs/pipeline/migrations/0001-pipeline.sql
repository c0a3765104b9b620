CREATE SCHEMA IF NOT EXISTS pipeline;

-- Every dead letter of every stage (contracts/src/dead-letter.ts). Written by the stage in its own
-- transaction, with its position past the message, so a letter is written once and never lost.
-- `record` is the whole versioned record as JSON text (it may quote a NUL, which jsonb cannot).
CREATE TABLE pipeline.dead_letters (
  id               text        PRIMARY KEY,
  stage            text        NOT NULL,
  force            text,
  submission_id    uuid,
  received_at      timestamptz,
  source_topic     text        NOT NULL,
  source_partition integer     NOT NULL,
  source_offset    bigint      NOT NULL,
  error            text        NOT NULL,
  attempts         integer     NOT NULL,
  dead_lettered_at timestamptz NOT NULL,
  record           text        NOT NULL,
  -- `vawg redrive` sent the original back to its topic (how many times, the last when).
  redrives         integer     NOT NULL DEFAULT 0,
  redriven_at      timestamptz,
  -- The redriven message was processed, or failed again and became `superseded_by`.
  resolved_at      timestamptz,
  resolution       text        CHECK (resolution IN ('processed', 'dead-again')),
  superseded_by    text
);
CREATE INDEX dead_letters_open ON pipeline.dead_letters (stage, force) WHERE resolved_at IS NULL;

-- How far each submission's accepted events have got, per stage and outcome (src/progress.ts):
-- ingest counts what it accepted, validate what it decided, aggregate what it counted, each in
-- the same transaction as the work itself. A publication waits on it, and reports it.
CREATE TABLE pipeline.progress (
  submission_id uuid        NOT NULL,
  stage         text        NOT NULL,
  outcome       text        NOT NULL,
  force         text        NOT NULL,
  received_at   timestamptz NOT NULL,
  n             bigint      NOT NULL,
  PRIMARY KEY (submission_id, stage, outcome),
  CHECK (stage || '.' || outcome IN (
    'ingest.accepted',
    'validate.passed', 'validate.duplicate', 'validate.refused', 'validate.held', 'validate.withdrawn', 'validate.dead-lettered',
    'aggregate.counted', 'aggregate.dead-lettered'))
);
CREATE INDEX progress_received ON pipeline.progress (received_at);
