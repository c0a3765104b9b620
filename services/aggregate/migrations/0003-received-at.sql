-- When ingest received each fact, so that a publication can be made as at a cut-off in the past
-- (the events received up to it). Facts stored before this migration have none, and count as
-- received before any cut-off. BRIN: the column grows with insertion order, and costs little
-- to keep on the write path.
ALTER TABLE aggregate.case_events ADD COLUMN received_at timestamptz;
ALTER TABLE aggregate.retractions ADD COLUMN received_at timestamptz;
CREATE INDEX case_events_received ON aggregate.case_events USING brin (received_at);
CREATE INDEX retractions_received ON aggregate.retractions USING brin (received_at);
