-- Three indexes no statement reads, dropped: every ticket written paid for them.
-- `helpdesk_tickets_by_month`: the dashboard counts months from its tallies (migration
-- 10), and the exact counts of a requester's dashboard walk the requester's tickets.
-- `helpdesk_tickets_first_response_due` and `helpdesk_tickets_resolution_due`: "due
-- soon" and "breached" compare each due date with its own met time and pause, which no
-- range of one due date serves; those searches and counts read the open tickets with a
-- due date (`helpdesk_tickets_open_due`, `helpdesk_tickets_open_due_newest`).
DROP INDEX IF EXISTS helpdesk_tickets_by_month;
DROP INDEX IF EXISTS helpdesk_tickets_first_response_due;
DROP INDEX IF EXISTS helpdesk_tickets_resolution_due;
