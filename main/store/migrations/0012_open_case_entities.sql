-- Correlation candidates without walking a host's whole history (COR-1, COR-4). A host seen in
-- 700 cases over a year made every alert about it look up 700 cases to find the 10 that are
-- open and recent: 7-34 ms per alert on a store of 1,000,000 cases. open_case_entities holds
-- the entities of open cases only, keyed by (tenant, kind, value, last alert time, case), so the
-- candidate lookup is one range of this key. Triggers keep it exact for every write path
-- (correlation, triage, bulk edits, merges, sync, deletes): a case entity added or removed, a
-- case opened, closed, moved or given a later alert.
CREATE TABLE `open_case_entities` (
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`last_alert_at` integer NOT NULL,
	`case_id` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `kind`, `value`, `last_alert_at`, `case_id`)
) WITHOUT ROWID;--> statement-breakpoint
CREATE INDEX `open_case_entities_case_idx` ON `open_case_entities` (`case_id`);--> statement-breakpoint
INSERT INTO `open_case_entities` (`tenant_id`, `kind`, `value`, `last_alert_at`, `case_id`)
	SELECT e.`tenant_id`, e.`kind`, e.`value`, c.`last_alert_at`, e.`case_id`
	FROM `cases` c CROSS JOIN `case_entities` e ON e.`case_id` = c.`id`
	WHERE c.`status` IN ('New', 'In Progress', 'Escalated') AND c.`last_alert_at` IS NOT NULL;--> statement-breakpoint
CREATE TRIGGER `case_entities_open_ai` AFTER INSERT ON `case_entities` BEGIN
	INSERT OR IGNORE INTO `open_case_entities` (`tenant_id`, `kind`, `value`, `last_alert_at`, `case_id`)
		SELECT NEW.`tenant_id`, NEW.`kind`, NEW.`value`, c.`last_alert_at`, NEW.`case_id` FROM `cases` c
		WHERE c.`id` = NEW.`case_id` AND c.`status` IN ('New', 'In Progress', 'Escalated') AND c.`last_alert_at` IS NOT NULL;
END;--> statement-breakpoint
CREATE TRIGGER `case_entities_open_ad` AFTER DELETE ON `case_entities` BEGIN
	DELETE FROM `open_case_entities` WHERE `case_id` = OLD.`case_id` AND `tenant_id` = OLD.`tenant_id`
		AND `kind` = OLD.`kind` AND `value` = OLD.`value`;
END;--> statement-breakpoint
CREATE TRIGGER `cases_open_entities_au` AFTER UPDATE OF `status`, `last_alert_at` ON `cases`
	WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`last_alert_at` IS NOT NEW.`last_alert_at` BEGIN
	DELETE FROM `open_case_entities` WHERE `case_id` = OLD.`id`;
	INSERT INTO `open_case_entities` (`tenant_id`, `kind`, `value`, `last_alert_at`, `case_id`)
		SELECT e.`tenant_id`, e.`kind`, e.`value`, NEW.`last_alert_at`, e.`case_id` FROM `case_entities` e
		WHERE e.`case_id` = NEW.`id` AND NEW.`status` IN ('New', 'In Progress', 'Escalated') AND NEW.`last_alert_at` IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `case_entities_open_au` AFTER UPDATE ON `case_entities` BEGIN
	DELETE FROM `open_case_entities` WHERE `case_id` = OLD.`case_id` AND `tenant_id` = OLD.`tenant_id`
		AND `kind` = OLD.`kind` AND `value` = OLD.`value`;
	INSERT OR IGNORE INTO `open_case_entities` (`tenant_id`, `kind`, `value`, `last_alert_at`, `case_id`)
		SELECT NEW.`tenant_id`, NEW.`kind`, NEW.`value`, c.`last_alert_at`, NEW.`case_id` FROM `cases` c
		WHERE c.`id` = NEW.`case_id` AND c.`status` IN ('New', 'In Progress', 'Escalated') AND c.`last_alert_at` IS NOT NULL;
END;--> statement-breakpoint
CREATE TRIGGER `cases_open_entities_ad` AFTER DELETE ON `cases` BEGIN
	DELETE FROM `open_case_entities` WHERE `case_id` = OLD.`id`;
END;
