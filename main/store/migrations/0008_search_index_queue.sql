-- Case search (TBL-4) without per-row FTS work inside triggers: FTS5 flushes its pending terms at
-- every statement savepoint, and a trigger runs in one per case, so each case written cost a new
-- segment and its merges (about 40 µs a case on import). Now the triggers only queue the case's
-- rowid; the write path (main/store/write.ts) indexes the queued cases once per transaction with
-- two set statements. The index is contentless with delete support: it keeps no copy of the text
-- and a row is removed by rowid alone.
DROP TRIGGER `cases_fts_ai`;--> statement-breakpoint
DROP TRIGGER `cases_fts_au`;--> statement-breakpoint
DROP TRIGGER `cases_fts_ad`;--> statement-breakpoint
DROP TABLE `cases_fts`;--> statement-breakpoint
CREATE VIRTUAL TABLE `cases_fts` USING fts5(name, description, what, who, tags, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');--> statement-breakpoint
-- is_new = 1: the case is not in the index yet (nothing to delete first).
CREATE TABLE `cases_fts_pending` (`case_rowid` INTEGER PRIMARY KEY, `is_new` INTEGER NOT NULL);--> statement-breakpoint
CREATE TRIGGER `cases_fts_ai` AFTER INSERT ON `cases` BEGIN
  INSERT OR IGNORE INTO cases_fts_pending (case_rowid, is_new) VALUES (new.rowid, 1);
END;--> statement-breakpoint
CREATE TRIGGER `cases_fts_au` AFTER UPDATE OF name, description, what, who, tags ON `cases` BEGIN
  INSERT OR IGNORE INTO cases_fts_pending (case_rowid, is_new) VALUES (new.rowid, 0);
END;--> statement-breakpoint
CREATE TRIGGER `cases_fts_ad` AFTER DELETE ON `cases` BEGIN
  INSERT OR IGNORE INTO cases_fts_pending (case_rowid, is_new) VALUES (old.rowid, 0);
END;--> statement-breakpoint
INSERT INTO `cases_fts` (rowid, name, description, what, who, tags)
  SELECT rowid, name, description, what, who, tags FROM `cases`;
