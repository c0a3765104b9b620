CREATE SCHEMA IF NOT EXISTS validate;

-- Every event that passed the contract, with a digest of its content: a repeat with the same
-- digest is a harmless duplicate, with another it is a conflict. Also what retractions point at.
CREATE TABLE validate.events (
  force          text NOT NULL,
  event_id       uuid NOT NULL,
  content_sha256 text NOT NULL,
  state          text NOT NULL CHECK (state IN ('passed', 'held')),
  PRIMARY KEY (force, event_id)
);

-- Orders with a granted decision: a breach of any other is held.
CREATE TABLE validate.granted_orders (
  force     text NOT NULL,
  order_ref text NOT NULL,
  PRIMARY KEY (force, order_ref)
);

-- Events waiting for another: a breach for its order's grant, a retraction for its target.
-- Released when that arrives; refused when it has not arrived 30 days after receipt.
CREATE TABLE validate.held (
  force       text NOT NULL,
  event_id    uuid NOT NULL,
  rule        text NOT NULL CHECK (rule IN ('ungranted-order', 'unknown-target')),
  awaiting    text NOT NULL,
  received_at timestamptz NOT NULL,
  message     jsonb NOT NULL,
  PRIMARY KEY (force, event_id)
);
CREATE INDEX held_awaiting ON validate.held (force, rule, awaiting);
CREATE INDEX held_received ON validate.held (received_at);
