-- Sessions of the operators' console (GET /console/): opened by signing in with an operator's
-- credential, carried by an HttpOnly, SameSite=Strict cookie. Only the SHA-256 of the random
-- session id is kept; the credential that opened it is named, so revoking it ends its sessions.
CREATE TABLE ingest.console_sessions (
  session_hash    text        PRIMARY KEY,
  credential_hash text        NOT NULL REFERENCES ingest.credentials (token_hash) ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL
);
CREATE INDEX console_sessions_expires ON ingest.console_sessions (expires_at);
