CREATE TABLE `script_strikes` (
	`id` text PRIMARY KEY NOT NULL,
	`script_id` text NOT NULL,
	`reason` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`script_id`) REFERENCES `scripts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `script_strikes_script_at` ON `script_strikes` (`script_id`,`at`);--> statement-breakpoint
ALTER TABLE `scripts` ADD `held_until` integer;