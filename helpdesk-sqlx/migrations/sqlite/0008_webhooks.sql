-- Webhook endpoints a tenant's admins register. The endpoint (URL, event kinds, flags)
-- and its signing secret are one JSON document (`Webhook`): the secret is kept in clear
-- because every delivery is signed with it (HMAC), and is never shown back by the
-- routes. Deliveries go through helpdesk_outbox, one message per endpoint and event.
CREATE TABLE helpdesk_webhooks (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES helpdesk_tenants (id),
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL                   -- Webhook, JSON
);
CREATE INDEX helpdesk_webhooks_by_tenant ON helpdesk_webhooks (tenant_id, created_at, id);
