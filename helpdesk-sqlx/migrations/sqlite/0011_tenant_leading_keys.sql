-- Every key of a table a tenant owns begins with tenant_id, as on PostgreSQL, where the
-- schema can be distributed by tenant (docs/distribution.md). Two tables did not; they
-- are rebuilt (SQLite cannot change a primary key in place) and every row is kept.
--
-- Webhooks: keyed by (tenant_id, id). The plain index on id serves the store's check
-- that no other tenant already has an endpoint of that id.
CREATE TABLE helpdesk_webhooks_keyed (
    tenant_id BLOB NOT NULL REFERENCES helpdesk_tenants (id),
    id BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL,                  -- Webhook, JSON
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO helpdesk_webhooks_keyed (tenant_id, id, created_at, data)
    SELECT tenant_id, id, created_at, data FROM helpdesk_webhooks;
DROP TABLE helpdesk_webhooks;
ALTER TABLE helpdesk_webhooks_keyed RENAME TO helpdesk_webhooks;
CREATE INDEX helpdesk_webhooks_by_tenant ON helpdesk_webhooks (tenant_id, created_at, id);
CREATE INDEX helpdesk_webhooks_by_id ON helpdesk_webhooks (id);

-- Saved searches: those of staff (no tenant) move to a table of their own, beside
-- helpdesk_staff; those of members stay, their tenant now required and leading the key.
CREATE TABLE helpdesk_staff_saved_searches (
    id BLOB PRIMARY KEY NOT NULL,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    criteria TEXT NOT NULL,              -- SearchCriteria, JSON
    created_at INTEGER NOT NULL
);
CREATE INDEX helpdesk_staff_saved_searches_by_owner
    ON helpdesk_staff_saved_searches (owner, name, id);
INSERT INTO helpdesk_staff_saved_searches (id, owner, name, criteria, created_at)
    SELECT id, owner, name, criteria, created_at FROM helpdesk_saved_searches
    WHERE tenant_id IS NULL;
CREATE TABLE helpdesk_saved_searches_keyed (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    criteria TEXT NOT NULL,              -- SearchCriteria, JSON
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO helpdesk_saved_searches_keyed (tenant_id, id, owner, name, criteria, created_at)
    SELECT tenant_id, id, owner, name, criteria, created_at FROM helpdesk_saved_searches
    WHERE tenant_id IS NOT NULL;
DROP TABLE helpdesk_saved_searches;
ALTER TABLE helpdesk_saved_searches_keyed RENAME TO helpdesk_saved_searches;
CREATE INDEX helpdesk_saved_searches_by_owner
    ON helpdesk_saved_searches (tenant_id, owner, name, id);
