-- Service levels. A ticket's service-level facts (priority history, pauses while it
-- waited on its requester, first response, resolution, escalations) as JSON, and what
-- search filters on as columns, in nanoseconds like every instant: each target's due
-- date, the instant it becomes due soon, when it was met, and since when the ticket
-- waits on its requester. Rows written before this migration have no facts and no
-- due dates: not tracked until their next change.
ALTER TABLE helpdesk_tickets ADD COLUMN service_level JSONB NOT NULL DEFAULT '{}';
ALTER TABLE helpdesk_tickets ADD COLUMN first_response_due BIGINT;
ALTER TABLE helpdesk_tickets ADD COLUMN first_response_soon BIGINT;
ALTER TABLE helpdesk_tickets ADD COLUMN first_response_at BIGINT;
ALTER TABLE helpdesk_tickets ADD COLUMN resolution_due BIGINT;
ALTER TABLE helpdesk_tickets ADD COLUMN resolution_soon BIGINT;
ALTER TABLE helpdesk_tickets ADD COLUMN resolved_at BIGINT;
ALTER TABLE helpdesk_tickets ADD COLUMN sla_paused_since BIGINT;
-- "Due soon" and "breached" look for tickets by due date within a tenant.
CREATE INDEX helpdesk_tickets_first_response_due ON helpdesk_tickets (tenant_id, first_response_due)
    WHERE first_response_due IS NOT NULL;
CREATE INDEX helpdesk_tickets_resolution_due ON helpdesk_tickets (tenant_id, resolution_due)
    WHERE resolution_due IS NOT NULL;
