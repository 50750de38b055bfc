//! The shared query fragments: the visibility [`Scope`], the search criteria, the
//! sort and its cursor, and the archive rule, as SQL over `helpdesk_tickets t` (and `helpdesk_tenants
//! tn` for archiving). Both databases use them as they are; the one dialect difference,
//! full text, is [`Dialect::push_contains`].
//!
//! Each function appends ` AND (...)` conditions, so a caller starts from `WHERE 1 = 1`.

use helpdesk_core::search::{SearchQuery, SlaFilter};
use helpdesk_core::{Priority, Scope, SortKey, SortOrder, SortValue, Status, TenantScope};

use crate::backend::Dialect;
use crate::codec::nanos_clamped;
use crate::sql::Sql;

/// "The scope admits ticket `t`": [`Scope::admits`] in SQL.
pub(crate) fn push_scope(sql: &mut Sql, scope: &Scope) {
    match scope {
        Scope::Everything => {}
        Scope::Nothing => {
            sql.push(" AND 1 = 0");
        }
        Scope::Tenant { tenant } => {
            sql.push(" AND t.tenant_id = ").bind(tenant.as_uuid());
        }
        Scope::Requester {
            tenant,
            member,
            whole_tenant,
        } => {
            sql.push(" AND t.tenant_id = ").bind(tenant.as_uuid());
            if !whole_tenant {
                sql.push(" AND (t.requester_id = ")
                    .bind(member.as_uuid())
                    .push(
                        " OR EXISTS (SELECT 1 FROM helpdesk_ticket_guests g \
                         WHERE g.tenant_id = t.tenant_id AND g.ticket_id = t.id \
                         AND g.member_id = ",
                    )
                    .bind(member.as_uuid())
                    .push("))");
            }
        }
        Scope::Staff {
            staff,
            tenants,
            groups,
            all_groups,
        } => {
            if let TenantScope::Only(tenants) = tenants {
                sql.push(" AND t.tenant_id IN ")
                    .bind_list(tenants.iter().map(|t| t.as_uuid()));
            }
            if !all_groups {
                sql.push(" AND (t.assignee_id = ")
                    .bind(staff.as_uuid())
                    .push(" OR t.group_id IS NULL");
                if !groups.is_empty() {
                    sql.push(" OR t.group_id IN ")
                        .bind_list(groups.iter().map(|g| g.as_uuid()));
                }
                sql.push(")");
            }
        }
    }
}

/// "`t` is in one of `statuses`".
pub(crate) fn push_statuses(sql: &mut Sql, statuses: &[Status]) {
    sql.push(" AND t.status IN ")
        .bind_list(statuses.iter().map(|s| s.as_str()));
}

/// [`SearchQuery::matches_filters`] and the archive rule and `contains`, in SQL: what
/// a search counts in its total. The page adds [`push_after`] and [`push_order`].
pub(crate) fn push_search<D: Dialect>(sql: &mut Sql, query: &SearchQuery) {
    let c = &query.criteria;
    push_scope(sql, &query.scope);
    if let Some(tenant) = c.tenant {
        sql.push(" AND t.tenant_id = ").bind(tenant.as_uuid());
    }
    if let Some(number) = c.number {
        // A number beyond what is stored matches nothing, as -1 does.
        sql.push(" AND t.number = ")
            .bind(i64::try_from(number.get()).unwrap_or(-1));
    }
    push_statuses(sql, &c.effective_statuses());
    if !c.priorities.is_empty() {
        sql.push(" AND t.priority IN ")
            .bind_list(c.priorities.iter().map(|p| p.as_str()));
    }
    if !c.categories.is_empty() {
        sql.push(" AND t.category_id IN ")
            .bind_list(c.categories.iter().map(|x| x.as_uuid()));
    }
    if !c.products.is_empty() {
        sql.push(" AND t.product_id IN ")
            .bind_list(c.products.iter().map(|x| x.as_uuid()));
    }
    if let Some(requester) = c.requester {
        sql.push(" AND t.requester_id = ").bind(requester.as_uuid());
    }
    if let Some(assignee) = c.assignee {
        sql.push(" AND t.assignee_id = ").bind(assignee.as_uuid());
    }
    if let Some(group) = c.group {
        sql.push(" AND t.group_id = ").bind(group.as_uuid());
    }
    if let Some(at) = c.opened_from {
        sql.push(" AND t.created_at >= ").bind(nanos_clamped(at));
    }
    if let Some(at) = c.opened_to {
        sql.push(" AND t.created_at < ").bind(nanos_clamped(at));
    }
    // Those who do not see internal notes search on the updated time they observe.
    let updated_at = if query.scope.sees_internal() {
        " t.updated_at"
    } else {
        " t.public_updated_at"
    };
    if let Some(at) = c.updated_from {
        sql.push(" AND")
            .push(updated_at)
            .push(" >= ")
            .bind(nanos_clamped(at));
    }
    if let Some(at) = c.updated_to {
        sql.push(" AND")
            .push(updated_at)
            .push(" < ")
            .bind(nanos_clamped(at));
    }
    if !c.include_archived {
        // Archived: ended_at + the tenant's delay <= now. Kept: the rest, and tickets of
        // a tenant the store does not know, as the reference store does.
        sql.push(" AND (t.ended_at IS NULL OR tn.id IS NULL OR t.ended_at > ")
            .bind(archive_now(query.now))
            .push(" - tn.archive_delay_ns)");
    }
    if let Some(sla) = c.sla {
        push_sla(sql, sla, nanos_clamped(query.now));
    }
    let words = c.contains_words();
    if !words.is_empty() {
        D::push_contains(sql, &words, query.scope.sees_internal());
    }
}

/// "Some service-level target of `t` is due soon / breached at `now`":
/// [`TicketServiceLevel::target_at`](helpdesk_core::service_level::TicketServiceLevel::target_at)
/// over the stored columns (`*_due`, `*_soon`, `first_response_at`, `resolved_at`,
/// `sla_paused_since`).
pub(crate) fn push_sla(sql: &mut Sql, sla: SlaFilter, now: i64) {
    match sla {
        SlaFilter::Breached => {
            sql.push(
                " AND ((t.first_response_due IS NOT NULL AND                  ((t.first_response_at IS NOT NULL AND t.first_response_at > t.first_response_due)                  OR (t.first_response_at IS NULL AND t.first_response_due < ",
            )
            .bind(now)
            .push(
                "))) OR (t.resolution_due IS NOT NULL AND                  ((t.resolved_at IS NOT NULL AND t.resolved_at > t.resolution_due)                  OR (t.resolved_at IS NULL AND t.resolution_due < ",
            )
            .bind(now)
            .push(
                " AND (t.sla_paused_since IS NULL                  OR t.sla_paused_since >= t.resolution_due)))))",
            );
        }
        SlaFilter::DueSoon => {
            sql.push(
                " AND ((t.first_response_at IS NULL AND t.first_response_due >= ",
            )
            .bind(now)
            .push(" AND t.first_response_soon <= ")
            .bind(now)
            .push(
                ") OR (t.resolved_at IS NULL AND t.sla_paused_since IS NULL                  AND t.resolution_due >= ",
            )
            .bind(now)
            .push(" AND t.resolution_soon <= ")
            .bind(now)
            .push("))");
        }
    }
}

/// The expression a sort key orders by, for a caller who does or does not see internal
/// notes. Statuses and priorities order by their rank, not their name.
fn sort_expression<D: Dialect>(key: SortKey, sees_internal: bool) -> &'static str {
    match key {
        SortKey::Number => "t.number",
        SortKey::Subject => D::SUBJECT,
        SortKey::Status => {
            "(CASE t.status WHEN 'new' THEN 0 WHEN 'in_progress' THEN 1 \
             WHEN 'waiting_on_requester' THEN 2 WHEN 'pending_closure' THEN 3 \
             WHEN 'closed' THEN 4 ELSE 5 END)"
        }
        SortKey::Priority => {
            "(CASE t.priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 \
             WHEN 'high' THEN 2 ELSE 3 END)"
        }
        SortKey::Opened => "t.created_at",
        SortKey::Updated if sees_internal => "t.updated_at",
        SortKey::Updated => "t.public_updated_at",
    }
}

/// A cursor's value bound as the sort expression compares it.
fn bind_value(sql: &mut Sql, value: &SortValue) {
    match value {
        SortValue::Number(n) => sql.bind(i64::try_from(n.get()).unwrap_or(i64::MAX)),
        SortValue::Subject(s) => sql.bind(s.as_str()),
        SortValue::Status(s) => sql.bind(status_rank(*s)),
        SortValue::Priority(p) => sql.bind(priority_rank(*p)),
        SortValue::At(at) => sql.bind(nanos_clamped(*at)),
    };
}

fn status_rank(status: Status) -> i64 {
    Status::ALL
        .iter()
        .position(|s| *s == status)
        .map_or(0, |i| i as i64)
}

fn priority_rank(priority: Priority) -> i64 {
    Priority::ALL
        .iter()
        .position(|p| *p == priority)
        .map_or(0, |i| i as i64)
}

/// "`t` comes after the query's cursor in its sort": the key's value beyond the
/// cursor's, or equal with the id beyond, both in the sort's direction. The service and
/// the store refuse a cursor of another sort before this runs.
pub(crate) fn push_after<D: Dialect>(sql: &mut Sql, query: &SearchQuery) {
    let Some(cursor) = &query.page.after else {
        return;
    };
    let key = sort_expression::<D>(cursor.sort.key, query.sees_internal());
    let beyond = match cursor.sort.order {
        SortOrder::Asc => " > ",
        SortOrder::Desc => " < ",
    };
    sql.push(" AND (").push(key).push(beyond);
    bind_value(sql, &cursor.value);
    sql.push(" OR (").push(key).push(" = ");
    bind_value(sql, &cursor.value);
    sql.push(" AND t.id")
        .push(beyond)
        .bind(cursor.id.as_uuid())
        .push("))");
}

/// ` ORDER BY` the query's sort, ties broken by id in the same direction.
pub(crate) fn push_order<D: Dialect>(sql: &mut Sql, query: &SearchQuery) {
    let sort = query.criteria.sort;
    let direction = match sort.order {
        SortOrder::Asc => " ASC",
        SortOrder::Desc => " DESC",
    };
    sql.push(" ORDER BY ")
        .push(sort_expression::<D>(sort.key, query.sees_internal()))
        .push(direction)
        .push(", t.id")
        .push(direction);
}

/// The longest archive delay stored, about 146 years: with `now` kept above
/// `-MAX_ARCHIVE_DELAY_NS` (the year 1824), `now - delay` never overflows.
pub(crate) const MAX_ARCHIVE_DELAY_NS: i64 = i64::MAX / 2;

fn archive_now(now: chrono::DateTime<chrono::Utc>) -> i64 {
    nanos_clamped(now).max(-MAX_ARCHIVE_DELAY_NS)
}

/// A tenant's archive delay as stored.
pub(crate) fn archive_delay_ns(delay: helpdesk_core::Window) -> i64 {
    delay
        .as_seconds()
        .saturating_mul(1_000_000_000)
        .clamp(0, MAX_ARCHIVE_DELAY_NS)
}
