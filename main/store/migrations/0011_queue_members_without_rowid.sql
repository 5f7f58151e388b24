-- Queue membership keyed by (queue, case) without a rowid: a member is one entry in the
-- primary key and one in the created_at index instead of a row plus two indexes, so re-indexing
-- a queue of 850,000 cases writes (and clearing it deletes) a third less.
CREATE TABLE `__new_queue_members` (
	`queue_id` text NOT NULL,
	`case_id` text NOT NULL,
	`case_created_at` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`queue_id`, `case_id`),
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;--> statement-breakpoint
INSERT INTO `__new_queue_members` SELECT `queue_id`, `case_id`, `case_created_at` FROM `queue_members`;--> statement-breakpoint
DROP TABLE `queue_members`;--> statement-breakpoint
ALTER TABLE `__new_queue_members` RENAME TO `queue_members`;--> statement-breakpoint
CREATE INDEX `queue_members_created_idx` ON `queue_members` (`queue_id`,`case_created_at`);
