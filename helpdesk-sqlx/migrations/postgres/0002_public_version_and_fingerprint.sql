-- What requesters and guests observe of a ticket moves only with what they may see:
-- an internal note changes `version` and `updated_at`, not these two.
ALTER TABLE helpdesk_tickets ADD COLUMN public_updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE helpdesk_tickets ADD COLUMN public_version BIGINT NOT NULL DEFAULT 0;
UPDATE helpdesk_tickets SET public_updated_at = updated_at, public_version = version;

-- A digest of the request that opened a ticket with an idempotency key: a retry with
-- the same key and another body is refused instead of answered with the first ticket.
ALTER TABLE helpdesk_tickets ADD COLUMN request_fingerprint TEXT;
