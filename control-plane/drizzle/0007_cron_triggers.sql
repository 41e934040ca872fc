CREATE TABLE `schedule_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`script_id` text NOT NULL,
	`cron` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`started_at` integer,
	`duration_ms` integer,
	`outcome` text NOT NULL,
	`error` text,
	`version_id` text,
	`output` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `schedule_runs_script` ON `schedule_runs` (`script_id`,`scheduled_at`);--> statement-breakpoint
CREATE TABLE `script_schedules` (
	`script_id` text NOT NULL,
	`cron` text NOT NULL,
	`created_at` integer NOT NULL,
	`modified_at` integer NOT NULL,
	`next_run_at` integer,
	PRIMARY KEY(`script_id`, `cron`)
);
--> statement-breakpoint
CREATE INDEX `script_schedules_next_run` ON `script_schedules` (`next_run_at`);