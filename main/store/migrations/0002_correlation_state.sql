ALTER TABLE `cases` ADD `tactics` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `cases` ADD `lead_alert` text;--> statement-breakpoint
CREATE INDEX `cases_open_window_idx` ON `cases` (`tenant_id`,`status`,`last_alert_at`);--> statement-breakpoint
CREATE INDEX `entities_case_lookup_idx` ON `entities` (`tenant_id`,`kind`,`value`,`case_id`) WHERE "entities"."case_id" IS NOT NULL;