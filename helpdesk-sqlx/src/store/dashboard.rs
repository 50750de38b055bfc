//! The dashboard's counts in SQL: by status, opened per month, satisfaction and service
//! levels, and the per-agent and per-group breakdown, each within the query's scope.

use std::collections::BTreeMap;

use helpdesk_core::search::SlaFilter;
use helpdesk_core::{Dashboard, DashboardQuery, LineCounts, MonthCount, Status, StoreResult};

use super::{db, store_err};
use crate::backend::{Exec, RowExt};
use crate::codec::{self};
use crate::error::SqlxStoreError;
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
fn push_dashboard_filters(sql: &mut Sql, query: &DashboardQuery) {
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
        let status: Status =
            row.text("status")?
                .parse()
                .map_err(|e: helpdesk_core::ValidationError| {
                    store_err(SqlxStoreError::Corrupt(e.to_string()))
                })?;
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

/// The tickets in scope per status, every status listed.
pub(super) async fn count_by_status<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    dashboard: &mut Dashboard,
) -> StoreResult<()> {
    for status in Status::ALL {
        dashboard.by_status.insert(status, 0);
    }
    let counts = conn
        .fetch_all(scoped(
            query,
            "SELECT t.status AS status, COUNT(*) AS n FROM helpdesk_tickets t WHERE 1 = 1",
            " GROUP BY t.status",
        ))
        .await
        .map_err(db)?;
    for row in &counts {
        let status: Status =
            row.text("status")?
                .parse()
                .map_err(|e: helpdesk_core::ValidationError| {
                    store_err(SqlxStoreError::Corrupt(e.to_string()))
                })?;
        dashboard
            .by_status
            .insert(status, codec::unsigned(row.i64("n")?, "count")?);
    }
    Ok(())
}

/// The tickets in scope opened each month of the query's window, every month listed.
pub(super) async fn count_opened_per_month<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    dashboard: &mut Dashboard,
) -> StoreResult<()> {
    let first = query.first_month();
    let first_index = codec::index_of_month(first);
    let last_index = first_index + i64::from(query.months) - 1;
    let mut sql = scoped(
        query,
        "SELECT t.created_month AS month, COUNT(*) AS n FROM helpdesk_tickets t WHERE 1 = 1",
        " AND t.created_month >= ",
    );
    sql.bind(first_index)
        .push(" AND t.created_month <= ")
        .bind(last_index)
        .push(" GROUP BY t.created_month");
    let months = conn.fetch_all(sql).await.map_err(db)?;
    let mut opened = BTreeMap::new();
    for row in &months {
        opened.insert(row.i64("month")?, codec::unsigned(row.i64("n")?, "count")?);
    }
    for index in first_index..=last_index {
        dashboard.opened_per_month.push(MonthCount {
            month: codec::month_of_index(index),
            opened: opened.get(&index).copied().unwrap_or(0),
        });
    }
    Ok(())
}

/// The approved closures in scope: how many, their average score, their choices.
pub(super) async fn count_satisfaction<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    dashboard: &mut Dashboard,
) -> StoreResult<()> {
    let answered = conn
        .fetch_optional(scoped(
            query,
            "SELECT COUNT(*) AS n FROM helpdesk_tickets t \
             JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE t.approved = TRUE",
            "",
        ))
        .await
        .map_err(db)?;
    if let Some(row) = answered {
        dashboard.satisfaction.answered = codec::unsigned(row.i64("n")?, "count")?;
    }

    // The overall score is each tenant's first score question, as its tenant row
    // records; the average is computed from the exact sum and count.
    let scores = conn
        .fetch_optional(scoped(
            query,
            "SELECT COUNT(a.score) AS n, CAST(COALESCE(SUM(a.score), 0) AS BIGINT) AS total \
             FROM helpdesk_tickets t \
             JOIN helpdesk_tenants tn ON tn.id = t.tenant_id \
             JOIN helpdesk_closure_answers a ON a.tenant_id = t.tenant_id \
             AND a.ticket_id = t.id AND a.question_key = tn.score_key \
             WHERE t.approved = TRUE AND a.score IS NOT NULL",
            "",
        ))
        .await
        .map_err(db)?;
    if let Some(row) = scores {
        let n = row.i64("n")?;
        if n > 0 {
            dashboard.satisfaction.average_score = Some(row.i64("total")? as f64 / n as f64);
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

/// Service-level compliance per target over the tickets in scope, and the open ones
/// due soon and breached now (the search's `sla` filters).
pub(super) async fn count_service_levels<E: Exec>(
    conn: &mut E,
    query: &DashboardQuery,
    dashboard: &mut Dashboard,
) -> StoreResult<()> {
    let met = conn
        .fetch_optional(scoped(
            query,
            "SELECT \
             COUNT(CASE WHEN t.first_response_due IS NOT NULL \
               AND t.first_response_at IS NOT NULL THEN 1 END) AS fr_met, \
             COUNT(CASE WHEN t.first_response_at <= t.first_response_due THEN 1 END) AS fr_on_time, \
             COUNT(CASE WHEN t.resolution_due IS NOT NULL \
               AND t.resolved_at IS NOT NULL THEN 1 END) AS res_met, \
             COUNT(CASE WHEN t.resolved_at <= t.resolution_due THEN 1 END) AS res_on_time \
             FROM helpdesk_tickets t WHERE 1 = 1",
            "",
        ))
        .await
        .map_err(db)?;
    if let Some(row) = met {
        let n = |col: &str| -> StoreResult<u64> { Ok(codec::unsigned(row.i64(col)?, "count")?) };
        dashboard.service_levels.first_response =
            helpdesk_core::Compliance::new(n("fr_on_time")?, n("fr_met")?);
        dashboard.service_levels.resolution =
            helpdesk_core::Compliance::new(n("res_on_time")?, n("res_met")?);
    }
    for sla in [SlaFilter::DueSoon, SlaFilter::Breached] {
        let mut sql = scoped(
            query,
            "SELECT COUNT(*) AS n FROM helpdesk_tickets t WHERE 1 = 1",
            "",
        );
        query::push_statuses(&mut sql, &Status::OPEN);
        query::push_sla(&mut sql, sla, codec::nanos_clamped(query.now));
        let count = match conn.fetch_optional(sql).await.map_err(db)? {
            Some(row) => codec::unsigned(row.i64("n")?, "count")?,
            None => 0,
        };
        match sla {
            SlaFilter::DueSoon => dashboard.service_levels.due_soon = count,
            SlaFilter::Breached => dashboard.service_levels.breached = count,
        }
    }
    Ok(())
}
