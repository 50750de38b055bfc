-- The kinds of event a person chose not to be told about by notification: topic names
-- separated by commas (`replies,changes`), empty for none.
ALTER TABLE helpdesk_members ADD COLUMN muted TEXT NOT NULL DEFAULT '';
ALTER TABLE helpdesk_staff ADD COLUMN muted TEXT NOT NULL DEFAULT '';
