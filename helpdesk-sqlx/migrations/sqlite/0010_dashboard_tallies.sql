-- Dashboard tallies: the dashboard reads counts kept by triggers instead of counting
-- every ticket of a tenant, so it costs the number of distinct keys (statuses, assignees,
-- groups, months, questions), not the number of tickets.
--
-- Three tables, kept exact by triggers on helpdesk_tickets and helpdesk_closure_answers,
-- whatever writes them (the service's writes, bulk import, service-level recomputation,
-- a host's own SQL):
--   helpdesk_dashboard_tallies         tickets per (tenant, status, assignee, group,
--                                      approved), with their service-level compliance
--   helpdesk_dashboard_month_tallies   tickets per (tenant, month opened, assignee, group)
--   helpdesk_dashboard_answer_tallies  closure answers of approved tickets per (tenant,
--                                      assignee, group, question, choice): how many, how
--                                      many chose, how many scored and their sum
-- and helpdesk_dashboard_answer_marks, what each approved ticket's answers added to the
-- answer tallies, so that a ticket's answers are taken back exactly as they were counted
-- when the ticket or its answers change.
--
-- No assignee and no group are keyed as sixteen zero bytes (the nil UUID, never an id),
-- so that the primary keys cover every row; the store reads them back as NULL. Rows whose
-- counts fall to zero stay (they are few: one per key ever seen). A write that changes
-- none of the keyed columns (a reply, a note) fires no trigger.
CREATE TABLE helpdesk_dashboard_tallies (
    tenant_id BLOB NOT NULL,
    status TEXT NOT NULL,
    assignee_id BLOB NOT NULL,
    group_id BLOB NOT NULL,
    approved INTEGER NOT NULL,
    n INTEGER NOT NULL,
    fr_met INTEGER NOT NULL,
    fr_on_time INTEGER NOT NULL,
    res_met INTEGER NOT NULL,
    res_on_time INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, status, assignee_id, group_id, approved)
) WITHOUT ROWID;

CREATE TABLE helpdesk_dashboard_month_tallies (
    tenant_id BLOB NOT NULL,
    created_month INTEGER NOT NULL,
    assignee_id BLOB NOT NULL,
    group_id BLOB NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, created_month, assignee_id, group_id)
) WITHOUT ROWID;

CREATE TABLE helpdesk_dashboard_answer_tallies (
    tenant_id BLOB NOT NULL,
    assignee_id BLOB NOT NULL,
    group_id BLOB NOT NULL,
    question_key TEXT NOT NULL,
    choice_key TEXT NOT NULL,
    n INTEGER NOT NULL,
    chosen INTEGER NOT NULL,
    scored INTEGER NOT NULL,
    score_total INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, assignee_id, group_id, question_key, choice_key)
) WITHOUT ROWID;

CREATE TABLE helpdesk_dashboard_answer_marks (
    tenant_id BLOB NOT NULL,
    ticket_id BLOB NOT NULL,
    question_key TEXT NOT NULL,
    assignee_id BLOB NOT NULL,
    group_id BLOB NOT NULL,
    choice_key TEXT NOT NULL,
    chosen INTEGER NOT NULL,
    scored INTEGER NOT NULL,
    score INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, question_key)
) WITHOUT ROWID;

-- The tallies of the tickets and answers already stored (before the triggers exist).
INSERT INTO helpdesk_dashboard_tallies
    (tenant_id, status, assignee_id, group_id, approved, n, fr_met, fr_on_time, res_met,
     res_on_time)
SELECT tenant_id, status, COALESCE(assignee_id, X'00000000000000000000000000000000'), COALESCE(group_id, X'00000000000000000000000000000000'), approved,
    COUNT(*),
    SUM(CASE WHEN first_response_due IS NOT NULL AND first_response_at IS NOT NULL
        THEN 1 ELSE 0 END),
    SUM(CASE WHEN first_response_at <= first_response_due THEN 1 ELSE 0 END),
    SUM(CASE WHEN resolution_due IS NOT NULL AND resolved_at IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN resolved_at <= resolution_due THEN 1 ELSE 0 END)
FROM helpdesk_tickets GROUP BY 1, 2, 3, 4, 5;
INSERT INTO helpdesk_dashboard_month_tallies
    (tenant_id, created_month, assignee_id, group_id, n)
SELECT tenant_id, created_month, COALESCE(assignee_id, X'00000000000000000000000000000000'), COALESCE(group_id, X'00000000000000000000000000000000'),
    COUNT(*)
FROM helpdesk_tickets GROUP BY 1, 2, 3, 4;
INSERT INTO helpdesk_dashboard_answer_marks
    (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen, scored,
     score)
SELECT a.tenant_id, a.ticket_id, a.question_key, COALESCE(t.assignee_id, X'00000000000000000000000000000000'),
    COALESCE(t.group_id, X'00000000000000000000000000000000'), COALESCE(a.choice, ''),
    CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
    CASE WHEN a.score IS NULL THEN 0 ELSE 1 END, COALESCE(a.score, 0)
FROM helpdesk_closure_answers a
JOIN helpdesk_tickets t ON t.tenant_id = a.tenant_id AND t.id = a.ticket_id
WHERE t.approved;
INSERT INTO helpdesk_dashboard_answer_tallies
    (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
     score_total)
SELECT tenant_id, assignee_id, group_id, question_key, choice_key, COUNT(*), SUM(chosen),
    SUM(scored), SUM(score)
FROM helpdesk_dashboard_answer_marks GROUP BY 1, 2, 3, 4, 5;

-- Tickets: their key counted when written, taken back when changed or deleted.
CREATE TRIGGER helpdesk_dashboard_tickets_inserted AFTER INSERT ON helpdesk_tickets
BEGIN
    INSERT INTO helpdesk_dashboard_tallies
        (tenant_id, status, assignee_id, group_id, approved, n, fr_met, fr_on_time, res_met,
         res_on_time)
    VALUES (NEW.tenant_id, NEW.status, COALESCE(NEW.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(NEW.group_id, X'00000000000000000000000000000000'), NEW.approved, 1,
        CASE WHEN NEW.first_response_due IS NOT NULL AND NEW.first_response_at IS NOT NULL
            THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_response_at <= NEW.first_response_due THEN 1 ELSE 0 END,
        CASE WHEN NEW.resolution_due IS NOT NULL AND NEW.resolved_at IS NOT NULL
            THEN 1 ELSE 0 END,
        CASE WHEN NEW.resolved_at <= NEW.resolution_due THEN 1 ELSE 0 END)
    ON CONFLICT (tenant_id, status, assignee_id, group_id, approved) DO UPDATE
    SET n = n + excluded.n, fr_met = fr_met + excluded.fr_met,
        fr_on_time = fr_on_time + excluded.fr_on_time, res_met = res_met + excluded.res_met,
        res_on_time = res_on_time + excluded.res_on_time;
    INSERT INTO helpdesk_dashboard_month_tallies
        (tenant_id, created_month, assignee_id, group_id, n)
    VALUES (NEW.tenant_id, NEW.created_month, COALESCE(NEW.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(NEW.group_id, X'00000000000000000000000000000000'), 1)
    ON CONFLICT (tenant_id, created_month, assignee_id, group_id) DO UPDATE
    SET n = n + excluded.n;
END;

CREATE TRIGGER helpdesk_dashboard_tickets_updated AFTER UPDATE ON helpdesk_tickets
WHEN OLD.status IS NOT NEW.status OR OLD.assignee_id IS NOT NEW.assignee_id
    OR OLD.group_id IS NOT NEW.group_id OR OLD.approved IS NOT NEW.approved
    OR OLD.first_response_due IS NOT NEW.first_response_due
    OR OLD.first_response_at IS NOT NEW.first_response_at
    OR OLD.resolution_due IS NOT NEW.resolution_due OR OLD.resolved_at IS NOT NEW.resolved_at
BEGIN
    INSERT INTO helpdesk_dashboard_tallies
        (tenant_id, status, assignee_id, group_id, approved, n, fr_met, fr_on_time, res_met,
         res_on_time)
    VALUES (OLD.tenant_id, OLD.status, COALESCE(OLD.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(OLD.group_id, X'00000000000000000000000000000000'), OLD.approved, -1,
        -CASE WHEN OLD.first_response_due IS NOT NULL AND OLD.first_response_at IS NOT NULL
            THEN 1 ELSE 0 END,
        -CASE WHEN OLD.first_response_at <= OLD.first_response_due THEN 1 ELSE 0 END,
        -CASE WHEN OLD.resolution_due IS NOT NULL AND OLD.resolved_at IS NOT NULL
            THEN 1 ELSE 0 END,
        -CASE WHEN OLD.resolved_at <= OLD.resolution_due THEN 1 ELSE 0 END)
    ON CONFLICT (tenant_id, status, assignee_id, group_id, approved) DO UPDATE
    SET n = n + excluded.n, fr_met = fr_met + excluded.fr_met,
        fr_on_time = fr_on_time + excluded.fr_on_time, res_met = res_met + excluded.res_met,
        res_on_time = res_on_time + excluded.res_on_time;
    INSERT INTO helpdesk_dashboard_tallies
        (tenant_id, status, assignee_id, group_id, approved, n, fr_met, fr_on_time, res_met,
         res_on_time)
    VALUES (NEW.tenant_id, NEW.status, COALESCE(NEW.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(NEW.group_id, X'00000000000000000000000000000000'), NEW.approved, 1,
        CASE WHEN NEW.first_response_due IS NOT NULL AND NEW.first_response_at IS NOT NULL
            THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_response_at <= NEW.first_response_due THEN 1 ELSE 0 END,
        CASE WHEN NEW.resolution_due IS NOT NULL AND NEW.resolved_at IS NOT NULL
            THEN 1 ELSE 0 END,
        CASE WHEN NEW.resolved_at <= NEW.resolution_due THEN 1 ELSE 0 END)
    ON CONFLICT (tenant_id, status, assignee_id, group_id, approved) DO UPDATE
    SET n = n + excluded.n, fr_met = fr_met + excluded.fr_met,
        fr_on_time = fr_on_time + excluded.fr_on_time, res_met = res_met + excluded.res_met,
        res_on_time = res_on_time + excluded.res_on_time;
END;

CREATE TRIGGER helpdesk_dashboard_tickets_moved AFTER UPDATE ON helpdesk_tickets
WHEN OLD.created_month IS NOT NEW.created_month OR OLD.assignee_id IS NOT NEW.assignee_id
    OR OLD.group_id IS NOT NEW.group_id
BEGIN
    INSERT INTO helpdesk_dashboard_month_tallies
        (tenant_id, created_month, assignee_id, group_id, n)
    VALUES (OLD.tenant_id, OLD.created_month, COALESCE(OLD.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(OLD.group_id, X'00000000000000000000000000000000'), -1)
    ON CONFLICT (tenant_id, created_month, assignee_id, group_id) DO UPDATE
    SET n = n + excluded.n;
    INSERT INTO helpdesk_dashboard_month_tallies
        (tenant_id, created_month, assignee_id, group_id, n)
    VALUES (NEW.tenant_id, NEW.created_month, COALESCE(NEW.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(NEW.group_id, X'00000000000000000000000000000000'), 1)
    ON CONFLICT (tenant_id, created_month, assignee_id, group_id) DO UPDATE
    SET n = n + excluded.n;
END;

CREATE TRIGGER helpdesk_dashboard_tickets_deleted AFTER DELETE ON helpdesk_tickets
BEGIN
    INSERT INTO helpdesk_dashboard_tallies
        (tenant_id, status, assignee_id, group_id, approved, n, fr_met, fr_on_time, res_met,
         res_on_time)
    VALUES (OLD.tenant_id, OLD.status, COALESCE(OLD.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(OLD.group_id, X'00000000000000000000000000000000'), OLD.approved, -1,
        -CASE WHEN OLD.first_response_due IS NOT NULL AND OLD.first_response_at IS NOT NULL
            THEN 1 ELSE 0 END,
        -CASE WHEN OLD.first_response_at <= OLD.first_response_due THEN 1 ELSE 0 END,
        -CASE WHEN OLD.resolution_due IS NOT NULL AND OLD.resolved_at IS NOT NULL
            THEN 1 ELSE 0 END,
        -CASE WHEN OLD.resolved_at <= OLD.resolution_due THEN 1 ELSE 0 END)
    ON CONFLICT (tenant_id, status, assignee_id, group_id, approved) DO UPDATE
    SET n = n + excluded.n, fr_met = fr_met + excluded.fr_met,
        fr_on_time = fr_on_time + excluded.fr_on_time, res_met = res_met + excluded.res_met,
        res_on_time = res_on_time + excluded.res_on_time;
    INSERT INTO helpdesk_dashboard_month_tallies
        (tenant_id, created_month, assignee_id, group_id, n)
    VALUES (OLD.tenant_id, OLD.created_month, COALESCE(OLD.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(OLD.group_id, X'00000000000000000000000000000000'), -1)
    ON CONFLICT (tenant_id, created_month, assignee_id, group_id) DO UPDATE
    SET n = n + excluded.n;
    UPDATE helpdesk_dashboard_answer_tallies
    SET n = helpdesk_dashboard_answer_tallies.n - 1,
        chosen = helpdesk_dashboard_answer_tallies.chosen - m.chosen,
        scored = helpdesk_dashboard_answer_tallies.scored - m.scored,
        score_total = helpdesk_dashboard_answer_tallies.score_total - m.score
    FROM helpdesk_dashboard_answer_marks m
    WHERE m.tenant_id = OLD.tenant_id AND m.ticket_id = OLD.id
      AND helpdesk_dashboard_answer_tallies.tenant_id = m.tenant_id
      AND helpdesk_dashboard_answer_tallies.assignee_id = m.assignee_id
      AND helpdesk_dashboard_answer_tallies.group_id = m.group_id
      AND helpdesk_dashboard_answer_tallies.question_key = m.question_key
      AND helpdesk_dashboard_answer_tallies.choice_key = m.choice_key;
    DELETE FROM helpdesk_dashboard_answer_marks WHERE tenant_id = OLD.tenant_id AND ticket_id = OLD.id;
    INSERT INTO helpdesk_dashboard_answer_marks
        (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen,
         scored, score)
    SELECT a.tenant_id, a.ticket_id, a.question_key, COALESCE(t.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(t.group_id, X'00000000000000000000000000000000'), COALESCE(a.choice, ''),
        CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
        CASE WHEN a.score IS NULL THEN 0 ELSE 1 END, COALESCE(a.score, 0)
    FROM helpdesk_tickets t
    JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id AND a.ticket_id = t.id
    WHERE t.tenant_id = OLD.tenant_id AND t.id = OLD.id AND t.approved;
    INSERT INTO helpdesk_dashboard_answer_tallies
        (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
         score_total)
    SELECT tenant_id, assignee_id, group_id, question_key, choice_key, 1, chosen, scored, score
    FROM helpdesk_dashboard_answer_marks WHERE tenant_id = OLD.tenant_id AND ticket_id = OLD.id
    ON CONFLICT (tenant_id, assignee_id, group_id, question_key, choice_key) DO UPDATE
    SET n = n + excluded.n, chosen = chosen + excluded.chosen,
        scored = scored + excluded.scored, score_total = score_total + excluded.score_total;
END;

-- Answers: a ticket's answers are recounted when they change, and when the ticket is
-- approved or no longer, or moves while approved. Recounting twice changes nothing.
CREATE TRIGGER helpdesk_dashboard_tickets_approved AFTER INSERT ON helpdesk_tickets
WHEN NEW.approved
BEGIN
    UPDATE helpdesk_dashboard_answer_tallies
    SET n = helpdesk_dashboard_answer_tallies.n - 1,
        chosen = helpdesk_dashboard_answer_tallies.chosen - m.chosen,
        scored = helpdesk_dashboard_answer_tallies.scored - m.scored,
        score_total = helpdesk_dashboard_answer_tallies.score_total - m.score
    FROM helpdesk_dashboard_answer_marks m
    WHERE m.tenant_id = NEW.tenant_id AND m.ticket_id = NEW.id
      AND helpdesk_dashboard_answer_tallies.tenant_id = m.tenant_id
      AND helpdesk_dashboard_answer_tallies.assignee_id = m.assignee_id
      AND helpdesk_dashboard_answer_tallies.group_id = m.group_id
      AND helpdesk_dashboard_answer_tallies.question_key = m.question_key
      AND helpdesk_dashboard_answer_tallies.choice_key = m.choice_key;
    DELETE FROM helpdesk_dashboard_answer_marks WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.id;
    INSERT INTO helpdesk_dashboard_answer_marks
        (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen,
         scored, score)
    SELECT a.tenant_id, a.ticket_id, a.question_key, COALESCE(t.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(t.group_id, X'00000000000000000000000000000000'), COALESCE(a.choice, ''),
        CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
        CASE WHEN a.score IS NULL THEN 0 ELSE 1 END, COALESCE(a.score, 0)
    FROM helpdesk_tickets t
    JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id AND a.ticket_id = t.id
    WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.id AND t.approved;
    INSERT INTO helpdesk_dashboard_answer_tallies
        (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
         score_total)
    SELECT tenant_id, assignee_id, group_id, question_key, choice_key, 1, chosen, scored, score
    FROM helpdesk_dashboard_answer_marks WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.id
    ON CONFLICT (tenant_id, assignee_id, group_id, question_key, choice_key) DO UPDATE
    SET n = n + excluded.n, chosen = chosen + excluded.chosen,
        scored = scored + excluded.scored, score_total = score_total + excluded.score_total;
END;

CREATE TRIGGER helpdesk_dashboard_tickets_answers_moved AFTER UPDATE ON helpdesk_tickets
WHEN (OLD.approved OR NEW.approved) AND (OLD.approved IS NOT NEW.approved
    OR OLD.assignee_id IS NOT NEW.assignee_id OR OLD.group_id IS NOT NEW.group_id)
BEGIN
    UPDATE helpdesk_dashboard_answer_tallies
    SET n = helpdesk_dashboard_answer_tallies.n - 1,
        chosen = helpdesk_dashboard_answer_tallies.chosen - m.chosen,
        scored = helpdesk_dashboard_answer_tallies.scored - m.scored,
        score_total = helpdesk_dashboard_answer_tallies.score_total - m.score
    FROM helpdesk_dashboard_answer_marks m
    WHERE m.tenant_id = NEW.tenant_id AND m.ticket_id = NEW.id
      AND helpdesk_dashboard_answer_tallies.tenant_id = m.tenant_id
      AND helpdesk_dashboard_answer_tallies.assignee_id = m.assignee_id
      AND helpdesk_dashboard_answer_tallies.group_id = m.group_id
      AND helpdesk_dashboard_answer_tallies.question_key = m.question_key
      AND helpdesk_dashboard_answer_tallies.choice_key = m.choice_key;
    DELETE FROM helpdesk_dashboard_answer_marks WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.id;
    INSERT INTO helpdesk_dashboard_answer_marks
        (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen,
         scored, score)
    SELECT a.tenant_id, a.ticket_id, a.question_key, COALESCE(t.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(t.group_id, X'00000000000000000000000000000000'), COALESCE(a.choice, ''),
        CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
        CASE WHEN a.score IS NULL THEN 0 ELSE 1 END, COALESCE(a.score, 0)
    FROM helpdesk_tickets t
    JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id AND a.ticket_id = t.id
    WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.id AND t.approved;
    INSERT INTO helpdesk_dashboard_answer_tallies
        (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
         score_total)
    SELECT tenant_id, assignee_id, group_id, question_key, choice_key, 1, chosen, scored, score
    FROM helpdesk_dashboard_answer_marks WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.id
    ON CONFLICT (tenant_id, assignee_id, group_id, question_key, choice_key) DO UPDATE
    SET n = n + excluded.n, chosen = chosen + excluded.chosen,
        scored = scored + excluded.scored, score_total = score_total + excluded.score_total;
END;

CREATE TRIGGER helpdesk_dashboard_answers_inserted AFTER INSERT ON helpdesk_closure_answers
BEGIN
    UPDATE helpdesk_dashboard_answer_tallies
    SET n = helpdesk_dashboard_answer_tallies.n - 1,
        chosen = helpdesk_dashboard_answer_tallies.chosen - m.chosen,
        scored = helpdesk_dashboard_answer_tallies.scored - m.scored,
        score_total = helpdesk_dashboard_answer_tallies.score_total - m.score
    FROM helpdesk_dashboard_answer_marks m
    WHERE m.tenant_id = NEW.tenant_id AND m.ticket_id = NEW.ticket_id
      AND helpdesk_dashboard_answer_tallies.tenant_id = m.tenant_id
      AND helpdesk_dashboard_answer_tallies.assignee_id = m.assignee_id
      AND helpdesk_dashboard_answer_tallies.group_id = m.group_id
      AND helpdesk_dashboard_answer_tallies.question_key = m.question_key
      AND helpdesk_dashboard_answer_tallies.choice_key = m.choice_key;
    DELETE FROM helpdesk_dashboard_answer_marks WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.ticket_id;
    INSERT INTO helpdesk_dashboard_answer_marks
        (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen,
         scored, score)
    SELECT a.tenant_id, a.ticket_id, a.question_key, COALESCE(t.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(t.group_id, X'00000000000000000000000000000000'), COALESCE(a.choice, ''),
        CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
        CASE WHEN a.score IS NULL THEN 0 ELSE 1 END, COALESCE(a.score, 0)
    FROM helpdesk_tickets t
    JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id AND a.ticket_id = t.id
    WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.ticket_id AND t.approved;
    INSERT INTO helpdesk_dashboard_answer_tallies
        (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
         score_total)
    SELECT tenant_id, assignee_id, group_id, question_key, choice_key, 1, chosen, scored, score
    FROM helpdesk_dashboard_answer_marks WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.ticket_id
    ON CONFLICT (tenant_id, assignee_id, group_id, question_key, choice_key) DO UPDATE
    SET n = n + excluded.n, chosen = chosen + excluded.chosen,
        scored = scored + excluded.scored, score_total = score_total + excluded.score_total;
END;

CREATE TRIGGER helpdesk_dashboard_answers_updated AFTER UPDATE ON helpdesk_closure_answers
BEGIN
    UPDATE helpdesk_dashboard_answer_tallies
    SET n = helpdesk_dashboard_answer_tallies.n - 1,
        chosen = helpdesk_dashboard_answer_tallies.chosen - m.chosen,
        scored = helpdesk_dashboard_answer_tallies.scored - m.scored,
        score_total = helpdesk_dashboard_answer_tallies.score_total - m.score
    FROM helpdesk_dashboard_answer_marks m
    WHERE m.tenant_id = OLD.tenant_id AND m.ticket_id = OLD.ticket_id
      AND helpdesk_dashboard_answer_tallies.tenant_id = m.tenant_id
      AND helpdesk_dashboard_answer_tallies.assignee_id = m.assignee_id
      AND helpdesk_dashboard_answer_tallies.group_id = m.group_id
      AND helpdesk_dashboard_answer_tallies.question_key = m.question_key
      AND helpdesk_dashboard_answer_tallies.choice_key = m.choice_key;
    DELETE FROM helpdesk_dashboard_answer_marks WHERE tenant_id = OLD.tenant_id AND ticket_id = OLD.ticket_id;
    INSERT INTO helpdesk_dashboard_answer_marks
        (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen,
         scored, score)
    SELECT a.tenant_id, a.ticket_id, a.question_key, COALESCE(t.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(t.group_id, X'00000000000000000000000000000000'), COALESCE(a.choice, ''),
        CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
        CASE WHEN a.score IS NULL THEN 0 ELSE 1 END, COALESCE(a.score, 0)
    FROM helpdesk_tickets t
    JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id AND a.ticket_id = t.id
    WHERE t.tenant_id = OLD.tenant_id AND t.id = OLD.ticket_id AND t.approved;
    INSERT INTO helpdesk_dashboard_answer_tallies
        (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
         score_total)
    SELECT tenant_id, assignee_id, group_id, question_key, choice_key, 1, chosen, scored, score
    FROM helpdesk_dashboard_answer_marks WHERE tenant_id = OLD.tenant_id AND ticket_id = OLD.ticket_id
    ON CONFLICT (tenant_id, assignee_id, group_id, question_key, choice_key) DO UPDATE
    SET n = n + excluded.n, chosen = chosen + excluded.chosen,
        scored = scored + excluded.scored, score_total = score_total + excluded.score_total;
    UPDATE helpdesk_dashboard_answer_tallies
    SET n = helpdesk_dashboard_answer_tallies.n - 1,
        chosen = helpdesk_dashboard_answer_tallies.chosen - m.chosen,
        scored = helpdesk_dashboard_answer_tallies.scored - m.scored,
        score_total = helpdesk_dashboard_answer_tallies.score_total - m.score
    FROM helpdesk_dashboard_answer_marks m
    WHERE m.tenant_id = NEW.tenant_id AND m.ticket_id = NEW.ticket_id
      AND helpdesk_dashboard_answer_tallies.tenant_id = m.tenant_id
      AND helpdesk_dashboard_answer_tallies.assignee_id = m.assignee_id
      AND helpdesk_dashboard_answer_tallies.group_id = m.group_id
      AND helpdesk_dashboard_answer_tallies.question_key = m.question_key
      AND helpdesk_dashboard_answer_tallies.choice_key = m.choice_key;
    DELETE FROM helpdesk_dashboard_answer_marks WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.ticket_id;
    INSERT INTO helpdesk_dashboard_answer_marks
        (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen,
         scored, score)
    SELECT a.tenant_id, a.ticket_id, a.question_key, COALESCE(t.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(t.group_id, X'00000000000000000000000000000000'), COALESCE(a.choice, ''),
        CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
        CASE WHEN a.score IS NULL THEN 0 ELSE 1 END, COALESCE(a.score, 0)
    FROM helpdesk_tickets t
    JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id AND a.ticket_id = t.id
    WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.ticket_id AND t.approved;
    INSERT INTO helpdesk_dashboard_answer_tallies
        (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
         score_total)
    SELECT tenant_id, assignee_id, group_id, question_key, choice_key, 1, chosen, scored, score
    FROM helpdesk_dashboard_answer_marks WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.ticket_id
    ON CONFLICT (tenant_id, assignee_id, group_id, question_key, choice_key) DO UPDATE
    SET n = n + excluded.n, chosen = chosen + excluded.chosen,
        scored = scored + excluded.scored, score_total = score_total + excluded.score_total;
END;

CREATE TRIGGER helpdesk_dashboard_answers_deleted AFTER DELETE ON helpdesk_closure_answers
BEGIN
    UPDATE helpdesk_dashboard_answer_tallies
    SET n = helpdesk_dashboard_answer_tallies.n - 1,
        chosen = helpdesk_dashboard_answer_tallies.chosen - m.chosen,
        scored = helpdesk_dashboard_answer_tallies.scored - m.scored,
        score_total = helpdesk_dashboard_answer_tallies.score_total - m.score
    FROM helpdesk_dashboard_answer_marks m
    WHERE m.tenant_id = OLD.tenant_id AND m.ticket_id = OLD.ticket_id
      AND helpdesk_dashboard_answer_tallies.tenant_id = m.tenant_id
      AND helpdesk_dashboard_answer_tallies.assignee_id = m.assignee_id
      AND helpdesk_dashboard_answer_tallies.group_id = m.group_id
      AND helpdesk_dashboard_answer_tallies.question_key = m.question_key
      AND helpdesk_dashboard_answer_tallies.choice_key = m.choice_key;
    DELETE FROM helpdesk_dashboard_answer_marks WHERE tenant_id = OLD.tenant_id AND ticket_id = OLD.ticket_id;
    INSERT INTO helpdesk_dashboard_answer_marks
        (tenant_id, ticket_id, question_key, assignee_id, group_id, choice_key, chosen,
         scored, score)
    SELECT a.tenant_id, a.ticket_id, a.question_key, COALESCE(t.assignee_id, X'00000000000000000000000000000000'),
        COALESCE(t.group_id, X'00000000000000000000000000000000'), COALESCE(a.choice, ''),
        CASE WHEN a.choice IS NULL THEN 0 ELSE 1 END,
        CASE WHEN a.score IS NULL THEN 0 ELSE 1 END, COALESCE(a.score, 0)
    FROM helpdesk_tickets t
    JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id AND a.ticket_id = t.id
    WHERE t.tenant_id = OLD.tenant_id AND t.id = OLD.ticket_id AND t.approved;
    INSERT INTO helpdesk_dashboard_answer_tallies
        (tenant_id, assignee_id, group_id, question_key, choice_key, n, chosen, scored,
         score_total)
    SELECT tenant_id, assignee_id, group_id, question_key, choice_key, 1, chosen, scored, score
    FROM helpdesk_dashboard_answer_marks WHERE tenant_id = OLD.tenant_id AND ticket_id = OLD.ticket_id
    ON CONFLICT (tenant_id, assignee_id, group_id, question_key, choice_key) DO UPDATE
    SET n = n + excluded.n, chosen = chosen + excluded.chosen,
        scored = scored + excluded.scored, score_total = score_total + excluded.score_total;
END;

-- "Due soon" and "breached" depend on now: they are counted over open tickets with a
-- due date, through this index, in the number of such tickets, not of all tickets.
CREATE INDEX helpdesk_tickets_open_due ON helpdesk_tickets (tenant_id, assignee_id, group_id)
    WHERE status NOT IN ('closed', 'cancelled')
      AND (first_response_due IS NOT NULL OR resolution_due IS NOT NULL);
