-- validate keeps its consumer positions here, in the same transaction as its state and the
-- progress of the submissions it decides for, as aggregate does: a redelivered batch is skipped
-- by position, so each event's fate is counted once (libs/pipeline/src/positions.ts).
CREATE TABLE validate.consumer_offsets (
  group_id    text    NOT NULL,
  topic       text    NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint  NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);
