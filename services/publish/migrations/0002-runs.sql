-- Every publication run, scheduled or by hand: started, finished, failed with its reason. A
-- scheduled run names its slot (the scheduled instant); a slot is owed until a run for it has
-- published or found nothing new, so a missed or failed slot is made again, and only until then.
CREATE TABLE publish.runs (
  id          bigserial   PRIMARY KEY,
  period      text        NOT NULL,
  trigger     text        NOT NULL CHECK (trigger IN ('schedule', 'operator')),
  slot        timestamptz,
  cutoff      timestamptz NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  status      text        NOT NULL CHECK (status IN ('running', 'published', 'unchanged', 'failed')),
  revision    integer,
  error       text,
  CHECK ((trigger = 'schedule') = (slot IS NOT NULL))
);
CREATE INDEX runs_slot ON publish.runs (slot) WHERE slot IS NOT NULL;
CREATE INDEX runs_period ON publish.runs (period, started_at);

-- When the scheduler first ran here: slots before it were never owed.
CREATE TABLE publish.scheduler (
  id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
  since      timestamptz NOT NULL
);

ALTER TABLE publish.publications ADD COLUMN run_id bigint REFERENCES publish.runs (id);
