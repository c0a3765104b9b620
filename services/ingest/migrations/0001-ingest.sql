CREATE SCHEMA IF NOT EXISTS ingest;

-- A bearer credential, kept only as the SHA-256 of the token (tokens are 256-bit random, so a
-- fast hash is enough). `force` is null for an operator, who reads everything and sends nothing.
CREATE TABLE ingest.credentials (
  token_hash  text PRIMARY KEY,
  role        text NOT NULL CHECK (role IN ('force', 'operator')),
  force       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CHECK ((role = 'force') = (force IS NOT NULL))
);

-- Every receipt given, so a force can ask for it again.
CREATE TABLE ingest.submissions (
  submission_id uuid PRIMARY KEY,
  force         text NOT NULL,
  received_at   timestamptz NOT NULL,
  lines         integer NOT NULL,
  accepted      integer NOT NULL,
  refused       integer NOT NULL,
  archive_key   text NOT NULL,
  receipt       jsonb NOT NULL
);
CREATE INDEX submissions_force_received ON ingest.submissions (force, received_at DESC);
