-- Queue membership as one b-tree: keyed by (queue, case created_at, case), WITHOUT ROWID, and no
-- separate created_at index. Lookups of one case give its created_at (cases.created_at), a
-- queue's range expiry is a range of the key, and a re-index, which walks cases in created_at
-- order, appends to it. 0011's table wrote two b-trees per member: 850,000 members took 5-6 s.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_queue_members` (
	`queue_id` text NOT NULL,
	`case_id` text NOT NULL,
	`case_created_at` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`queue_id`, `case_created_at`, `case_id`),
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_queue_members`("queue_id", "case_id", "case_created_at") SELECT "queue_id", "case_id", "case_created_at" FROM `queue_members`;--> statement-breakpoint
DROP TABLE `queue_members`;--> statement-breakpoint
ALTER TABLE `__new_queue_members` RENAME TO `queue_members`;--> statement-breakpoint
PRAGMA foreign_keys=ON;