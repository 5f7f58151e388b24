DROP INDEX `cases_last_alert_idx`;--> statement-breakpoint
DROP INDEX `cases_open_window_idx`;