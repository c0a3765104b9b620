-- A held message is kept as the JSON text it is, not jsonb: jsonb refuses what JSON allows and the
-- contract once let through (a lone surrogate escape), and a refused write of a hold dead-lettered
-- the event. Read back and parsed whole; never queried in place.
ALTER TABLE validate.held ALTER COLUMN message TYPE text USING message::text;
