//! The shared query fragments: the visibility [`Scope`], the search criteria, the
//! cursor and the archive rule, as SQL over `helpdesk_tickets t` (and `helpdesk_tenants
//! tn` for archiving). Both databases use them as they are; the one dialect difference,
//! full text, is [`Dialect::push_contains`].
//!
//! Each function appends ` AND (...)` conditions, so a caller starts from `WHERE 1 = 1`.

use helpdesk_core::search::SearchQuery;
use helpdesk_core::{Scope, Status, TenantScope};

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

/// [`SearchQuery::matches_fields`] and the archive rule and `contains`, in SQL.
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
    if let Some(cursor) = query.page.after {
        // Newest first: what follows the cursor is older, or as old with a smaller id.
        let at = nanos_clamped(cursor.created_at);
        sql.push(" AND (t.created_at < ")
            .bind(at)
            .push(" OR (t.created_at = ")
            .bind(at)
            .push(" AND t.id < ")
            .bind(cursor.id.as_uuid())
            .push("))");
    }
    if !c.include_archived {
        // Archived: ended_at + the tenant's delay <= now. Kept: the rest, and tickets of
        // a tenant the store does not know, as the reference store does.
        sql.push(" AND (t.ended_at IS NULL OR tn.id IS NULL OR t.ended_at > ")
            .bind(archive_now(query.now))
            .push(" - tn.archive_delay_ns)");
    }
    let words = c.contains_words();
    if !words.is_empty() {
        D::push_contains(sql, &words, query.scope.sees_internal());
    }
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
