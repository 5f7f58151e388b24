CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_name_uq` ON `tenants` (`name`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`login` text NOT NULL,
	`display_name` text NOT NULL,
	`email` text,
	`scope` text NOT NULL,
	`scope_tenants` text DEFAULT '[]' NOT NULL,
	`profile` text DEFAULT '[]' NOT NULL,
	`locked` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_login_uq` ON `users` (`login`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`number` integer NOT NULL,
	`number_is_provisional` integer DEFAULT false NOT NULL,
	`name` text NOT NULL,
	`name_is_manual` integer DEFAULT false NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`score` integer DEFAULT 0 NOT NULL,
	`severity` text NOT NULL,
	`severity_rank` integer NOT NULL,
	`severity_is_manual` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'New' NOT NULL,
	`outcome` text,
	`summary` text,
	`creator` text NOT NULL,
	`assignee` text,
	`assignee_name` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`tlp` text DEFAULT 'AMBER' NOT NULL,
	`pap` text DEFAULT 'AMBER' NOT NULL,
	`what` text,
	`who` text,
	`alert_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer,
	`first_alert_at` integer,
	`last_alert_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_number_uq` ON `cases` (`number`);--> statement-breakpoint
CREATE INDEX `cases_score_idx` ON `cases` (`score`,`id`);--> statement-breakpoint
CREATE INDEX `cases_updated_idx` ON `cases` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_created_idx` ON `cases` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_severity_idx` ON `cases` (`severity_rank`,`score`);--> statement-breakpoint
CREATE INDEX `cases_status_idx` ON `cases` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `cases_assignee_idx` ON `cases` (`assignee_name`);--> statement-breakpoint
CREATE INDEX `cases_alert_count_idx` ON `cases` (`alert_count`);--> statement-breakpoint
CREATE INDEX `cases_name_idx` ON `cases` (`name`);--> statement-breakpoint
CREATE INDEX `cases_creator_idx` ON `cases` (`creator`);--> statement-breakpoint
CREATE INDEX `cases_what_idx` ON `cases` (`what`);--> statement-breakpoint
CREATE INDEX `cases_tenant_idx` ON `cases` (`tenant_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `cases_last_alert_idx` ON `cases` (`last_alert_at`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`case_id` text NOT NULL,
	`author` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `comments_case_idx` ON `comments` (`case_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `evidence` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`case_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`sha256` text,
	`size` integer,
	`mime_type` text,
	`url` text,
	`description` text DEFAULT '' NOT NULL,
	`added_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `evidence_case_idx` ON `evidence` (`case_id`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`source` text NOT NULL,
	`source_ref` text NOT NULL,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`timestamp` integer NOT NULL,
	`score` integer NOT NULL,
	`tactic` text,
	`tactic_name` text,
	`technique` text,
	`technique_name` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`tlp` text DEFAULT 'AMBER' NOT NULL,
	`raw` text DEFAULT 'null' NOT NULL,
	`status` text DEFAULT 'New' NOT NULL,
	`case_id` text,
	`suppressed` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_source_ref_uq` ON `alerts` (`source`,`source_ref`);--> statement-breakpoint
CREATE INDEX `alerts_timestamp_idx` ON `alerts` (`timestamp`);--> statement-breakpoint
CREATE INDEX `alerts_case_idx` ON `alerts` (`case_id`);--> statement-breakpoint
CREATE INDEX `alerts_status_timestamp_idx` ON `alerts` (`status`,`timestamp`);--> statement-breakpoint
CREATE TABLE `case_alerts` (
	`case_id` text NOT NULL,
	`alert_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`case_id`, `alert_id`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `case_alerts_alert_idx` ON `case_alerts` (`alert_id`);--> statement-breakpoint
CREATE TABLE `entities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`alert_id` text,
	`case_id` text,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `entities_lookup_idx` ON `entities` (`tenant_id`,`kind`,`value`);--> statement-breakpoint
CREATE INDEX `entities_alert_idx` ON `entities` (`alert_id`);--> statement-breakpoint
CREATE INDEX `entities_case_idx` ON `entities` (`case_id`);--> statement-breakpoint
CREATE TABLE `task_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`task_id` text NOT NULL,
	`author` text NOT NULL,
	`body` text NOT NULL,
	`attachment_sha256` text,
	`attachment_name` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `task_logs_task_idx` ON `task_logs` (`task_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`case_id` text NOT NULL,
	`title` text NOT NULL,
	`group_name` text DEFAULT 'default' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'Waiting' NOT NULL,
	`assignee` text,
	`due_at` integer,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tasks_case_idx` ON `tasks` (`case_id`,`sort_order`);--> statement-breakpoint
CREATE INDEX `tasks_status_assignee_idx` ON `tasks` (`status`,`assignee`);--> statement-breakpoint
CREATE TABLE `observables` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`case_id` text NOT NULL,
	`data_type` text NOT NULL,
	`value` text NOT NULL,
	`tlp` text DEFAULT 'AMBER' NOT NULL,
	`pap` text DEFAULT 'AMBER' NOT NULL,
	`is_ioc` integer DEFAULT false NOT NULL,
	`sighted` integer DEFAULT false NOT NULL,
	`ignore_similarity` integer DEFAULT false NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `observables_case_idx` ON `observables` (`case_id`);--> statement-breakpoint
CREATE INDEX `observables_value_idx` ON `observables` (`tenant_id`,`data_type`,`value`);--> statement-breakpoint
CREATE TABLE `activity` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`at` integer NOT NULL,
	`before` text,
	`after` text
);
--> statement-breakpoint
CREATE INDEX `activity_entity_idx` ON `activity` (`entity_type`,`entity_id`,`at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`op` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	`pushed_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_pending_idx` ON `outbox` (`pushed_at`,`seq`);--> statement-breakpoint
CREATE TABLE `case_filters` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`name` text NOT NULL,
	`condition` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`suppressed_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`total` integer,
	`message` text,
	`result` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`dismissed` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `jobs_created_idx` ON `jobs` (`created_at`);--> statement-breakpoint
CREATE TABLE `pins` (
	`user_id` text NOT NULL,
	`queue_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `queue_id`),
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `queue_members` (
	`queue_id` text NOT NULL,
	`case_id` text NOT NULL,
	PRIMARY KEY(`queue_id`, `case_id`),
	FOREIGN KEY (`queue_id`) REFERENCES `queues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `queue_members_case_idx` ON `queue_members` (`case_id`);--> statement-breakpoint
CREATE TABLE `queues` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`owner_id` text,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`condition` text NOT NULL,
	`range` text NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `queues_order_idx` ON `queues` (`sort_order`);--> statement-breakpoint
CREATE TABLE `settings` (
	`user_id` text DEFAULT '' NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `key`)
);
