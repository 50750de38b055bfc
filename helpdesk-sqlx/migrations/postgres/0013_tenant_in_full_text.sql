-- The tenant in the full-text indexes: each ticket's searchable vector, as the GIN
-- indexes hold it, has one more lexeme, '#' and the ticket's tenant id, and a search in
-- one tenant (or a few) asks for it beside the searched words. GIN then intersects the
-- lists itself: a word common across the database but rare in the tenant reads the
-- tenant's matches only, instead of every match's row to check its tenant. No search
-- word can match the lexeme: search words are letters and digits, it begins with '#'.
-- The stored vectors are unchanged; only the two indexes are built again.
DROP INDEX helpdesk_tickets_text_public;
DROP INDEX helpdesk_tickets_text_all;
CREATE INDEX helpdesk_tickets_text_public ON helpdesk_tickets
    USING GIN ((search_head || search_public || array_to_tsvector(ARRAY['#' || tenant_id::text])));
CREATE INDEX helpdesk_tickets_text_all ON helpdesk_tickets
    USING GIN ((search_head || search_public || search_internal
        || array_to_tsvector(ARRAY['#' || tenant_id::text])));
