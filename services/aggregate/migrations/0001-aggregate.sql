CREATE SCHEMA IF NOT EXISTS aggregate;

-- Where each consumer group has got to, written in the same transaction as the effects of the
-- messages before it: the truth for resuming, whatever the broker's committed offsets say.
CREATE TABLE aggregate.consumer_offsets (
  group_id    text    NOT NULL,
  topic       text    NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint  NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);

-- Every event that has had its effect, so a producer retry or a re-sent batch counts once.
CREATE TABLE aggregate.applied_events (
  force    text NOT NULL,
  event_id uuid NOT NULL,
  PRIMARY KEY (force, event_id)
);

-- Case state of a crime: the facts its counts depend on, from the crime.recorded in force
-- (the latest by occurredAt, then producedAt, then eventId).
CREATE TABLE aggregate.crimes (
  force            text NOT NULL,
  crime_ref        text NOT NULL,
  event_id         uuid NOT NULL,
  recorded_on      date NOT NULL,
  produced_at      timestamptz NOT NULL,
  offence_group    text NOT NULL,
  domestic_abuse   boolean NOT NULL,
  victim_sex       text NOT NULL,
  victim_age_band  text NOT NULL,
  victim_ethnicity text NOT NULL,
  PRIMARY KEY (force, crime_ref)
);

-- Count cells per force and month: the sum of every case's current contribution. National
-- values and half-years are sums of these, made at publication.
CREATE TABLE aggregate.cells (
  force    text NOT NULL,
  month    text NOT NULL,
  measure  text NOT NULL,
  split    text NOT NULL,
  category text NOT NULL,
  value    bigint NOT NULL,
  PRIMARY KEY (force, month, measure, split, category)
);
