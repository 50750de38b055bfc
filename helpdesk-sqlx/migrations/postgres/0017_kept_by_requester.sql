-- A requester's tickets by their end time, the largest time for those not ended: the
-- tickets the archive rule keeps are one range of it (the open ones and those ended
-- since the archive limit), the open ones one value. A `contains` search in a
-- requester's own tickets counts its total there (the store's `search::probed`):
-- walked newest first, every ticket of a requester's history was read, archived or
-- not, one heap page each, to count the few the search finds.
--
-- An expression, not `ended_at` itself: no other statement writes it, so the planner
-- never takes this index for a list walked newest first (`ended_at` as a key of the
-- requester's index made PostgreSQL without statistics read every match through a
-- bitmap and sort them, migration 0012).
CREATE INDEX helpdesk_tickets_kept_by_requester
    ON helpdesk_tickets (tenant_id, requester_id, (COALESCE(ended_at, 9223372036854775807)));
