// The reference recompute: every count and histogram cell of aggregate, computed from scratch
// from the stored facts, in SQL, independently of the incremental TypeScript rules. Used by the
// tests and by `vawg replay` to check the live aggregates. Kept as TypeScript strings so the
// service bundle carries them.
//
// The standing events (stored and not retracted) go first into a temporary table that is
// analysed, so the planner sees how many events of each type there are: over a CTE, PostgreSQL
// before 17 guesses a few hundred rows per type and picks nested loops that are quadratic in the
// number of crimes (hours for 200,000 events on PostgreSQL 15).
/** Run first, in the same transaction: the table of standing events. */
export const standingTableSql = `
CREATE TEMPORARY TABLE ref_standing (
  force text, case_kind text, case_ref text, event_id uuid, type text, on_date date, produced timestamptz, p jsonb
) ON COMMIT DROP
`;

/**
 * Then: the events standing as at a cut-off ($1, a timestamptz; 'infinity' for all): received by
 * then, and not retracted by a retraction received by then. Facts stored before received_at was
 * kept have none, and stand whatever the cut-off.
 */
export const standingSql = `
INSERT INTO ref_standing
  SELECT c.force, c.case_kind, c.case_ref, c.event_id,
         c.event::jsonb->>'type',
         (c.event::jsonb->>'occurredAt')::date,
         date_trunc('milliseconds', (c.event::jsonb->>'producedAt')::timestamptz),
         c.event::jsonb->'payload'
    FROM aggregate.case_events c
   WHERE (c.received_at IS NULL OR c.received_at <= $1)
     AND NOT EXISTS (SELECT 1 FROM aggregate.retractions r WHERE r.force = c.force AND r.target_event_id = c.event_id
                        AND (r.received_at IS NULL OR r.received_at <= $1))
`;

/** Parameters: $1-$3 outcome codes (code, group, cj outcome), $4-$5 allegation outcomes (id, group). */
export const recomputeSql = `
WITH outcome_codes AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS t(code, grp, cj)),
allegation_outcomes AS (SELECT * FROM unnest($4::text[], $5::text[]) AS t(outcome, grp)),

recorded AS (
  SELECT DISTINCT ON (force, case_ref) force, case_ref, on_date AS recorded_on, p
    FROM ref_standing WHERE type = 'crime.recorded'
   ORDER BY force, case_ref, on_date DESC, produced DESC, event_id DESC),
classified AS (
  SELECT DISTINCT ON (force, case_ref) force, case_ref, p->>'offenceGroup' AS offence
    FROM ref_standing WHERE type IN ('crime.recorded', 'crime.reclassified')
   ORDER BY force, case_ref, on_date DESC, produced DESC, event_id DESC),
outcome AS (
  SELECT DISTINCT ON (force, case_ref) force, case_ref, p->>'outcomeCode' AS code, on_date AS outcome_on
    FROM ref_standing WHERE type = 'outcome.assigned'
   ORDER BY force, case_ref, on_date DESC, produced DESC, event_id DESC),
crimes AS (
  SELECT r.force, r.case_ref, r.recorded_on, to_char(r.recorded_on, 'YYYY-MM') AS recorded_month,
         (r.p->>'domesticAbuse')::boolean AS da, r.p->'victim'->>'sex' AS sex, r.p->'victim'->>'ageBand' AS age,
         r.p->'victim'->>'ethnicity' AS eth, cl.offence, o.code, o.outcome_on, to_char(o.outcome_on, 'YYYY-MM') AS outcome_month,
         oc.grp AS outcome_group, oc.cj
    FROM recorded r
    JOIN classified cl USING (force, case_ref)
    LEFT JOIN outcome o USING (force, case_ref)
    LEFT JOIN outcome_codes oc ON oc.code = o.code
   WHERE cl.offence <> 'not-vawg'
     AND NOT EXISTS (SELECT 1 FROM ref_standing s WHERE s.force = r.force AND s.case_kind = 'crime' AND s.case_ref = r.case_ref AND s.type = 'crime.cancelled')),
crime_splits AS (
  SELECT c.*, s.split, s.category FROM crimes c
   CROSS JOIN LATERAL (VALUES
     ('all', 'all'), ('sex', c.sex), ('ethnicity', c.eth), ('age', c.age), ('offence', c.offence),
     ('women-and-girls', CASE WHEN c.sex <> 'female' THEN 'not-female' WHEN c.age = 'not-recorded' THEN 'female-age-not-recorded'
                              WHEN c.age IN ('0-15', '16-17') THEN 'girls' ELSE 'women' END)) AS s(split, category)),

pair_events AS (
  SELECT force, case_ref, p->>'suspectRef' AS suspect, type, on_date, produced, event_id
    FROM ref_standing WHERE type IN ('suspect.outstanding', 'suspect.resolved')),
pair_months AS (
  SELECT pe.force, pe.case_ref, pe.suspect, m::date AS month_start
    FROM (SELECT force, case_ref, suspect, min(on_date) AS first_on, max(on_date) AS last_on FROM pair_events GROUP BY 1, 2, 3) pe
   CROSS JOIN LATERAL generate_series(date_trunc('month', pe.first_on), date_trunc('month', pe.last_on), interval '1 month') AS m),
pair_status AS (
  SELECT DISTINCT ON (pm.force, pm.case_ref, pm.suspect, pm.month_start)
         pm.force, pm.case_ref, pm.suspect, pm.month_start, e.type = 'suspect.outstanding' AS outstanding
    FROM pair_months pm
    JOIN pair_events e ON e.force = pm.force AND e.case_ref = pm.case_ref AND e.suspect = pm.suspect
                      AND e.on_date < pm.month_start + interval '1 month'
   ORDER BY pm.force, pm.case_ref, pm.suspect, pm.month_start, e.on_date DESC, e.produced DESC, e.event_id DESC),
pair_changes AS (
  SELECT force, case_ref, to_char(month_start, 'YYYY-MM') AS month,
         outstanding::int - coalesce(lag(outstanding::int) OVER (PARTITION BY force, case_ref, suspect ORDER BY month_start), 0) AS change
    FROM pair_status),

order_applied AS (
  SELECT DISTINCT ON (force, case_ref) force, case_ref, on_date, p->>'orderType' AS order_type
    FROM ref_standing WHERE type = 'order.applied' ORDER BY force, case_ref, on_date DESC, produced DESC, event_id DESC),
order_decided AS (
  SELECT DISTINCT ON (force, case_ref) force, case_ref, on_date, p->>'decision' AS decision
    FROM ref_standing WHERE type = 'order.decided' ORDER BY force, case_ref, on_date DESC, produced DESC, event_id DESC),
dvds_applied AS (
  SELECT DISTINCT ON (force, case_ref) force, case_ref, on_date, p->>'route' AS route
    FROM ref_standing WHERE type = 'dvds.applied' ORDER BY force, case_ref, on_date DESC, produced DESC, event_id DESC),
dvds_decided AS (
  SELECT DISTINCT ON (force, case_ref) force, case_ref, on_date, (p->>'disclosed')::boolean AS disclosed
    FROM ref_standing WHERE type = 'dvds.decided' ORDER BY force, case_ref, on_date DESC, produced DESC, event_id DESC),
alleg_received AS (
  SELECT DISTINCT ON (force, case_ref) force, case_ref, on_date, p->>'category' AS category, p->>'kind' AS kind
    FROM ref_standing WHERE type = 'allegation.received' ORDER BY force, case_ref, on_date DESC, produced DESC, event_id DESC),
alleg_final AS (
  SELECT DISTINCT ON (force, case_ref) force, case_ref, on_date, p->>'outcome' AS outcome
    FROM ref_standing WHERE type = 'allegation.finalised' ORDER BY force, case_ref, on_date DESC, produced DESC, event_id DESC),

counts AS (
  SELECT force, recorded_month AS month, 'crimes-recorded' AS measure, split, category, 1 AS v FROM crime_splits
  UNION ALL SELECT force, recorded_month, 'crimes-domestic-abuse', split, category, 1 FROM crime_splits WHERE da
  UNION ALL SELECT force, recorded_month, 'crimes-sex-recorded', split, category, 1 FROM crime_splits WHERE sex <> 'not-recorded'
  UNION ALL SELECT force, recorded_month, 'crimes-ethnicity-recorded', split, category, 1 FROM crime_splits WHERE eth <> 'not-recorded'
  UNION ALL SELECT force, recorded_month, 'crimes-charged', split, category, 1 FROM crime_splits WHERE outcome_group = 'charged-summonsed'
  UNION ALL SELECT force, outcome_month, 'outcomes-assigned', split, category, 1 FROM crime_splits WHERE outcome_group IS NOT NULL
  UNION ALL SELECT force, outcome_month, 'outcomes-assigned', 'outcome-group', outcome_group, 1 FROM crimes WHERE outcome_group IS NOT NULL
  UNION ALL SELECT force, outcome_month, 'cj-outcomes-assigned', split, category, 1 FROM crime_splits WHERE cj IS NOT NULL
  UNION ALL SELECT force, outcome_month, 'cj-outcomes-assigned', 'cj-outcome', cj, 1 FROM crimes WHERE cj IS NOT NULL
  UNION ALL SELECT force, outcome_month, 'outcomes-code-' || code, split, category, 1 FROM crime_splits WHERE code IN ('14', '15', '16')
  UNION ALL SELECT cs.force, pc.month, 'outstanding-suspects-change', cs.split, cs.category, pc.change
              FROM pair_changes pc JOIN crime_splits cs USING (force, case_ref) WHERE pc.change <> 0
  UNION ALL SELECT force, to_char(on_date, 'YYYY-MM'), 'orders-applied', s.split, s.category, 1
              FROM order_applied CROSS JOIN LATERAL (VALUES ('all', 'all'), ('order-type', order_type)) AS s(split, category)
  UNION ALL SELECT d.force, to_char(d.on_date, 'YYYY-MM'), 'orders-granted', s.split, s.category, 1
              FROM order_decided d JOIN order_applied a USING (force, case_ref)
             CROSS JOIN LATERAL (VALUES ('all', 'all'), ('order-type', a.order_type)) AS s(split, category) WHERE d.decision = 'granted'
  UNION ALL SELECT b.force, to_char(b.on_date, 'YYYY-MM'), 'orders-breached', s.split, s.category, 1
              FROM ref_standing b JOIN order_applied a ON a.force = b.force AND a.case_ref = b.case_ref
             CROSS JOIN LATERAL (VALUES ('all', 'all'), ('order-type', a.order_type)) AS s(split, category)
             WHERE b.case_kind = 'order' AND b.type = 'order.breached'
               AND EXISTS (SELECT 1 FROM ref_standing g WHERE g.force = b.force AND g.case_kind = 'order' AND g.case_ref = b.case_ref
                                                        AND g.type = 'order.decided' AND g.p->>'decision' = 'granted')
  UNION ALL SELECT force, to_char(on_date, 'YYYY-MM'), 'dvds-applications', s.split, s.category, 1
              FROM dvds_applied CROSS JOIN LATERAL (VALUES ('all', 'all'), ('dvds-route', route)) AS s(split, category)
  UNION ALL SELECT d.force, to_char(d.on_date, 'YYYY-MM'), 'dvds-disclosures', s.split, s.category, 1
              FROM dvds_decided d JOIN dvds_applied a USING (force, case_ref)
             CROSS JOIN LATERAL (VALUES ('all', 'all'), ('dvds-route', a.route)) AS s(split, category) WHERE d.disclosed
  UNION ALL SELECT force, to_char(on_date, 'YYYY-MM'), 'allegations-received', s.split, s.category, 1
              FROM alleg_received CROSS JOIN LATERAL (VALUES ('all', 'all'), ('allegation-category', category), ('allegation-kind', kind)) AS s(split, category)
  UNION ALL SELECT f.force, to_char(f.on_date, 'YYYY-MM'), 'allegations-finalised', s.split, s.category, 1
              FROM alleg_final f JOIN allegation_outcomes ao USING (outcome)
             CROSS JOIN LATERAL (VALUES ('all', 'all'), ('allegation-outcome', f.outcome), ('allegation-outcome-group', ao.grp)) AS s(split, category)
),
observations AS (
  SELECT force, outcome_month AS month, 'days-to-outcome' AS measure, split, category, outcome_on - recorded_on AS days
    FROM crime_splits WHERE outcome_group IS NOT NULL
  UNION ALL SELECT d.force, to_char(d.on_date, 'YYYY-MM'), 'days-dvds-decision', s.split, s.category, d.on_date - a.on_date
              FROM dvds_decided d JOIN dvds_applied a USING (force, case_ref)
             CROSS JOIN LATERAL (VALUES ('all', 'all'), ('dvds-route', a.route)) AS s(split, category)
  UNION ALL SELECT f.force, to_char(f.on_date, 'YYYY-MM'), 'days-allegation-to-outcome', s.split, s.category, f.on_date - r.on_date
              FROM alleg_final f JOIN alleg_received r USING (force, case_ref)
             CROSS JOIN LATERAL (VALUES ('all', 'all'), ('allegation-category', r.category), ('allegation-kind', r.kind)) AS s(split, category)
)
SELECT 'count' AS kind, force, month, measure, split, category, NULL::int AS days, sum(v)::bigint AS value
  FROM counts GROUP BY force, month, measure, split, category HAVING sum(v) <> 0
UNION ALL
SELECT 'histogram', force, month, measure, split, category, days, count(*)::bigint
  FROM observations GROUP BY force, month, measure, split, category, days
`;
