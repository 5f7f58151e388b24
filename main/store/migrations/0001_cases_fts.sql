-- Full-text index over the case fields that Lucene bare terms search (TBL-4).
CREATE VIRTUAL TABLE `cases_fts` USING fts5(name, description, what, who, tags, content='cases', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `cases_fts_ai` AFTER INSERT ON `cases` BEGIN
  INSERT INTO cases_fts(rowid, name, description, what, who, tags) VALUES (new.rowid, new.name, new.description, new.what, new.who, new.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `cases_fts_ad` AFTER DELETE ON `cases` BEGIN
  INSERT INTO cases_fts(cases_fts, rowid, name, description, what, who, tags) VALUES ('delete', old.rowid, old.name, old.description, old.what, old.who, old.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `cases_fts_au` AFTER UPDATE OF name, description, what, who, tags ON `cases` BEGIN
  INSERT INTO cases_fts(cases_fts, rowid, name, description, what, who, tags) VALUES ('delete', old.rowid, old.name, old.description, old.what, old.who, old.tags);
  INSERT INTO cases_fts(rowid, name, description, what, who, tags) VALUES (new.rowid, new.name, new.description, new.what, new.who, new.tags);
END;
