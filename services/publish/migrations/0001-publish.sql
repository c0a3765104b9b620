CREATE SCHEMA IF NOT EXISTS publish;

-- Every revision written, in order. A revision is immutable once recorded here: its files
-- were all written (manifest last) before this row committed.
CREATE TABLE publish.publications (
  period         text        NOT NULL,
  revision       integer     NOT NULL CHECK (revision >= 1),
  cutoff         timestamptz NOT NULL,
  prefix         text        NOT NULL,
  content_sha256 text        NOT NULL,
  published_at   timestamptz NOT NULL DEFAULT now(),
  manifest       jsonb       NOT NULL,
  PRIMARY KEY (period, revision)
);
