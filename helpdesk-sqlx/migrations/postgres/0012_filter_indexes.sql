-- Ordered indexes for the filters a list offers, and for the open tickets of each arm
-- of an agent's list, so that a page and its capped total are walks that stop early,
-- whatever the tenant's size and without planner statistics (see the store's `arms`).
--
-- A search in a scope read as one condition (a tenant admin, a supervisor, the
-- platform), sorted by opening time, walks one index per value of its first filter
-- among category, product, open statuses, priority and status. The trailing status and
-- end time let the other status and archive conditions be checked in the index, before
-- the ticket's row is read (in an index-only scan, once the visibility map is set).
-- They are INCLUDE columns, not keys: as keys, PostgreSQL without statistics turned
-- the archive condition into index conditions, guessed a handful of rows, and read
-- every match through a bitmap to sort them. Tickets without a category or product
-- are in neither of those two indexes.
CREATE INDEX helpdesk_tickets_by_status
    ON helpdesk_tickets (tenant_id, status, created_at DESC, id DESC)
    INCLUDE (ended_at, priority);
CREATE INDEX helpdesk_tickets_by_priority
    ON helpdesk_tickets (tenant_id, priority, created_at DESC, id DESC)
    INCLUDE (status, ended_at);
CREATE INDEX helpdesk_tickets_by_category
    ON helpdesk_tickets (tenant_id, category_id, created_at DESC, id DESC)
    INCLUDE (status, ended_at)
    WHERE category_id IS NOT NULL;
CREATE INDEX helpdesk_tickets_by_product
    ON helpdesk_tickets (tenant_id, product_id, created_at DESC, id DESC)
    INCLUDE (status, ended_at)
    WHERE product_id IS NOT NULL;
-- A requester's, an assignee's and a group's tickets (migration 0009) check status and
-- archiving in the index too.
DROP INDEX helpdesk_tickets_by_requester;
CREATE INDEX helpdesk_tickets_by_requester
    ON helpdesk_tickets (tenant_id, requester_id, created_at DESC, id DESC)
    INCLUDE (status, ended_at);
DROP INDEX helpdesk_tickets_by_assignee;
CREATE INDEX helpdesk_tickets_by_assignee
    ON helpdesk_tickets (tenant_id, assignee_id, created_at DESC, id DESC)
    INCLUDE (status, ended_at);
DROP INDEX helpdesk_tickets_by_group;
CREATE INDEX helpdesk_tickets_by_group
    ON helpdesk_tickets (tenant_id, group_id, created_at DESC, id DESC)
    INCLUDE (status, ended_at);
-- An agent's list of open tickets (the default) walks only open tickets: assigned to
-- them, and of each of their groups or of no group (`group_id IS NULL` is an equality
-- for the index).
CREATE INDEX helpdesk_tickets_open_by_assignee
    ON helpdesk_tickets (tenant_id, assignee_id, created_at DESC, id DESC)
    WHERE status NOT IN ('closed', 'cancelled');
CREATE INDEX helpdesk_tickets_open_by_group
    ON helpdesk_tickets (tenant_id, group_id, created_at DESC, id DESC)
    WHERE status NOT IN ('closed', 'cancelled');
-- A service-level search of open tickets walks the open tickets with a due date, newest
-- first (the dashboard's `helpdesk_tickets_open_due` has the same condition).
CREATE INDEX helpdesk_tickets_open_due_newest
    ON helpdesk_tickets (tenant_id, created_at DESC, id DESC)
    WHERE status NOT IN ('closed', 'cancelled')
      AND (first_response_due IS NOT NULL OR resolution_due IS NOT NULL);
-- The dashboard's "due soon" and "breached" counts (migration 0010's partial index,
-- rebuilt) find every column they read in the index: covering, it stays the planner's
-- choice over the open tickets' indexes above, which hold no due dates.
DROP INDEX helpdesk_tickets_open_due;
CREATE INDEX helpdesk_tickets_open_due
    ON helpdesk_tickets (tenant_id, assignee_id, group_id)
    INCLUDE (status, first_response_due, first_response_soon, first_response_at,
        resolution_due, resolution_soon, resolved_at, sla_paused_since)
    WHERE status NOT IN ('closed', 'cancelled')
      AND (first_response_due IS NOT NULL OR resolution_due IS NOT NULL);
