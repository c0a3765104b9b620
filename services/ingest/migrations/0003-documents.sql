-- Documents uploaded for returns (POST /v1/documents), each bound to the force that sent it and
-- stored at documents/<force>/<sha256>. A return may cite only its own force's documents.
CREATE TABLE ingest.documents (
  force       text        NOT NULL,
  sha256      text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes       integer     NOT NULL CHECK (bytes > 0),
  media_type  text        NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (force, sha256)
);
