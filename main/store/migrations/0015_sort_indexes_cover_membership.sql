-- The case sort indexes end in created_at, so walking one for a queue's page tests membership
-- (queue_members keyed by queue, case created_at, case since 0014) from the index entry alone,
-- without reading each case row. Same names, same order for paging: (column, id) first.
DROP INDEX `cases_score_idx`;--> statement-breakpoint
DROP INDEX `cases_updated_idx`;--> statement-breakpoint
DROP INDEX `cases_severity_id_idx`;--> statement-breakpoint
DROP INDEX `cases_status_id_idx`;--> statement-breakpoint
DROP INDEX `cases_assignee_id_idx`;--> statement-breakpoint
DROP INDEX `cases_alert_count_id_idx`;--> statement-breakpoint
DROP INDEX `cases_name_id_idx`;--> statement-breakpoint
DROP INDEX `cases_creator_id_idx`;--> statement-breakpoint
DROP INDEX `cases_what_id_idx`;--> statement-breakpoint
CREATE INDEX `cases_score_idx` ON `cases` (`score`,`id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cases_updated_idx` ON `cases` (`updated_at`,`id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cases_severity_id_idx` ON `cases` (`severity_rank`,`id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cases_status_id_idx` ON `cases` (`status`,`id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cases_assignee_id_idx` ON `cases` (`assignee_name`,`id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cases_alert_count_id_idx` ON `cases` (`alert_count`,`id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cases_name_id_idx` ON `cases` (`name`,`id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cases_creator_id_idx` ON `cases` (`creator`,`id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cases_what_id_idx` ON `cases` (`what`,`id`,`created_at`);