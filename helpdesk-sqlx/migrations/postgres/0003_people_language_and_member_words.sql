-- The language a person chose to read the helpdesk in (`fr`, `en`); NULL for everyone
-- until they choose.
ALTER TABLE helpdesk_members ADD COLUMN language TEXT;
ALTER TABLE helpdesk_staff ADD COLUMN language TEXT;

-- The folded words of a member's display name, login and email, each preceded by a
-- space (` elodie martin emartin`), so that finding members by name is one LIKE per
-- word. NULL for rows written before this migration: the store fills them in the first
-- time it looks for members of their tenant.
ALTER TABLE helpdesk_members ADD COLUMN search_words TEXT;
