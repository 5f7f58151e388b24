-- Job records are kept in the store (issue 11.3): progress becomes a nullable fraction, the
-- owning process is recorded so a job it left In Progress is shown as Interrupted on the next
-- start, and the never-used total/result/dismissed columns go. (drizzle-kit's copy also selected
-- the new owner_pid column from the old table; it is left out by hand.)
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`progress` real,
	`message` text,
	`owner_pid` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_jobs`("id", "kind", "title", "status", "progress", "message", "created_at", "updated_at") SELECT "id", "kind", "title", "status", "progress", "message", "created_at", "updated_at" FROM `jobs`;--> statement-breakpoint
DROP TABLE `jobs`;--> statement-breakpoint
ALTER TABLE `__new_jobs` RENAME TO `jobs`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `jobs_created_idx` ON `jobs` (`created_at`);