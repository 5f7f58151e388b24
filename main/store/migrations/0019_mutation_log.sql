CREATE TABLE `applied_mutations` (
	`mutation_id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`seq` integer NOT NULL,
	`applied_at` integer NOT NULL,
	`outcome` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `store_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tombstones` (
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`deleted_at` integer NOT NULL,
	`actor` text NOT NULL,
	PRIMARY KEY(`entity_type`, `entity_id`)
);
--> statement-breakpoint
ALTER TABLE `tenants` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `cases` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `comments` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `evidence` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `task_logs` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `observables` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `activity` ADD `mutation_id` text;--> statement-breakpoint
-- The outbox held one hand-written JSON blob per write, which could not rebuild a store, and
-- nothing was ever pushed from it. It starts again, empty, as the log of mutations
-- (shared/sync/mutation.ts). A store that already holds rows says so in store_meta: its outbox
-- does not replay what was written before this migration.
DROP TABLE `outbox`;--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mutation_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`op` text NOT NULL,
	`base_rev` integer NOT NULL,
	`payload` text NOT NULL,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`created_at` integer NOT NULL,
	`pushed_at` integer
);--> statement-breakpoint
CREATE INDEX `outbox_pending_idx` ON `outbox` (`pushed_at`,`seq`);--> statement-breakpoint
INSERT INTO `store_meta` (`key`, `value`)
  SELECT 'outbox_starts_after_rows', '1'
  WHERE EXISTS (SELECT 1 FROM `alerts`) OR EXISTS (SELECT 1 FROM `cases`) OR EXISTS (SELECT 1 FROM `queues` WHERE `is_default` = 0);--> statement-breakpoint
ALTER TABLE `case_filters` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `queues` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `settings` ADD `rev` integer DEFAULT 0 NOT NULL;