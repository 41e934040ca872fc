CREATE TABLE `change_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` text NOT NULL,
	`namespace` text NOT NULL,
	`script` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER `scripts_changed_insert` AFTER INSERT ON `scripts` BEGIN
	INSERT INTO `change_events` (`account_id`, `namespace`, `script`, `at`)
	SELECT `account_id`, `name`, NEW.`name`, CAST(unixepoch('subsec') * 1000 AS integer) FROM `dispatch_namespaces` WHERE `id` = NEW.`namespace_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `scripts_changed_update` AFTER UPDATE ON `scripts` BEGIN
	INSERT INTO `change_events` (`account_id`, `namespace`, `script`, `at`)
	SELECT `account_id`, `name`, NEW.`name`, CAST(unixepoch('subsec') * 1000 AS integer) FROM `dispatch_namespaces` WHERE `id` = NEW.`namespace_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `scripts_changed_delete` AFTER DELETE ON `scripts` BEGIN
	INSERT INTO `change_events` (`account_id`, `namespace`, `script`, `at`)
	SELECT `account_id`, `name`, OLD.`name`, CAST(unixepoch('subsec') * 1000 AS integer) FROM `dispatch_namespaces` WHERE `id` = OLD.`namespace_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `namespaces_changed_update` AFTER UPDATE ON `dispatch_namespaces` BEGIN
	INSERT INTO `change_events` (`account_id`, `namespace`, `script`, `at`) VALUES (OLD.`account_id`, OLD.`name`, NULL, CAST(unixepoch('subsec') * 1000 AS integer));
	INSERT INTO `change_events` (`account_id`, `namespace`, `script`, `at`)
	SELECT NEW.`account_id`, NEW.`name`, NULL, CAST(unixepoch('subsec') * 1000 AS integer) WHERE NEW.`name` <> OLD.`name`;
END;
--> statement-breakpoint
CREATE TRIGGER `namespaces_changed_delete` AFTER DELETE ON `dispatch_namespaces` BEGIN
	INSERT INTO `change_events` (`account_id`, `namespace`, `script`, `at`) VALUES (OLD.`account_id`, OLD.`name`, NULL, CAST(unixepoch('subsec') * 1000 AS integer));
END;
