-- Receipts can quote what a sender sent (a JSON parse error names the bad character, NUL
-- included), which jsonb cannot hold: keep them as the JSON text they are.
ALTER TABLE ingest.submissions ALTER COLUMN receipt TYPE text USING receipt::text;

-- Every refused event, from every stage, readable by the force that sent it (GET /v1/refusals).
-- One row per line per stage: a failure record delivered twice is stored once.
CREATE TABLE ingest.refusals (
  force         text        NOT NULL,
  submission_id uuid        NOT NULL,
  line          integer     NOT NULL,
  stage         text        NOT NULL,
  event_id      text,
  code          text        NOT NULL,
  message       text        NOT NULL,
  original      text        NOT NULL,
  received_at   timestamptz NOT NULL,
  refused_at    timestamptz NOT NULL,
  service_version text      NOT NULL,
  PRIMARY KEY (force, submission_id, line, stage)
);
CREATE INDEX refusals_force_refused ON ingest.refusals (force, refused_at DESC);
