"""Set-based SQL of ``seed_repairs`` on PostgreSQL — 维修单规模数据 (INSERT … SELECT generate_series).

Each statement generates its rows inside PostgreSQL: no row crosses the wire, so a million repair
orders take tens of seconds instead of the ORM's ~25 minutes. ``random()`` after ``setseed`` makes
a run repeatable. The formulas of the stage times are those of ``_repair_plan.plan_stages`` (keep
them in step); the clock fields of the orders still open are recomputed afterwards in Python with
the services' own clock functions.
"""

from __future__ import annotations

# --- customers ----------------------------------------------------------------------------------
# Explicit ids after the highest in use (the code is C + id, as customer_create gives it); the
# sequence is moved past them afterwards. One mobile number each, unique by construction
# (19 + the id), skipped if some earlier data already holds it.
CUSTOMERS = """
INSERT INTO customers_customer
    (id, code, name, customer_type, grade, region, address, contact_person, notes,
     created_at, updated_at)
SELECT id, 'C' || lpad(id::text, 6, '0'),
       CASE WHEN company THEN city || '市' || (%(firms)s::text[])[1 + (id %% 8)] || '有限公司'
            ELSE person END,
       CASE WHEN company THEN 'enterprise' ELSE 'consumer' END,
       CASE WHEN r_grade < 0.03 THEN 'major' WHEN r_grade < 0.10 THEN 'key' ELSE 'normal' END,
       city, city || '市' || (%(districts)s::text[])[1 + (id %% 6)] || (1 + id %% 999) || '号',
       CASE WHEN company THEN person ELSE '' END, '', %(now)s, %(now)s
FROM (
    SELECT %(base)s::bigint + g AS id, random() < 0.12 AS company, random() AS r_grade,
           (%(cities)s::text[])[1 + floor(random() * %(n_cities)s)::int] AS city,
           (%(surnames)s::text[])[1 + floor(random() * %(n_surnames)s)::int]
             || (%(given)s::text[])[1 + floor(random() * %(n_given)s)::int] AS person
    FROM generate_series(1, %(n)s) g
) c
"""

PHONES = """
INSERT INTO customers_customerphone (customer_id, phone, last4, created_at)
SELECT id, p, right(p, 4), %(now)s
FROM (SELECT id, '19' || lpad((id %% 1000000000)::text, 9, '0') AS p
      FROM customers_customer WHERE id > %(base)s) s
ON CONFLICT (phone) DO NOTHING
"""

# --- installations ------------------------------------------------------------------------------
# Accepted over the last ``span`` days, older first; 90 % products (serial SN + id), 10 %
# projects. Warranty as the service computes it: the longer of the policy minimum and the
# product's months, to acceptance + months − 1 day (PostgreSQL clamps month ends like add_months).
# Numbered AZyyyymmdd-NNNN by acceptance day, after the numbers already given that day.
INSTALLATIONS = """
INSERT INTO aftersales_installation
    (id, number, kind, customer_id, product_id, project_name, serial_number, order_no, address,
     acceptance_date, warranty_months, warranty_end, department_id, responsible_id, notes,
     created_by_id, created_at, updated_at)
SELECT x.id,
       'AZ' || to_char(x.acc, 'YYYYMMDD') || '-'
         || lpad((coalesce(c.last, 0) + row_number() OVER (PARTITION BY x.acc ORDER BY x.id))::text,
                 4, '0'),
       CASE WHEN x.project THEN 'project' ELSE 'product' END,
       cust.id,
       CASE WHEN x.project THEN NULL ELSE p.id END,
       CASE WHEN x.project THEN cust.region || '智能化工程' ELSE '' END,
       CASE WHEN x.project THEN '' ELSE 'SN' || lpad(x.id::text, 9, '0') END,
       'DD' || to_char(x.acc, 'YYYYMMDD') || lpad((x.id %% 100000)::text, 5, '0'),
       cust.address, x.acc, w.months,
       (x.acc + make_interval(months => w.months))::date - 1,
       NULL, NULL, '', NULL, %(now)s, %(now)s
FROM (
    SELECT %(base)s::bigint + g AS id,
           (%(today)s::date - ((%(n)s::bigint - g) * %(span)s / %(n)s)::int) AS acc,
           random() < 0.10 AS project,
           1 + floor(random() * %(n_products)s)::int AS p_n,
           1 + floor(random() * %(n_customers)s)::int AS c_n
    FROM generate_series(1, %(n)s) g
) x
JOIN _rs_products p ON p.n = x.p_n
JOIN _rs_customers cust ON cust.n = x.c_n
CROSS JOIN LATERAL (
    SELECT greatest(%(min_months)s, CASE WHEN x.project THEN 0 ELSE p.months END) AS months
) w
LEFT JOIN aftersales_numbercounter c ON c.key = 'AZ' || to_char(x.acc, 'YYYYMMDD')
"""

INSTALLATION_COUNTERS = """
INSERT INTO aftersales_numbercounter (key, last)
SELECT left(number, 10), max(split_part(number, '-', 2)::int)
FROM aftersales_installation WHERE id > %(base)s
GROUP BY left(number, 10)
ON CONFLICT (key) DO UPDATE SET last = greatest(aftersales_numbercounter.last, EXCLUDED.last)
"""

# --- repair orders ------------------------------------------------------------------------------
# One row per report day: the first row number of the day, how many, and the number the day's
# counter had already reached; how many installations were accepted by then (an order is raised
# against an installation accepted before it).
DAYS = """
CREATE TEMP TABLE _rs_days ON COMMIT DROP AS
SELECT d, (%(today)s::date - d::int) AS local_day, min(g) AS first_g, count(*) AS n,
       0 AS base, 0 AS inst_upto
FROM (SELECT g, (%(count)s::bigint - g) * %(days)s / %(count)s AS d
      FROM generate_series(1, %(count)s) g) s
GROUP BY d;
CREATE UNIQUE INDEX ON _rs_days (d);
UPDATE _rs_days SET base = c.last FROM aftersales_numbercounter c
 WHERE c.key = %(prefix)s || to_char(local_day, 'YYYYMMDD');
UPDATE _rs_days SET inst_upto = coalesce(
    (SELECT n FROM _rs_inst WHERE acceptance_date <= _rs_days.local_day
     ORDER BY acceptance_date DESC, n DESC LIMIT 1), 0);
ANALYZE _rs_days;
"""

# The stage offsets in hours (plan_stages), then absolute times that are not in the future, then
# the status of the last stage reached, deadlines (wall clock) and breach flags as of the close
# (open orders are redone in Python afterwards).
REPAIRS = """
WITH b AS (
    SELECT g, d.local_day, d.base + (g - d.first_g + 1) AS seq, d.inst_upto,
           random() AS r_tod, random() AS r_work, random() AS r_inst, random() AS r_inst2,
           random() AS r_cust, random() AS r_tech, random() AS r_fault, random() AS r_war,
           random() AS r_path, random() AS r_late, random() AS r_a, random() AS r_b,
           random() AS r_c, random() AS r_d, random() AS r_e, random() AS r_spfix,
           random() AS r_stuck, random() AS r_rassign
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g
    JOIN _rs_days d ON d.d = (%(count)s::bigint - g) * %(days)s / %(count)s
), t AS (
    SELECT b.*,
           least(%(latest)s::timestamptz,
                 (b.local_day + CASE WHEN r_work < 0.85
                                     THEN interval '8 hours' + r_tod * interval '12 hours'
                                     ELSE r_tod * interval '24 hours' END)
                 AT TIME ZONE 'Asia/Shanghai') AS rep,
           0.1 + r_a * r_a * 6 AS h_assign
    FROM b
), p AS (
    SELECT t.*,
           r_path < %(remote_share)s AS is_remote,
           r_path >= %(remote_share)s AND r_path < %(remote_share)s + %(spare_share)s AS is_spare,
           CASE WHEN r_late < %(late_arrival)s THEN 24.2 + r_b * 36
                ELSE h_assign + 0.3 + r_b * (23.2 - h_assign) END AS h_arrive0,
           0.2 + r_b * 12 AS h_remote0
    FROM t
), q AS (
    SELECT p.*,
           CASE WHEN is_spare THEN h_arrive0 + 1 + r_c * 30 END AS h_spare0,
           CASE WHEN is_remote OR is_spare THEN NULL
                WHEN r_late >= %(late_arrival)s AND r_late < %(late_arrival)s + %(late_fix)s
                THEN h_arrive0 + 0.5 + 30 + r_c * 60
                ELSE h_arrive0 + 0.5 + r_c * 20 END AS h_fix_direct
    FROM p
), h AS (
    SELECT q.*,
           CASE WHEN is_spare AND r_spfix < 0.5 THEN h_spare0 + 6 + r_spfix * 180
                ELSE h_fix_direct END AS h_fix0
    FROM q
), hs AS MATERIALIZED (
    SELECT h.*, coalesce(h_fix0, h_spare0) + 0.2 + r_d * 24 AS h_sign0 FROM h
), stages AS MATERIALIZED (
    SELECT hs.*,
           CASE WHEN is_remote THEN (CASE WHEN r_rassign < 0.5 AND h_assign < h_remote0
                                          THEN h_assign END)
                ELSE h_assign END AS h_assign1,
           CASE WHEN is_remote OR r_stuck < %(stuck_arrival)s THEN NULL ELSE h_arrive0 END AS h_arrive1,
           CASE WHEN is_remote OR r_stuck < %(stuck_arrival)s THEN NULL ELSE h_fix0 END AS h_fix1,
           CASE WHEN is_remote OR r_stuck < %(stuck_arrival)s THEN NULL ELSE h_spare0 END AS h_spare1,
           CASE WHEN is_remote THEN h_remote0 END AS h_remote1,
           CASE WHEN is_remote OR r_stuck < %(stuck_arrival)s THEN NULL ELSE h_sign0 END AS h_sign1,
           CASE WHEN r_stuck < %(stuck_close)s THEN NULL
                WHEN is_remote THEN h_remote0 + 0.5 + r_e * 48
                ELSE h_sign0 + 1 + r_e * 72 END AS h_close1
    FROM hs
), a AS MATERIALIZED (
    SELECT s.*,
           CASE WHEN rep + h_assign1 * interval '1 hour' <= %(now)s
                THEN rep + h_assign1 * interval '1 hour' END AS assigned_at,
           CASE WHEN rep + h_arrive1 * interval '1 hour' <= %(now)s
                THEN rep + h_arrive1 * interval '1 hour' END AS arrived_at,
           CASE WHEN rep + h_fix1 * interval '1 hour' <= %(now)s
                THEN rep + h_fix1 * interval '1 hour' END AS fixed_at,
           CASE WHEN rep + h_spare1 * interval '1 hour' <= %(now)s
                THEN rep + h_spare1 * interval '1 hour' END AS spare_at,
           CASE WHEN rep + h_remote1 * interval '1 hour' <= %(now)s
                THEN rep + h_remote1 * interval '1 hour' END AS remote_at,
           CASE WHEN rep + h_sign1 * interval '1 hour' <= %(now)s
                THEN rep + h_sign1 * interval '1 hour' END AS signed_at,
           CASE WHEN rep + h_close1 * interval '1 hour' <= %(now)s
                THEN rep + h_close1 * interval '1 hour' END AS closed_at,
           rep + %(arrival_h)s * interval '1 hour' AS arrival_due,
           rep + %(fixed_h)s * interval '1 hour' AS fixed_due,
           rep + %(spare_h)s * interval '1 hour' AS spare_due,
           i.id AS inst_id, i.customer_id AS inst_customer, i.acceptance_date, i.warranty_end,
           i.address AS inst_address
    FROM stages s
    LEFT JOIN _rs_inst i
      ON i.n = CASE WHEN s.r_inst < %(with_inst)s AND s.inst_upto > 0
                    THEN 1 + floor(s.r_inst2 * s.inst_upto)::int END
), m AS (
    SELECT a.*,
           coalesce(a.closed_at, %(now)s::timestamptz) AS eval_at,
           least(arrived_at, remote_at) AS met_arrival,
           least(fixed_at, remote_at) AS met_fixed,
           least(fixed_at, spare_at, remote_at) AS met_spare
    FROM a
), f AS (
    SELECT m.*,
           CASE WHEN met_arrival IS NOT NULL THEN met_arrival > arrival_due
                ELSE eval_at > arrival_due END AS br_arrival,
           CASE WHEN met_fixed IS NOT NULL THEN met_fixed > fixed_due
                ELSE eval_at > fixed_due END AS br_fixed,
           CASE WHEN met_spare IS NOT NULL THEN met_spare > spare_due
                ELSE eval_at > spare_due END AS br_spare
    FROM m
)
INSERT INTO aftersales_repairorder
    (number, status, customer_id, installation_id, ticket_id, fault, contact_name, contact_phone,
     address, reported_at, in_warranty, technician_id, assigned_at, arrived_at, fixed_at,
     spare_at, remote_at, signed_at, signed_by_name, closed_at, work_done, remote_note,
     charge_total, arrival_due, fixed_due, spare_due, arrival_breached, fixed_breached,
     spare_breached, breached, notified, next_check_at, created_by_id, created_at, updated_at)
SELECT %(prefix)s || to_char(local_day, 'YYYYMMDD') || '-'
         || CASE WHEN seq < %(seq_limit)s THEN lpad(seq::text, %(digits)s, '0') ELSE seq::text END,
       CASE WHEN closed_at IS NOT NULL THEN 'closed'
            WHEN signed_at IS NOT NULL THEN 'signed_off'
            WHEN remote_at IS NOT NULL THEN 'remote'
            WHEN fixed_at IS NOT NULL THEN 'fixed'
            WHEN spare_at IS NOT NULL THEN 'spare'
            WHEN arrived_at IS NOT NULL THEN 'arrived'
            WHEN assigned_at IS NOT NULL THEN 'assigned'
            ELSE 'reported' END,
       coalesce(inst_customer, c.id),
       inst_id, NULL,
       (%(faults)s::text[])[1 + floor(r_fault * %(n_faults)s)::int],
       '', '', coalesce(inst_address, ''), rep,
       inst_id IS NOT NULL AND acceptance_date <= local_day AND local_day <= warranty_end,
       CASE WHEN assigned_at IS NOT NULL THEN e.id END,
       assigned_at, arrived_at, fixed_at, spare_at, remote_at, signed_at,
       CASE WHEN signed_at IS NOT NULL THEN '客户' ELSE '' END,
       closed_at,
       CASE WHEN fixed_at IS NOT NULL THEN %(work_done)s ELSE '' END,
       CASE WHEN remote_at IS NOT NULL THEN %(remote_note)s ELSE '' END,
       0, arrival_due, fixed_due, spare_due,
       br_arrival, br_fixed, br_spare, br_arrival OR br_fixed OR br_spare,
       to_jsonb(array_remove(ARRAY[
           CASE WHEN br_arrival THEN 'arrival:breach' END,
           CASE WHEN met_arrival IS NULL AND NOT br_arrival AND %(warn)s > 0
                 AND eval_at >= arrival_due - %(warn)s * interval '1 hour' THEN 'arrival:warn' END,
           CASE WHEN br_fixed THEN 'fixed:breach' END,
           CASE WHEN met_fixed IS NULL AND NOT br_fixed AND %(warn)s > 0
                 AND eval_at >= fixed_due - %(warn)s * interval '1 hour' THEN 'fixed:warn' END,
           CASE WHEN br_spare THEN 'spare:breach' END,
           CASE WHEN met_spare IS NULL AND NOT br_spare AND %(warn)s > 0
                 AND eval_at >= spare_due - %(warn)s * interval '1 hour' THEN 'spare:warn' END],
           NULL)),
       NULL, NULL, rep,
       greatest(rep, assigned_at, arrived_at, fixed_at, spare_at, remote_at, signed_at, closed_at)
FROM f
JOIN _rs_customers c ON c.n = 1 + floor(r_cust * r_cust * %(n_customers)s)::int
JOIN _rs_techs e ON e.n = 1 + floor(r_tech * %(n_techs)s)::int
ORDER BY g
"""

REPAIR_COUNTERS = """
INSERT INTO aftersales_numbercounter (key, last)
SELECT %(prefix)s || to_char(local_day, 'YYYYMMDD'), base + n FROM _rs_days
ON CONFLICT (key) DO UPDATE SET last = greatest(aftersales_numbercounter.last, EXCLUDED.last)
"""
