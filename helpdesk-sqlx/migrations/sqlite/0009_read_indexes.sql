-- Indexes that carry the reads at a million tickets per tenant, chosen so that the
-- plans are right without planner statistics (a fresh table, autovacuum off) and under
-- PostgreSQL's generic plans:
--
-- Every list arm is an equality on the leading columns of an index ordered newest
-- first, so a page walks the index from the cursor and stops at the page size:
--   the tenant's tickets      helpdesk_tickets_newest (tenant_id, created_at, id), as before
--   a requester's own         helpdesk_tickets_by_requester (.., requester_id, created_at, id)
--   tickets assigned to one   helpdesk_tickets_by_assignee (.., assignee_id, created_at, id)
--   tickets of one group      helpdesk_tickets_by_group (.., group_id, created_at, id)
--   tickets of no group       helpdesk_tickets_unrouted (tenant_id, created_at, id) WHERE group_id IS NULL
--   tickets one is a guest on helpdesk_ticket_guests_by_member (.., member_id, ticket_id), covering
--   open tickets (the default)  helpdesk_tickets_open (tenant_id, created_at, id)
--                             WHERE status NOT IN ('closed', 'cancelled'): the default
--                             list's page and its total, which the store writes with
--                             exactly this condition
-- The three replaced indexes had the same leading columns without the order.
--
-- The by-status index goes: no list needs it (statuses filter while walking the newest
-- index), and without statistics PostgreSQL preferred it and sorted the whole tenant
-- for every list page. The closures due (pending closures by proposal time) have their
-- own partial index instead.
DROP INDEX helpdesk_tickets_by_status;
CREATE INDEX helpdesk_tickets_pending_closure ON helpdesk_tickets (tenant_id, proposed_at)
    WHERE proposed_at IS NOT NULL;
DROP INDEX helpdesk_tickets_by_requester;
CREATE INDEX helpdesk_tickets_by_requester
    ON helpdesk_tickets (tenant_id, requester_id, created_at DESC, id DESC);
DROP INDEX helpdesk_tickets_by_assignee;
CREATE INDEX helpdesk_tickets_by_assignee
    ON helpdesk_tickets (tenant_id, assignee_id, created_at DESC, id DESC);
DROP INDEX helpdesk_tickets_by_group;
CREATE INDEX helpdesk_tickets_by_group
    ON helpdesk_tickets (tenant_id, group_id, created_at DESC, id DESC);
CREATE INDEX helpdesk_tickets_unrouted ON helpdesk_tickets (tenant_id, created_at DESC, id DESC)
    WHERE group_id IS NULL;
CREATE INDEX helpdesk_tickets_open ON helpdesk_tickets (tenant_id, created_at DESC, id DESC)
    WHERE status NOT IN ('closed', 'cancelled');
DROP INDEX helpdesk_ticket_guests_by_member;
CREATE INDEX helpdesk_ticket_guests_by_member
    ON helpdesk_ticket_guests (tenant_id, member_id, ticket_id);
