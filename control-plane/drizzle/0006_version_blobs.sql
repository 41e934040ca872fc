CREATE TABLE `version_blobs` (
	`version_id` text NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`version_id`, `kind`, `key`)
);
--> statement-breakpoint
CREATE INDEX `version_blobs_kind_key` ON `version_blobs` (`kind`,`key`);--> statement-breakpoint
CREATE INDEX `version_blobs_account` ON `version_blobs` (`account_id`);--> statement-breakpoint
-- Versions stored before this table existed name their blobs only inside their content.
INSERT OR IGNORE INTO `version_blobs` (`version_id`, `account_id`, `kind`, `key`, `size`)
SELECT v.`id`, n.`account_id`, 'modules', json_extract(m.`value`, '$.blob'), json_extract(m.`value`, '$.size')
FROM `script_versions` v
JOIN `scripts` s ON s.`id` = v.`script_id`
JOIN `dispatch_namespaces` n ON n.`id` = s.`namespace_id`,
json_each(v.`content`, '$.modules') m;
--> statement-breakpoint
INSERT OR IGNORE INTO `version_blobs` (`version_id`, `account_id`, `kind`, `key`, `size`)
SELECT v.`id`, n.`account_id`, 'assets', n.`account_id` || json_extract(a.`value`, '$.hash'), json_extract(a.`value`, '$.size')
FROM `script_versions` v
JOIN `scripts` s ON s.`id` = v.`script_id`
JOIN `dispatch_namespaces` n ON n.`id` = s.`namespace_id`,
json_each(v.`content`, '$.assets.manifest') a;
