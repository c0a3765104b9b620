-- A publication reads each force's closures (`submission.closed`) standing at its cut-off: few
-- rows among millions of facts, found through this index rather than a scan.
CREATE INDEX case_events_closures ON aggregate.case_events (force, case_ref) WHERE case_kind = 'closure';
