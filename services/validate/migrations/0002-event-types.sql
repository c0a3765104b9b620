-- The type of each event, so a retraction of a retraction can be refused.
ALTER TABLE validate.events ADD COLUMN type text;
