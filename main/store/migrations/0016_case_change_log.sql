-- Which cases changed, in order, for the case table's position lists (main/services/
-- case-positions.ts). A big queue's page at offset N is found in a sorted list of its rowids held
-- in memory; after a write the list catches up by re-placing only the cases logged since it was
-- built, instead of being rebuilt. Every insert, update and delete of a case is logged by these
-- triggers, so no write path can forget it (correlation, triage, bulk edits, merges, sync). Only
-- the last 100,000 entries are kept (CASE_CHANGES_KEPT): a list older than that is rebuilt.
CREATE TABLE `case_changes` (
	`seq` integer PRIMARY KEY NOT NULL,
	`case_rowid` integer NOT NULL
);--> statement-breakpoint
CREATE TRIGGER `case_changes_trim` AFTER INSERT ON `case_changes` BEGIN
	DELETE FROM `case_changes` WHERE `seq` <= NEW.`seq` - 100000;
END;--> statement-breakpoint
CREATE TRIGGER `cases_change_log_ai` AFTER INSERT ON `cases` BEGIN
	INSERT INTO `case_changes` (`case_rowid`) VALUES (NEW.`rowid`);
END;--> statement-breakpoint
CREATE TRIGGER `cases_change_log_au` AFTER UPDATE ON `cases` BEGIN
	INSERT INTO `case_changes` (`case_rowid`) VALUES (NEW.`rowid`);
END;--> statement-breakpoint
CREATE TRIGGER `cases_change_log_ad` AFTER DELETE ON `cases` BEGIN
	INSERT INTO `case_changes` (`case_rowid`) VALUES (OLD.`rowid`);
END;
