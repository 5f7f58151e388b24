CREATE TABLE "alerts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"source" text NOT NULL,
	"source_ref" text NOT NULL,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"timestamp" bigint NOT NULL,
	"score" integer NOT NULL,
	"tactic" text,
	"tactic_name" text,
	"technique" text,
	"technique_name" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"tlp" text DEFAULT 'AMBER' NOT NULL,
	"raw" json,
	"entities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'New' NOT NULL,
	"case_id" uuid,
	"suppressed" boolean DEFAULT false NOT NULL,
	"created_by" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "alerts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint,
	"rev" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "api_keys_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "case_alerts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"alert_id" uuid NOT NULL,
	"added_at" bigint NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "case_alerts_tenant_id_case_id_alert_id_pk" PRIMARY KEY("tenant_id","case_id","alert_id")
);
--> statement-breakpoint
CREATE TABLE "case_entities" (
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"case_id" uuid NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "case_entities_tenant_id_kind_value_case_id_pk" PRIMARY KEY("tenant_id","kind","value","case_id")
);
--> statement-breakpoint
CREATE TABLE "case_filters" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"condition" jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"suppressed_count" bigint DEFAULT 0 NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "case_filters_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"number" bigint NOT NULL,
	"name" text NOT NULL,
	"name_is_manual" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"summary" text,
	"score" integer DEFAULT 0 NOT NULL,
	"severity" text NOT NULL,
	"severity_rank" integer NOT NULL,
	"severity_is_manual" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'New' NOT NULL,
	"outcome" text,
	"creator" text NOT NULL,
	"assignee" text,
	"assignee_name" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"tlp" text DEFAULT 'AMBER' NOT NULL,
	"pap" text DEFAULT 'AMBER' NOT NULL,
	"what" text,
	"who" text,
	"alert_count" integer DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"closed_at" bigint,
	"first_alert_at" bigint,
	"last_alert_at" bigint,
	"tactics" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"lead_alert" jsonb,
	"search_text" text DEFAULT '' NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "cases_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "change_log" (
	"tenant_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"entity" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"entity_rev" integer NOT NULL,
	"op" text NOT NULL,
	"actor" text NOT NULL,
	"at" bigint NOT NULL,
	CONSTRAINT "change_log_tenant_id_seq_pk" PRIMARY KEY("tenant_id","seq")
);
--> statement-breakpoint
CREATE TABLE "queues" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"condition" jsonb NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "queues_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"revoked_at" bigint,
	"rev" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "sessions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "tenant_counters" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"last_case_number" bigint DEFAULT 0 NOT NULL,
	"last_change_seq" bigint DEFAULT 0 NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenant_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"correlation" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_tenants" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"rev" integer DEFAULT 1 NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "user_tenants_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"login" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"profile" text NOT NULL,
	"scope" text NOT NULL,
	"password_hash" text,
	"locked" boolean DEFAULT false NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"login_blocked_until" bigint,
	"rev" integer DEFAULT 1 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "users_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_source_ref_uq" ON "alerts" USING btree ("tenant_id","source","source_ref");--> statement-breakpoint
CREATE INDEX "alerts_timestamp_idx" ON "alerts" USING btree ("timestamp","id");--> statement-breakpoint
CREATE INDEX "alerts_tenant_timestamp_idx" ON "alerts" USING btree ("tenant_id","timestamp","id");--> statement-breakpoint
CREATE INDEX "alerts_case_idx" ON "alerts" USING btree ("tenant_id","case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_uq" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_live_name_uq" ON "api_keys" USING btree ("tenant_id","user_id","name") WHERE revoked_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "case_alerts_id_uq" ON "case_alerts" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "case_alerts_alert_idx" ON "case_alerts" USING btree ("tenant_id","alert_id");--> statement-breakpoint
CREATE INDEX "case_entities_case_idx" ON "case_entities" USING btree ("tenant_id","case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "case_filters_name_uq" ON "case_filters" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_number_uq" ON "cases" USING btree ("tenant_id","number");--> statement-breakpoint
CREATE INDEX "cases_updated_idx" ON "cases" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "cases_tenant_updated_idx" ON "cases" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "cases_created_idx" ON "cases" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "cases_number_idx" ON "cases" USING btree ("number","id");--> statement-breakpoint
CREATE INDEX "cases_score_idx" ON "cases" USING btree ("score","id");--> statement-breakpoint
CREATE INDEX "cases_severity_idx" ON "cases" USING btree ("severity_rank","id");--> statement-breakpoint
CREATE INDEX "cases_alert_count_idx" ON "cases" USING btree ("alert_count","id");--> statement-breakpoint
CREATE INDEX "cases_name_idx" ON "cases" USING btree ("name" COLLATE "C","id");--> statement-breakpoint
CREATE INDEX "cases_status_idx" ON "cases" USING btree ("status" COLLATE "C","id");--> statement-breakpoint
CREATE INDEX "cases_creator_idx" ON "cases" USING btree ("creator" COLLATE "C","id");--> statement-breakpoint
CREATE INDEX "cases_assignee_name_idx" ON "cases" USING btree ((coalesce("assignee_name", '')) COLLATE "C","id");--> statement-breakpoint
CREATE INDEX "cases_what_idx" ON "cases" USING btree ((coalesce("what", '')) COLLATE "C","id");--> statement-breakpoint
CREATE INDEX "cases_search_trgm_idx" ON "cases" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "queues_name_uq" ON "queues" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_uq" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_name_uq" ON "tenants" USING btree ("name");--> statement-breakpoint
CREATE INDEX "user_tenants_user_idx" ON "user_tenants" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_login_uq" ON "users" USING btree ("login");