-- Dashboard tallies: the dashboard reads counts kept by triggers instead of counting
-- every ticket of a tenant, so it costs the number of distinct keys (statuses, assignees,
-- groups, months, questions), not the number of tickets.
--
-- Three tables, kept exact by statement-level triggers on helpdesk_tickets and
-- helpdesk_closure_answers, whatever writes them (the service's writes, bulk import,
-- service-level recomputation, a host's own SQL):
--   helpdesk_dashboard_tallies         tickets per (tenant, status, assignee, group,
--                                      approved), with their service-level compliance
--   helpdesk_dashboard_month_tallies   tickets per (tenant, month opened, assignee, group)
--   helpdesk_dashboard_answer_tallies  closure answers of approved tickets per (tenant,
--                                      assignee, group, question, choice): how many, how
--                                      many chose, how many scored and their sum
-- and helpdesk_dashboard_answer_marks, what each approved ticket's answers added to the
-- answer tallies, so that a ticket's answers are taken back exactly as they were counted
-- when the ticket or its answers change (in whatever order one statement writes them).
--
-- No assignee and no group are keyed as the nil UUID (never an id), so that the primary
-- keys cover every row; the store reads them back as NULL. Rows whose counts fall to
-- zero stay (they are few: one per key ever seen).
--
-- Locking: a write adds to the tally rows of the ticket's old and new keys with
-- INSERT ... ON CONFLICT DO UPDATE, in key order, and holds those rows until it commits.
-- Writers of tickets with the same key (same tenant, status, assignee, group, month)
-- queue there, as openings already queue on the tenant's number counter; a write that
-- changes no key (a reply, a note) nets to nothing and touches no tally row.
CREATE TABLE helpdesk_dashboard_tallies (
    tenant_id UUID NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    assignee_id UUID NOT NULL,
    group_id UUID NOT NULL,
    approved BOOLEAN NOT NULL,
    n BIGINT NOT NULL,
    fr_met BIGINT NOT NULL,
    fr_on_time BIGINT NOT NULL,
    res_met BIGINT NOT NULL,
    res_on_time BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, status, assignee_id, group_id, approved)
);

CREATE TABLE helpdesk_dashboard_month_tallies (
    tenant_id UUID NOT NULL,
    created_month BIGINT NOT NULL,
    assignee_id UUID NOT NULL,
    group_id UUID NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, created_month, assignee_id, group_id)
);

CREATE TABLE helpdesk_dashboard_answer_tallies (
    tenant_id UUID NOT NULL,
    assignee_id UUID NOT NULL,
    group_id UUID NOT NULL,
    question_key TEXT COLLATE "C" NOT NULL,
    choice_key TEXT COLLATE "C" NOT NULL,
    n BIGINT NOT NULL,
    chosen BIGINT NOT NULL,
    scored BIGINT NOT NULL,
    score_total BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, assignee_id, group_id, question_key, choice_key)
);

CREATE TABLE helpdesk_dashboard_answer_marks (
    tenant_id UUID NOT NULL,
    ticket_id UUID NOT NULL,
    question_key TEXT COLLATE "C" NOT NULL,
    assignee_id UUID NOT NULL,
    group_id UUID NOT NULL,
    choice_key TEXT COLLATE "C" NOT NULL,
    chosen BIGINT NOT NULL,
    scored BIGINT NOT NULL,
    score BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, question_key)
);

-- What a ticket row adds to the tallies.
CREATE TYPE helpdesk_dashboard_row AS (
    tenant_id UUID,
    id UUID,
    status TEXT,
    assignee_id UUID,
    group_id UUID,
    approved BOOLEAN,
    created_month BIGINT,
    fr_met BIGINT,
    fr_on_time BIGINT,
    res_met BIGINT,
    res_on_time BIGINT
);

-- Takes back what the answers of the given tickets added, then adds them again as the
-- tickets and answers are now (nothing for a ticket not approved). Running it twice
-- for the same ticket changes nothing the second time.
CREATE FUNCTION helpdesk_dashboard_recount_answers(tenants UUID[], tickets UUID[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (
        DELETE FROM helpdesk_dashboard_answer_marks m
        USING unnest(tenants, tickets) AS s(tenant_id, ticket_id)
        WHERE m.tenant_id = s.tenant_id AND m.ticket_id = s.ticket_id
        RETURNING m.*
    )
    INSERT INTO helpdesk_dashboard_answer_tallies AS a
        (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
         score_total)
    SELECT tenant_id, assignee_id, group_id, question_key, choice_key, -COUNT(*),
        -SUM(chosen), -SUM(scored), -SUM(score)
    FROM gone
    GROUP BY tenant_id, assignee_id, group_id, question_key, choice_key
    ORDER BY tenant_id, assignee_id, group_id, question_key, choice_key
    ON CONFLICT (tenant_id, assignee_id, group_id, question_key, choice_key) DO UPDATE
    SET n = a.n + excluded.n, chosen = a.chosen + excluded.chosen,
        scored = a.scored + excluded.scored, score_total = a.score_total + excluded.score_total;

    WITH made AS (
        INSERT INTO helpdesk_dashboard_answer_marks
            (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen,
             scored, score)
        SELECT a.tenant_id, a.ticket_id, a.question_key,
            COALESCE(t.assignee_id, '00000000-0000-0000-0000-000000000000'),
            COALESCE(t.group_id, '00000000-0000-0000-0000-000000000000'),
            COALESCE(a.choice, ''),
            CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
            CASE WHEN a.score IS NULL THEN 0 ELSE 1 END,
            COALESCE(a.score, 0)
        FROM unnest(tenants, tickets) AS s(tenant_id, ticket_id)
        JOIN helpdesk_tickets t ON t.tenant_id = s.tenant_id AND t.id = s.ticket_id
        JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id AND a.ticket_id = t.id
        WHERE t.approved
        RETURNING *
    )
    INSERT INTO helpdesk_dashboard_answer_tallies AS a
        (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
         score_total)
    SELECT tenant_id, assignee_id, group_id, question_key, choice_key, COUNT(*),
        SUM(chosen), SUM(scored), SUM(score)
    FROM made
    GROUP BY tenant_id, assignee_id, group_id, question_key, choice_key
    ORDER BY tenant_id, assignee_id, group_id, question_key, choice_key
    ON CONFLICT (tenant_id, assignee_id, group_id, question_key, choice_key) DO UPDATE
    SET n = a.n + excluded.n, chosen = a.chosen + excluded.chosen,
        scored = a.scored + excluded.scored, score_total = a.score_total + excluded.score_total;
END $$;

-- Applies a change of ticket rows: `olds` taken back, `news` added. Keys whose counts
-- net to zero are not written; the answers of tickets approved before or after whose
-- approval, assignee or group changed, or deleted while approved, are recounted. A new
-- ticket has no answers yet (they reference it): the answers' own trigger counts them,
-- even when one statement writes both, since statement triggers run at its end.
CREATE FUNCTION helpdesk_dashboard_apply(olds helpdesk_dashboard_row[], news helpdesk_dashboard_row[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tenants UUID[];
    tickets UUID[];
BEGIN
    WITH d AS (
        SELECT r.*, -1 AS s FROM unnest(olds) r
        UNION ALL SELECT r.*, 1 AS s FROM unnest(news) r
    ), net AS (
        SELECT tenant_id, status, assignee_id, group_id, approved, SUM(s) AS n,
            SUM(s * fr_met) AS fr_met, SUM(s * fr_on_time) AS fr_on_time,
            SUM(s * res_met) AS res_met, SUM(s * res_on_time) AS res_on_time
        FROM d GROUP BY tenant_id, status, assignee_id, group_id, approved
    )
    INSERT INTO helpdesk_dashboard_tallies AS k
        (tenant_id, status, assignee_id, group_id, approved, n, fr_met, fr_on_time, res_met,
         res_on_time)
    SELECT tenant_id, status, assignee_id, group_id, approved, n, fr_met, fr_on_time,
        res_met, res_on_time
    FROM net
    WHERE n <> 0 OR fr_met <> 0 OR fr_on_time <> 0 OR res_met <> 0 OR res_on_time <> 0
    ORDER BY tenant_id, status, assignee_id, group_id, approved
    ON CONFLICT (tenant_id, status, assignee_id, group_id, approved) DO UPDATE
    SET n = k.n + excluded.n, fr_met = k.fr_met + excluded.fr_met,
        fr_on_time = k.fr_on_time + excluded.fr_on_time, res_met = k.res_met + excluded.res_met,
        res_on_time = k.res_on_time + excluded.res_on_time;

    WITH d AS (
        SELECT r.*, -1 AS s FROM unnest(olds) r
        UNION ALL SELECT r.*, 1 AS s FROM unnest(news) r
    ), net AS (
        SELECT tenant_id, created_month, assignee_id, group_id, SUM(s) AS n
        FROM d GROUP BY tenant_id, created_month, assignee_id, group_id
    )
    INSERT INTO helpdesk_dashboard_month_tallies AS k
        (tenant_id, created_month, assignee_id, group_id, n)
    SELECT tenant_id, created_month, assignee_id, group_id, n
    FROM net WHERE n <> 0
    ORDER BY tenant_id, created_month, assignee_id, group_id
    ON CONFLICT (tenant_id, created_month, assignee_id, group_id) DO UPDATE
    SET n = k.n + excluded.n;

    WITH d AS (
        SELECT r.* FROM unnest(olds) r UNION ALL SELECT r.* FROM unnest(news) r
    ), moved AS (
        SELECT tenant_id, id FROM d GROUP BY tenant_id, id
        HAVING bool_or(approved)
            AND (COUNT(DISTINCT (approved, assignee_id, group_id)) > 1
                 OR (COUNT(*) = 1 AND cardinality(news) = 0))
    )
    SELECT array_agg(tenant_id), array_agg(id) INTO tenants, tickets FROM moved;
    IF tenants IS NOT NULL THEN
        PERFORM helpdesk_dashboard_recount_answers(tenants, tickets);
    END IF;
END $$;

-- The key and compliance counts of a ticket row.
CREATE FUNCTION helpdesk_dashboard_row_of(r helpdesk_tickets)
RETURNS helpdesk_dashboard_row LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(
        r.tenant_id, r.id, r.status,
        COALESCE(r.assignee_id, '00000000-0000-0000-0000-000000000000'),
        COALESCE(r.group_id, '00000000-0000-0000-0000-000000000000'),
        r.approved, r.created_month,
        CASE WHEN r.first_response_due IS NOT NULL AND r.first_response_at IS NOT NULL
            THEN 1 ELSE 0 END,
        CASE WHEN r.first_response_at <= r.first_response_due THEN 1 ELSE 0 END,
        CASE WHEN r.resolution_due IS NOT NULL AND r.resolved_at IS NOT NULL
            THEN 1 ELSE 0 END,
        CASE WHEN r.resolved_at <= r.resolution_due THEN 1 ELSE 0 END
    )::helpdesk_dashboard_row
$$;

CREATE FUNCTION helpdesk_dashboard_tickets_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM helpdesk_dashboard_apply('{}',
        ARRAY(SELECT helpdesk_dashboard_row_of(n) FROM new_rows n));
    RETURN NULL;
END $$;

CREATE FUNCTION helpdesk_dashboard_tickets_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM helpdesk_dashboard_apply(
        ARRAY(SELECT helpdesk_dashboard_row_of(o) FROM old_rows o),
        ARRAY(SELECT helpdesk_dashboard_row_of(n) FROM new_rows n));
    RETURN NULL;
END $$;

CREATE FUNCTION helpdesk_dashboard_tickets_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM helpdesk_dashboard_apply(
        ARRAY(SELECT helpdesk_dashboard_row_of(o) FROM old_rows o), '{}');
    RETURN NULL;
END $$;

CREATE TRIGGER helpdesk_dashboard_tickets_inserted AFTER INSERT ON helpdesk_tickets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_dashboard_tickets_inserted();
CREATE TRIGGER helpdesk_dashboard_tickets_updated AFTER UPDATE ON helpdesk_tickets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_dashboard_tickets_updated();
CREATE TRIGGER helpdesk_dashboard_tickets_deleted AFTER DELETE ON helpdesk_tickets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_dashboard_tickets_deleted();

CREATE FUNCTION helpdesk_dashboard_answers_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM helpdesk_dashboard_recount_answers(array_agg(tenant_id), array_agg(ticket_id))
    FROM (SELECT DISTINCT tenant_id, ticket_id FROM new_rows) s HAVING COUNT(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION helpdesk_dashboard_answers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM helpdesk_dashboard_recount_answers(array_agg(tenant_id), array_agg(ticket_id))
    FROM (SELECT tenant_id, ticket_id FROM old_rows
          UNION SELECT tenant_id, ticket_id FROM new_rows) s HAVING COUNT(*) > 0;
    RETURN NULL;
END $$;

CREATE FUNCTION helpdesk_dashboard_answers_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM helpdesk_dashboard_recount_answers(array_agg(tenant_id), array_agg(ticket_id))
    FROM (SELECT DISTINCT tenant_id, ticket_id FROM old_rows) s HAVING COUNT(*) > 0;
    RETURN NULL;
END $$;

CREATE TRIGGER helpdesk_dashboard_answers_inserted AFTER INSERT ON helpdesk_closure_answers
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_dashboard_answers_inserted();
CREATE TRIGGER helpdesk_dashboard_answers_updated AFTER UPDATE ON helpdesk_closure_answers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_dashboard_answers_changed();
CREATE TRIGGER helpdesk_dashboard_answers_deleted AFTER DELETE ON helpdesk_closure_answers
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_dashboard_answers_deleted();

-- The tallies of the tickets and answers already stored.
INSERT INTO helpdesk_dashboard_tallies
    (tenant_id, status, assignee_id, group_id, approved, n, fr_met, fr_on_time, res_met,
     res_on_time)
SELECT (r).tenant_id, (r).status, (r).assignee_id, (r).group_id, (r).approved, COUNT(*),
    SUM((r).fr_met), SUM((r).fr_on_time), SUM((r).res_met), SUM((r).res_on_time)
FROM (SELECT helpdesk_dashboard_row_of(t) AS r FROM helpdesk_tickets t) s
GROUP BY 1, 2, 3, 4, 5;
INSERT INTO helpdesk_dashboard_month_tallies
    (tenant_id, created_month, assignee_id, group_id, n)
SELECT tenant_id, created_month,
    COALESCE(assignee_id, '00000000-0000-0000-0000-000000000000'),
    COALESCE(group_id, '00000000-0000-0000-0000-000000000000'), COUNT(*)
FROM helpdesk_tickets GROUP BY 1, 2, 3, 4;
INSERT INTO helpdesk_dashboard_answer_marks
    (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen, scored,
     score)
SELECT a.tenant_id, a.ticket_id, a.question_key,
    COALESCE(t.assignee_id, '00000000-0000-0000-0000-000000000000'),
    COALESCE(t.group_id, '00000000-0000-0000-0000-000000000000'),
    COALESCE(a.choice, ''),
    CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
    CASE WHEN a.score IS NULL THEN 0 ELSE 1 END,
    COALESCE(a.score, 0)
FROM helpdesk_closure_answers a
JOIN helpdesk_tickets t ON t.tenant_id = a.tenant_id AND t.id = a.ticket_id
WHERE t.approved;
INSERT INTO helpdesk_dashboard_answer_tallies
    (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
     score_total)
SELECT tenant_id, assignee_id, group_id, question_key, choice_key, COUNT(*), SUM(chosen),
    SUM(scored), SUM(score)
FROM helpdesk_dashboard_answer_marks GROUP BY 1, 2, 3, 4, 5;

-- "Due soon" and "breached" depend on now: they are counted over open tickets with a
-- due date, through this index, in the number of such tickets, not of all tickets.
CREATE INDEX helpdesk_tickets_open_due ON helpdesk_tickets (tenant_id, assignee_id, group_id)
    WHERE status NOT IN ('closed', 'cancelled')
      AND (first_response_due IS NOT NULL OR resolution_due IS NOT NULL);
