-- A held event that a retraction withdrew before it was released (src/state-step.ts) is kept as
-- `withdrawn`, so a repeat of it is still a duplicate. 0001 did not allow the state: the batch
-- that wrote it failed on this constraint, was retried for ever, and its partition stopped.
ALTER TABLE validate.events DROP CONSTRAINT events_state_check;
ALTER TABLE validate.events ADD CONSTRAINT events_state_check CHECK (state IN ('passed', 'held', 'withdrawn'));
