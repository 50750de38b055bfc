-- The tenant of each ticket and of each attachment, by id: what a caller who holds only
-- an id (a platform admin's `GET /tickets/{id}`, a download link, the reply address of
-- a mail) reads first, to then read the row by its `(tenant_id, id)` key. On one
-- database this replaces the plain indexes on `id`; distributed by tenant (Citus,
-- docs/distribution.md), these two tables are distributed by `id`, so that both reads
-- go to one shard each instead of asking every shard of the tenant tables.
--
-- Written in the same statement or transaction as the ticket or attachment row. The
-- primary key also makes a ticket id (or an attachment id) unique across tenants, which
-- the service's ids always were: an open or import that reuses one is refused.
CREATE TABLE helpdesk_ticket_tenants (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL
);
INSERT INTO helpdesk_ticket_tenants (id, tenant_id)
    SELECT id, tenant_id FROM helpdesk_tickets ON CONFLICT (id) DO NOTHING;

CREATE TABLE helpdesk_attachment_tenants (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL
);
INSERT INTO helpdesk_attachment_tenants (id, tenant_id)
    SELECT id, tenant_id FROM helpdesk_attachments ON CONFLICT (id) DO NOTHING;

DROP INDEX IF EXISTS helpdesk_tickets_by_id;
DROP INDEX IF EXISTS helpdesk_attachments_by_id;
