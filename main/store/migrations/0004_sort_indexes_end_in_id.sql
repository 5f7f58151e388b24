DROP INDEX `cases_severity_idx`;--> statement-breakpoint
DROP INDEX `cases_status_idx`;--> statement-breakpoint
DROP INDEX `cases_assignee_idx`;--> statement-breakpoint
DROP INDEX `cases_alert_count_idx`;--> statement-breakpoint
DROP INDEX `cases_name_idx`;--> statement-breakpoint
DROP INDEX `cases_creator_idx`;--> statement-breakpoint
DROP INDEX `cases_what_idx`;--> statement-breakpoint
CREATE INDEX `cases_severity_id_idx` ON `cases` (`severity_rank`,`id`);--> statement-breakpoint
CREATE INDEX `cases_status_id_idx` ON `cases` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `cases_assignee_id_idx` ON `cases` (`assignee_name`,`id`);--> statement-breakpoint
CREATE INDEX `cases_alert_count_id_idx` ON `cases` (`alert_count`,`id`);--> statement-breakpoint
CREATE INDEX `cases_name_id_idx` ON `cases` (`name`,`id`);--> statement-breakpoint
CREATE INDEX `cases_creator_id_idx` ON `cases` (`creator`,`id`);--> statement-breakpoint
CREATE INDEX `cases_what_id_idx` ON `cases` (`what`,`id`);