CREATE TABLE `script_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`script_id` text NOT NULL,
	`version_id` text NOT NULL,
	`at` integer NOT NULL,
	`level` text NOT NULL,
	`message` text NOT NULL,
	`outcome` text,
	`url` text,
	FOREIGN KEY (`script_id`) REFERENCES `scripts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `script_logs_script_id` ON `script_logs` (`script_id`,`id`);