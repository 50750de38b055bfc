-- Claims and dead letters. A worker claims due messages until `claimed_until` (in
-- nanoseconds, like every instant): nobody else hands them out before then, and a
-- worker that dies leaves claims that simply expire. A message given up on after too
-- many failures is kept with `dead_at` set and never claimed again until an admin
-- retries it. Both are NULL for rows written before this migration: unclaimed and
-- alive, so they are delivered as before.
ALTER TABLE helpdesk_outbox ADD COLUMN claimed_until INTEGER;
ALTER TABLE helpdesk_outbox ADD COLUMN dead_at INTEGER;
-- Dead letters are listed per tenant, most recently dead first.
CREATE INDEX helpdesk_outbox_dead ON helpdesk_outbox (tenant_id, dead_at) WHERE dead_at IS NOT NULL;
