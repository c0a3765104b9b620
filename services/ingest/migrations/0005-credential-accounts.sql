-- Credentials you can account for (issue 10): each has an id to name it by (never its token), a
-- label, an optional expiry, and when it was last used; each submission records the credential
-- that sent it; an operator's reads of a force's refusals are recorded.
ALTER TABLE ingest.credentials
  ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN label text,
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN last_used_at timestamptz,
  ADD COLUMN rotated_from uuid;
CREATE UNIQUE INDEX credentials_id ON ingest.credentials (id);

ALTER TABLE ingest.submissions ADD COLUMN credential_id uuid;

CREATE TABLE ingest.access_log (
  at            timestamptz NOT NULL DEFAULT now(),
  credential_id uuid        NOT NULL,
  route         text        NOT NULL,
  -- The force whose data was read; null: every force's.
  force         text,
  detail        text
);
CREATE INDEX access_log_at ON ingest.access_log (at);
