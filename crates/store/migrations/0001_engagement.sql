-- The first schema of an engagement file: one customer engagement, its requirement sets, the
-- shipped catalogue copied in, mappings between items, the assessment of each requirement and an
-- append-only, hash-chained audit log. Never edit this file once released; add a new one.

-- Exactly one row: who the engagement is for and which catalogue it carries.
CREATE TABLE engagement (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    customer          TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    catalogue_version TEXT NOT NULL
);

-- Shipped frameworks (read-only copies, `shipped = 1`) and imported requirement sets.
-- `key` is what qualified refs use: `service`, `fsbp`, or the set name.
CREATE TABLE frameworks (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE CHECK (key <> '' AND instr(key, ':') = 0),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('requirements', 'standard', 'lz_controls', 'services', 'caf')),
    version    TEXT NOT NULL DEFAULT '',
    shipped    INTEGER NOT NULL CHECK (shipped IN (0, 1)),
    provenance TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK (shipped = 0 OR kind <> 'requirements')
);

-- Each import of a file into a requirement set, with what it changed.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    framework_id INTEGER NOT NULL REFERENCES frameworks(id),
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    sheets       TEXT NOT NULL CHECK (json_valid(sheets)),
    added        INTEGER NOT NULL,
    changed      INTEGER NOT NULL,
    removed      INTEGER NOT NULL,
    unchanged    INTEGER NOT NULL,
    imported_at  TEXT NOT NULL,
    imported_by  TEXT NOT NULL
);
CREATE INDEX imports_by_framework ON imports(framework_id);

-- Requirements, controls, services, epics: everything a mapping can point at.
-- `attributes` is a JSON object of every other source column, in source order.
-- `withdrawn`: the source itself marks the item withdrawn; it stays, flagged.
-- `removed`: gone from the latest source file or catalogue; kept with its decisions, hidden.
-- `extra`: added by the consultant, present in no source file or catalogue.
CREATE TABLE items (
    id                INTEGER PRIMARY KEY,
    framework_id      INTEGER NOT NULL REFERENCES frameworks(id),
    ref               TEXT NOT NULL CHECK (ref <> ''),
    source_ref        TEXT,
    generated_ref     INTEGER NOT NULL DEFAULT 0 CHECK (generated_ref IN (0, 1)),
    title             TEXT NOT NULL DEFAULT '',
    text              TEXT NOT NULL DEFAULT '',
    section           TEXT,
    parent_ref        TEXT,
    sheet             TEXT,
    row               INTEGER,
    position          INTEGER NOT NULL,
    attributes        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    details_published INTEGER NOT NULL DEFAULT 1 CHECK (details_published IN (0, 1)),
    withdrawn         INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
    removed           INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    extra             INTEGER NOT NULL DEFAULT 0 CHECK (extra IN (0, 1)),
    UNIQUE (framework_id, ref)
);
CREATE INDEX items_by_ref ON items(ref);
CREATE INDEX items_by_position ON items(framework_id, position);

-- Full-text search over items, kept in step with `items` by triggers.
CREATE VIRTUAL TABLE items_fts USING fts5(
    ref, title, text, section,
    content = 'items', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts(rowid, ref, title, text, section)
    VALUES (new.id, new.ref, new.title, new.text, new.section);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, ref, title, text, section)
    VALUES ('delete', old.id, old.ref, old.title, old.text, old.section);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF ref, title, text, section ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, ref, title, text, section)
    VALUES ('delete', old.id, old.ref, old.title, old.text, old.section);
    INSERT INTO items_fts(rowid, ref, title, text, section)
    VALUES (new.id, new.ref, new.title, new.text, new.section);
END;

-- A typed edge "source *relationship* target". Requirement → control/service mappings made in
-- the engagement, and the catalogue's own links (origin 'shipped'). One edge per pair.
CREATE TABLE mappings (
    id             INTEGER PRIMARY KEY,
    source_item_id INTEGER NOT NULL REFERENCES items(id),
    target_item_id INTEGER NOT NULL REFERENCES items(id),
    relationship   TEXT NOT NULL CHECK (relationship IN ('equivalent', 'subset-of', 'superset-of', 'intersects-with')),
    responsibility TEXT CHECK (responsibility IN ('inherited', 'shared', 'workload')),
    status         TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'rejected')),
    rationale      TEXT NOT NULL DEFAULT '',
    origin         TEXT NOT NULL CHECK (origin IN ('manual', 'suggested', 'imported', 'shipped', 'derived')),
    author         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (source_item_id, target_item_id),
    CHECK (source_item_id <> target_item_id)
);
CREATE INDEX mappings_by_target ON mappings(target_item_id);

-- The systems being migrated; assessments can be per workload.
CREATE TABLE workloads (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

-- The landing-zone profile: which platform controls this engagement's landing zone enables.
-- Inheritance counts only enabled controls.
CREATE TABLE landing_zone_profile (
    item_id    INTEGER PRIMARY KEY REFERENCES items(id),
    enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    note       TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

-- The consultant's assessment of one requirement, for the engagement (workload_id NULL) or one
-- workload. An override of the derived coverage needs a reason.
CREATE TABLE assessments (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES items(id),
    workload_id     INTEGER REFERENCES workloads(id),
    coverage        TEXT CHECK (coverage IN ('inherited', 'partial', 'workload', 'gap', 'not_applicable')),
    coverage_reason TEXT NOT NULL DEFAULT '',
    owner           TEXT NOT NULL DEFAULT '',
    evidence        TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    backlog_story   TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    CHECK (coverage IS NULL OR trim(coverage_reason) <> '')
);
-- NULLs never collide in a UNIQUE constraint, so the engagement-wide row is keyed as workload 0.
CREATE UNIQUE INDEX assessments_one_per_scope ON assessments(item_id, ifnull(workload_id, 0));

-- Saved import choices (sheet, header row, column roles) reused for files of one template.
CREATE TABLE import_profiles (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (name <> ''),
    options    TEXT NOT NULL CHECK (json_valid(options)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Every change, appended in the transaction that made it. Each entry hashes its content and the
-- previous entry's hash, so an edited or deleted entry breaks the chain.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    before    TEXT CHECK (before IS NULL OR json_valid(before)),
    after     TEXT CHECK (after IS NULL OR json_valid(after)),
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
END;

-- The coverage of each requirement for the engagement as a whole, by the rules of
-- crosswalk-domain's `coverage` module (the store's tests check that both agree): the override
-- when there is one; else inherited when an accepted full mapping reaches an enabled
-- landing-zone control, partial when only partial ones do, workload when other accepted
-- mappings exist (CAF mappings classify, they cover nothing), gap otherwise.
CREATE VIEW requirement_coverage AS
    SELECT i.id AS item_id,
           CASE
               WHEN a.coverage IS NOT NULL THEN a.coverage
               WHEN EXISTS (
                   SELECT 1 FROM mappings m
                   JOIN landing_zone_profile p ON p.item_id = m.target_item_id AND p.enabled = 1
                   JOIN items t ON t.id = m.target_item_id
                   JOIN frameworks tf ON tf.id = t.framework_id AND tf.kind = 'lz_controls'
                   WHERE m.source_item_id = i.id AND m.status = 'accepted'
                     AND m.relationship IN ('equivalent', 'subset-of')
               ) THEN 'inherited'
               WHEN EXISTS (
                   SELECT 1 FROM mappings m
                   JOIN landing_zone_profile p ON p.item_id = m.target_item_id AND p.enabled = 1
                   JOIN items t ON t.id = m.target_item_id
                   JOIN frameworks tf ON tf.id = t.framework_id AND tf.kind = 'lz_controls'
                   WHERE m.source_item_id = i.id AND m.status = 'accepted'
               ) THEN 'partial'
               WHEN EXISTS (
                   SELECT 1 FROM mappings m
                   JOIN items t ON t.id = m.target_item_id
                   JOIN frameworks tf ON tf.id = t.framework_id AND tf.kind <> 'caf'
                   WHERE m.source_item_id = i.id AND m.status = 'accepted'
               ) THEN 'workload'
               ELSE 'gap'
           END AS coverage,
           a.coverage IS NOT NULL AS overridden
    FROM items i
    JOIN frameworks f ON f.id = i.framework_id AND f.kind = 'requirements'
    LEFT JOIN assessments a ON a.item_id = i.id AND a.workload_id IS NULL;
