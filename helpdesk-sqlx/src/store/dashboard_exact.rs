//! The dashboard's counts read from the tickets themselves: by status, opened per month,
//! satisfaction and service levels, and the per-agent and per-group breakdown, each
//! within the query's scope. They read every ticket in scope; the store runs them only
//! for the scopes the tallies cannot express (a requester's own and guest tickets, see
//! [`super::dashboard`]), and tests compare the tallies with them.

use std::collections::BTreeMap;

use helpdesk_core::search::SlaFilter;
use helpdesk_core::{Dashboard, DashboardQuery, LineCounts, MonthCount, Status, StoreResult};

use super::{db, store_err};
use crate::backend::{Exec, RowExt};
use crate::codec::{self};
use crate::query;
use crate::sql::Sql;

/// A dashboard query: `head`, the scope of `query` (who may see which tickets, its tenant
/// and assignee filters), then `tail`.
fn scoped(query: &DashboardQuery, head: &'static str, tail: &'static str) -> Sql {
    let mut sql = Sql::new(head);
    push_dashboard_filters(&mut sql, query);
    sql.push(tail);
    sql
}

/// The scope of a dashboard query and its tenant and assignee filters.
pub(super) fn push_dashboard_filters(sql: &mut Sql, query: &DashboardQuery) {
    query::push_scope(sql, &query.scope);
    if let Some(tenant) = query.tenant {
        sql.push(" AND t.tenant_id = ").bind(tenant.as_uuid());
    }
    if let Some(assignee) = query.assignee {
        sql.push(" AND t.assignee_id = ").bind(assignee.as_uuid());
    }
}

/// The lines of one breakdown list, keyed by `column` (`t.assignee_id` or
/// `t.group_id`): two grouped statements, counts per key and status, then approved
/// closures per key with the sum and count of their overall scores.
pub(super) async fn breakdown_lines<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    column: &'static str,
) -> StoreResult<BTreeMap<Option<uuid::Uuid>, LineCounts>> {
    let mut lines: BTreeMap<Option<uuid::Uuid>, LineCounts> = BTreeMap::new();
    let mut sql = Sql::new("SELECT ");
    sql.push(column)
        .push(" AS k, t.status AS status, COUNT(*) AS n FROM helpdesk_tickets t WHERE 1 = 1");
    push_dashboard_filters(&mut sql, query);
    sql.push(" GROUP BY ").push(column).push(", t.status");
    for row in &conn.fetch_all(sql).await.map_err(db)? {
        let status: Status = codec::parse_enum(row.text("status")?).map_err(store_err)?;
        lines
            .entry(row.opt_uuid("k")?)
            .or_insert_with(LineCounts::zero)
            .by_status
            .insert(status, codec::unsigned(row.i64("n")?, "count")?);
    }
    let mut sql = Sql::new("SELECT ");
    sql.push(column).push(
        " AS k, COUNT(*) AS answered, COUNT(a.score) AS scored, \
         CAST(COALESCE(SUM(a.score), 0) AS BIGINT) AS total \
         FROM helpdesk_tickets t \
         JOIN helpdesk_tenants tn ON tn.id = t.tenant_id \
         LEFT JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id \
         AND a.ticket_id = t.id AND a.question_key = tn.score_key AND a.score IS NOT NULL \
         WHERE t.approved = TRUE",
    );
    push_dashboard_filters(&mut sql, query);
    sql.push(" GROUP BY ").push(column);
    for row in &conn.fetch_all(sql).await.map_err(db)? {
        let line = lines
            .entry(row.opt_uuid("k")?)
            .or_insert_with(LineCounts::zero);
        line.answered = codec::unsigned(row.i64("answered")?, "count")?;
        let scored = row.i64("scored")?;
        if scored > 0 {
            line.average_score = Some(row.i64("total")? as f64 / scored as f64);
        }
    }
    Ok(lines)
}

/// The statement of [`count_tickets`]: per status and month of opening in the query's
/// window, the tickets in scope and their service-level counts.
pub(super) fn tickets_counts(query: &DashboardQuery) -> Sql {
    let first_index = codec::index_of_month(query.first_month());
    let last_index = first_index + i64::from(query.months) - 1;
    let now = codec::nanos_clamped(query.now);
    let mut sql = Sql::new("SELECT t.status AS status, CASE WHEN t.created_month >= ");
    sql.bind(first_index)
        .push(" AND t.created_month <= ")
        .bind(last_index)
        .push(
            " THEN t.created_month END AS month, COUNT(*) AS n, \
             COUNT(CASE WHEN t.first_response_due IS NOT NULL \
               AND t.first_response_at IS NOT NULL THEN 1 END) AS fr_met, \
             COUNT(CASE WHEN t.first_response_at <= t.first_response_due THEN 1 END) AS fr_on_time, \
             COUNT(CASE WHEN t.resolution_due IS NOT NULL \
               AND t.resolved_at IS NOT NULL THEN 1 END) AS res_met, \
             COUNT(CASE WHEN t.resolved_at <= t.resolution_due THEN 1 END) AS res_on_time, \
             COUNT(CASE WHEN 1 = 1",
        );
    query::push_sla(&mut sql, SlaFilter::DueSoon, now);
    sql.push(" THEN 1 END) AS due_soon, COUNT(CASE WHEN 1 = 1");
    query::push_sla(&mut sql, SlaFilter::Breached, now);
    sql.push(" THEN 1 END) AS breached FROM helpdesk_tickets t WHERE 1 = 1");
    push_dashboard_filters(&mut sql, query);
    sql.push(" GROUP BY 1, 2");
    sql
}

/// The tickets in scope per status (every status listed), opened each month of the
/// query's window (every month listed), and their service levels (compliance per
/// target, open tickets due soon and breached): one grouped statement, one reading of
/// the tickets in scope, a row per status and month.
pub(super) async fn count_tickets<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    dashboard: &mut Dashboard,
) -> StoreResult<()> {
    let first_index = codec::index_of_month(query.first_month());
    let last_index = first_index + i64::from(query.months) - 1;
    let sql = tickets_counts(query);
    for status in Status::ALL {
        dashboard.by_status.insert(status, 0);
    }
    let mut opened = BTreeMap::new();
    let (mut fr, mut res) = ((0, 0), (0, 0));
    for row in &conn.fetch_all(sql).await.map_err(db)? {
        let count =
            |col: &str| -> StoreResult<u64> { Ok(codec::unsigned(row.i64(col)?, "count")?) };
        let status: Status = codec::parse_enum(row.text("status")?).map_err(store_err)?;
        let n = count("n")?;
        *dashboard.by_status.entry(status).or_default() += n;
        if let Some(month) = row.opt_i64("month")? {
            *opened.entry(month).or_insert(0) += n;
        }
        fr = (fr.0 + count("fr_on_time")?, fr.1 + count("fr_met")?);
        res = (res.0 + count("res_on_time")?, res.1 + count("res_met")?);
        // Due soon and breached count open tickets only.
        if Status::OPEN.contains(&status) {
            dashboard.service_levels.due_soon += count("due_soon")?;
            dashboard.service_levels.breached += count("breached")?;
        }
    }
    dashboard.service_levels.first_response = helpdesk_core::Compliance::new(fr.0, fr.1);
    dashboard.service_levels.resolution = helpdesk_core::Compliance::new(res.0, res.1);
    for index in first_index..=last_index {
        dashboard.opened_per_month.push(MonthCount {
            month: codec::month_of_index(index),
            opened: opened.get(&index).copied().unwrap_or(0),
        });
    }
    Ok(())
}

/// The approved closures in scope: how many and their average score (one statement),
/// their choices (another).
pub(super) async fn count_satisfaction<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    dashboard: &mut Dashboard,
) -> StoreResult<()> {
    // The overall score is each tenant's first score question, as its tenant row
    // records (at most one answer per ticket); the average is computed from the exact
    // sum and count.
    let answered = conn
        .fetch_optional(scoped(
            query,
            "SELECT COUNT(*) AS n, COUNT(a.score) AS scored, \
             CAST(COALESCE(SUM(a.score), 0) AS BIGINT) AS total \
             FROM helpdesk_tickets t \
             JOIN helpdesk_tenants tn ON tn.id = t.tenant_id \
             LEFT JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id \
             AND a.ticket_id = t.id AND a.question_key = tn.score_key AND a.score IS NOT NULL \
             WHERE t.approved = TRUE",
            "",
        ))
        .await
        .map_err(db)?;
    if let Some(row) = answered {
        dashboard.satisfaction.answered = codec::unsigned(row.i64("n")?, "count")?;
        let scored = row.i64("scored")?;
        if scored > 0 {
            dashboard.satisfaction.average_score = Some(row.i64("total")? as f64 / scored as f64);
        }
    }

    let choices = conn
        .fetch_all(scoped(
            query,
            "SELECT a.question_key AS question, a.choice AS choice, COUNT(*) AS n \
             FROM helpdesk_tickets t \
             JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id \
             AND a.ticket_id = t.id \
             JOIN helpdesk_tenant_choice_questions q ON q.tenant_id = t.tenant_id \
             AND q.question_key = a.question_key \
             WHERE t.approved = TRUE AND a.choice IS NOT NULL",
            " GROUP BY a.question_key, a.choice",
        ))
        .await
        .map_err(db)?;
    for row in &choices {
        *dashboard
            .satisfaction
            .choices
            .entry(row.text("question")?)
            .or_default()
            .entry(row.text("choice")?)
            .or_default() += codec::unsigned(row.i64("n")?, "count")?;
    }
    Ok(())
}
