-- The tenant in the full-text index: each ticket's row carries its tenant as one word
-- (`t` and the tenant id's 32 lowercase hex digits) in a column of its own, and a
-- search in one tenant (or a few) matches that word with the searched ones. FTS5 then
-- intersects the word lists itself: a word common across the database but rare in the
-- tenant reads the tenant's matches only, instead of probing every match's ticket for
-- its tenant. The column was `tenant_id UNINDEXED`; an FTS5 table cannot change a
-- column, so the index is built again (about a minute per million tickets).
CREATE VIRTUAL TABLE helpdesk_ticket_text_by_tenant USING fts5 (
    tenant,                              -- 't' || the tenant id in hex: one word
    head,                                -- subject and description
    public,                              -- public event bodies
    internal,                            -- internal notes
    tokenize = 'ascii',
    detail = 'column'
);
INSERT INTO helpdesk_ticket_text_by_tenant (rowid, tenant, head, public, internal)
    SELECT rowid, 't' || lower(hex(tenant_id)), head, public, internal
    FROM helpdesk_ticket_text;
DROP TABLE helpdesk_ticket_text;
ALTER TABLE helpdesk_ticket_text_by_tenant RENAME TO helpdesk_ticket_text;
