-- scripts/falls_peer.sql: the falls prevention episode (docs/methodology.md sections 1-2) in plain SQL, the
-- "SQL peer" of make bench (issue 8). Run by the sqlite3 CLI over a database that
-- `cara load` filled (claims, claim_lines, eligibility):
--
--     sqlite3 cara.db < scripts/falls_peer.sql
--
-- It writes peer_episodes(person_id, trigger_type, trigger_date, end_date, actual_cents),
-- one row per episode, what cara writes to run_episodes for template falls_prevention
-- (the same five columns). scripts/bench.sh compares the two.
--
-- It mirrors plugins/falls_prevention/falls_prevention.c and plugins/common/kit.c with
-- the parameters and code lists of episodes/falls_prevention/template.json written in
-- as literals (window.post_days 179, ed_admission_days 3, post_acute_days 30):
--
--   service date of a line (core/store/bene.c): institutional: admission date, else claim
--     start; professional and DME: line start, else claim start.
--   lines are ordered as cara orders them: (service date, claim_id, line number); a
--     trigger's rank is (day 0, its line's rank, trigger type).
--   Triggers
--     A  a professional line with an EVAL_HCPCS code on a claim with a FALL_RISK_DX
--        diagnosis [that day]; or a professional 3288F line on a claim that also has a
--        1100F line [the earliest over those 1100F lines of the later of the two days]
--     B  an outpatient (13x) claim's ER (0450-0459) line or a professional line with
--        place of service 23, on a claim with a FALL_EXTERNAL_CAUSE diagnosis, and no
--        inpatient (11x) line with a service date 0..3 days after it [that day]
--     C  an inpatient (11x) line whose claim has a FALL_INJURY_DX principal diagnosis
--        and a FALL_EXTERNAL_CAUSE diagnosis [day after discharge, else claim end, + 1]
--   Episodes: the first trigger opens an episode of 180 days (day 0 + 179); a trigger
--     whose day 0 falls inside the last opened episode is dropped; the next one after
--     it opens the next episode. An episode that contains the beneficiary's death (the
--     earliest death_date of their eligibility rows) ends on that day. This chain is
--     sequential, so it is a recursive CTE (one step per episode).
--   Included cost, lines whose service date is in [day 0, end], except the lines of a
--   trigger C episode's anchor stay:
--     1  every line of a claim with a FALL_EXTERNAL_CAUSE diagnosis or a FALL_INJURY_DX
--        principal diagnosis ("fall claims")
--     2  SNF (21x), home health (32x, 33x) and IRF (11x with a 0024 revenue line)
--        claims starting 0..30 days after the last day (institutional: discharge, else
--        claim end; others: claim end) of another fall claim whose service date is in
--        the window or that is the episode's trigger claim, and whose service date is
--        not after this claim's start
--     3  professional lines with a PREVENTION_HCPCS code
--   actual_cents is the sum of paid_cents over the included lines (each line once).
--   Exclusions (eligibility, alignment) do not change an episode's dates or actual
--   spending, so they are not needed here: excluded episodes are compared too.
--
-- Not expressed: nothing of the episode construction above is left out. What SQL cannot
-- do is read the template: the code lists and numbers are literals, so a customized or
-- overlaid template (cara template customize, --episodes DIR) would need this file
-- edited. Code-list patterns become GLOBs: cara's '?' matches one [A-Z0-9] and GLOB's
-- '?' any character, the same on loaded data (cara load accepts only such codes).
--
-- Checked (make bench compares every episode's five columns with run_episodes): all
-- 16,603 episodes of `cara synth --beneficiaries 100000 --seed 1` and all 3,296 of
-- 20,000 beneficiaries with --seed 7 --year 2028 match exactly. Breaking the peer on
-- purpose (dropping cost rule 2, the anchor-claim case of rule 2, the death end, or the
-- ED admission check) makes hundreds of episodes differ, so those parts are exercised;
-- the synthetic data never has a 3288F and its 1100F on different days nor two triggers
-- of one person on the same day, so the "later of the two days" and the same-day
-- trigger order are checked by reading only.
--
-- Dates are day numbers (unixepoch()/86400) so windows are integer arithmetic. All
-- working tables are TEMP; only peer_episodes is written to the database.

PRAGMA cache_size = -65536;
PRAGMA temp_store = FILE;

DROP TABLE IF EXISTS peer_episodes;

-- Per claim: which diagnosis code lists it hits. diagnosis_codes is space-separated,
-- principal first; json_each splits it (key 0 is the principal diagnosis).
CREATE TEMP TABLE pc AS
SELECT c.claim_id,
       max(d.value GLOB 'W0????A' OR d.value GLOB 'W1????A') AS ext,
       max(d.key = 0 AND (d.value GLOB 'S720*' OR d.value GLOB 'S721*' OR
                          d.value GLOB 'S722*' OR d.value GLOB 'S06*' OR
                          d.value GLOB 'S32*' OR d.value GLOB 'S422*' OR
                          d.value GLOB 'S525*' OR d.value GLOB 'S223*' OR
                          d.value GLOB 'S224*')) AS injp,
       max(d.value IN ('Z9181', 'R296', 'R2681', 'R2689', 'R262', 'R260', 'R261', 'R269',
                       'M6281')) AS risk
FROM claims c,
     json_each('["' || replace(c.diagnosis_codes, ' ', '","') || '"]') d
GROUP BY c.claim_id;

-- Claims with an IRF revenue center line (0024).
CREATE TEMP TABLE irf AS
SELECT DISTINCT claim_id FROM claim_lines WHERE revenue_center_code = '0024';

-- Every line with what the rules need; ctype 1 institutional, 2 professional, 3 DME.
CREATE TEMP TABLE pl AS
SELECT c.person_id, l.claim_id, l.claim_line_number AS line_number,
       CASE c.claim_type WHEN 'institutional' THEN 1 WHEN 'professional' THEN 2 ELSE 3 END
         AS ctype,
       CASE WHEN c.claim_type = 'institutional'
            THEN unixepoch(coalesce(c.admission_date, c.claim_start_date)) / 86400
            ELSE unixepoch(coalesce(l.claim_line_start_date, c.claim_start_date)) / 86400
       END AS sd,
       unixepoch(c.claim_start_date) / 86400 AS cstart,
       unixepoch(coalesce(c.discharge_date, c.claim_end_date)) / 86400 AS last_day,
       CASE WHEN c.claim_type = 'institutional'
            THEN unixepoch(coalesce(c.discharge_date, c.claim_end_date)) / 86400
            ELSE unixepoch(c.claim_end_date) / 86400
       END AS fall_end,
       c.bill_type_code AS bill, l.revenue_center_code AS rev, l.hcpcs_code AS hcpcs,
       l.place_of_service_code AS pos, l.paid_cents AS paid,
       pc.ext, pc.injp, pc.risk, (pc.ext OR pc.injp) AS fall,
       (c.claim_type = 'professional' AND l.hcpcs_code IN
          ('97161', '97162', '97163', '97165', '97166', '97167', '97164', '97168', '97110',
           '97112', '97116', '97530', '97535', '97550', '97551', '97552', '97750', '1100F',
           '1101F', '3288F', '0518F')) AS prev,
       (c.claim_type = 'institutional' AND
        (c.bill_type_code GLOB '21?' OR c.bill_type_code GLOB '32?' OR
         c.bill_type_code GLOB '33?' OR
         (c.bill_type_code GLOB '11?' AND c.claim_id IN irf))) AS post_acute
FROM claims c
JOIN claim_lines l ON l.claim_id = c.claim_id
JOIN pc ON pc.claim_id = c.claim_id;

CREATE INDEX temp.pl_person_sd ON pl (person_id, sd);
CREATE INDEX temp.pl_claim ON pl (claim_id, hcpcs);

-- Triggers: (person, day 0, rank of the trigger line, type, the trigger line's claim).
CREATE TEMP TABLE trig AS
-- A: an evaluation with a fall-risk diagnosis on the claim
SELECT person_id, sd AS day0, sd, claim_id, line_number, 'A' AS type
FROM pl
WHERE ctype = 2 AND risk AND hcpcs IN ('97161', '97162', '97163', '97165', '97166', '97167')
UNION ALL
-- A: 3288F with 1100F on one claim, on the earliest "later of the two days"
SELECT a.person_id, min(max(a.sd, h.sd)), a.sd, a.claim_id, a.line_number, 'A'
FROM pl a
JOIN pl h ON h.claim_id = a.claim_id AND h.hcpcs = '1100F'
WHERE a.ctype = 2 AND a.hcpcs = '3288F'
GROUP BY a.claim_id, a.line_number
UNION ALL
-- B: a fall treated in the ED and released
SELECT e.person_id, e.sd, e.sd, e.claim_id, e.line_number, 'B'
FROM pl e
WHERE e.ext
  AND ((e.ctype = 1 AND e.bill GLOB '13?' AND length(e.rev) = 4 AND
        e.rev BETWEEN '0450' AND '0459') OR (e.ctype = 2 AND e.pos = '23'))
  AND NOT EXISTS (SELECT 1 FROM pl i
                  WHERE i.person_id = e.person_id AND i.sd BETWEEN e.sd AND e.sd + 3
                    AND i.ctype = 1 AND i.bill GLOB '11?')
UNION ALL
-- C: discharge after a fall injury stay
SELECT person_id, last_day + 1, sd, claim_id, line_number, 'C'
FROM pl
WHERE ctype = 1 AND bill GLOB '11?' AND injp AND ext;

CREATE INDEX temp.trig_order ON trig (person_id, day0, sd, claim_id, line_number, type);

CREATE TEMP TABLE death AS
SELECT person_id, min(unixepoch(death_date) / 86400) AS death
FROM eligibility WHERE death_date IS NOT NULL GROUP BY person_id;

-- Episodes: per person, a sentinel row (end before every date), then repeatedly the
-- first trigger (in cara's order) whose day 0 is after the last episode's end.
CREATE TEMP TABLE ep AS
WITH RECURSIVE chain(person_id, day0, end_d, type, trig_claim) AS (
    SELECT person_id, NULL, -1000000000, NULL, NULL FROM (SELECT DISTINCT person_id FROM trig)
    UNION ALL
    SELECT t.person_id, t.day0,
           CASE WHEN d.death BETWEEN t.day0 AND t.day0 + 179 THEN d.death
                ELSE t.day0 + 179 END,
           t.type, t.claim_id
    FROM chain ch
    JOIN trig t ON t.rowid = (SELECT rowid FROM trig n
                              WHERE n.person_id = ch.person_id AND n.day0 > ch.end_d
                              ORDER BY n.day0, n.sd, n.claim_id, n.line_number, n.type
                              LIMIT 1)
    LEFT JOIN death d ON d.person_id = t.person_id
)
SELECT person_id, day0, end_d, type, trig_claim FROM chain WHERE day0 IS NOT NULL;

-- Included cost per episode.
CREATE TABLE peer_episodes AS
SELECT e.person_id, e.type AS trigger_type,
       date(e.day0 * 86400, 'unixepoch') AS trigger_date,
       date(e.end_d * 86400, 'unixepoch') AS end_date,
       coalesce((SELECT sum(l.paid) FROM pl l
                 WHERE l.person_id = e.person_id AND l.sd BETWEEN e.day0 AND e.end_d
                   AND NOT (e.type = 'C' AND l.claim_id = e.trig_claim)
                   AND (l.fall OR l.prev OR
                        (l.post_acute AND EXISTS (
                           SELECT 1 FROM pl r
                           WHERE r.person_id = l.person_id AND r.sd <= l.cstart
                             AND r.claim_id <> l.claim_id
                             AND (r.sd >= e.day0 OR r.claim_id = e.trig_claim)
                             AND r.fall AND l.cstart >= r.fall_end
                             AND l.cstart - r.fall_end <= 30)))), 0) AS actual_cents
FROM ep e;
