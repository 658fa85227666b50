-- What exporting a matrix needs: a secret to seal exported matrices with (HMAC key; it never
-- leaves the file), and per requirement a revision and a change time, so an edited matrix can
-- tell a one-sided edit from a conflict and the matrix can show when each row last changed.

CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL CHECK (length(value) >= 32),
    created_at TEXT NOT NULL
);

ALTER TABLE items ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN changed_at TEXT;
UPDATE items SET changed_at = (SELECT created_at FROM frameworks f WHERE f.id = items.framework_id);

-- Only real changes count: an import rewrites every row, most of them with the same values.
CREATE TRIGGER items_revision AFTER UPDATE ON items
WHEN old.title IS NOT new.title OR old.text IS NOT new.text OR old.section IS NOT new.section
  OR old.parent_ref IS NOT new.parent_ref OR old.attributes IS NOT new.attributes
  OR old.source_ref IS NOT new.source_ref OR old.withdrawn IS NOT new.withdrawn
  OR old.removed IS NOT new.removed
BEGIN
    UPDATE items SET revision = revision + 1 WHERE id = new.id;
END;

CREATE TRIGGER mappings_revision_insert AFTER INSERT ON mappings BEGIN
    UPDATE items SET revision = revision + 1, changed_at = new.updated_at WHERE id = new.source_item_id;
END;
CREATE TRIGGER mappings_revision_update AFTER UPDATE ON mappings BEGIN
    UPDATE items SET revision = revision + 1, changed_at = new.updated_at WHERE id = new.source_item_id;
END;
CREATE TRIGGER mappings_revision_delete AFTER DELETE ON mappings BEGIN
    UPDATE items SET revision = revision + 1 WHERE id = old.source_item_id;
END;
CREATE TRIGGER assessments_revision_insert AFTER INSERT ON assessments BEGIN
    UPDATE items SET revision = revision + 1, changed_at = new.updated_at WHERE id = new.item_id;
END;
CREATE TRIGGER assessments_revision_update AFTER UPDATE ON assessments BEGIN
    UPDATE items SET revision = revision + 1, changed_at = new.updated_at WHERE id = new.item_id;
END;
CREATE TRIGGER assessments_revision_delete AFTER DELETE ON assessments BEGIN
    UPDATE items SET revision = revision + 1 WHERE id = old.item_id;
END;
