CREATE TABLE `case_entities` (
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`case_id` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `kind`, `value`, `case_id`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `case_entities_case_idx` ON `case_entities` (`case_id`);--> statement-breakpoint
ALTER TABLE `alerts` ADD `entities` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
-- Data: alert entity rows become the alert's JSON column; case entity rows move to case_entities.
UPDATE `alerts` SET `entities` = (
	SELECT json_group_array(json_object('kind', `kind`, 'value', `value`))
	FROM (SELECT `kind`, `value` FROM `entities` e WHERE e.`alert_id` = `alerts`.`id` ORDER BY e.`id`)
) WHERE EXISTS (SELECT 1 FROM `entities` e WHERE e.`alert_id` = `alerts`.`id`);--> statement-breakpoint
INSERT OR IGNORE INTO `case_entities` (`tenant_id`, `kind`, `value`, `case_id`)
	SELECT `tenant_id`, `kind`, `value`, `case_id` FROM `entities` WHERE `case_id` IS NOT NULL;--> statement-breakpoint
-- case_alerts keyed by (case, alert) without a rowid: one b-tree fewer per link.
CREATE TABLE `__new_case_alerts` (
	`case_id` text NOT NULL,
	`alert_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`case_id`, `alert_id`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;--> statement-breakpoint
INSERT INTO `__new_case_alerts` SELECT `case_id`, `alert_id`, `tenant_id`, `added_at` FROM `case_alerts`;--> statement-breakpoint
DROP TABLE `case_alerts`;--> statement-breakpoint
ALTER TABLE `__new_case_alerts` RENAME TO `case_alerts`;--> statement-breakpoint
CREATE INDEX `case_alerts_alert_idx` ON `case_alerts` (`alert_id`);
