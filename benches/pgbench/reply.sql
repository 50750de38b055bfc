-- One reply to a random ticket among the first 10,000 of the database, as the store's
-- PostgreSQL statement writes it: the ticket row's times, versions and public words
-- (every other column unchanged), and the reply's event. See BENCHMARKS.md, "What a
-- reply's indexes cost", for how it is run.
\set n random(1, 10000)
WITH t AS (UPDATE helpdesk_tickets SET updated_at = (extract(epoch from clock_timestamp())*1e9)::bigint, version = version + 1, public_updated_at = (extract(epoch from clock_timestamp())*1e9)::bigint, public_version = public_version + 1, search_public = search_public || array_to_tsvector('{toujours,bloque,bac}') WHERE number = :n RETURNING tenant_id, id, version)
INSERT INTO helpdesk_events (tenant_id, ticket_id, position, id, at, author_kind, author_id, status_from, status_to, kind, visibility, payload) SELECT t.tenant_id, t.id, t.version, gen_random_uuid(), 0, 'member', null, null, null, 'replied', 'public', '{"body":"<p>Toujours bloqué.</p>"}'::jsonb FROM t;
