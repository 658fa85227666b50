-- A sheet import indexes its rows for full-text search in one statement after storing them,
-- instead of one index update per row (issue 8: the per-row trigger made FTS5 flush and merge
-- its index at every row and was most of an import's time). The triggers below keep
-- `items_fts` in step for every other writer, as before; an import sets `deferred` to 1 inside
-- its transaction, maintains the index itself and sets it back to 0 before it commits, so the
-- flag is never seen set outside a running import (a failed or killed import rolls it back).
-- Never edit this file once released; add a new one.

CREATE TABLE fts_control (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    deferred INTEGER NOT NULL DEFAULT 0 CHECK (deferred IN (0, 1))
);
INSERT INTO fts_control (id, deferred) VALUES (1, 0);

DROP TRIGGER items_fts_insert;
DROP TRIGGER items_fts_delete;
DROP TRIGGER items_fts_update;

CREATE TRIGGER items_fts_insert AFTER INSERT ON items
WHEN (SELECT deferred FROM fts_control WHERE id = 1) IS NOT 1
BEGIN
    INSERT INTO items_fts(rowid, ref, title, text, section)
    VALUES (new.id, new.ref, new.title, new.text, new.section);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items
WHEN (SELECT deferred FROM fts_control WHERE id = 1) IS NOT 1
BEGIN
    INSERT INTO items_fts(items_fts, rowid, ref, title, text, section)
    VALUES ('delete', old.id, old.ref, old.title, old.text, old.section);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF ref, title, text, section ON items
WHEN (SELECT deferred FROM fts_control WHERE id = 1) IS NOT 1
BEGIN
    INSERT INTO items_fts(items_fts, rowid, ref, title, text, section)
    VALUES ('delete', old.id, old.ref, old.title, old.text, old.section);
    INSERT INTO items_fts(rowid, ref, title, text, section)
    VALUES (new.id, new.ref, new.title, new.text, new.section);
END;
