-- open_case_entities (0012) keyed each open case's entities by the case's exact last alert time,
-- so every alert that moved a case's last alert rewrote all its entity rows: a case of 3,000
-- entities (a scanner's case at the Alerts per Case cap) cost 6,000 row writes per alert or
-- batch (40-100 ms each on a store of 1,000,000 alerts). The key now holds an upper bound
-- instead: the last alert time rounded up to the end of its UTC day. A later alert rewrites the
-- rows only when it moves the case into a later day. The candidate lookup
-- `last_alert_bound >= t` still finds every case whose last alert is at or after t, plus cases
-- up to a day older, which the lookup drops by the case's exact last alert time. Integer
-- division truncates toward zero, so for negative times the bound is looser but still an upper
-- bound.
DROP TRIGGER `case_entities_open_ai`;--> statement-breakpoint
DROP TRIGGER `case_entities_open_au`;--> statement-breakpoint
DROP TRIGGER `case_entities_open_ad`;--> statement-breakpoint
DROP TRIGGER `cases_open_entities_au`;--> statement-breakpoint
DROP TRIGGER `cases_open_entities_ad`;--> statement-breakpoint
DROP TABLE `open_case_entities`;--> statement-breakpoint
CREATE TABLE `open_case_entities` (
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`last_alert_bound` integer NOT NULL,
	`case_id` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `kind`, `value`, `last_alert_bound`, `case_id`)
) WITHOUT ROWID;--> statement-breakpoint
CREATE INDEX `open_case_entities_case_idx` ON `open_case_entities` (`case_id`);--> statement-breakpoint
INSERT INTO `open_case_entities` (`tenant_id`, `kind`, `value`, `last_alert_bound`, `case_id`)
	SELECT e.`tenant_id`, e.`kind`, e.`value`, (c.`last_alert_at` + 86399999) / 86400000 * 86400000, e.`case_id`
	FROM `cases` c CROSS JOIN `case_entities` e ON e.`case_id` = c.`id`
	WHERE c.`status` IN ('New', 'In Progress', 'Escalated') AND c.`last_alert_at` IS NOT NULL;--> statement-breakpoint
CREATE TRIGGER `case_entities_open_ai` AFTER INSERT ON `case_entities` BEGIN
	INSERT OR IGNORE INTO `open_case_entities` (`tenant_id`, `kind`, `value`, `last_alert_bound`, `case_id`)
		SELECT NEW.`tenant_id`, NEW.`kind`, NEW.`value`, (c.`last_alert_at` + 86399999) / 86400000 * 86400000, NEW.`case_id` FROM `cases` c
		WHERE c.`id` = NEW.`case_id` AND c.`status` IN ('New', 'In Progress', 'Escalated') AND c.`last_alert_at` IS NOT NULL;
END;--> statement-breakpoint
CREATE TRIGGER `case_entities_open_ad` AFTER DELETE ON `case_entities` BEGIN
	DELETE FROM `open_case_entities` WHERE `case_id` = OLD.`case_id` AND `tenant_id` = OLD.`tenant_id`
		AND `kind` = OLD.`kind` AND `value` = OLD.`value`;
END;--> statement-breakpoint
CREATE TRIGGER `case_entities_open_au` AFTER UPDATE ON `case_entities` BEGIN
	DELETE FROM `open_case_entities` WHERE `case_id` = OLD.`case_id` AND `tenant_id` = OLD.`tenant_id`
		AND `kind` = OLD.`kind` AND `value` = OLD.`value`;
	INSERT OR IGNORE INTO `open_case_entities` (`tenant_id`, `kind`, `value`, `last_alert_bound`, `case_id`)
		SELECT NEW.`tenant_id`, NEW.`kind`, NEW.`value`, (c.`last_alert_at` + 86399999) / 86400000 * 86400000, NEW.`case_id` FROM `cases` c
		WHERE c.`id` = NEW.`case_id` AND c.`status` IN ('New', 'In Progress', 'Escalated') AND c.`last_alert_at` IS NOT NULL;
END;--> statement-breakpoint
CREATE TRIGGER `cases_open_entities_au` AFTER UPDATE OF `status`, `last_alert_at` ON `cases`
	WHEN OLD.`status` IS NOT NEW.`status`
		OR (OLD.`last_alert_at` + 86399999) / 86400000 IS NOT (NEW.`last_alert_at` + 86399999) / 86400000 BEGIN
	DELETE FROM `open_case_entities` WHERE `case_id` = OLD.`id`;
	INSERT INTO `open_case_entities` (`tenant_id`, `kind`, `value`, `last_alert_bound`, `case_id`)
		SELECT e.`tenant_id`, e.`kind`, e.`value`, (NEW.`last_alert_at` + 86399999) / 86400000 * 86400000, e.`case_id` FROM `case_entities` e
		WHERE e.`case_id` = NEW.`id` AND NEW.`status` IN ('New', 'In Progress', 'Escalated') AND NEW.`last_alert_at` IS NOT NULL;
END;--> statement-breakpoint
CREATE TRIGGER `cases_open_entities_ad` AFTER DELETE ON `cases` BEGIN
	DELETE FROM `open_case_entities` WHERE `case_id` = OLD.`id`;
END;
