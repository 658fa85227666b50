-- A requirement whose text changes on re-import: the decisions on its mappings were made on the
-- old text. Each change is kept with the old and the new text, and the decided mappings of the
-- requirement are flagged for review until someone confirms them or decides again. Triggers do
-- it inside the import's own transaction, so an import and its flags commit together.
-- Never edit this file once released; add a new one.

-- One row per text change of a requirement (customer sets and adopted frameworks, never the
-- shipped catalogue). `import_id` is the import that made it, filled when that import's row is
-- written (later in the same transaction).
CREATE TABLE text_changes (
    id        INTEGER PRIMARY KEY,
    item_id   INTEGER NOT NULL REFERENCES items(id),
    old_text  TEXT NOT NULL,
    new_text  TEXT NOT NULL,
    import_id INTEGER REFERENCES imports(id)
);
CREATE INDEX text_changes_by_item ON text_changes(item_id);
CREATE INDEX text_changes_by_import ON text_changes(import_id);

-- A decided mapping (accepted or rejected) waiting for review, with the first change of the
-- requirement's text since it was decided: its old text is the one the decision was made on.
CREATE TABLE mapping_reviews (
    mapping_id     INTEGER PRIMARY KEY REFERENCES mappings(id) ON DELETE CASCADE,
    text_change_id INTEGER NOT NULL REFERENCES text_changes(id)
);

CREATE TRIGGER text_change_record AFTER UPDATE OF text ON items
WHEN old.text IS NOT new.text
  AND EXISTS (SELECT 1 FROM frameworks f
              WHERE f.id = new.framework_id AND f.kind = 'requirements' AND f.shipped = 0)
BEGIN
    INSERT INTO text_changes (item_id, old_text, new_text) VALUES (new.id, old.text, new.text);
    -- A mapping already waiting keeps its first change: the text it was decided on. (Not
    -- INSERT OR IGNORE: the statement firing a trigger imposes its own conflict handling.)
    INSERT INTO mapping_reviews (mapping_id, text_change_id)
        SELECT m.id, (SELECT max(c.id) FROM text_changes c WHERE c.item_id = new.id)
        FROM mappings m
        WHERE m.source_item_id = new.id AND m.status IN ('accepted', 'rejected')
          AND NOT EXISTS (SELECT 1 FROM mapping_reviews r WHERE r.mapping_id = m.id);
END;

CREATE TRIGGER text_change_import AFTER INSERT ON imports
BEGIN
    UPDATE text_changes SET import_id = new.id
    WHERE import_id IS NULL
      AND item_id IN (SELECT i.id FROM items i WHERE i.framework_id = new.framework_id);
END;

-- Deciding again (another status, relationship or rationale) is a decision on the new text.
CREATE TRIGGER mapping_review_decided AFTER UPDATE OF status, relationship, rationale ON mappings
WHEN old.status IS NOT new.status OR old.relationship IS NOT new.relationship
  OR old.rationale IS NOT new.rationale
BEGIN
    DELETE FROM mapping_reviews WHERE mapping_id = new.id;
END;
