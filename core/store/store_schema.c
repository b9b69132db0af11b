/*
 * store_schema.c: the ordered migrations of the cara database.
 *
 * Rules: never edit a migration that has shipped; add a new one. Tables are STRICT so a
 * float can never land in a cents column. Dates are ISO 'YYYY-MM-DD' TEXT (they sort
 * and compare correctly, and stay readable in the sqlite3 tool); an absent date is NULL.
 * Money is INTEGER cents, rates INTEGER basis points.
 */
#include "store_conn.h"

/* Migration 27's triggers: what the claim_lines table's STRICT types refused (a text
 * where an integer goes; a number in a text column is stored as its text, as the table
 * converted it), and a written line as its packed array (base/packed_lines.h). */
#define LINE_CHECKS                                                                          \
    "  SELECT RAISE(ABORT, 'claim_lines: claim_line_number, paid_cents and allowed_cents "    \
    "must be integers, denied 0 or 1 and detail_paid_cents an integer or NULL')\n"            \
    "  WHERE typeof(NEW.claim_line_number) <> 'integer' OR typeof(NEW.paid_cents) <> "        \
    "'integer'\n"                                                                             \
    "     OR typeof(NEW.allowed_cents) <> 'integer' OR coalesce(NEW.denied, 0) NOT IN (0, 1)\n" \
    "     OR typeof(NEW.detail_paid_cents) NOT IN ('integer', 'null');\n"
#define TXT(c) "coalesce(CAST(NEW." c " AS TEXT), '')"
#define NEW_LINE                                                                             \
    "json_array(NEW.claim_line_number, CAST(NEW.claim_line_start_date AS TEXT), "             \
    "CAST(NEW.claim_line_end_date AS TEXT), " TXT("place_of_service_code") ", "              \
    TXT("revenue_center_code") ", " TXT("hcpcs_code") ", " TXT("hcpcs_modifiers") ", "       \
    TXT("rendering_npi") ", " TXT("rendering_tin") ", " TXT("billing_npi") ", "              \
    TXT("billing_tin") ", NEW.paid_cents, NEW.allowed_cents, coalesce(NEW.denied, 0), "      \
    "NEW.detail_paid_cents)"

/* The triggers that keep claim_end_days (migration 28); claims_w_bulk_begin drops them
 * by these names and makes them again from their stored SQL. */
#define CLAIM_END_TRIGGERS                                                                   \
    "CREATE TRIGGER claims_end_insert AFTER INSERT ON claims WHEN NEW.status = 'current'\n"   \
    "BEGIN\n"                                                                                \
    "  INSERT INTO claim_end_days VALUES (NEW.claim_end_date, 1)\n"                          \
    "    ON CONFLICT (claim_end_date) DO UPDATE SET current = current + 1;\n"                \
    "END;\n"                                                                                 \
    "CREATE TRIGGER claims_end_delete AFTER DELETE ON claims WHEN OLD.status = 'current'\n"   \
    "BEGIN\n"                                                                                \
    "  UPDATE claim_end_days SET current = current - 1 WHERE claim_end_date = OLD.claim_end_date;\n" \
    "  DELETE FROM claim_end_days WHERE claim_end_date = OLD.claim_end_date AND current <= 0;\n" \
    "END;\n"                                                                                 \
    "CREATE TRIGGER claims_end_update AFTER UPDATE OF status, claim_end_date ON claims\n"     \
    "  WHEN (OLD.status = 'current' OR NEW.status = 'current') AND\n"                        \
    "       (OLD.status IS NOT NEW.status OR OLD.claim_end_date IS NOT NEW.claim_end_date)\n" \
    "BEGIN\n"                                                                                \
    "  UPDATE claim_end_days SET current = current - 1\n"                                   \
    "    WHERE OLD.status = 'current' AND claim_end_date = OLD.claim_end_date;\n"            \
    "  DELETE FROM claim_end_days\n"                                                         \
    "    WHERE OLD.status = 'current' AND claim_end_date = OLD.claim_end_date AND current <= 0;\n" \
    "  INSERT INTO claim_end_days SELECT NEW.claim_end_date, 1 WHERE NEW.status = 'current'\n" \
    "    ON CONFLICT (claim_end_date) DO UPDATE SET current = current + 1;\n"                \
    "END;\n"

static const store_migration migrations[] = {
    {1, "reference data: ACOs, providers, eligibility, alignment, arrangements, loads",
     "CREATE TABLE acos (\n"
     "  aco_id TEXT PRIMARY KEY,\n"
     "  name   TEXT NOT NULL,\n"
     "  track  TEXT NOT NULL CHECK (track IN ('global', 'professional'))\n"
     ") STRICT;\n"
     "CREATE TABLE providers (\n"
     "  npi            TEXT NOT NULL,\n"
     "  tin            TEXT NOT NULL,\n"
     "  name           TEXT NOT NULL,\n"
     "  specialty_code TEXT NOT NULL DEFAULT '',\n"
     "  PRIMARY KEY (npi, tin)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE TABLE eligibility (\n"
     "  person_id             TEXT NOT NULL,\n"
     "  enrollment_start_date TEXT NOT NULL,\n"
     "  enrollment_end_date   TEXT,\n"
     "  gender                TEXT NOT NULL CHECK (gender IN ('male', 'female', 'unknown')),\n"
     "  birth_date            TEXT NOT NULL,\n"
     "  death_date            TEXT,\n"
     "  dual_status_code      TEXT NOT NULL DEFAULT '',\n"
     "  medicare_status_code  TEXT NOT NULL DEFAULT '',\n"
     "  hospice_flag          INTEGER NOT NULL DEFAULT 0 CHECK (hospice_flag IN (0, 1)),\n"
     "  state                 TEXT NOT NULL DEFAULT '',\n"
     "  zip_code              TEXT NOT NULL DEFAULT '',\n"
     "  PRIMARY KEY (person_id, enrollment_start_date)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE TABLE alignment (\n"
     "  person_id  TEXT NOT NULL,\n"
     "  aco_id     TEXT NOT NULL REFERENCES acos (aco_id),\n"
     "  start_date TEXT NOT NULL,\n"
     "  end_date   TEXT,\n"
     "  PRIMARY KEY (person_id, aco_id, start_date)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE TABLE arrangements (\n"
     "  arrangement_id    TEXT PRIMARY KEY,\n"
     "  aco_id            TEXT NOT NULL REFERENCES acos (aco_id),\n"
     "  npi               TEXT NOT NULL,\n"
     "  tin               TEXT NOT NULL,\n"
     "  template_id       TEXT NOT NULL,\n"
     "  start_date        TEXT NOT NULL,\n"
     "  end_date          TEXT,\n"
     "  discount_bps      INTEGER,\n"
     "  savings_share_bps INTEGER,\n"
     "  loss_share_bps    INTEGER,\n"
     "  stop_gain_bps     INTEGER,\n"
     "  stop_loss_bps     INTEGER\n"
     ") STRICT;\n"
     "CREATE INDEX arrangements_provider ON arrangements (npi, tin);\n"
     "CREATE TABLE loads (\n"
     "  load_id    INTEGER PRIMARY KEY,\n"
     "  path       TEXT NOT NULL,\n"
     "  kind       TEXT NOT NULL,\n"
     "  sha256     TEXT NOT NULL,\n"
     "  rows       INTEGER NOT NULL,\n"
     "  loaded_at  TEXT NOT NULL\n"
     ") STRICT;\n"
     "CREATE INDEX loads_sha ON loads (sha256);\n"},
    {2, "claims: claim headers with diagnoses, claim lines in cents",
     "CREATE TABLE claims (\n"
     "  claim_id                   TEXT PRIMARY KEY,\n"
     "  claim_type                 TEXT NOT NULL\n"
     "    CHECK (claim_type IN ('institutional', 'professional', 'dme')),\n"
     "  person_id                  TEXT NOT NULL,\n"
     "  claim_start_date           TEXT NOT NULL,\n"
     "  claim_end_date             TEXT NOT NULL,\n"
     "  admission_date             TEXT,\n"
     "  discharge_date             TEXT,\n"
     "  discharge_disposition_code TEXT NOT NULL DEFAULT '',\n"
     "  bill_type_code             TEXT NOT NULL DEFAULT '',\n"
     "  facility_npi               TEXT NOT NULL DEFAULT '',\n"
     "  diagnosis_codes            TEXT NOT NULL DEFAULT '', -- space-separated, principal first\n"
     "  adjustment_type_code       INTEGER NOT NULL DEFAULT 0,\n"
     "  load_id                    INTEGER REFERENCES loads (load_id)\n"
     ") STRICT;\n"
     "CREATE INDEX claims_person ON claims (person_id, claim_start_date);\n"
     "CREATE TABLE claim_lines (\n"
     "  claim_id              TEXT NOT NULL REFERENCES claims (claim_id) ON DELETE CASCADE,\n"
     "  claim_line_number     INTEGER NOT NULL,\n"
     "  claim_line_start_date TEXT,\n"
     "  claim_line_end_date   TEXT,\n"
     "  place_of_service_code TEXT NOT NULL DEFAULT '',\n"
     "  revenue_center_code   TEXT NOT NULL DEFAULT '',\n"
     "  hcpcs_code            TEXT NOT NULL DEFAULT '',\n"
     "  hcpcs_modifiers       TEXT NOT NULL DEFAULT '', -- space-separated, in order\n"
     "  rendering_npi         TEXT NOT NULL DEFAULT '',\n"
     "  rendering_tin         TEXT NOT NULL DEFAULT '',\n"
     "  billing_npi           TEXT NOT NULL DEFAULT '',\n"
     "  billing_tin           TEXT NOT NULL DEFAULT '',\n"
     "  paid_cents            INTEGER NOT NULL,\n"
     "  allowed_cents         INTEGER NOT NULL,\n"
     "  PRIMARY KEY (claim_id, claim_line_number)\n"
     ") STRICT, WITHOUT ROWID;\n"},
    {3, "runs: episodes, attribution, leakage and arrangement reconciliations per run",
     "CREATE TABLE runs (\n"
     "  run_id          INTEGER PRIMARY KEY,\n"
     "  started_at      TEXT NOT NULL,\n"
     "  finished_at     TEXT,\n"
     "  status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),\n"
     "  period          INTEGER,           -- NULL: every performance year in the data\n"
     "  template_filter TEXT,              -- NULL: every template\n"
     "  episodes_dir    TEXT NOT NULL,\n"
     "  as_of_date      TEXT,              -- the latest service date in the data\n"
     "  beneficiaries   INTEGER NOT NULL DEFAULT 0,\n"
     "  claim_lines     INTEGER NOT NULL DEFAULT 0,\n"
     "  inputs          TEXT NOT NULL DEFAULT '{}', -- JSON: what the store held\n"
     "  message         TEXT\n"
     ") STRICT;\n"
     "CREATE TABLE run_components (\n"
     "  run_id  INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  kind    TEXT NOT NULL CHECK (kind IN ('plugin', 'template', 'rule', 'table')),\n"
     "  name    TEXT NOT NULL,\n"
     "  version TEXT NOT NULL DEFAULT '',\n"
     "  path    TEXT NOT NULL,\n"
     "  sha256  TEXT NOT NULL,\n"
     "  PRIMARY KEY (run_id, kind, name)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE TABLE run_episodes (\n"
     "  run_id                  INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  episode_id              TEXT NOT NULL,\n"
     "  person_id               TEXT NOT NULL,\n"
     "  template_id             TEXT NOT NULL,\n"
     "  template_version        TEXT NOT NULL,\n"
     "  trigger_type            TEXT NOT NULL,\n"
     "  trigger_date            TEXT NOT NULL,\n"
     "  end_date                TEXT NOT NULL,\n"
     "  died                    INTEGER NOT NULL DEFAULT 0,\n"
     "  aco_id                  TEXT,    -- the ACO the beneficiary was aligned to on day 0\n"
     "  arrangement_id          TEXT,\n"
     "  npi                     TEXT,\n"
     "  tin                     TEXT,\n"
     "  attribution_method      TEXT,    -- trigger, plurality, unattributed; NULL if excluded\n"
     "  base_cents              INTEGER,\n"
     "  trend_factor            INTEGER, -- x 10000\n"
     "  trend_years             INTEGER,\n"
     "  age_factor              INTEGER,\n"
     "  hcc_count               INTEGER,\n"
     "  hcc_factor              INTEGER,\n"
     "  dual_factor             INTEGER,\n"
     "  discount_bps            INTEGER,\n"
     "  target_cents            INTEGER,\n"
     "  actual_cents            INTEGER NOT NULL,\n"
     "  actual_winsorized_cents INTEGER,\n"
     "  quality_met             INTEGER,\n"
     "  status                  TEXT NOT NULL CHECK (status IN ('final', 'interim', 'excluded')),\n"
     "  exclusion_reason        TEXT,\n"
     "  PRIMARY KEY (run_id, episode_id)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE INDEX run_episodes_arrangement ON run_episodes (run_id, arrangement_id);\n"
     "CREATE TABLE run_leakage (\n"
     "  run_id     INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  episode_id TEXT NOT NULL,\n"
     "  aco_id     TEXT,\n"
     "  npi        TEXT NOT NULL,\n"
     "  tin        TEXT NOT NULL,\n"
     "  lines      INTEGER NOT NULL,\n"
     "  paid_cents INTEGER NOT NULL,\n"
     "  PRIMARY KEY (run_id, episode_id, npi, tin)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE TABLE run_arrangements (\n"
     "  run_id                  INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  arrangement_id          TEXT NOT NULL,\n"
     "  period                  INTEGER NOT NULL,\n"
     "  aco_id                  TEXT NOT NULL,\n"
     "  npi                     TEXT NOT NULL,\n"
     "  tin                     TEXT NOT NULL,\n"
     "  template_id             TEXT NOT NULL,\n"
     "  template_version        TEXT NOT NULL,\n"
     "  episodes                INTEGER NOT NULL,\n"
     "  target_cents            INTEGER NOT NULL,\n"
     "  actual_cents            INTEGER NOT NULL,\n"
     "  actual_winsorized_cents INTEGER NOT NULL,\n"
     "  gross_cents             INTEGER,\n"
     "  quality_bps             INTEGER,\n"
     "  quality_adjusted_cents  INTEGER,\n"
     "  share_bps               INTEGER,\n"
     "  payment_cents           INTEGER NOT NULL,\n"
     "  cap_applied             TEXT CHECK (cap_applied IN ('stop_gain', 'stop_loss')),\n"
     "  status                  TEXT NOT NULL\n"
     "    CHECK (status IN ('final', 'interim', 'insufficient_volume')),\n"
     "  PRIMARY KEY (run_id, arrangement_id, period)\n"
     ") STRICT, WITHOUT ROWID;\n"},
    {4, "participation: ACO years and participant TINs, EBRA lifecycle, append-only audit log",
     "ALTER TABLE acos ADD COLUMN first_year INTEGER NOT NULL DEFAULT 2027;\n"
     "ALTER TABLE acos ADD COLUMN last_year INTEGER NOT NULL DEFAULT 2036;\n"
     "CREATE TABLE aco_tins (\n"
     "  aco_id     TEXT NOT NULL REFERENCES acos (aco_id),\n"
     "  tin        TEXT NOT NULL,\n"
     "  start_date TEXT NOT NULL,\n"
     "  end_date   TEXT,\n"
     "  PRIMARY KEY (aco_id, tin, start_date)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "-- offered -> active (accepted) | declined; active -> ended | terminated.\n"
     "-- Rows loaded from arrangements.csv are active.\n"
     "ALTER TABLE arrangements ADD COLUMN status TEXT NOT NULL DEFAULT 'active'\n"
     "  CHECK (status IN ('offered', 'active', 'declined', 'ended', 'terminated'));\n"
     "CREATE TABLE settings (\n"
     "  key   TEXT PRIMARY KEY,\n"
     "  value TEXT NOT NULL\n"
     ") STRICT;\n"
     "INSERT INTO settings VALUES ('eligible_tracks', 'global');\n"
     "CREATE TABLE audit_log (\n"
     "  seq       INTEGER PRIMARY KEY,\n"
     "  at        TEXT NOT NULL,   -- when the change was made (UTC)\n"
     "  actor     TEXT NOT NULL,   -- who made it (--as, else $USER)\n"
     "  action    TEXT NOT NULL,   -- e.g. ebra.offer, ebra.accept, tin.add\n"
     "  entity    TEXT NOT NULL,   -- aco, tin, provider, ebra\n"
     "  entity_id TEXT NOT NULL,\n"
     "  effective TEXT,            -- the date the change takes effect\n"
     "  before    TEXT,            -- JSON of the row before (NULL when created)\n"
     "  after     TEXT             -- JSON of the row after\n"
     ") STRICT;\n"
     "CREATE INDEX audit_entity ON audit_log (entity, entity_id);\n"
     "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log\n"
     "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
     "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\n"
     "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"},
    {5, "claim feeds: versions per natural key, the MBI crosswalk, FHIR patients, procedures",
     "CREATE TABLE feed_versions (\n"
     "  claim_key  TEXT PRIMARY KEY,  -- natural key (docs/input-formats.md)\n"
     "  claim_id   TEXT NOT NULL,     -- the claims row of the winning version\n"
     "  version    INTEGER NOT NULL,  -- larger is later (feed.h)\n"
     "  adjustment INTEGER NOT NULL CHECK (adjustment IN (0, 1, 2)),\n"
     "  source     TEXT NOT NULL,     -- file:record of the winning version\n"
     "  load_id    INTEGER REFERENCES loads (load_id)\n"
     ") STRICT;\n"
     "CREATE INDEX feed_versions_claim ON feed_versions (claim_id);\n"
     "CREATE TABLE mbi_xwalk (\n"
     "  previous_mbi TEXT PRIMARY KEY,\n"
     "  current_mbi  TEXT NOT NULL,\n"
     "  load_id      INTEGER REFERENCES loads (load_id)\n"
     ") STRICT;\n"
     "CREATE TABLE fhir_patients (\n"
     "  patient_id TEXT PRIMARY KEY,  -- Patient.id as EOBs reference it\n"
     "  mbi        TEXT NOT NULL\n"
     ") STRICT;\n"
     "ALTER TABLE claims ADD COLUMN procedure_codes TEXT NOT NULL DEFAULT '';\n"},
    {6, "service: API tokens (hashes only), revocable",
     "CREATE TABLE api_tokens (\n"
     "  token_id   TEXT PRIMARY KEY,  -- public id, shown in lists and the audit log\n"
     "  sha256     TEXT NOT NULL UNIQUE, -- SHA-256 of the secret token; the token is never stored\n"
     "  role       TEXT NOT NULL CHECK (role IN ('cms', 'aco', 'provider')),\n"
     "  scope_id   TEXT NOT NULL DEFAULT '', -- ACO id or NPI ('' for cms)\n"
     "  label      TEXT NOT NULL DEFAULT '',\n"
     "  created_at TEXT NOT NULL,\n"
     "  created_by TEXT NOT NULL,\n"
     "  revoked_at TEXT\n"
     ") STRICT;\n"},
    {7, "claim versions as CMS sends them: every version kept with its status and source, "
        "claim-level payment, denied lines, loads with rejects",
     "-- status: current (priced), replaced (a later version of the same claim won),\n"
     "-- cancelled (a cancellation record voided it), denied (Medicare did not pay it),\n"
     "-- cancellation (the record that cancels another). Only current claims are priced.\n"
     "ALTER TABLE claims ADD COLUMN status TEXT NOT NULL DEFAULT 'current'\n"
     "  CHECK (status IN ('current', 'replaced', 'cancelled', 'denied', 'cancellation'));\n"
     "ALTER TABLE claims ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';\n"
     "ALTER TABLE claims ADD COLUMN related_claim_id TEXT;   -- cancels / cancelled by / replaced by\n"
     "ALTER TABLE claims ADD COLUMN claim_key TEXT;          -- natural key (feeds; NULL for CSV)\n"
     "ALTER TABLE claims ADD COLUMN control_number TEXT NOT NULL DEFAULT '';          -- CLM_CNTL_NUM\n"
     "ALTER TABLE claims ADD COLUMN original_control_number TEXT NOT NULL DEFAULT ''; -- CLM_ORG_CNTL_NUM\n"
     "ALTER TABLE claims ADD COLUMN version INTEGER NOT NULL DEFAULT 0; -- larger is later (feed.h)\n"
     "ALTER TABLE claims ADD COLUMN paid_cents INTEGER;      -- claim-level payment (CCLF1 CLM_PMT_AMT)\n"
     "ALTER TABLE claims ADD COLUMN allowed_cents INTEGER;\n"
     "ALTER TABLE claims ADD COLUMN source TEXT NOT NULL DEFAULT ''; -- file:record it came from\n"
     "CREATE INDEX claims_key ON claims (claim_key);\n"
     "CREATE INDEX claims_current ON claims (status, person_id);\n"
     "-- denied: the line was not paid (CCLF5/6 CLM_PRCSG_IND_CD); never priced.\n"
     "-- detail_paid_cents: what the line said when the claim-level payment governs.\n"
     "ALTER TABLE claim_lines ADD COLUMN denied INTEGER NOT NULL DEFAULT 0;\n"
     "ALTER TABLE claim_lines ADD COLUMN detail_paid_cents INTEGER;\n"
     "-- a file is skipped as already loaded only when a load of the same bytes had no rejects\n"
     "ALTER TABLE loads ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;\n"
     "ALTER TABLE loads ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;\n"
     "-- alignment rows from alignment.csv ('file') or from a CCLF8 beneficiary list ('cclf8')\n"
     "ALTER TABLE alignment ADD COLUMN source TEXT NOT NULL DEFAULT 'file'\n"
     "  CHECK (source IN ('file', 'cclf8'));\n"},
    {8, "replayable runs: the content of every template, overlay, rule file and table a run "
        "used (deduplicated by hash), the snapshots the service activated",
     "-- contents: file bytes by SHA-256, stored once however many runs or snapshots used them\n"
     "CREATE TABLE contents (\n"
     "  sha256 TEXT PRIMARY KEY,\n"
     "  size   INTEGER NOT NULL,\n"
     "  bytes  BLOB NOT NULL\n"
     ") STRICT;\n"
     "-- the link from a component to its stored bytes (NULL for plugins: binaries are\n"
     "-- compared by hash only) and the file's path inside the episodes folder\n"
     "ALTER TABLE run_components ADD COLUMN content TEXT REFERENCES contents (sha256);\n"
     "ALTER TABLE run_components ADD COLUMN relpath TEXT;\n"
     "-- every file of the episodes folder a run's catalog read: enough to rebuild it\n"
     "CREATE TABLE run_files (\n"
     "  run_id  INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  relpath TEXT NOT NULL,            -- e.g. falls_prevention/template.json\n"
     "  sha256  TEXT NOT NULL REFERENCES contents (sha256),\n"
     "  PRIMARY KEY (run_id, relpath)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "ALTER TABLE runs ADD COLUMN replay_of INTEGER;  -- cara run --replay N: N\n"
     "-- every episodes snapshot `cara serve` activated, with its files and templates\n"
     "CREATE TABLE episode_snapshots (\n"
     "  snapshot_id  INTEGER PRIMARY KEY,\n"
     "  tree_sha256  TEXT NOT NULL,       -- SHA-256 of the sorted 'sha256  relpath' lines\n"
     "  activated_at TEXT NOT NULL,\n"
     "  version      INTEGER NOT NULL,    -- the service's snapshot number\n"
     "  source_dir   TEXT NOT NULL\n"
     ") STRICT;\n"
     "CREATE TABLE snapshot_files (\n"
     "  snapshot_id INTEGER NOT NULL REFERENCES episode_snapshots (snapshot_id),\n"
     "  relpath     TEXT NOT NULL,\n"
     "  sha256      TEXT NOT NULL REFERENCES contents (sha256),\n"
     "  PRIMARY KEY (snapshot_id, relpath)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE TABLE snapshot_templates (\n"
     "  snapshot_id INTEGER NOT NULL REFERENCES episode_snapshots (snapshot_id),\n"
     "  template_id TEXT NOT NULL,\n"
     "  version     TEXT NOT NULL,\n"
     "  folder      TEXT NOT NULL,        -- its folder inside the episodes folder\n"
     "  sha256      TEXT NOT NULL,        -- of its template.json or overlay.json\n"
     "  PRIMARY KEY (snapshot_id, template_id)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE INDEX snapshot_templates_id ON snapshot_templates (template_id, version);\n"
     "CREATE INDEX run_components_name ON run_components (kind, name, version);\n"},
    {9, "run episodes: the CMS-HCC V28 risk score",
     "-- x 10000 with three decimals (0.9270 is 9270): normalized and coding-adjusted\n"
     "-- (docs/methodology.md section 4); NULL when the coefficient table was absent or\n"
     "-- the episode was not priced\n"
     "ALTER TABLE run_episodes ADD COLUMN risk_score INTEGER;\n"},
    {10, "run leases (a running run's process, host and heartbeat; abandoned runs); the "
         "MBI crosswalk indexed by current MBI",
     "-- core/store/run_lease.h: a run renews heartbeat_at every few seconds while it works; a\n"
     "-- 'running' run whose process is gone (same host) or whose heartbeat is older than\n"
     "-- 60 s is marked status 'failed' with abandoned_at set at the next cara run, runs or\n"
     "-- serve, and shown as status 'abandoned' (the status CHECK stays as it is)\n"
     "ALTER TABLE runs ADD COLUMN lease_pid INTEGER;\n"
     "ALTER TABLE runs ADD COLUMN lease_host TEXT;\n"
     "ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;\n"
     "ALTER TABLE runs ADD COLUMN abandoned_at TEXT;\n"
     "-- CCLF9 chains: each crosswalk pair re-points the pairs that ended at its previous\n"
     "-- MBI (feed_store.c S_XWALK_CHAIN); without this index every pair scanned them all\n"
     "CREATE INDEX mbi_xwalk_current ON mbi_xwalk (current_mbi);\n"},
    {11, "run episodes: spending by care setting",
     "-- the paid cents of the lines an episode counts (actual_cents), by the setting of\n"
     "-- their claim (core/base/setting.h: bill type for institutional claims); the eight\n"
     "-- sum to actual_cents; NULL for runs made before this migration\n"
     "ALTER TABLE run_episodes ADD COLUMN inpatient_cents INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN snf_cents INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN home_health_cents INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN outpatient_cents INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN professional_cents INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN dme_cents INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN hospice_cents INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN other_cents INTEGER;\n"},
    {12, "run episodes in report order (a page of GET /v1/episodes reads 50 rows, not the run)",
     "CREATE INDEX run_episodes_order ON run_episodes (run_id, template_id, person_id, "
     "trigger_date, episode_id);\n"},
    {13, "service: user accounts (Argon2id password hashes) and their login sessions "
         "(hashes of the session secrets only)",
     "-- core/store/users.h: role 'cms', 'aco' or 'provider' with its scope (the ACO id or\n"
     "-- the NPI; '' for cms), as api_tokens; password_hash is libsodium's\n"
     "-- crypto_pwhash_str text; a disabled user (disabled_at set) cannot log in\n"
     "CREATE TABLE users (\n"
     "  user_id             INTEGER PRIMARY KEY,\n"
     "  name                TEXT NOT NULL UNIQUE,\n"
     "  role                TEXT NOT NULL CHECK (role IN ('cms', 'aco', 'provider')),\n"
     "  scope               TEXT NOT NULL DEFAULT '',\n"
     "  password_hash       TEXT NOT NULL,\n"
     "  created_at          TEXT NOT NULL,\n"
     "  created_by          TEXT NOT NULL,\n"
     "  disabled_at         TEXT,\n"
     "  password_changed_at TEXT NOT NULL,\n"
     "  last_login_at       TEXT\n"
     ") STRICT;\n"
     "-- a login session: the SHA-256 (hex) of its secret, never the secret (the cookie)\n"
     "CREATE TABLE sessions (\n"
     "  session_sha256 TEXT PRIMARY KEY,\n"
     "  user_id        INTEGER NOT NULL REFERENCES users (user_id),\n"
     "  csrf_token     TEXT NOT NULL,\n"
     "  created_at     TEXT NOT NULL,\n"
     "  last_seen_at   TEXT NOT NULL,\n"
     "  ended_at       TEXT,\n"
     "  client_addr    TEXT NOT NULL DEFAULT ''\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE INDEX sessions_user ON sessions (user_id);\n"},
    {14, "run episodes by provider in report order (a specialist's page of the episode list "
         "reads its own rows, not the run's)",
     "CREATE INDEX run_episodes_npi ON run_episodes (run_id, npi, template_id, person_id, "
     "trigger_date, episode_id);\n"},
    {15, "covering indexes for the per-ACO totals of a run (the every-ACO and leakage reports "
         "read narrow index rows in ACO order instead of sorting the run's episodes)",
     "CREATE INDEX run_episodes_totals ON run_episodes (run_id, aco_id, template_id, "
     "trigger_date, status, arrangement_id, npi, tin, target_cents, actual_cents, "
     "actual_winsorized_cents);\n"
     "CREATE INDEX run_leakage_aco ON run_leakage (run_id, aco_id, npi, tin, lines, paid_cents);\n"},
    {16, "the diff of two finished runs, kept once computed (core/store/diffs_w.h)",
     "CREATE TABLE run_diffs (\n"
     "  run_a            INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  run_b            INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  computed_at      TEXT NOT NULL,\n"
     "  attribution_rows INTEGER NOT NULL,\n"
     "  rows             TEXT NOT NULL, -- JSON array: engine/run_diff.h's rows\n"
     "  PRIMARY KEY (run_a, run_b)\n"
     ") STRICT;\n"},
    {17, "hospital ADT events (HL7 v2 over MLLP): messages, visits, provisional episodes, "
         "care-coordination tasks and the feed's precision and recall per run (core/store/adt_w.h)",
     "CREATE TABLE adt_messages (\n"
     "  message_id   INTEGER PRIMARY KEY,\n"
     "  sender       TEXT NOT NULL,     -- MSH-3 sending application '|' MSH-4 facility\n"
     "  control_id   TEXT NOT NULL,     -- MSH-10\n"
     "  received_at  TEXT NOT NULL,\n"
     "  event        TEXT NOT NULL,     -- A01 ... A40\n"
     "  event_time   TEXT,              -- ISO date-time (EVN-6, EVN-2 or MSH-7)\n"
     "  mbi          TEXT NOT NULL DEFAULT '',\n"
     "  person_id    TEXT,              -- NULL while unmatched\n"
     "  visit_id     INTEGER,\n"
     "  outcome      TEXT NOT NULL DEFAULT '', -- what it did (docs/adt.md)\n"
     "  raw          TEXT NOT NULL,\n"
     "  UNIQUE (sender, control_id)\n"
     ") STRICT;\n"
     "CREATE INDEX adt_messages_person ON adt_messages (person_id, message_id); -- dropped by 19\n"
     "CREATE INDEX adt_messages_mbi ON adt_messages (mbi);\n"
     "CREATE TABLE adt_rejects (\n"
     "  reject_id    INTEGER PRIMARY KEY,\n"
     "  received_at  TEXT NOT NULL,\n"
     "  sender       TEXT NOT NULL DEFAULT '',\n"
     "  control_id   TEXT NOT NULL DEFAULT '',\n"
     "  ack_code     TEXT NOT NULL CHECK (ack_code IN ('AE', 'AR')),\n"
     "  error_code   TEXT NOT NULL DEFAULT '', -- HL7 table 0357\n"
     "  location     TEXT NOT NULL DEFAULT '', -- PV1-19 ...\n"
     "  message      TEXT NOT NULL,\n"
     "  raw          TEXT NOT NULL              -- at most the first 64 KiB\n"
     ") STRICT;\n"
     "CREATE TABLE adt_visits (\n"
     "  visit_id              INTEGER PRIMARY KEY,\n"
     "  facility              TEXT NOT NULL,  -- MSH-4 sending facility\n"
     "  visit_number          TEXT NOT NULL,  -- PV1-19\n"
     "  mbi                   TEXT NOT NULL DEFAULT '',\n"
     "  person_id             TEXT,           -- NULL while unmatched\n"
     "  unmatched_reason      TEXT,\n"
     "  mrn                   TEXT NOT NULL DEFAULT '',\n"
     "  patient_class         TEXT NOT NULL DEFAULT '',\n"
     "  admit_time            TEXT,\n"
     "  discharge_time        TEXT,\n"
     "  discharge_disposition TEXT NOT NULL DEFAULT '',\n"
     "  attending_npi         TEXT NOT NULL DEFAULT '',\n"
     "  diagnoses             TEXT NOT NULL DEFAULT '', -- space-separated, principal first\n"
     "  status                TEXT NOT NULL CHECK (status IN ('active', 'discharged', 'cancelled')),\n"
     "  first_message         INTEGER NOT NULL,\n"
     "  last_message          INTEGER NOT NULL,\n"
     "  UNIQUE (facility, visit_number)\n"
     ") STRICT;\n"
     "CREATE INDEX adt_visits_person ON adt_visits (person_id, admit_time);\n"
     "CREATE INDEX adt_visits_mbi ON adt_visits (mbi);\n"
     "CREATE TABLE provisional_episodes (\n"
     "  provisional_id INTEGER PRIMARY KEY,\n"
     "  visit_id       INTEGER NOT NULL REFERENCES adt_visits (visit_id),\n"
     "  template_id    TEXT NOT NULL,\n"
     "  trigger_id     TEXT NOT NULL,     -- the template's event_triggers[].id\n"
     "  trigger_type   TEXT NOT NULL,     -- the claims trigger it predicts\n"
     "  person_id      TEXT NOT NULL,\n"
     "  aco_id         TEXT,\n"
     "  day0           TEXT NOT NULL,\n"
     "  end_date       TEXT NOT NULL,\n"
     "  confirm_days   INTEGER NOT NULL,\n"
     "  arrangement_id TEXT,\n"
     "  npi            TEXT,\n"
     "  tin            TEXT,\n"
     "  attribution_method TEXT NOT NULL, -- attending, care_team\n"
     "  target_cents   INTEGER,\n"
     "  status         TEXT NOT NULL CHECK (status IN ('provisional', 'confirmed', 'changed', "
     "'dropped', 'cancelled')),\n"
     "  status_reason  TEXT,\n"
     "  opened_at      TEXT NOT NULL,\n"
     "  message_id     INTEGER NOT NULL,  -- the message that opened it\n"
     "  run_id         INTEGER,           -- the run that decided it\n"
     "  episode_id     TEXT,              -- the claims-based episode it matched\n"
     "  decided_at     TEXT,\n"
     "  UNIQUE (visit_id, template_id, trigger_id)\n"
     ") STRICT;\n"
     "CREATE INDEX provisional_person ON provisional_episodes (person_id, template_id, day0);\n"
     "CREATE TABLE care_tasks (\n"
     "  task_id        INTEGER PRIMARY KEY,\n"
     "  provisional_id INTEGER NOT NULL REFERENCES provisional_episodes (provisional_id),\n"
     "  kind           TEXT NOT NULL,\n"
     "  description    TEXT NOT NULL,\n"
     "  person_id      TEXT NOT NULL,\n"
     "  aco_id         TEXT,\n"
     "  arrangement_id TEXT,\n"
     "  npi            TEXT,             -- the specialist; NULL: the ACO's care team\n"
     "  tin            TEXT,\n"
     "  event          TEXT NOT NULL,    -- A04 ...\n"
     "  event_date     TEXT NOT NULL,\n"
     "  due_date       TEXT NOT NULL,\n"
     "  done_codes     TEXT NOT NULL DEFAULT '', -- space-separated: a claim line with one closes it\n"
     "  status         TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),\n"
     "  done_at        TEXT,\n"
     "  done_by        TEXT,\n"
     "  created_at     TEXT NOT NULL,\n"
     "  UNIQUE (provisional_id, kind)\n"
     ") STRICT;\n"
     "CREATE INDEX care_tasks_npi ON care_tasks (npi, task_id);\n"
     "CREATE INDEX care_tasks_aco ON care_tasks (aco_id, task_id);\n"
     "CREATE TABLE run_adt_feed (\n"
     "  run_id          INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  template_id     TEXT NOT NULL,\n"
     "  confirmed       INTEGER NOT NULL,\n"
     "  changed         INTEGER NOT NULL,\n"
     "  dropped         INTEGER NOT NULL,\n"
     "  pending         INTEGER NOT NULL,\n"
     "  claim_episodes  INTEGER NOT NULL, -- of the trigger types events predict, in the feed's dates\n"
     "  with_event      INTEGER NOT NULL, -- of those, opened first by an event\n"
     "  PRIMARY KEY (run_id, template_id)\n"
     ") STRICT;\n"},
    {18, "exports: the trigger of every run episode (claim, line, code, provider) and its "
         "risk variables; every export made, and the members of each ATR attribution list "
         "(the previous list a new one's changeType is computed against)",
     "-- the line that opened the episode (engine: cara_episode.trigger_line): its claim and\n"
     "-- line number, its code (the line's HCPCS, else the claim's principal diagnosis), the\n"
     "-- claim's principal diagnosis, and its provider (rendering NPI and TIN; for an\n"
     "-- institutional line without them, the facility NPI and billing TIN); age in whole\n"
     "-- years and dual status (1/0) on day 0. NULL for runs made before this migration.\n"
     "ALTER TABLE run_episodes ADD COLUMN trigger_claim_id TEXT;\n"
     "ALTER TABLE run_episodes ADD COLUMN trigger_line INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN trigger_code TEXT;\n"
     "ALTER TABLE run_episodes ADD COLUMN trigger_dx TEXT;\n"
     "ALTER TABLE run_episodes ADD COLUMN trigger_npi TEXT;\n"
     "ALTER TABLE run_episodes ADD COLUMN trigger_tin TEXT;\n"
     "ALTER TABLE run_episodes ADD COLUMN age INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN dual INTEGER;\n"
     "-- core/store/exports_w.h: one row per export written (cara export, /v1/exports):\n"
     "-- who, when, of which run and scope, the SHA-256 of the bytes handed out\n"
     "CREATE TABLE exports (\n"
     "  export_id       INTEGER PRIMARY KEY,\n"
     "  format          TEXT NOT NULL CHECK (format IN ('atr', 'vbpr', 'episodes', 'xlsx')),\n"
     "  run_id          INTEGER NOT NULL,\n"
     "  scope           TEXT NOT NULL,  -- all, aco:ID, ebra:ID, npi:NPI (+ /template:ID, /period:Y)\n"
     "  created_at      TEXT NOT NULL,\n"
     "  created_by      TEXT NOT NULL,\n"
     "  sha256          TEXT NOT NULL,\n"
     "  bytes           INTEGER NOT NULL,\n"
     "  previous_export INTEGER          -- atr: the list its changeType compared with\n"
     ") STRICT;\n"
     "CREATE INDEX exports_scope ON exports (format, scope, export_id);\n"
     "-- the members of an ATR list: one per beneficiary and template family, attributed to\n"
     "-- an EBRA's specialist for a period\n"
     "CREATE TABLE export_members (\n"
     "  export_id      INTEGER NOT NULL REFERENCES exports (export_id),\n"
     "  person_id      TEXT NOT NULL,\n"
     "  family         TEXT NOT NULL,\n"
     "  arrangement_id TEXT NOT NULL,\n"
     "  npi            TEXT NOT NULL,\n"
     "  tin            TEXT NOT NULL,\n"
     "  start_date     TEXT NOT NULL,\n"
     "  end_date       TEXT NOT NULL,\n"
     "  PRIMARY KEY (export_id, person_id, family)\n"
     ") STRICT, WITHOUT ROWID;\n"},
    {19, "adt: no index of messages by beneficiary (nothing reads it; each message paid for it)",
     "DROP INDEX IF EXISTS adt_messages_person;\n"},
    {20, "interim runs: when each claim version was paid (CSV paid_date, CCLF CLM_IDR_LD_DT, "
         "FHIR NCH weekly processing date / payment.date / meta.lastUpdated)",
     "ALTER TABLE claims ADD COLUMN paid_date TEXT; -- NULL: unknown (counts as paid on "
     "claim_end_date)\n"
     "-- an interim run (cara run --as-of): its paid-through date and its projection's\n"
     "-- method and completion factors (JSON), each episode's projected final cost with its\n"
     "-- band, each arrangement's projected reconciliation\n"
     "ALTER TABLE runs ADD COLUMN paid_through_date TEXT;\n"
     "ALTER TABLE runs ADD COLUMN projection TEXT;\n"
     "ALTER TABLE run_episodes ADD COLUMN projected_actual_cents INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN projected_low_cents INTEGER;\n"
     "ALTER TABLE run_episodes ADD COLUMN projected_high_cents INTEGER;\n"
     "ALTER TABLE run_arrangements ADD COLUMN projected_actual_cents INTEGER;\n"
     "ALTER TABLE run_arrangements ADD COLUMN projected_winsorized_cents INTEGER;\n"
     "ALTER TABLE run_arrangements ADD COLUMN projected_payment_cents INTEGER;\n"
     "ALTER TABLE run_arrangements ADD COLUMN projected_payment_low_cents INTEGER;\n"
     "ALTER TABLE run_arrangements ADD COLUMN projected_payment_high_cents INTEGER;\n"},
    /* Incremental runs (docs/monthly.md): the change clock is bumped by every run as it
     * starts (its runs.change_seq is the value before); every write of what a run reads
     * about one beneficiary stamps person_changes with the clock's current value. A run
     * built on run B recomputes the beneficiaries stamped after B's change_seq. Claims
     * are stamped by their writer (claims_w.c, once per beneficiary and transaction: a
     * trigger per claim doubled a load's time, its statement journals); eligibility and
     * alignment by these triggers, which cover every column a run reads (store/bene.c):
     * a new one needs a new migration. */
    {21, "incremental runs: a change clock, the beneficiaries changed since each value, the "
         "run an incremental run builds on",
     "CREATE TABLE change_clock (\n"
     "  id  INTEGER PRIMARY KEY CHECK (id = 1),\n"
     "  seq INTEGER NOT NULL\n"
     ") STRICT;\n"
     "INSERT INTO change_clock (id, seq) VALUES (1, 1);\n"
     "CREATE TABLE person_changes (\n"
     "  person_id TEXT PRIMARY KEY,\n"
     "  seq       INTEGER NOT NULL  -- the clock when the beneficiary's data last changed\n"
     ") STRICT, WITHOUT ROWID;\n"
     "-- the clock, when a run started reading; the digest of everything else its results\n"
     "-- depend on (engine, plugins, templates, rules, tables, arrangements, networks,\n"
     "-- options); an incremental run's base and the beneficiaries it recomputed; why a\n"
     "-- run asked to be incremental ran in full\n"
     "ALTER TABLE runs ADD COLUMN change_seq INTEGER;\n"
     "ALTER TABLE runs ADD COLUMN basis TEXT;\n"
     "ALTER TABLE runs ADD COLUMN base_run_id INTEGER;\n"
     "ALTER TABLE runs ADD COLUMN recomputed INTEGER;\n"
     "ALTER TABLE runs ADD COLUMN full_reason TEXT;\n"
     "-- every beneficiary a run priced (read, or carried from its base): the undenied\n"
     "-- claim lines it read and whether the beneficiary had no eligibility\n"
     "CREATE TABLE run_people (\n"
     "  run_id         INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  person_id      TEXT NOT NULL,\n"
     "  claim_lines    INTEGER NOT NULL,\n"
     "  no_eligibility INTEGER NOT NULL CHECK (no_eligibility IN (0, 1)),\n"
     "  PRIMARY KEY (run_id, person_id)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "-- the data's as-of date (the latest thru date of a current claim) without a scan\n"
     "CREATE INDEX claims_current_end ON claims (claim_end_date) WHERE status = 'current';\n"
#define STAMP(who)                                                                          \
    "INSERT INTO person_changes (person_id, seq) VALUES (" who ".person_id, (SELECT seq "  \
    "FROM change_clock)) ON CONFLICT (person_id) DO UPDATE SET seq = excluded.seq WHERE "  \
    "seq <> excluded.seq;\n"
#define STAMP_TABLE(t, changed)                                                             \
    "CREATE TRIGGER " t "_changes_insert AFTER INSERT ON " t " BEGIN\n" STAMP("NEW")      \
    "END;\n"                                                                                \
    "CREATE TRIGGER " t "_changes_delete AFTER DELETE ON " t " BEGIN\n" STAMP("OLD")      \
    "END;\n"                                                                                \
    "CREATE TRIGGER " t "_changes_update AFTER UPDATE ON " t " WHEN " changed " BEGIN\n"  \
    STAMP("NEW") STAMP("OLD") "END;\n"
     STAMP_TABLE("eligibility",
                 "OLD.person_id IS NOT NEW.person_id OR OLD.enrollment_start_date IS NOT "
                 "NEW.enrollment_start_date OR OLD.enrollment_end_date IS NOT "
                 "NEW.enrollment_end_date OR OLD.gender IS NOT NEW.gender OR OLD.birth_date IS "
                 "NOT NEW.birth_date OR OLD.death_date IS NOT NEW.death_date OR "
                 "OLD.dual_status_code IS NOT NEW.dual_status_code OR OLD.medicare_status_code "
                 "IS NOT NEW.medicare_status_code OR OLD.hospice_flag IS NOT NEW.hospice_flag")
     STAMP_TABLE("alignment",
                 "OLD.person_id IS NOT NEW.person_id OR OLD.aco_id IS NOT NEW.aco_id OR "
                 "OLD.start_date IS NOT NEW.start_date OR OLD.end_date IS NOT NEW.end_date")
#undef STAMP_TABLE
#undef STAMP
    },
    /* Incremental runs store only what they changed (docs/monthly.md, "Incremental
     * runs"). The run row tables become *_rows; run_episodes, run_leakage and run_people
     * are views over them, which every reader keeps using. run_sources lists where each
     * run's rows are stored: the run itself (a row every run gets, by trigger) and, for a
     * run that shares its base's rows, that run, whose rows of the beneficiaries not in
     * run_own_people (those the run stores itself) are the run's too. The views are one
     * join each, not a UNION ALL, so SQLite flattens them into the readers' joins and
     * aggregates and keeps using the tables' indexes. A migration that adds a column to a
     * *_rows table recreates its view. */
    {22, "incremental runs store only their changed beneficiaries' rows: run row tables "
         "behind views that resolve a run through the run whose rows it shares",
     "ALTER TABLE run_episodes RENAME TO run_episode_rows;\n"
     "ALTER TABLE run_leakage RENAME TO run_leakage_rows;\n"
     "ALTER TABLE run_people RENAME TO run_people_rows;\n"
     "-- the beneficiary of the leakage row's episode (so a view can leave it out)\n"
     "ALTER TABLE run_leakage_rows ADD COLUMN person_id TEXT;\n"
     "-- the beneficiary's current claims when the run read it (NULL: not recorded)\n"
     "ALTER TABLE run_people_rows ADD COLUMN claims INTEGER;\n"
     "UPDATE run_leakage_rows SET person_id = (SELECT e.person_id FROM run_episode_rows e\n"
     "  WHERE e.run_id = run_leakage_rows.run_id AND e.episode_id = run_leakage_rows.episode_id);\n"
     "-- the run (itself storing every row) whose rows this run shares, NULL: none\n"
     "ALTER TABLE runs ADD COLUMN rows_base_run_id INTEGER REFERENCES runs (run_id);\n"
     "CREATE TABLE run_own_people (\n"
     "  run_id    INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  person_id TEXT NOT NULL,\n"
     "  PRIMARY KEY (run_id, person_id)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "CREATE TABLE run_sources (\n"
     "  run_id     INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,\n"
     "  src_run_id INTEGER NOT NULL,  -- run_id itself, or its rows base\n"
     "  PRIMARY KEY (run_id, src_run_id)\n"
     ") STRICT, WITHOUT ROWID;\n"
     "INSERT INTO run_sources (run_id, src_run_id) SELECT run_id, run_id FROM runs;\n"
     "CREATE TRIGGER runs_sources AFTER INSERT ON runs BEGIN\n"
     "  INSERT INTO run_sources (run_id, src_run_id) VALUES (NEW.run_id, NEW.run_id);\n"
     "END;\n"
#define SHARED(t) " s.src_run_id = s.run_id OR NOT EXISTS (SELECT 1 FROM run_own_people o " \
                  "WHERE o.run_id = s.run_id AND o.person_id = " t ".person_id);\n"
     "CREATE VIEW run_episodes AS SELECT s.run_id AS run_id,\n"
     "  e.episode_id, e.person_id, e.template_id, e.template_version,\n"
     "  e.trigger_type, e.trigger_date, e.end_date, e.died, e.aco_id,\n"
     "  e.arrangement_id, e.npi, e.tin, e.attribution_method, e.base_cents,\n"
     "  e.trend_factor, e.trend_years, e.age_factor, e.hcc_count, e.hcc_factor,\n"
     "  e.dual_factor, e.discount_bps, e.target_cents, e.actual_cents,\n"
     "  e.actual_winsorized_cents, e.quality_met, e.status, e.exclusion_reason,\n"
     "  e.risk_score, e.inpatient_cents, e.snf_cents, e.home_health_cents,\n"
     "  e.outpatient_cents, e.professional_cents, e.dme_cents, e.hospice_cents,\n"
     "  e.other_cents, e.trigger_claim_id, e.trigger_line, e.trigger_code,\n"
     "  e.trigger_dx, e.trigger_npi, e.trigger_tin, e.age, e.dual,\n"
     "  e.projected_actual_cents, e.projected_low_cents, e.projected_high_cents\n"
     "FROM run_sources s JOIN run_episode_rows e ON e.run_id = s.src_run_id WHERE" SHARED("e")
     "CREATE VIEW run_leakage AS SELECT s.run_id AS run_id, l.episode_id, l.aco_id, l.npi,\n"
     "  l.tin, l.lines, l.paid_cents, l.person_id\n"
     "FROM run_sources s JOIN run_leakage_rows l ON l.run_id = s.src_run_id WHERE" SHARED("l")
     "CREATE VIEW run_people AS SELECT s.run_id AS run_id, p.person_id, p.claim_lines,\n"
     "  p.no_eligibility, p.claims\n"
     "FROM run_sources s JOIN run_people_rows p ON p.run_id = s.src_run_id WHERE" SHARED("p")
#undef SHARED
    },
    /* The HTTP API under load (docs/performance.md, "HTTP API under load"). The episode
     * list pages by key (template, person, day 0, episode) within an ACO as it did within
     * an NPI. results_clock counts every change to what the service's cached answers are
     * computed from (a run's rows are written before the run is done and never after, so
     * the runs table stands for them; the reference tables reports join are counted
     * themselves): an answer cached at one count is served while the count stands. */
    {23, "the HTTP API under load: an ACO's episodes in list order; a clock of the changes "
         "to what cached answers are computed from",
     "CREATE INDEX run_episodes_aco_order ON run_episode_rows (run_id, aco_id, template_id, "
     "person_id, trigger_date, episode_id);\n"
     "CREATE TABLE results_clock (\n"
     "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
     "  n  INTEGER NOT NULL\n"
     ") STRICT;\n"
     "INSERT INTO results_clock (id, n) VALUES (1, 0);\n"
#define TICK(t)                                                                             \
    "CREATE TRIGGER " t "_clock_insert AFTER INSERT ON " t " BEGIN\n"                      \
    "  UPDATE results_clock SET n = n + 1 WHERE id = 1;\nEND;\n"                            \
    "CREATE TRIGGER " t "_clock_update AFTER UPDATE ON " t " BEGIN\n"                      \
    "  UPDATE results_clock SET n = n + 1 WHERE id = 1;\nEND;\n"                            \
    "CREATE TRIGGER " t "_clock_delete AFTER DELETE ON " t " BEGIN\n"                      \
    "  UPDATE results_clock SET n = n + 1 WHERE id = 1;\nEND;\n"
     TICK("runs") TICK("run_sources") TICK("run_arrangements")
     TICK("run_components") TICK("arrangements") TICK("providers") TICK("acos") TICK("loads")
#undef TICK
    },
    /* Bulk writes (issue 20). A CHECK (x IN (a, b, c)) of three or more values makes
     * SQLite build a temporary B-tree of the list on every INSERT statement it runs: a
     * quarter of a claim file's load. The same constraints as OR chains cost a few
     * comparisons. SQLite's documented way to change a CHECK that every stored row meets
     * (the file format does not change) is to rewrite the table's SQL in sqlite_schema;
     * the index change that follows bumps the schema cookie, so open connections reread
     * the schema. The claims_key index only ever serves claim_key = ? (CCLF and FHIR
     * natural keys): CSV claims have none, and no longer get an index entry. */
    {24, "bulk writes: CHECK lists as OR chains (no temporary B-tree per insert); the "
         "claims_key index only over claims that have a key",
#define OR3(c, a, b, d) "'" c " IN (''" a "'', ''" b "'', ''" d "'')', '" c " = ''" a "'' OR " \
                        c " = ''" b "'' OR " c " = ''" d "'''"
     "PRAGMA writable_schema = ON;\n"
     "UPDATE sqlite_schema SET sql = replace(replace(sql,\n"
     "  " OR3("claim_type", "institutional", "professional", "dme") "),\n"
     "  'status IN (''current'', ''replaced'', ''cancelled'', ''denied'', ''cancellation'')',\n"
     "  'status = ''current'' OR status = ''replaced'' OR status = ''cancelled'' OR '\n"
     "  || 'status = ''denied'' OR status = ''cancellation''')\n"
     "  WHERE type = 'table' AND name = 'claims';\n"
     "UPDATE sqlite_schema SET sql = replace(sql,\n"
     "  " OR3("gender", "male", "female", "unknown") ")\n"
     "  WHERE type = 'table' AND name = 'eligibility';\n"
     "UPDATE sqlite_schema SET sql = replace(sql,\n"
     "  " OR3("status", "final", "interim", "excluded") ")\n"
     "  WHERE type = 'table' AND name = 'run_episode_rows';\n"
     "PRAGMA writable_schema = RESET;\n"
#undef OR3
     "DROP INDEX claims_key;\n"
     "CREATE INDEX claims_key ON claims (claim_key) WHERE claim_key IS NOT NULL;\n"
    },
    /* Bulk writes, continued (docs/performance.md, "Loading claims"). A statement that
     * inserts several rows and may stop half-way on an immediate constraint makes SQLite
     * keep a statement journal: a copy of every page the statement touches, written
     * before it touches it (for a claim file, 1.2 writes per claim line). The loader's
     * multi-row inserts are INSERT OR FAIL (no UNIQUE, NOT NULL or CHECK needs the
     * journal then), and a foreign key ignores OR FAIL unless it is deferred: claims'
     * key to its load is deferred (its row is written before the load's claims; a claim
     * that broke it would fail the COMMIT). claim_lines' key to claims is dropped: its
     * look-up of the claim on every line was a third of the load's writes. What it did
     * is done otherwise: a trigger deletes a claim's lines with it (as ON DELETE CASCADE
     * did), and the only writer of lines (store/claims_w.c) refuses a line whose claim
     * is not stored. Same way as migration 24 (the SQL in sqlite_schema; no row
     * changes); creating the trigger changes the schema cookie, so open connections reread
     * the schema. */
    {25, "bulk writes: claims' key to its load deferred to COMMIT; claim lines' foreign key "
         "replaced by a delete trigger (no statement journal, no look-up per line)",
     "PRAGMA writable_schema = ON;\n"
     "UPDATE sqlite_schema SET sql = replace(sql, 'REFERENCES loads (load_id)',\n"
     "  'REFERENCES loads (load_id) DEFERRABLE INITIALLY DEFERRED')\n"
     "  WHERE type = 'table' AND name = 'claims';\n"
     "UPDATE sqlite_schema SET sql = replace(sql,\n"
     "  ' REFERENCES claims (claim_id) ON DELETE CASCADE', '')\n"
     "  WHERE type = 'table' AND name = 'claim_lines';\n"
     "PRAGMA writable_schema = RESET;\n"
     "CREATE TRIGGER claims_lines_delete AFTER DELETE ON claims BEGIN\n"
     "  DELETE FROM claim_lines WHERE claim_id = OLD.claim_id;\n"
     "END;\n"
    },
    /* A load's file size, so that a new file (no earlier load of its kind has its size)
     * is known to be new before its hash is: the hash is then computed alongside the
     * load (core/base/file_hash.h) instead of before it. Loads recorded before this
     * migration have no size (NULL: they may be of any file). */
    {26, "loads: the size of each file loaded",
     "ALTER TABLE loads ADD COLUMN bytes INTEGER;\n"
    },
    /* One row per claim (docs/performance.md, "One row per claim"): a claim's lines are
     * packed into claims.lines (base/packed_lines.h: a JSON array of the line arrays, in
     * line-number order), so a claim is one B-tree insert and the engine reads a
     * beneficiary's claims without a seek per claim into claim_lines. claim_lines stays,
     * as a view that unpacks them (json_each), with the columns and order of the table it
     * replaces; its INSTEAD OF triggers take SQL writes to lines (checked as the table's
     * types and key were) into the claim's value. A line whose claim is not stored
     * (possible since migration 25 dropped the key) is not kept. */
    {27, "claims: each claim's lines packed in claims.lines; claim_lines a view over them",
     "ALTER TABLE claims ADD COLUMN lines TEXT NOT NULL DEFAULT '[]';\n"
     "UPDATE claims SET lines = (SELECT json_group_array(json_array(claim_line_number, claim_line_start_date, claim_line_end_date, place_of_service_code, revenue_center_code, hcpcs_code, hcpcs_modifiers, rendering_npi, rendering_tin, billing_npi, billing_tin, paid_cents, allowed_cents, denied, detail_paid_cents)) FROM (SELECT * FROM claim_lines l\n"
     "  WHERE l.claim_id = claims.claim_id ORDER BY l.claim_line_number))\n"
     "  WHERE claim_id IN (SELECT claim_id FROM claim_lines);\n"
     "DROP TRIGGER claims_lines_delete;\n"
     "DROP TABLE claim_lines;\n"
     "CREATE VIEW claim_lines AS SELECT c.claim_id AS claim_id,\n"
     "  j.value ->> 0 AS claim_line_number,\n"
     "  j.value ->> 1 AS claim_line_start_date,\n"
     "  j.value ->> 2 AS claim_line_end_date,\n"
     "  j.value ->> 3 AS place_of_service_code,\n"
     "  j.value ->> 4 AS revenue_center_code,\n"
     "  j.value ->> 5 AS hcpcs_code,\n"
     "  j.value ->> 6 AS hcpcs_modifiers,\n"
     "  j.value ->> 7 AS rendering_npi,\n"
     "  j.value ->> 8 AS rendering_tin,\n"
     "  j.value ->> 9 AS billing_npi,\n"
     "  j.value ->> 10 AS billing_tin,\n"
     "  j.value ->> 11 AS paid_cents,\n"
     "  j.value ->> 12 AS allowed_cents,\n"
     "  j.value ->> 13 AS denied,\n"
     "  j.value ->> 14 AS detail_paid_cents\n"
     "  FROM claims c, json_each(c.lines) j;\n"
     "CREATE TRIGGER claim_lines_insert INSTEAD OF INSERT ON claim_lines BEGIN\n"
     "  SELECT RAISE(ABORT, 'claim_lines.claim_id: no such claim is stored')\n"
     "  WHERE NOT EXISTS (SELECT 1 FROM claims WHERE claim_id = NEW.claim_id);\n"
     LINE_CHECKS
     "  SELECT RAISE(ABORT, 'UNIQUE constraint failed: claim_lines.claim_id, claim_lines.claim_line_number')\n"
     "  WHERE EXISTS (SELECT 1 FROM claims c, json_each(c.lines) j\n"
     "    WHERE c.claim_id = NEW.claim_id AND j.value ->> 0 = NEW.claim_line_number);\n"
     "  UPDATE claims SET lines = (SELECT json_group_array(json(v)) FROM (\n"
     "    SELECT value AS v, value ->> 0 AS n FROM json_each(claims.lines) UNION ALL\n"
     "    SELECT " NEW_LINE ", NEW.claim_line_number\n"
     "    ORDER BY n)) WHERE claim_id = NEW.claim_id;\n"
     "END;\n"
     "CREATE TRIGGER claim_lines_update INSTEAD OF UPDATE ON claim_lines BEGIN\n"
     "  SELECT RAISE(ABORT, 'claim_lines.claim_id: a line cannot move to another claim')\n"
     "  WHERE NEW.claim_id IS NOT OLD.claim_id;\n"
     LINE_CHECKS
     "  SELECT RAISE(ABORT, 'UNIQUE constraint failed: claim_lines.claim_id, claim_lines.claim_line_number')\n"
     "  WHERE NEW.claim_line_number <> OLD.claim_line_number AND EXISTS (SELECT 1 FROM claims c,\n"
     "    json_each(c.lines) j WHERE c.claim_id = OLD.claim_id AND j.value ->> 0 = NEW.claim_line_number);\n"
     "  UPDATE claims SET lines = (SELECT json_group_array(json(v)) FROM (\n"
     "    SELECT CASE WHEN value ->> 0 = OLD.claim_line_number THEN " NEW_LINE " ELSE value END AS v,\n"
     "      CASE WHEN value ->> 0 = OLD.claim_line_number THEN NEW.claim_line_number ELSE value ->> 0 END AS n\n"
     "    FROM json_each(claims.lines) ORDER BY n)) WHERE claim_id = OLD.claim_id;\n"
     "END;\n"
     "CREATE TRIGGER claim_lines_delete INSTEAD OF DELETE ON claim_lines BEGIN\n"
     "  UPDATE claims SET lines = (SELECT json_group_array(json(value)) FROM json_each(claims.lines)\n"
     "    WHERE value ->> 0 <> OLD.claim_line_number) WHERE claim_id = OLD.claim_id;\n"
     "END;\n"
    },
    /* The data's as-of date (the latest end date of a current claim) from a table of
     * current claims by end date, kept by triggers on claims, instead of the partial index
     * claims_current_end (migration 21), whose keys arrive in no order: a load into an
     * empty claims table had to build it at its end, a sort of every claim (17 s of a
     * 64 s load at 1,000,000 beneficiaries; docs/performance.md, "The eighth round").
     * A load drops the triggers and counts the claims it writes itself
     * (claims_w_bulk_begin); any other write keeps the counts through the triggers. A day
     * whose count falls to 0 is deleted. */
    {28, "claims: current claims counted by end date (claim_end_days) for the as-of date",
     "CREATE TABLE claim_end_days (\n"
     "  claim_end_date TEXT PRIMARY KEY,\n"
     "  current        INTEGER NOT NULL   -- current claims ending that day\n"
     ") STRICT, WITHOUT ROWID;\n"
     "INSERT INTO claim_end_days SELECT claim_end_date, count(*) FROM claims\n"
     "  WHERE status = 'current' GROUP BY claim_end_date;\n"
     "DROP INDEX claims_current_end;\n"
     CLAIM_END_TRIGGERS
    },
};

const store_migration *store_migrations(size_t *n)
{
    *n = sizeof migrations / sizeof migrations[0];
    return migrations;
}
