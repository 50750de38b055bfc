-- The tenant of each ticket and of each attachment, by id: what a caller who holds only
-- an id (a platform admin's `GET /tickets/{id}`, a download link, the reply address of
-- a mail) reads first, to then read the row by its `(tenant_id, id)` key. On one
-- database this replaces the plain indexes on `id` (a table without rowid is one
-- b-tree, as the index was); the same tables on PostgreSQL let a database distributed
-- by tenant route both reads (docs/distribution.md).
--
-- Written in the same statement or transaction as the ticket or attachment row. The
-- primary key also makes a ticket id (or an attachment id) unique across tenants, which
-- the service's ids always were: an open or import that reuses one is refused.
CREATE TABLE helpdesk_ticket_tenants (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO helpdesk_ticket_tenants (id, tenant_id)
    SELECT id, tenant_id FROM helpdesk_tickets;

CREATE TABLE helpdesk_attachment_tenants (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO helpdesk_attachment_tenants (id, tenant_id)
    SELECT id, tenant_id FROM helpdesk_attachments;

DROP INDEX IF EXISTS helpdesk_tickets_by_id;
DROP INDEX IF EXISTS helpdesk_attachments_by_id;
