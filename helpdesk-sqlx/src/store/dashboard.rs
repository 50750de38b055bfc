//! The dashboard's counts, read from the tallies that triggers keep (migration 0010):
//! by status, opened per month, satisfaction and service levels, and the per-agent and
//! per-group breakdown, each within the query's scope.
//!
//! The tallies count tickets per (tenant, status, assignee, group, approved) with their
//! service-level compliance, per (tenant, month opened, assignee, group), and approved
//! closures' answers per (tenant, assignee, group, question, choice). A dashboard reads
//! as many rows as there are keys in scope, whatever the number of tickets. They are
//! kept by triggers on `helpdesk_tickets` and `helpdesk_closure_answers`, so every write
//! (the ports, bulk import, a host's own SQL) keeps them exact; on PostgreSQL a write
//! holds the tally rows of the keys it changes until it commits, so writers of tickets
//! of the same key queue there, as openings queue on the tenant's number counter.
//!
//! The visibility scope applies to tally rows as to tickets (tenant, assignee and group
//! are keys), except a requester's own and guest tickets, which no tally keys: those
//! scopes are counted from the tickets ([`super::dashboard_exact`]). "Due soon" and
//! "breached" depend on now: they are counted over the open tickets with a due date
//! (partial index `helpdesk_tickets_open_due`), not over every ticket.

use std::collections::BTreeMap;

use helpdesk_core::search::SlaFilter;
use helpdesk_core::{
    AgentLine, Breakdown, Compliance, Dashboard, DashboardQuery, GroupId, GroupLine, LineCounts,
    MonthCount, Scope, StaffId, Status, StoreResult,
};

use super::dashboard_exact::{self as exact, push_dashboard_filters};
use super::{db, store_err};
use crate::backend::{Exec, RowExt};
use crate::codec;
use crate::query;
use crate::sql::Sql;

/// Whether the tallies can count in `scope`: every scope but a requester's own and
/// guest tickets (requesters and guests are no tally key).
pub(super) fn tallied(scope: &Scope) -> bool {
    !matches!(
        scope,
        Scope::Requester {
            whole_tenant: false,
            ..
        }
    )
}

/// Appends `(SELECT ... FROM table) t`: the tally rows with no assignee and no group
/// (keyed as the nil UUID) read back as NULL, so the scope reads them as it reads
/// tickets. `columns` are the other columns.
fn push_tally(sql: &mut Sql, columns: &'static str, table: &'static str) {
    sql.push(" (SELECT tenant_id, NULLIF(assignee_id, ")
        .bind(uuid::Uuid::nil())
        .push(") AS assignee_id, NULLIF(group_id, ")
        .bind(uuid::Uuid::nil())
        .push(") AS group_id, ")
        .push(columns)
        .push(" FROM ")
        .push(table)
        .push(") t");
}

/// The ticket tallies' columns.
const TICKET_COLUMNS: &str = "status, approved, n, fr_met, fr_on_time, res_met, res_on_time";
/// The answer tallies' columns.
const ANSWER_COLUMNS: &str = "question_key, choice_key, n, chosen, scored, score_total";

/// The first statement of [`count_tickets`]: per status, the tickets in scope, their
/// approved closures and service-level compliance (kind 0); per month of the query's
/// window, the tickets opened (kind 1).
pub(super) fn tally_counts(query: &DashboardQuery) -> Sql {
    let first_index = codec::index_of_month(query.first_month());
    let last_index = first_index + i64::from(query.months) - 1;
    let mut sql = Sql::new(
        "SELECT 0 AS kind, t.status AS status, CAST(NULL AS BIGINT) AS month, \
         CAST(SUM(t.n) AS BIGINT) AS n, \
         CAST(SUM(CASE WHEN t.approved THEN t.n ELSE 0 END) AS BIGINT) AS answered, \
         CAST(SUM(t.fr_met) AS BIGINT) AS fr_met, \
         CAST(SUM(t.fr_on_time) AS BIGINT) AS fr_on_time, \
         CAST(SUM(t.res_met) AS BIGINT) AS res_met, \
         CAST(SUM(t.res_on_time) AS BIGINT) AS res_on_time FROM",
    );
    push_tally(&mut sql, TICKET_COLUMNS, "helpdesk_dashboard_tallies");
    sql.push(" WHERE 1 = 1");
    push_dashboard_filters(&mut sql, query);
    sql.push(
        " GROUP BY t.status UNION ALL \
         SELECT 1, NULL, t.created_month, CAST(SUM(t.n) AS BIGINT), 0, 0, 0, 0, 0 FROM",
    );
    push_tally(
        &mut sql,
        "created_month, n",
        "helpdesk_dashboard_month_tallies",
    );
    sql.push(" WHERE t.created_month >= ")
        .bind(first_index)
        .push(" AND t.created_month <= ")
        .bind(last_index);
    push_dashboard_filters(&mut sql, query);
    sql.push(" GROUP BY t.created_month");
    sql
}

/// The second statement of [`count_tickets`]: the open tickets in scope due soon and
/// breached now, read through the partial index of open tickets with a due date (whose
/// condition this repeats word for word, so both databases take it).
pub(super) fn due_counts(query: &DashboardQuery) -> Sql {
    let now = codec::nanos_clamped(query.now);
    let mut sql = Sql::new("SELECT COUNT(CASE WHEN 1 = 1");
    query::push_sla(&mut sql, SlaFilter::DueSoon, now);
    sql.push(" THEN 1 END) AS due_soon, COUNT(CASE WHEN 1 = 1");
    query::push_sla(&mut sql, SlaFilter::Breached, now);
    sql.push(" THEN 1 END) AS breached FROM helpdesk_tickets t WHERE 1 = 1")
        .push(query::OPEN)
        .push(query::DUE);
    push_dashboard_filters(&mut sql, query);
    sql
}

/// The tickets in scope per status (every status listed), opened each month of the
/// query's window (every month listed), their approved closures, and their service
/// levels: two statements, the tallies then the open tickets with a due date.
pub(super) async fn count_tickets<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    dashboard: &mut Dashboard,
) -> StoreResult<()> {
    let first_index = codec::index_of_month(query.first_month());
    let last_index = first_index + i64::from(query.months) - 1;
    for status in Status::ALL {
        dashboard.by_status.insert(status, 0);
    }
    let mut opened = BTreeMap::new();
    let (mut fr, mut res) = ((0, 0), (0, 0));
    for row in &conn.fetch_all(tally_counts(query)).await.map_err(db)? {
        let count =
            |col: &str| -> StoreResult<u64> { Ok(codec::unsigned(row.i64(col)?, "count")?) };
        if let Some(month) = row.opt_i64("month")? {
            *opened.entry(month).or_insert(0) += count("n")?;
            continue;
        }
        let status: Status = codec::parse_enum(row.text("status")?).map_err(store_err)?;
        *dashboard.by_status.entry(status).or_default() += count("n")?;
        dashboard.satisfaction.answered += count("answered")?;
        fr = (fr.0 + count("fr_on_time")?, fr.1 + count("fr_met")?);
        res = (res.0 + count("res_on_time")?, res.1 + count("res_met")?);
    }
    dashboard.service_levels.first_response = Compliance::new(fr.0, fr.1);
    dashboard.service_levels.resolution = Compliance::new(res.0, res.1);
    if let Some(row) = conn.fetch_optional(due_counts(query)).await.map_err(db)? {
        dashboard.service_levels.due_soon = codec::unsigned(row.i64("due_soon")?, "count")?;
        dashboard.service_levels.breached = codec::unsigned(row.i64("breached")?, "count")?;
    }
    for index in first_index..=last_index {
        dashboard.opened_per_month.push(MonthCount {
            month: codec::month_of_index(index),
            opened: opened.get(&index).copied().unwrap_or(0),
        });
    }
    Ok(())
}

/// The statement of [`count_satisfaction`]: the overall score's count and sum (kind 0,
/// each tenant's score question as its tenant row records), then each choice
/// question's options chosen (kind 1), over approved closures in scope.
pub(super) fn answer_counts(query: &DashboardQuery) -> Sql {
    let mut sql = Sql::new(
        "SELECT 0 AS kind, CAST(NULL AS TEXT) AS question, CAST(NULL AS TEXT) AS choice, \
         CAST(COALESCE(SUM(t.scored), 0) AS BIGINT) AS n, \
         CAST(COALESCE(SUM(t.score_total), 0) AS BIGINT) AS total FROM",
    );
    push_tally(
        &mut sql,
        ANSWER_COLUMNS,
        "helpdesk_dashboard_answer_tallies",
    );
    sql.push(
        " JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE t.question_key = tn.score_key",
    );
    push_dashboard_filters(&mut sql, query);
    sql.push(
        " UNION ALL SELECT 1, t.question_key, t.choice_key, CAST(SUM(t.chosen) AS BIGINT), 0 \
         FROM",
    );
    push_tally(
        &mut sql,
        ANSWER_COLUMNS,
        "helpdesk_dashboard_answer_tallies",
    );
    sql.push(
        " JOIN helpdesk_tenant_choice_questions q ON q.tenant_id = t.tenant_id \
         AND q.question_key = t.question_key WHERE 1 = 1",
    );
    push_dashboard_filters(&mut sql, query);
    sql.push(" GROUP BY t.question_key, t.choice_key HAVING SUM(t.chosen) > 0");
    sql
}

/// The approved closures' average score and choices in scope (how many closures were
/// approved is counted by [`count_tickets`]): one statement.
pub(super) async fn count_satisfaction<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    dashboard: &mut Dashboard,
) -> StoreResult<()> {
    for row in &conn.fetch_all(answer_counts(query)).await.map_err(db)? {
        let n = row.i64("n")?;
        match (row.opt_text("question")?, row.opt_text("choice")?) {
            (Some(question), Some(choice)) => {
                *dashboard
                    .satisfaction
                    .choices
                    .entry(question)
                    .or_default()
                    .entry(choice)
                    .or_default() += codec::unsigned(n, "count")?;
            }
            _ if n > 0 => {
                dashboard.satisfaction.average_score = Some(row.i64("total")? as f64 / n as f64);
            }
            _ => {}
        }
    }
    Ok(())
}

/// The lines of one breakdown list, keyed by `column` (`t.assignee_id` or
/// `t.group_id`): two grouped statements over the tallies, counts and approved
/// closures per key and status, then the overall score's count and sum per key. Only
/// keys with tickets are listed.
pub(super) async fn breakdown_lines<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    column: &'static str,
) -> StoreResult<BTreeMap<Option<uuid::Uuid>, LineCounts>> {
    let mut lines: BTreeMap<Option<uuid::Uuid>, LineCounts> = BTreeMap::new();
    let mut sql = Sql::new("SELECT ");
    sql.push(column).push(
        " AS k, t.status AS status, CAST(SUM(t.n) AS BIGINT) AS n, \
         CAST(SUM(CASE WHEN t.approved THEN t.n ELSE 0 END) AS BIGINT) AS answered FROM",
    );
    push_tally(&mut sql, TICKET_COLUMNS, "helpdesk_dashboard_tallies");
    sql.push(" WHERE 1 = 1");
    push_dashboard_filters(&mut sql, query);
    sql.push(" GROUP BY ")
        .push(column)
        .push(", t.status HAVING SUM(t.n) > 0");
    for row in &conn.fetch_all(sql).await.map_err(db)? {
        let status: Status = codec::parse_enum(row.text("status")?).map_err(store_err)?;
        let line = lines
            .entry(row.opt_uuid("k")?)
            .or_insert_with(LineCounts::zero);
        line.by_status
            .insert(status, codec::unsigned(row.i64("n")?, "count")?);
        line.answered += codec::unsigned(row.i64("answered")?, "count")?;
    }
    let mut sql = Sql::new("SELECT ");
    sql.push(column).push(
        " AS k, CAST(SUM(t.scored) AS BIGINT) AS scored, \
         CAST(SUM(t.score_total) AS BIGINT) AS total FROM",
    );
    push_tally(
        &mut sql,
        ANSWER_COLUMNS,
        "helpdesk_dashboard_answer_tallies",
    );
    sql.push(
        " JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE t.question_key = tn.score_key",
    );
    push_dashboard_filters(&mut sql, query);
    sql.push(" GROUP BY ")
        .push(column)
        .push(" HAVING SUM(t.scored) > 0");
    for row in &conn.fetch_all(sql).await.map_err(db)? {
        if let Some(line) = lines.get_mut(&row.opt_uuid("k")?) {
            line.average_score = Some(row.i64("total")? as f64 / row.i64("scored")? as f64);
        }
    }
    Ok(lines)
}

/// The dashboard: from the tallies, or counted from the tickets when `exact` (three
/// statements either way).
pub(super) async fn dashboard<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    exact: bool,
) -> StoreResult<Dashboard> {
    let mut dashboard = Dashboard::default();
    if exact {
        exact::count_tickets(conn, query, &mut dashboard).await?;
        exact::count_satisfaction(conn, query, &mut dashboard).await?;
    } else {
        count_tickets(conn, query, &mut dashboard).await?;
        count_satisfaction(conn, query, &mut dashboard).await?;
    }
    Ok(dashboard)
}

/// The breakdown per agent and per group: from the tallies, or counted from the tickets
/// when `exact` (four statements either way).
pub(super) async fn breakdown<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    exact: bool,
) -> StoreResult<Breakdown> {
    let (agents, groups) = if exact {
        (
            exact::breakdown_lines(conn, query, "t.assignee_id").await?,
            exact::breakdown_lines(conn, query, "t.group_id").await?,
        )
    } else {
        (
            breakdown_lines(conn, query, "t.assignee_id").await?,
            breakdown_lines(conn, query, "t.group_id").await?,
        )
    };
    let mut breakdown = Breakdown {
        by_agent: agents
            .into_iter()
            .map(|(k, counts)| AgentLine {
                agent: k.map(StaffId::from_uuid),
                name: String::new(),
                counts,
            })
            .collect(),
        by_group: groups
            .into_iter()
            .map(|(k, counts)| GroupLine {
                group: k.map(GroupId::from_uuid),
                name: String::new(),
                counts,
            })
            .collect(),
    };
    breakdown.sort_lines();
    Ok(breakdown)
}

impl<D: crate::backend::Dialect> super::SqlStore<D> {
    /// For tests and benches: the dashboard counted from the tickets themselves (every
    /// ticket in scope read), the reference the tallies are checked against.
    #[doc(hidden)]
    pub async fn dashboard_counted(&self, query: &DashboardQuery) -> StoreResult<Dashboard> {
        dashboard(&mut self.conn(), query, true).await
    }

    /// For tests and benches: the breakdown counted from the tickets themselves.
    #[doc(hidden)]
    pub async fn dashboard_breakdown_counted(
        &self,
        query: &DashboardQuery,
    ) -> StoreResult<Breakdown> {
        breakdown(&mut self.conn(), query, true).await
    }
}
