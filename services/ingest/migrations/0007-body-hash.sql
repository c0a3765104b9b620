-- The raw archive keeps each accepted event as checked and each refused line as its hash (issue
-- 10): what was received, byte for byte, is attested by the SHA-256 of the whole body, kept here.
ALTER TABLE ingest.submissions ADD COLUMN body_sha256 text CHECK (body_sha256 ~ '^[0-9a-f]{64}$');
