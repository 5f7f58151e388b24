CREATE TABLE `queue_index` (
	`queue_id` text PRIMARY KEY NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`generation` integer DEFAULT 0 NOT NULL,
	`member_count` integer DEFAULT 0 NOT NULL,
	`range_from` integer,
	`indexed_at` integer,
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP INDEX `queue_members_case_idx`;--> statement-breakpoint
ALTER TABLE `queue_members` ADD `case_created_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `queue_members_created_idx` ON `queue_members` (`queue_id`,`case_created_at`);