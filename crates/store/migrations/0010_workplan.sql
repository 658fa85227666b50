-- The migration security workstream of the engagement: the workplan as a living checklist, the
-- readiness assessment of each security domain, and the backlog stories written from its gaps.
-- Policy decisions of the workplan are traced to controls through `mappings`, like requirements.
-- Never edit this file once released; add a new one.

-- One row per workplan task or subtask. The workplan ships in the catalogue's `msr` framework as
-- the items `T1`…`T7` (tasks) and `T1.S1`… (subtasks); the rows are made by the trigger below
-- when the store copies the catalogue in, so a new engagement starts with the whole workplan and
-- a newer catalogue's extra subtasks appear by themselves. `not_applicable` needs its reason.
CREATE TABLE workplan_entries (
    item_id    INTEGER PRIMARY KEY REFERENCES items(id),
    status     TEXT NOT NULL DEFAULT 'not_started'
               CHECK (status IN ('not_started', 'in_progress', 'done', 'not_applicable')),
    reason     TEXT NOT NULL DEFAULT '',
    owner      TEXT NOT NULL DEFAULT '',
    due        TEXT CHECK (due IS NULL OR date(due) IS due),
    notes      TEXT NOT NULL DEFAULT '',
    decision   TEXT NOT NULL DEFAULT '',
    updated_at TEXT,
    updated_by TEXT,
    CHECK (status <> 'not_applicable' OR trim(reason) <> '')
);

-- What a task or subtask produced: an exported matrix, a readiness report, a decision record.
-- Paths or URLs as the consultant gives them; the file need not be on this machine.
CREATE TABLE workplan_artifacts (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES workplan_entries(item_id),
    link     TEXT NOT NULL CHECK (trim(link) <> ''),
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    UNIQUE (item_id, link)
);

CREATE TRIGGER workplan_seed AFTER INSERT ON items
WHEN new.ref GLOB 'T[0-9]*' AND EXISTS (
    SELECT 1 FROM frameworks f WHERE f.id = new.framework_id AND f.key = 'msr' AND f.shipped = 1
)
BEGIN
    INSERT OR IGNORE INTO workplan_entries (item_id) VALUES (new.id);
END;

-- Files made before this migration already hold the catalogue: seed from their copy.
INSERT OR IGNORE INTO workplan_entries (item_id)
    SELECT i.id FROM items i JOIN frameworks f ON f.id = i.framework_id
    WHERE f.key = 'msr' AND f.shipped = 1 AND i.ref GLOB 'T[0-9]*';

-- The readiness assessment: per security domain and per dimension (policy, process, tools,
-- people), where the customer stands today, the state it must reach to be ready for AWS, and the
-- gap between the two. The twenty cells exist from the start so that an empty one shows.
CREATE TABLE readiness (
    domain          TEXT NOT NULL CHECK (domain IN ('data_protection', 'iam', 'incident_response',
                                                    'infrastructure_protection', 'logging_monitoring')),
    dimension       TEXT NOT NULL CHECK (dimension IN ('policy', 'process', 'tools', 'people')),
    current_state   TEXT NOT NULL DEFAULT '',
    readiness_state TEXT NOT NULL DEFAULT '',
    gap             TEXT NOT NULL DEFAULT '',
    updated_at      TEXT,
    updated_by      TEXT,
    PRIMARY KEY (domain, dimension)
);
INSERT INTO readiness (domain, dimension)
    SELECT d.column1, x.column1
    FROM (VALUES ('data_protection'), ('iam'), ('incident_response'),
                 ('infrastructure_protection'), ('logging_monitoring')) d,
         (VALUES ('policy'), ('process'), ('tools'), ('people')) x;

-- Backlog stories developed from readiness gaps. Requirement gaps of the matrix are not stored:
-- they are derived at export time and merged with these by shared control.
-- `acceptance_criteria` is a JSON array of strings, one criterion each.
CREATE TABLE stories (
    id                  INTEGER PRIMARY KEY,
    domain              TEXT NOT NULL CHECK (domain IN ('data_protection', 'iam', 'incident_response',
                                                        'infrastructure_protection', 'logging_monitoring')),
    dimension           TEXT CHECK (dimension IS NULL OR dimension IN ('policy', 'process', 'tools', 'people')),
    title               TEXT NOT NULL CHECK (trim(title) <> ''),
    description         TEXT NOT NULL DEFAULT '',
    acceptance_criteria TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(acceptance_criteria)),
    priority            TEXT NOT NULL DEFAULT 'medium'
                        CHECK (priority IN ('highest', 'high', 'medium', 'low', 'lowest')),
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    UNIQUE (domain, title)
);

-- The controls and services a story puts in place; the key that merges it with requirement gaps.
CREATE TABLE story_controls (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    item_id  INTEGER NOT NULL REFERENCES items(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (story_id, item_id)
);
CREATE INDEX story_controls_by_item ON story_controls(item_id);
