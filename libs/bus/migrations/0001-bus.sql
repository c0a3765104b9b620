CREATE SCHEMA IF NOT EXISTS bus;

-- The PostgreSQL adapter of the bus port (src/postgres-bus.ts): what `vawg up` runs on when no
-- Kafka broker is named. A topic is an append-only log per partition; a consumer group is a
-- position per partition. PostgreSQL gives it durability, checksums and crash recovery.
CREATE TABLE bus.topics (
  topic        text PRIMARY KEY,
  partitions   integer NOT NULL CHECK (partitions > 0),
  keep_forever boolean NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- The next offset of each partition: the log end, and the one lock every writer of the
-- partition takes, so offsets are given in commit order and a reader that stops at this value
-- (read committed) never passes a row that is still to commit.
CREATE TABLE bus.partitions (
  topic       text    NOT NULL REFERENCES bus.topics,
  partition   integer NOT NULL,
  next_offset bigint  NOT NULL DEFAULT 0,
  PRIMARY KEY (topic, partition)
);

CREATE TABLE bus.records (
  topic       text        NOT NULL,
  partition   integer     NOT NULL,
  "offset"    bigint      NOT NULL,
  key         text,
  value       bytea       NOT NULL,
  headers     jsonb       NOT NULL DEFAULT '{}',
  appended_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition, "offset")
);

-- Where each consumer group has got to; a handler that keeps its own positions (aggregate,
-- validate) resumes from those instead, and this is then a hint, as Kafka's committed offsets are.
CREATE TABLE bus.group_offsets (
  group_id    text    NOT NULL,
  topic       text    NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint  NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);
