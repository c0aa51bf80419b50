"""A year of a platform's history for ``bench/dashboard.py``, built inside PostgreSQL by INSERT ... SELECT.

One database, a schema per service as the migrations made them. The history is first drawn in a scratch schema
(``bench``): organisations, producers, offerings, orders with their lines, quotas and lots, each with the times of
what happened to it (offered, answered, reported, inspected, shipped, delivered); every service's tables are then
filled from it, so their figures agree (a line's ledger sums its quotas and lots, an order's status follows from
its ledger, a producer's earnings are her passed lots). Draws are hashes of a row's number (``bench.rnd``): the
same arguments give the same history, measured from the moment it is built.

What it is like: organisations of 20 to 80 producers, three offerings each; orders spread over the year, most of
the past delivered (a fifth of them after their promise), one in twenty cancelled, the recent ones being made;
about 20 quotas a line, 6% declined and 2.5% left to expire, the rest made in one lot (5% in two); 90% of lots
pass their first inspection, the others are reworked; passed lots travel in the organisation's weekly shipment;
producers are paid monthly (a few unreachable ones not for three months), some took an advance on a quota;
buyers are invoiced on dispatch and most pay within weeks of the due date, some late, a few never.
"""

import time

import psycopg2

HELPERS = """
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE FUNCTION bench.t0() RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT %(t0)s::timestamptz $$;
-- A uniform draw in [0, 1) for row n and a purpose (salt): a hash, so any order of evaluation gives the same.
CREATE FUNCTION bench.rnd(n bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (hashint8(n # ((salt + %(seed)s)::bigint << 40)) & 2147483647)::float8 / 2147483648.0 $$;
CREATE FUNCTION bench.id(prefix text, n bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT prefix || '_' || left(md5(prefix || n::text || %(seed)s::text), 16) $$;
CREATE FUNCTION bench.days(x float8) RETURNS interval LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT x * interval '1 day' $$;
-- A quota's reference as allocation makes them (6 letters of shared.ids.REF_ALPHABET), unique up to 29^6 rows.
CREATE FUNCTION bench.ref(n bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT substr(a, (v %% 29)::int + 1, 1) || substr(a, (v / 29 %% 29)::int + 1, 1)
        || substr(a, (v / 841 %% 29)::int + 1, 1) || substr(a, (v / 24389 %% 29)::int + 1, 1)
        || substr(a, (v / 707281 %% 29)::int + 1, 1) || substr(a, (v / 20511149 %% 29)::int + 1, 1)
    FROM (SELECT (n * 104729) %% 594823321 AS v, 'ABCDEFGHJKMNPQRTUVWXYZ2346789' AS a) s $$;
"""

# The history, drawn in the scratch schema.
HISTORY = [
    (
        "organisations",
        """
CREATE TABLE bench.orgs AS
WITH g AS (SELECT o, 0.4 + 1.2 * bench.rnd(o, 1) AS f FROM generate_series(1, %(orgs)s) o)
SELECT o, 'coop-' || lpad(o::text, 3, '0') AS org_id, f,
       (ARRAY['PGK','PGK','PGK','PGK','USD','AUD','FJD','SBD'])[1 + floor(8 * bench.rnd(o, 2))::int] AS currency,
       (ARRAY['Highlands','Momase','Southern','Islands'])[1 + o %% 4] AS region,
       greatest(20, round(50 * f))::int AS producers,
       coalesce(sum(greatest(20, round(50 * f))::int) OVER (ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING
                                                            AND 1 PRECEDING), 0) AS first_producer,
       sum(f) OVER (ORDER BY o) / sum(f) OVER () AS cum_hi,
       1 + o %% 28 AS payday
FROM g;
CREATE TABLE bench.producers AS
SELECT g.first_producer + i AS p, g.o, g.org_id, i AS nth, bench.id('prd', g.first_producer + i) AS producer_id,
       g.region, g.currency
FROM bench.orgs g, generate_series(0, g.producers - 1) i;
CREATE TABLE bench.offerings AS
SELECT g.o * 3 + k AS f_no, g.o, g.org_id, g.currency, k, bench.id('off', g.o * 3 + k) AS offering_id,
       upper(replace(g.org_id, '-', '')) || '-' || (ARRAY['BAG','BSK','MAT'])[k + 1] AS sku,
       (ARRAY['Bilum string bag','Pandanus basket','Woven floor mat'])[k + 1] || ' (' || g.org_id || ')' AS name,
       round((20 + 40 * bench.rnd(g.o * 3 + k, 3))::numeric, 2) AS unit_price,
       (ARRAY[300, 450, 1200])[k + 1] AS unit_weight_g, (ARRAY[2000, 6000, 9000])[k + 1] AS unit_volume_cm3
FROM bench.orgs g, generate_series(0, 2) k;
ALTER TABLE bench.offerings ADD COLUMN producer_price numeric;
UPDATE bench.offerings SET producer_price = round(unit_price * 0.55, 2);
""",
    ),
    (
        "orders",
        """
CREATE TABLE bench.orders AS
WITH base AS (
    SELECT n, bench.t0() - bench.days(365 * power(bench.rnd(n, 11), 1.15)) AS placed_at,
           width_bucket(bench.rnd(n, 10), (SELECT array_agg(cum_hi ORDER BY o) FROM bench.orgs)) + 1 AS o,
           floor(400 * power(bench.rnd(n, 12), 1.6))::int AS b
    FROM generate_series(1, %(orders)s) n
), dated AS (
    SELECT base.*, (placed_at + bench.days(75 + 45 * bench.rnd(n, 13)))::date AS due_date FROM base
), promised AS (
    SELECT dated.*,
           CASE WHEN bench.rnd(n, 14) < 0.9 THEN due_date - floor(6 * bench.rnd(n, 15))::int END AS promised_date
    FROM dated
), timed AS (
    SELECT promised.*,
           coalesce(promised_date, due_date) + interval '12 hours' + bench.days(-12 + 15 * bench.rnd(n, 18))
               AS target_delivery,
           CASE WHEN bench.rnd(n, 16) < 0.05 THEN placed_at + bench.days(1 + 20 * bench.rnd(n, 17)) END
               AS cancel_at
    FROM promised
)
SELECT timed.n, timed.o, g.org_id, g.currency, timed.b, timed.placed_at, timed.due_date, timed.promised_date,
       CASE WHEN timed.cancel_at <= bench.t0() THEN timed.cancel_at END AS cancel_at,
       floor(extract(epoch FROM (timed.target_delivery - interval '18 days' - (bench.t0() - interval '500 days')))
             / 604800)::int AS week,
       1 + (bench.rnd(timed.n, 20) < 0.2)::int AS lines,
       bench.id('ord', timed.n) AS order_id
FROM timed JOIN bench.orgs g ON g.o = timed.o;
ALTER TABLE bench.orders ADD PRIMARY KEY (n);
CREATE TABLE bench.shipments AS
SELECT DISTINCT o, week, o * 1000 + week AS s FROM bench.orders WHERE cancel_at IS NULL;
ALTER TABLE bench.shipments ADD COLUMN dispatch timestamptz, ADD COLUMN delivered timestamptz;
UPDATE bench.shipments SET
    dispatch = bench.t0() - interval '500 days' + bench.days(week * 7 + 2) + (o %% 10) * interval '1 hour',
    delivered = bench.t0() - interval '500 days' + bench.days(week * 7 + 2 + 14 + 10 * bench.rnd(s, 50));
ALTER TABLE bench.shipments ADD PRIMARY KEY (s);
ALTER TABLE bench.orders ADD COLUMN s int;
UPDATE bench.orders SET s = CASE WHEN cancel_at IS NULL THEN o * 1000 + week END;
CREATE TABLE bench.lines AS
SELECT r.n, l, r.n * 2 + l AS m, bench.id('lin', r.n * 2 + l) AS line_id, f.f_no, f.offering_id, f.sku,
       f.unit_price, f.producer_price, f.unit_weight_g, f.unit_volume_cm3,
       least(10 + floor(21 * bench.rnd(r.n * 2 + l, 21))::int, g.producers) AS quotas,
       CASE WHEN bench.rnd(r.n * 2 + l, 22) < 0.03 THEN 20 + floor(200 * bench.rnd(r.n * 2 + l, 23))::int
            ELSE 0 END AS short,
       floor(g.producers * bench.rnd(r.n * 2 + l, 24))::int AS start, g.producers, g.first_producer
FROM bench.orders r JOIN bench.orgs g ON g.o = r.o
JOIN LATERAL generate_series(0, r.lines - 1) l ON true
JOIN bench.offerings f ON f.f_no = r.o * 3 + (r.n + l) %% 3;
ALTER TABLE bench.lines ADD PRIMARY KEY (m);
""",
    ),
    (
        "quotas",
        """
CREATE TABLE bench.quotas AS
WITH drawn AS (
    SELECT l.m, l.n, j, l.m * 32 + j AS qn, l.first_producer + (l.start + j) %% l.producers AS p,
           20 + floor(60 * bench.rnd(l.m * 32 + j, 30))::int AS quantity,
           CASE WHEN bench.rnd(l.m * 32 + j, 31) < 0.06 THEN 'declined'
                WHEN bench.rnd(l.m * 32 + j, 31) < 0.085 THEN 'expired' END AS turned_down,
           bench.rnd(l.m * 32 + j, 32) < 0.08 AS reallocated
    FROM bench.lines l, generate_series(0, l.quotas - 1) j
), offered AS (
    SELECT d.*, r.placed_at + interval '5 seconds' + CASE WHEN d.reallocated THEN interval '2.1 days'
                                                         ELSE interval '0' END AS offered_at,
           r.cancel_at, s.dispatch, s.delivered
    FROM drawn d JOIN bench.orders r ON r.n = d.n LEFT JOIN bench.shipments s ON s.s = r.s
)
SELECT offered.*, offered_at + interval '48 hours' AS respond_by,
       CASE WHEN turned_down = 'expired' THEN offered_at + interval '48 hours'
            ELSE offered_at + bench.days(0.05 + 1.9 * bench.rnd(qn, 33)) END AS answered_at,
       dispatch - bench.days(10 + 10 * bench.rnd(qn, 34)) AS first_report,
       1 + (bench.rnd(qn, 35) < 0.25)::int AS lots,
       bench.id('qta', qn) AS quota_id, bench.ref(qn) AS ref,
       turned_down IS NULL AND bench.rnd(qn, 36) < 0.03 AS advanced
FROM offered;
ALTER TABLE bench.quotas ADD PRIMARY KEY (qn);
""",
    ),
    (
        "lots and inspections",
        """
CREATE TABLE bench.lots AS
WITH made AS (
    SELECT q.qn, q.m, q.n, q.p, r, q.qn * 2 + r AS ln, q.dispatch, q.delivered,
           CASE WHEN q.lots = 1 THEN q.quantity WHEN r = 0 THEN q.quantity / 2
                ELSE q.quantity - q.quantity / 2 END AS quantity,
           q.first_report + bench.days(2 * r) AS reported_at
    FROM bench.quotas q, generate_series(0, q.lots - 1) r
    WHERE q.turned_down IS NULL AND q.cancel_at IS NULL AND q.answered_at <= bench.t0()
), timed AS (
    SELECT made.*, reported_at + bench.days(0.5 + 1.5 * bench.rnd(ln, 40)) AS first_inspection,
           bench.rnd(ln, 41) < 0.9 AS first_passed
    FROM made WHERE reported_at <= bench.t0()
), reworked AS (
    SELECT timed.*, first_inspection + bench.days(1 + 2 * bench.rnd(ln, 42)) AS resubmitted_at FROM timed
), second AS (
    SELECT reworked.*, resubmitted_at + bench.days(0.3 + bench.rnd(ln, 43)) AS second_inspection FROM reworked
)
SELECT second.*, bench.id('lot', ln) AS lot_id,
       CASE WHEN first_passed THEN first_inspection ELSE second_inspection END AS passed_at,
       CASE WHEN bench.t0() < first_inspection THEN 'reported'
            WHEN first_passed THEN 'passed'
            WHEN bench.t0() < first_inspection + interval '8 hours' THEN 'failed'
            WHEN bench.t0() < resubmitted_at THEN 'rework'
            WHEN bench.t0() < second_inspection THEN 'reported'
            ELSE 'passed' END AS status,
       CASE WHEN first_passed OR bench.t0() < resubmitted_at THEN 1 ELSE 2 END AS attempt
FROM second;
ALTER TABLE bench.lots ADD PRIMARY KEY (ln);
CREATE INDEX ON bench.lots (qn);
""",
    ),
    (
        "statuses and ledgers",
        """
CREATE TABLE bench.quota_states AS
SELECT q.qn,
       CASE WHEN q.cancel_at IS NOT NULL AND (q.turned_down IS NULL OR q.answered_at > q.cancel_at) THEN 'released'
            WHEN bench.t0() < q.answered_at THEN 'offered'
            WHEN q.turned_down IS NOT NULL THEN q.turned_down
            WHEN bench.t0() >= q.delivered THEN 'delivered'
            WHEN bench.t0() >= q.dispatch THEN 'shipped'
            WHEN coalesce(l.passed, 0) = q.quantity THEN 'passed'
            WHEN coalesce(l.reported, 0) = q.quantity THEN 'produced'
            WHEN coalesce(l.reported, 0) > 0 THEN 'in_production'
            ELSE 'accepted' END AS status,
       coalesce(l.reported, 0) AS reported, coalesce(l.passed, 0) AS passed
FROM bench.quotas q LEFT JOIN (
    SELECT qn, sum(quantity) AS reported, sum(quantity) FILTER (WHERE status = 'passed') AS passed
    FROM bench.lots GROUP BY qn
) l ON l.qn = q.qn;
ALTER TABLE bench.quota_states ADD PRIMARY KEY (qn);
CREATE TABLE bench.ledgers AS
SELECT l.m,
       sum(q.quantity) FILTER (WHERE q.turned_down IS NULL) + l.short AS ordered,
       coalesce(sum(q.quantity) FILTER (WHERE s.status NOT IN ('released', 'declined', 'expired')), 0) AS allocated,
       coalesce(sum(q.quantity) FILTER (WHERE s.status NOT IN ('released', 'declined', 'expired', 'offered')), 0)
           AS accepted,
       sum(s.reported) AS produced, sum(s.passed) AS passed,
       coalesce(sum(s.passed) FILTER (WHERE bench.t0() >= q.dispatch), 0) AS shipped,
       coalesce(sum(s.passed) FILTER (WHERE bench.t0() >= q.delivered), 0) AS delivered,
       min(q.answered_at) FILTER (WHERE s.status NOT IN ('released', 'declined', 'expired', 'offered'))
           AS first_accepted
FROM bench.lines l JOIN bench.quotas q ON q.m = l.m JOIN bench.quota_states s ON s.qn = q.qn
GROUP BY l.m, l.short;
ALTER TABLE bench.ledgers ADD PRIMARY KEY (m);
CREATE TABLE bench.order_states AS
SELECT r.n,
       CASE WHEN r.cancel_at IS NOT NULL THEN 'cancelled'
            WHEN bool_and(g.delivered >= g.ordered - l.short) THEN 'delivered'
            WHEN bool_or(g.shipped > 0) THEN 'shipped'
            WHEN bool_or(g.accepted > 0) THEN 'in_production'
            ELSE 'allocated' END AS status,
       min(g.first_accepted) AS first_accepted
FROM bench.orders r JOIN bench.lines l ON l.n = r.n JOIN bench.ledgers g ON g.m = l.m
GROUP BY r.n, r.cancel_at;
ALTER TABLE bench.order_states ADD PRIMARY KEY (n);
ALTER TABLE bench.order_states ADD COLUMN updated_at timestamptz;
UPDATE bench.order_states t SET updated_at = CASE t.status
    WHEN 'cancelled' THEN r.cancel_at WHEN 'delivered' THEN s.delivered WHEN 'shipped' THEN s.dispatch
    WHEN 'in_production' THEN t.first_accepted ELSE r.placed_at + interval '5 seconds' END
FROM bench.orders r LEFT JOIN bench.shipments s ON s.s = r.s WHERE r.n = t.n;
""",
    ),
]

# Every service's tables, filled from the history.
FILL = [
    (
        "catalogue",
        """
INSERT INTO catalogue.producers (producer_id, organisation_id, name, village, district, region, country, latitude,
    longitude, remoteness, closed_months, service_weekdays, mobile, languages, registered_at, updated_at)
SELECT producer_id, org_id,
       (ARRAY['Anna','Maria','Grace','Ruth','Esther','Joyce','Helen','Agnes','Rose','Martha'])[1 + p %% 10] || ' '
           || (ARRAY['Kila','Wama','Yapu','Tomu','Nali','Bune','Kasa','Mone','Pepi'])[1 + (p / 10) %% 9],
       'Village ' || (p %% 400), 'District ' || (o %% 25), region, 'PG',
       -6 + 3 * (bench.rnd(p, 70) - 0.5), 145 + 8 * (bench.rnd(p, 71) - 0.5),
       (ARRAY['all_season_road','all_season_road','all_season_road','seasonal_road','air_or_boat'])[
           1 + floor(5 * bench.rnd(p, 72))::int],
       '[]', '[0, 1, 2, 3, 4]', '+6757' || lpad(p::text, 7, '0'), '["tpi", "en"]',
       bench.t0() - bench.days(400 + 300 * bench.rnd(p, 73)), bench.t0() - bench.days(30 * bench.rnd(p, 74))
FROM bench.producers;
INSERT INTO catalogue.offerings (offering_id, organisation_id, sku, name, description, unit_price, producer_price,
    currency, unit_weight_g, unit_volume_cm3, attributes, published_at, min_order, hs_code, origin_country)
SELECT offering_id, org_id, sku, name, 'Hand-made by the co-operative''s members', unit_price, producer_price, currency,
       unit_weight_g, unit_volume_cm3, '{}', bench.t0() - interval '420 days', 50, '4602.19', 'PG'
FROM bench.offerings;
INSERT INTO catalogue.approvals (offering_id, producer_id, stage, status, decided_on, updated_at)
SELECT f.offering_id, p.producer_id, 'production', 'approved', (bench.t0() - interval '390 days')::date,
       bench.t0() - interval '390 days'
FROM bench.producers p JOIN bench.offerings f ON f.o = p.o;
""",
    ),
    (
        "orders",
        """
INSERT INTO orders.offerings (offering_id, sku, name, unit_price, currency, min_order, organisation_id)
SELECT offering_id, sku, name, unit_price, currency, 50, org_id FROM bench.offerings;
INSERT INTO orders.orders (order_id, buyer_id, buyer_name, buyer_email, buyer_organisation_id, organisation_id,
    destination, due_date, promised_date, status, cancel_reason, currency, total, incoterm, named_place,
    transport_mode, placed_at, updated_at)
SELECT r.order_id, bench.id('buy', r.b), 'Buyer ' || r.b || ' Trading', 'orders@buyer-' || r.b || '.example',
       'buyer-' || lpad(r.b::text, 3, '0'), r.org_id,
       json_build_object('name', 'Warehouse ' || r.b, 'city', (ARRAY['Tokyo','Sydney','Hamburg','Portland','Auckland',
           'Lyon','Port Moresby','Leeds'])[1 + r.b %% 8], 'country', (ARRAY['JP','AU','DE','US','NZ','FR','PG','GB'])[
           1 + r.b %% 8], 'latitude', 0, 'longitude', 0),
       r.due_date, r.promised_date, t.status,
       CASE WHEN t.status = 'cancelled' THEN 'The buyer''s customer withdrew' END, r.currency,
       v.total,
       (ARRAY['FCA','FOB','CIF','DAP'])[1 + r.b %% 4], 'Lae', (ARRAY['sea','sea','air'])[1 + r.b %% 3],
       r.placed_at, t.updated_at
FROM bench.orders r JOIN bench.order_states t ON t.n = r.n
JOIN (SELECT l.n, sum(g.ordered * l.unit_price) AS total FROM bench.lines l JOIN bench.ledgers g ON g.m = l.m
      GROUP BY l.n) v ON v.n = r.n;
INSERT INTO orders.order_lines (line_id, order_id, position, offering_id, sku, quantity, unit_price, allocated,
    accepted, produced, passed, shipped, delivered, shortfall, shortfall_as_of)
SELECT l.line_id, r.order_id, l.l, l.offering_id, l.sku, g.ordered, l.unit_price, g.allocated, g.accepted,
       g.produced, g.passed, g.shipped, g.delivered, l.short,
       CASE WHEN l.short > 0 THEN r.placed_at + interval '5 seconds' END
FROM bench.lines l JOIN bench.orders r ON r.n = l.n JOIN bench.ledgers g ON g.m = l.m;
""",
    ),
    (
        "aggregation",
        """
INSERT INTO aggregation.offerings (offering_id, sku, name, organisation_id, withdrawn, min_quota, producer_price)
SELECT offering_id, sku, name, org_id, false, 5, producer_price FROM bench.offerings;
INSERT INTO aggregation.producer_snapshots (producer_id, organisation_id, updated_at)
SELECT producer_id, org_id, bench.t0() - interval '30 days' FROM bench.producers;
INSERT INTO aggregation.approved_producers (producer_id, offering_id)
SELECT p.producer_id, f.offering_id FROM bench.producers p JOIN bench.offerings f ON f.o = p.o;
INSERT INTO aggregation.capacity_weeks (producer_id, offering_id, week_start, units, held, lead_time_days, min_lot,
    declared_at)
SELECT p.producer_id, f.offering_id, w.week_start, 40 + 10 * (p.p %% 5),
       CASE WHEN w.week_start >= date_trunc('week', bench.t0())::date
            THEN floor((40 + 10 * (p.p %% 5)) * 0.8 * bench.rnd(p.p * 100 + w.k, 75))::int ELSE 0 END,
       14, 10, bench.t0() - bench.days(7 * (52 - w.k) + 10)
FROM bench.producers p JOIN bench.offerings f ON f.o = p.o AND f.k = p.nth %% 3
CROSS JOIN LATERAL (SELECT k, (date_trunc('week', bench.t0()) - (52 - k) * interval '7 days')::date AS week_start
                    FROM generate_series(0, 64) k) w;
INSERT INTO aggregation.order_lines (line_id, order_id, offering_id, quantity, due_date, needed_by, ask_again,
    cancelled, shortfall_reported, destination_country)
SELECT l.line_id, r.order_id, l.offering_id, g.ordered, r.due_date, r.due_date - 21, false, r.cancel_at IS NOT NULL,
       l.short, (ARRAY['JP','AU','DE','US','NZ','FR','PG','GB'])[1 + r.b %% 8]
FROM bench.lines l JOIN bench.orders r ON r.n = l.n JOIN bench.ledgers g ON g.m = l.m;
INSERT INTO aggregation.quotas (quota_id, ref, order_id, line_id, offering_id, producer_id, quantity,
    offered_quantity, given_back, status, reason, reallocated, offered_at, respond_by, answered_at)
SELECT q.quota_id, q.ref, r.order_id, l.line_id, l.offering_id, p.producer_id, q.quantity, q.quantity, 0, s.status,
       CASE s.status WHEN 'declined' THEN 'Busy with the garden this month' WHEN 'expired' THEN 'no answer in time'
                     WHEN 'released' THEN 'order cancelled' END,
       q.reallocated, q.offered_at, q.respond_by,
       CASE WHEN s.status = 'released' THEN r.cancel_at WHEN s.status <> 'offered' THEN q.answered_at END
FROM bench.quotas q JOIN bench.quota_states s ON s.qn = q.qn JOIN bench.lines l ON l.m = q.m
JOIN bench.orders r ON r.n = q.n JOIN bench.producers p ON p.p = q.p;
INSERT INTO aggregation.lots (lot_id, quota_id, order_id, line_id, offering_id, producer_id, quantity, status,
    attempt, reported_at, decided_at, disposition_reason, shipped_at, delivered_at)
SELECT t.lot_id, q.quota_id, r.order_id, l.line_id, l.offering_id, p.producer_id, t.quantity, t.status, t.attempt,
       t.reported_at,
       CASE WHEN t.status = 'passed' THEN t.passed_at WHEN t.status <> 'reported' OR t.attempt = 2
            THEN t.first_inspection END,
       CASE WHEN t.attempt = 2 OR t.status = 'rework' THEN 'Loose weave at the handle: rework' END,
       CASE WHEN bench.t0() >= t.dispatch THEN t.dispatch END, CASE WHEN bench.t0() >= t.delivered THEN t.delivered END
FROM bench.lots t JOIN bench.quotas q ON q.qn = t.qn JOIN bench.lines l ON l.m = t.m JOIN bench.orders r ON r.n = t.n
JOIN bench.producers p ON p.p = t.p;
INSERT INTO aggregation.inspections (lot_id, attempt, producer_id, offering_id, inspector, severity, classes,
    findings, passed, inspected_at)
SELECT t.lot_id, a.attempt, p.producer_id, l.offering_id, 'inspector-' || p.org_id, 'normal',
       json_build_array(json_build_object('defect_class', 'major', 'aql', 2.5, 'code_letter', 'F', 'sample_size', 20,
           'accept', 1, 'reject', 2, 'defects', CASE WHEN a.passed THEN 0 ELSE 3 END)),
       '[]', a.passed, a.at
FROM bench.lots t JOIN bench.lines l ON l.m = t.m JOIN bench.producers p ON p.p = t.p
CROSS JOIN LATERAL (VALUES (1, t.first_passed, t.first_inspection), (2, true, t.second_inspection))
    a(attempt, passed, at)
WHERE a.at <= bench.t0() AND (a.attempt = 1 OR NOT t.first_passed);
""",
    ),
]

FILL += [
    (
        "consolidation",
        """
INSERT INTO consolidation.producers (producer_id, name, village, latitude, longitude, remoteness, closed_months,
    service_weekdays, updated_at)
SELECT producer_id, name, village, latitude, longitude, remoteness, closed_months, service_weekdays, updated_at
FROM catalogue.producers;
INSERT INTO consolidation.offerings (offering_id, sku, name, unit_weight_g, unit_volume_cm3, organisation_id)
SELECT offering_id, sku, name, unit_weight_g, unit_volume_cm3, org_id FROM bench.offerings;
INSERT INTO consolidation.order_destinations (order_id, buyer_name, buyer_organisation_id, destination, due_date,
    cancelled)
SELECT order_id, buyer_name, buyer_organisation_id, destination, due_date, status = 'cancelled' FROM orders.orders;
CREATE TABLE bench.shipment_steps AS
SELECT s.s, bench.id('shp', s.s) AS shipment_id, g.org_id, g.currency, s.dispatch, s.delivered, x.seq, x.status, x.at
FROM bench.shipments s JOIN bench.orgs g ON g.o = s.o
CROSS JOIN LATERAL (VALUES (1, 'planned', s.dispatch - interval '1 day'),
                           (2, 'picked_up', s.dispatch - interval '14 hours'),
                           (3, 'at_hub', s.dispatch - interval '7 hours'), (4, 'in_transit', s.dispatch),
                           (5, 'delivered', s.delivered)) x(seq, status, at)
WHERE x.at <= bench.t0();
INSERT INTO consolidation.shipments (shipment_id, organisation_id, destination, status, planned_at, updated_at,
    hub_id, hub_name, vehicle_id, vehicle_name, line_haul_km, line_haul_cost, pickup_cost, cost, currency,
    dispatch_reason, dispatch_on, arrives_on, latest_dispatch_on)
SELECT DISTINCT ON (s) shipment_id, org_id,
       '{"name": "Port of Lae", "city": "Lae", "country": "PG", "latitude": -6.73, "longitude": 147.0}'::json,
       status, dispatch - interval '1 day', at, 'hub_' || org_id, 'Goroka hub', 'veh_' || org_id, 'Hino 500 truck',
       round((300 + 600 * bench.rnd(s, 51))::numeric, 3), round((900 + 2000 * bench.rnd(s, 52))::numeric, 2),
       0, 0, 'USD', 'latest', dispatch::date, delivered::date, dispatch::date
FROM bench.shipment_steps ORDER BY s, seq DESC;
INSERT INTO consolidation.shipment_events (shipment_id, seq, status, reason, at, recorded_at)
SELECT shipment_id, seq, status, NULL, at, at FROM bench.shipment_steps;
INSERT INTO consolidation.shipment_lots (lot_id, shipment_id, order_id, line_id, quantity, producer_id, offering_id,
    weight_kg, volume_m3, distance_km, pickup_on, route_share)
SELECT t.lot_id, bench.id('shp', r.s), r.order_id, l.line_id, t.quantity, p.producer_id, l.offering_id,
       t.quantity * l.unit_weight_g / 1000.0, t.quantity * l.unit_volume_cm3 / 1000000.0,
       round((400 + 300 * bench.rnd(t.ln, 53))::numeric, 3), (t.dispatch - interval '14 hours')::date, 0
FROM bench.lots t JOIN bench.orders r ON r.n = t.n JOIN bench.lines l ON l.m = t.m JOIN bench.producers p ON p.p = t.p
WHERE t.dispatch - interval '1 day' <= bench.t0();
UPDATE consolidation.shipments s SET weight_kg = w.kg, volume_m3 = w.m3, fill = least(1, w.kg / 8000),
    cost = s.line_haul_cost
FROM (SELECT shipment_id, sum(weight_kg) AS kg, sum(volume_m3) AS m3 FROM consolidation.shipment_lots
      GROUP BY shipment_id) w
WHERE w.shipment_id = s.shipment_id;
""",
    ),
    (
        "settlement: producers, sales and documents",
        """
INSERT INTO settlement.producers (producer_id, organisation_id, name, mobile, languages, updated_at)
SELECT producer_id, organisation_id, name, mobile, languages, updated_at FROM catalogue.producers;
INSERT INTO settlement.offerings (offering_id, organisation_id, sku, name, currency, producer_price, premium_per_unit,
    updated_at, hs_code, origin_country, unit_weight_g, unit_volume_cm3)
SELECT offering_id, org_id, sku, name, currency, producer_price, 0, bench.t0() - interval '420 days', '4602.19', 'PG',
       unit_weight_g, unit_volume_cm3
FROM bench.offerings;
INSERT INTO settlement.sales (order_id, organisation_id, buyer_id, buyer_name, buyer_email, buyer_organisation_id,
    destination, currency, trade_terms, due_date, promised_date, cancelled, placed_at)
SELECT order_id, organisation_id, buyer_id, buyer_name, buyer_email, buyer_organisation_id, destination, currency,
       json_build_object('incoterm', incoterm, 'named_place', named_place, 'transport_mode', transport_mode),
       due_date, promised_date, cancel_reason, placed_at
FROM orders.orders;
INSERT INTO settlement.sale_lines (line_id, order_id, position, offering_id, sku, quantity, unit_price)
SELECT line_id, order_id, position, offering_id, sku, quantity, unit_price FROM orders.order_lines;
CREATE TABLE bench.invoices AS
SELECT r.n, r.order_id, r.org_id, r.currency, 'buyer-' || lpad(r.b::text, 3, '0') AS buyer_org,
       bench.id('shp', r.s) AS shipment_id, s.dispatch AS issued_at, o.total AS goods,
       round(o.total * 0.02, 2) AS freight, round(o.total * 1.02, 2) AS total, s.dispatch::date + 30 AS due_on,
       CASE WHEN bench.rnd(r.n, 82) < 0.01 AND s.dispatch + interval '20 days' <= bench.t0()
            THEN round(o.total * 0.1, 2) END AS credit,
       CASE WHEN bench.rnd(r.n, 80) >= 0.03
            THEN s.dispatch::date + 30 + floor(-20 + 45 * power(bench.rnd(r.n, 81), 2))::int END AS paid_on
FROM bench.orders r JOIN bench.shipments s ON s.s = r.s JOIN orders.orders o ON o.order_id = r.order_id
WHERE s.dispatch <= bench.t0();
ALTER TABLE bench.invoices ADD PRIMARY KEY (n);
INSERT INTO settlement.documents (document_id, organisation_id, number, kind, cause, order_id, shipment_id,
    buyer_organisation_id, currency, goods, freight, tax_rate, tax, total, amount_due, due_on, corrects, reason,
    content, issued_by, issued_at)
SELECT bench.id('doc', n * 4 + d.k), org_id,
       d.prefix || '-' || extract(year FROM d.at) || '-'
           || lpad((row_number() OVER (PARTITION BY org_id, d.prefix, extract(year FROM d.at) ORDER BY d.at, n))::text,
                   5, '0'),
       d.kind, d.kind || ':' || CASE WHEN d.k = 1 THEN shipment_id || ':' ELSE '' END || order_id, order_id,
       CASE WHEN d.k > 0 THEN shipment_id END, buyer_org, currency, d.goods, d.freight, 0, 0, d.total, d.due,
       d.due_on, NULL, d.reason,
       '{"trade_terms": {"incoterm": "FCA", "named_place": "Lae", "transport_mode": "sea"}, "lines": []}',
       'platform', d.at
FROM (
    SELECT r.n, r.order_id, r.org_id, r.currency, 'buyer-' || lpad(r.b::text, 3, '0') AS buyer_org,
           bench.id('shp', r.s) AS shipment_id, o.total, r.placed_at
    FROM bench.orders r JOIN orders.orders o ON o.order_id = r.order_id
) r
CROSS JOIN LATERAL (
    SELECT 0 AS k, 'proforma' AS kind, 'PF' AS prefix, r.placed_at + interval '10 seconds' AS at, r.total AS goods,
           0::numeric AS freight, r.total AS total, NULL::numeric AS due, NULL::date AS due_on, NULL AS reason
    UNION ALL
    SELECT 1, 'invoice', 'INV', i.issued_at, i.goods, i.freight, i.total, i.total, i.due_on, NULL
    FROM bench.invoices i WHERE i.n = r.n
    UNION ALL
    SELECT 2, 'credit_note', 'CN', i.issued_at + interval '20 days', i.credit, 0, i.credit, NULL, NULL,
           'Three bags with loose handles'
    FROM bench.invoices i WHERE i.n = r.n AND i.credit IS NOT NULL
) d;
UPDATE settlement.documents c SET corrects = i.number
FROM settlement.documents i WHERE c.kind = 'credit_note' AND i.kind = 'invoice' AND i.order_id = c.order_id;
INSERT INTO settlement.receipts (receipt_id, organisation_id, order_id, kind, currency, amount, reference,
    received_on, recorded_by, recorded_at)
SELECT bench.id('rcp', n), org_id, order_id, 'payment', currency, total - coalesce(credit, 0), 'TT-' || n, paid_on,
       'clerk@' || org_id, paid_on + interval '9 hours'
FROM bench.invoices WHERE paid_on + interval '9 hours' <= bench.t0();
""",
    ),
]

FILL += [
    (
        "settlement: the producers' money",
        """
CREATE TABLE bench.advances AS
SELECT q.qn, bench.id('adv', q.qn) AS advance_id, p.org_id, p.producer_id, q.quota_id, r.order_id, p.currency,
       round(0.3 * q.quantity * l.producer_price, 2) AS amount, q.answered_at + interval '12 hours' AS recorded_at
FROM bench.quotas q JOIN bench.quota_states s ON s.qn = q.qn JOIN bench.lines l ON l.m = q.m
JOIN bench.orders r ON r.n = q.n JOIN bench.producers p ON p.p = q.p
WHERE q.advanced AND s.status NOT IN ('offered', 'declined', 'expired')
  AND q.answered_at + interval '12 hours' <= bench.t0();
CREATE TABLE bench.earnings AS
WITH earned AS (
    SELECT t.ln, t.lot_id, t.qn, t.p, p.o, p.org_id, p.producer_id, p.currency, q.quota_id, r.order_id, t.quantity,
           l.producer_price AS rate, round(t.quantity * l.producer_price, 2) AS amount, t.passed_at AS recorded_at,
           CASE WHEN t.ln %% 2 = 0 THEN a.advance_id END AS advance_id,
           CASE WHEN t.ln %% 2 = 0 THEN coalesce(a.amount, 0) ELSE 0 END AS recovered,
           g.payday, bench.rnd(t.p, 60) < 0.02 AS unreachable
    FROM bench.lots t JOIN bench.quotas q ON q.qn = t.qn JOIN bench.lines l ON l.m = t.m
    JOIN bench.orders r ON r.n = t.n JOIN bench.producers p ON p.p = t.p JOIN bench.orgs g ON g.o = p.o
    LEFT JOIN bench.advances a ON a.qn = t.qn
    WHERE t.status = 'passed'
), candidate AS (
    SELECT earned.*, date_trunc('month', recorded_at) + bench.days(payday - 1) + interval '10 hours' AS payday_at
    FROM earned
), paid AS (
    SELECT candidate.*,
           CASE WHEN payday_at > recorded_at THEN payday_at ELSE payday_at + interval '1 month' END AS paid_at
    FROM candidate
)
SELECT paid.*,
       CASE WHEN paid_at <= bench.t0() AND NOT (unreachable AND paid_at > bench.t0() - interval '90 days')
            THEN bench.id('pl', p::bigint * 100000 + extract(epoch FROM paid_at)::bigint / 86400) END AS payout_line_id
FROM paid;
CREATE TABLE bench.payouts AS
SELECT payout_line_id, org_id, producer_id, currency, paid_at, sum(amount - recovered) AS amount,
       paid_at + bench.days(0.01 + 2 * power(bench.rnd(min(ln), 61), 3)) AS confirmed_at
FROM bench.earnings WHERE payout_line_id IS NOT NULL
GROUP BY payout_line_id, org_id, producer_id, currency, paid_at;
INSERT INTO settlement.advances (advance_id, organisation_id, producer_id, quota_id, order_id, kind, description,
    currency, amount, recorded_by, recorded_at)
SELECT advance_id, org_id, producer_id, quota_id, order_id, 'materials', 'Dye and pandanus for the quota', currency,
       amount, 'clerk@' || org_id, recorded_at
FROM bench.advances;
INSERT INTO settlement.journal (cause, organisation_id, producer_id, currency, kind, amount, quota_id, order_id,
    lot_id, units, rate, advance_id, payout_line_id, reason, recorded_by, recorded_at)
SELECT * FROM (
    SELECT 'advance:' || advance_id, org_id, producer_id, currency, 'advance', amount, quota_id, order_id, NULL,
           NULL::int, NULL::numeric, advance_id, NULL, NULL, 'clerk@' || org_id, recorded_at
    FROM bench.advances
    UNION ALL
    SELECT 'earning:' || lot_id, org_id, producer_id, currency, 'earning', amount, quota_id, order_id, lot_id,
           quantity, rate, NULL, NULL, NULL, 'platform', recorded_at
    FROM bench.earnings
    UNION ALL
    SELECT 'recovery:' || advance_id || ':' || lot_id, org_id, producer_id, currency, 'recovery', recovered, quota_id,
           order_id, lot_id, NULL, NULL, advance_id, NULL, NULL, 'platform', recorded_at
    FROM bench.earnings WHERE advance_id IS NOT NULL
    UNION ALL
    SELECT 'payout_sent:' || payout_line_id || ':1', org_id, producer_id, currency, 'payout_sent', amount, NULL, NULL,
           NULL, NULL, NULL, NULL, payout_line_id, NULL, 'clerk@' || org_id, paid_at
    FROM bench.payouts
    UNION ALL
    SELECT 'payout_confirmed:' || payout_line_id, org_id, producer_id, currency, 'payout_confirmed', amount, NULL,
           NULL, NULL, NULL, NULL, NULL, payout_line_id, NULL, 'platform', confirmed_at
    FROM bench.payouts WHERE confirmed_at <= bench.t0()
) entries(cause, organisation_id, producer_id, currency, kind, amount, quota_id, order_id, lot_id, units, rate,
          advance_id, payout_line_id, reason, recorded_by, recorded_at)
ORDER BY recorded_at, cause;
INSERT INTO settlement.settlements (earning_entry_id, settling_entry_id, amount)
SELECT e.entry_id, c.entry_id, x.amount - x.recovered
FROM bench.earnings x JOIN bench.payouts y ON y.payout_line_id = x.payout_line_id
JOIN settlement.journal e ON e.cause = 'earning:' || x.lot_id
JOIN settlement.journal c ON c.cause = 'payout_confirmed:' || x.payout_line_id
WHERE y.confirmed_at <= bench.t0() AND x.amount > x.recovered
UNION ALL
SELECT e.entry_id, c.entry_id, x.recovered
FROM bench.earnings x JOIN settlement.journal e ON e.cause = 'earning:' || x.lot_id
JOIN settlement.journal c ON c.cause = 'recovery:' || x.advance_id || ':' || x.lot_id
WHERE x.advance_id IS NOT NULL;
""",
    ),
    (
        "notification",
        """
INSERT INTO notification.recipients (recipient_id, kind, name, mobile, languages, organisation_id, timezone,
    snapshot_at)
SELECT producer_id, 'producer', name, mobile, languages, organisation_id, 'Pacific/Port_Moresby', updated_at
FROM catalogue.producers;
INSERT INTO notification.deliveries (notification_id, dedupe_key, recipient_id, correlation_id, template, ref,
    language, subject, body, sms_text, channel, transport, address, status, attempts, handset_status,
    handset_reported_at, created_at, sent_at)
SELECT bench.id('ntf', q.qn), left(md5('evt' || q.qn), 8) || '-' || substr(md5('evt' || q.qn), 9, 4) || '-4'
           || substr(md5('evt' || q.qn), 14, 3) || '-a' || substr(md5('evt' || q.qn), 18, 3) || '-'
           || substr(md5('evt' || q.qn), 21, 12),
       p.producer_id, r.order_id, 'quota_offered', q.ref, 'tpi', '', sms.text, sms.text, 'sms', 'kannel',
       '+6757' || lpad(q.p::text, 7, '0'), 'sent', 1, h.status,
       CASE WHEN h.status <> 'pending' THEN q.offered_at + interval '40 seconds' END, q.offered_at,
       q.offered_at + interval '3 seconds'
FROM bench.quotas q JOIN bench.orders r ON r.n = q.n JOIN bench.producers p ON p.p = q.p
CROSS JOIN LATERAL (SELECT 'Bilum: oda ' || q.ref || ': ' || q.quantity || ' bilum long ' || to_char(r.due_date,
    'DD Mon') || '. Bekim YES ' || q.ref || ' o NO ' || q.ref || ' bipo ' || to_char(q.respond_by, 'DD Mon HH24:MI')
    AS text) sms
CROSS JOIN LATERAL (SELECT CASE WHEN bench.rnd(q.qn, 90) < 0.02 THEN 'failed'
                                WHEN bench.rnd(q.qn, 90) < 0.03 AND q.offered_at > bench.t0() - interval '1 day'
                                THEN 'pending' ELSE 'delivered' END AS status) h;
""",
    ),
]

# What the services' tables hold once built, for the report.
COUNTED = (
    "orders.orders",
    "orders.order_lines",
    "aggregation.quotas",
    "aggregation.lots",
    "aggregation.inspections",
    "aggregation.capacity_weeks",
    "catalogue.producers",
    "consolidation.shipments",
    "consolidation.shipment_lots",
    "settlement.journal",
    "settlement.settlements",
    "settlement.documents",
    "notification.deliveries",
)
SCHEMAS = ("catalogue", "orders", "aggregation", "consolidation", "notification", "settlement")


def connect(url: str):
    """psycopg2 on the SQLAlchemy URL's database."""
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    return psycopg2.connect(
        host=parts.host, port=parts.port or 5432, user=parts.username, password=parts.password, dbname=parts.database
    )


def build(url: str, organisations: int, orders: int, seed: int, t0, say=print) -> dict:
    """Draw the history and fill every service's tables (the migrations made them, empty); the row counts."""
    parameters = {"orgs": organisations, "orders": orders, "seed": seed, "t0": t0.isoformat()}
    connection = connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'; SET synchronous_commit = off; SET work_mem = '256MB'")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(HELPERS, parameters)
            for label, sql in HISTORY:
                started = time.monotonic()
                cursor.execute(sql, parameters)
                say(f"  {label}: {time.monotonic() - started:.0f} s")
            indexes = _drop_indexes(cursor)
            for label, sql in FILL:
                started = time.monotonic()
                cursor.execute(sql, parameters)
                say(f"  {label}: {time.monotonic() - started:.0f} s")
            started = time.monotonic()
            for definition in indexes:
                cursor.execute(definition)
            say(f"  {len(indexes)} indexes made again: {time.monotonic() - started:.0f} s")
            started = time.monotonic()
            cursor.execute("DROP SCHEMA bench CASCADE")
            for schema in SCHEMAS:
                cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))
                for (table,) in cursor.fetchall():
                    cursor.execute(f'VACUUM (ANALYZE) "{schema}"."{table}"')
            say(f"  vacuum and analyse: {time.monotonic() - started:.0f} s")
            return counts(cursor)
    finally:
        connection.close()


def _drop_indexes(cursor) -> list[str]:
    """The services' indexes but those of their keys and unique constraints, dropped while the tables fill (a million
    rows load faster into a table without them); what makes each again."""
    cursor.execute(
        "SELECT schemaname, indexname, indexdef FROM pg_indexes i WHERE schemaname = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = i.schemaname::regnamespace)",
        (list(SCHEMAS),),
    )
    found = cursor.fetchall()
    for schema, name, _ in found:
        cursor.execute(f'DROP INDEX "{schema}"."{name}"')
    return [definition for _, _, definition in found]


def counts(cursor) -> dict:
    found = {}
    for table in COUNTED:
        cursor.execute(f"SELECT count(*) FROM {table}")
        found[table] = cursor.fetchone()[0]
    return found


def existing_counts(url: str) -> dict | None:
    """The row counts of a database built before, or None when it is not there or not complete."""
    try:
        connection = connect(url)
    except psycopg2.OperationalError:
        return None
    try:
        with connection.cursor() as cursor:
            found = counts(cursor)
    except psycopg2.Error:
        return None
    finally:
        connection.close()
    return found if all(found.values()) else None
