"""dialogues/ and knowledge/ as data, loaded into one Domain (domain.py): responses, intents, commands, rules,
forms, slots. What checks them for content editors is `aliat check` (bot/commands/content_check.py)."""
