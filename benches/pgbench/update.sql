-- The ticket row's part of reply.sql alone: its UPDATE, without the event. See
-- BENCHMARKS.md, "What a reply's indexes cost".
\set n random(1, 10000)
UPDATE helpdesk_tickets SET updated_at = (extract(epoch from clock_timestamp())*1e9)::bigint, version = version + 1, public_updated_at = (extract(epoch from clock_timestamp())*1e9)::bigint, public_version = public_version + 1, search_public = search_public || array_to_tsvector('{toujours,bloque,bac}') WHERE number = :n;
