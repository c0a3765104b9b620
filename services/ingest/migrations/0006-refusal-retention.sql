-- Issue 10: a refused line is kept only with its personal data masked, with the SHA-256 of the
-- line as sent (the force finds it in its own system by that), and only for the retention
-- period (REFUSED_RETENTION_DAYS): then its original is deleted; the code, message and hash stay.
ALTER TABLE ingest.refusals ADD COLUMN original_sha256 text CHECK (original_sha256 ~ '^[0-9a-f]{64}$');
ALTER TABLE ingest.refusals ALTER COLUMN original DROP NOT NULL;
CREATE INDEX refusals_original_kept ON ingest.refusals (refused_at) WHERE original IS NOT NULL;
