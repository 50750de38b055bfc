-- Every key of a table a tenant owns begins with tenant_id, so the schema can be
-- distributed by tenant (docs/distribution.md). Two tables did not; every row is kept.
--
-- Webhooks: keyed by (tenant_id, id). The plain index on id serves the store's check
-- that no other tenant already has an endpoint of that id.
ALTER TABLE helpdesk_webhooks DROP CONSTRAINT helpdesk_webhooks_pkey;
ALTER TABLE helpdesk_webhooks ADD PRIMARY KEY (tenant_id, id);
CREATE INDEX helpdesk_webhooks_by_id ON helpdesk_webhooks (id);

-- Saved searches: those of staff (no tenant) move to a table of their own, a platform
-- table beside helpdesk_staff; those of members stay, their tenant now required and
-- leading the key.
CREATE TABLE helpdesk_staff_saved_searches (
    id UUID PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    criteria JSONB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX helpdesk_staff_saved_searches_by_owner
    ON helpdesk_staff_saved_searches (owner, name, id);
INSERT INTO helpdesk_staff_saved_searches (id, owner, name, criteria, created_at)
    SELECT id, owner, name, criteria, created_at FROM helpdesk_saved_searches
    WHERE tenant_id IS NULL;
DELETE FROM helpdesk_saved_searches WHERE tenant_id IS NULL;
ALTER TABLE helpdesk_saved_searches DROP CONSTRAINT helpdesk_saved_searches_pkey;
ALTER TABLE helpdesk_saved_searches ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE helpdesk_saved_searches ADD PRIMARY KEY (tenant_id, id);
