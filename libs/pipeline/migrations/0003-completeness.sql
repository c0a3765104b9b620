-- Completeness per force × dataset × month (operations.md), kept as events flow: ingest adds what
-- it received and refused, validate the duplicates and later refusals, aggregate what it counted
-- and the month's closure, each in the transaction of its own work. Reads (the API, the console,
-- the metrics, a publication) add the dead letters and judge the states (src/completeness.ts).
CREATE TABLE pipeline.completeness (
  force          text   NOT NULL,
  dataset        text   NOT NULL CHECK (dataset IN ('crime', 'orders', 'dvds', 'allegations', 'returns')),
  month          text   NOT NULL CHECK (month ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  -- Every line for the cell: accepted or refused at ingest.
  received       bigint NOT NULL DEFAULT 0,
  duplicates     bigint NOT NULL DEFAULT 0,
  -- Refused at ingest, or later by validate.
  refused        bigint NOT NULL DEFAULT 0,
  counted        bigint NOT NULL DEFAULT 0,
  first_arrival  timestamptz,
  last_arrival   timestamptz,
  -- When the first standing `submission.closed` for the cell was received, and the date it declares.
  closed_at      timestamptz,
  closed_on      date,
  PRIMARY KEY (force, dataset, month)
);
CREATE INDEX completeness_month ON pipeline.completeness (month);
