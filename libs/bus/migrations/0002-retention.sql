-- A topic may keep its messages for a period of its own (the refused topic: REFUSED_RETENTION_DAYS);
-- null is the bus's default retention. The sweep deletes by it every hour.
ALTER TABLE bus.topics ADD COLUMN retention_ms bigint CHECK (retention_ms > 0);
