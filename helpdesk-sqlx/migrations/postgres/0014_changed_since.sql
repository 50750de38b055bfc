-- The tickets of a tenant by the time of their last change, as staff see it (internal
-- notes included) and as members see it: a search for tickets changed since a time
-- reads that range, instead of walking the tenant newest first to find the few an old
-- ticket's recent reply brought back (see the store's search).
CREATE INDEX helpdesk_tickets_by_updated ON helpdesk_tickets (tenant_id, updated_at);
CREATE INDEX helpdesk_tickets_by_public_updated
    ON helpdesk_tickets (tenant_id, public_updated_at);
