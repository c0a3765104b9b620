-- Every kind of case, kept as the facts that make it (the events), from which its state and its
-- contribution to the aggregates are folded again whenever a fact arrives or is retracted.
-- Replaces the crime-only state of 0001: the aggregates are rebuilt from the log (the valid
-- topic is kept without a time limit), starting again at offset 0.
DROP TABLE aggregate.crimes;
DROP TABLE aggregate.applied_events;
TRUNCATE aggregate.cells;
UPDATE aggregate.consumer_offsets SET next_offset = 0;

-- The facts of each case. The primary key is also the guard against counting an event twice.
-- The event is kept as the JSON text validate emitted: stored and read back whole, never queried
-- in place on the hot path (the reference recompute casts it), so jsonb's parsing would be waste.
CREATE TABLE aggregate.case_events (
  force     text  NOT NULL,
  event_id  uuid  NOT NULL,
  case_kind text  NOT NULL,
  case_ref  text  NOT NULL,
  event     text  NOT NULL,
  PRIMARY KEY (force, event_id)
);
CREATE INDEX case_events_case ON aggregate.case_events (force, case_kind, case_ref);

-- Retractions, kept even when their target has not arrived (it then arrives retracted).
CREATE TABLE aggregate.retractions (
  force           text NOT NULL,
  event_id        uuid NOT NULL,
  target_event_id uuid NOT NULL,
  PRIMARY KEY (force, event_id)
);
CREATE INDEX retractions_target ON aggregate.retractions (force, target_event_id);

-- Day counts behind each median, per cell: mergeable across months and forces, and exact.
CREATE TABLE aggregate.histograms (
  force    text    NOT NULL,
  month    text    NOT NULL,
  measure  text    NOT NULL,
  split    text    NOT NULL,
  category text    NOT NULL,
  days     integer NOT NULL,
  count    bigint  NOT NULL,
  PRIMARY KEY (force, month, measure, split, category, days)
);

-- Every event that has had its effect, whatever its kind: what the publication manifest counts.
CREATE VIEW aggregate.applied_events AS
  SELECT force, event_id FROM aggregate.case_events
  UNION ALL
  SELECT force, event_id FROM aggregate.retractions;
