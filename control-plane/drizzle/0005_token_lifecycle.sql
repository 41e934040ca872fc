ALTER TABLE `api_tokens` ADD `parent_id` text REFERENCES api_tokens(id);--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `can_create_tokens` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `revoked_at` integer;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `last_used_at` integer;--> statement-breakpoint
CREATE INDEX `api_tokens_parent_id` ON `api_tokens` (`parent_id`);--> statement-breakpoint
CREATE INDEX `api_tokens_account_id` ON `api_tokens` (`account_id`,`created_at`);