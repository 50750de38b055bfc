//! The shared query fragments: the visibility [`Scope`], the search criteria, the
//! sort and its cursor, and the archive rule, as SQL over `helpdesk_tickets t` (and `helpdesk_tenants
//! tn` for archiving). Both databases use them as they are; the one dialect difference,
//! full text, is [`Dialect::push_contains`].
//!
//! Each function appends ` AND (...)` conditions, so a caller starts from `WHERE 1 = 1`.

use helpdesk_core::search::{SearchCriteria, SearchQuery, SlaFilter};
use helpdesk_core::{
    CategoryId, GroupId, MemberId, Priority, ProductId, Scope, SortKey, SortOrder, SortValue,
    StaffId, Status, TenantId, TenantScope,
};

use crate::backend::Dialect;
use crate::codec::nanos_clamped;
use crate::sql::Sql;

/// One arm of a search: a part of the caller's visibility that one index walks in the
/// sort's order. A search with several arms is their `UNION ALL`, each arm limited to the
/// page (see [`arms`]); the arms of one scope never share a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arm {
    /// Everything the scope admits, as one condition (`... OR ...`).
    Whole,
    /// A requester's own tickets: `(tenant_id, requester_id, created_at, id)`.
    Own,
    /// The tickets a requester is a guest on and does not own: the guests index
    /// `(tenant_id, member_id, ticket_id)`, then the ticket by id.
    Guest,
    /// The tickets assigned to the agent: `(tenant_id, assignee_id, created_at, id)`.
    Assigned,
    /// Routed to no group, not assigned to the agent: the partial index of unrouted
    /// tickets `(tenant_id, created_at, id) WHERE group_id IS NULL`.
    Unrouted,
    /// Routed to the agent's `n`th group (in [`staff_groups`] order), not assigned to
    /// the agent: `(tenant_id, group_id, created_at, id)`.
    Routed(usize),
    /// Everything the scope admits in one status:
    /// `(tenant_id, status, created_at, id)`.
    Status(Status),
    /// Everything the scope admits of one priority:
    /// `(tenant_id, priority, created_at, id)`.
    Priority(Priority),
    /// Everything the scope admits in one category:
    /// `(tenant_id, category_id, created_at, id)`.
    Category(CategoryId),
    /// Everything the scope admits about one product:
    /// `(tenant_id, product_id, created_at, id)`.
    Product(ProductId),
}

impl Arm {
    /// Whether the arm walks one value of a filter ([`filter_arms`]) rather than a part
    /// of the caller's visibility.
    pub(crate) fn is_filter(self) -> bool {
        matches!(
            self,
            Arm::Status(_) | Arm::Priority(_) | Arm::Category(_) | Arm::Product(_)
        )
    }
}

/// The arms of `query`: those of its scope ([`scope_arms`]); when the scope is one
/// arm, one arm per value of a filter with an ordered index of its own instead
/// ([`filter_arms`]). Each arm's condition is an equality on the leading columns of an
/// index ordered newest first, which is what keeps plans right whatever the planner's
/// statistics say: a page is a walk that stops at the page size, whatever the tenant's
/// size and however rare the filter.
pub(crate) fn arms(query: &SearchQuery) -> Vec<Arm> {
    let scope = scope_arms(&query.scope);
    if scope == [Arm::Whole]
        && let Some(arms) = filter_arms(query)
    {
        return arms;
    }
    scope
}

/// The arms of `scope`: requesters' own and guest tickets apart; an agent's assigned,
/// unrouted and per-group tickets apart; one arm for everyone else.
fn scope_arms(scope: &Scope) -> Vec<Arm> {
    match scope {
        Scope::Requester {
            whole_tenant: false,
            ..
        } => vec![Arm::Own, Arm::Guest],
        Scope::Staff {
            groups,
            all_groups: false,
            ..
        } => {
            let mut out = vec![Arm::Assigned, Arm::Unrouted];
            out.extend((0..staff_groups(groups).len()).map(Arm::Routed));
            out
        }
        _ => vec![Arm::Whole],
    }
}

/// For a search sorted by opening time with no narrower equality of its own (a number,
/// a requester, an assignee, a group: their indexes already serve), one arm per value
/// of the first of these filters it has: categories; products; open statuses other
/// than exactly the open ones (a backlog is small beside a tenant's history;
/// `helpdesk_tickets_open` serves exactly the open ones); priorities (unless all);
/// statuses (unless all). The other filters are checked on each arm's rows, status and
/// archiving inside the index. None when no filter applies, or for a service-level
/// search of open tickets ([`open_due`]).
fn filter_arms(query: &SearchQuery) -> Option<Vec<Arm>> {
    let c = &query.criteria;
    if c.sort.key != SortKey::Opened
        || c.number.is_some()
        || c.requester.is_some()
        || c.assignee.is_some()
        || c.group.is_some()
        || open_due(query)
    {
        return None;
    }
    if !c.categories.is_empty() {
        return Some(
            distinct(&c.categories)
                .into_iter()
                .map(Arm::Category)
                .collect(),
        );
    }
    if !c.products.is_empty() {
        return Some(
            distinct(&c.products)
                .into_iter()
                .map(Arm::Product)
                .collect(),
        );
    }
    // Never empty: no statuses asked means the open ones (or all).
    let statuses = c.effective_statuses();
    let status_arms = || Some(statuses.iter().copied().map(Arm::Status).collect());
    if statuses.len() < Status::OPEN.len() && only_open(&statuses) {
        return status_arms();
    }
    let priorities: Vec<Priority> = Priority::ALL
        .into_iter()
        .filter(|p| c.priorities.contains(p))
        .collect();
    if !priorities.is_empty() && priorities.len() < Priority::ALL.len() {
        return Some(priorities.into_iter().map(Arm::Priority).collect());
    }
    if statuses.len() == Status::ALL.len() || statuses == Status::OPEN {
        return None;
    }
    status_arms()
}

/// `ids` sorted, without repeats.
fn distinct<T: Ord + Copy>(ids: &[T]) -> Vec<T> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    ids
}

/// Whether every status of `statuses` is an open one.
fn only_open(statuses: &[Status]) -> bool {
    statuses.iter().all(|s| Status::OPEN.contains(s))
}

/// Whether a search is for open tickets by service level: it then reads the partial
/// index of open tickets with a due date (see [`DUE`]), in the number of such
/// tickets, not of all tickets.
fn open_due(query: &SearchQuery) -> bool {
    query.criteria.sla.is_some() && only_open(&query.criteria.effective_statuses())
}

/// The condition of the partial indexes of open tickets (`helpdesk_tickets_open`,
/// `helpdesk_tickets_open_by_assignee`, ...), word for word.
pub(crate) const OPEN: &str = " AND t.status NOT IN ('closed', 'cancelled')";

/// With [`OPEN`] before it, the condition of the partial indexes of open tickets with
/// a due date (`helpdesk_tickets_open_due`, `helpdesk_tickets_open_due_newest`), word
/// for word, so that both databases take them: for a service-level search of open
/// tickets, and for the dashboard's "due soon" and "breached" counts.
pub(crate) const DUE: &str =
    " AND (t.first_response_due IS NOT NULL OR t.resolution_due IS NOT NULL)";

/// An agent's groups, sorted and without repeats: what [`Arm::Routed`] counts in.
pub(crate) fn staff_groups(groups: &[GroupId]) -> Vec<GroupId> {
    let mut groups = groups.to_vec();
    groups.sort();
    groups.dedup();
    groups
}

/// "The scope admits ticket `t`": [`Scope::admits`] in SQL, in one condition.
pub(crate) fn push_scope(sql: &mut Sql, scope: &Scope) {
    push_scope_arm(sql, scope, Arm::Whole);
}

/// How a statement writes its condition on the tickets' tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TenantCondition {
    /// `t.tenant_id = ...`: every index of the tickets leads with the tenant, and the
    /// planner may read one of them for it.
    Indexed,
    /// `(t.tenant_id = ...) IS TRUE`: the same rows, tested on each ticket another
    /// index found, never read from an index of its own. For a tenant that holds most
    /// tickets, where PostgreSQL without statistics would AND the full-text index's
    /// matches with a bitmap of the tenant's every row.
    Tested,
}

impl TenantCondition {
    /// What opens the condition, before ` = ` or ` IN `.
    fn open(self) -> &'static str {
        match self {
            TenantCondition::Indexed => " AND t.tenant_id",
            TenantCondition::Tested => " AND (t.tenant_id",
        }
    }

    /// What closes it, after the value or list.
    fn close(self) -> &'static str {
        match self {
            TenantCondition::Indexed => "",
            TenantCondition::Tested => ") IS TRUE",
        }
    }
}

/// "Arm `arm` of the scope admits ticket `t`". The arms of [`arms`] together admit
/// exactly what [`Arm::Whole`] admits, each ticket once.
pub(crate) fn push_scope_arm(sql: &mut Sql, scope: &Scope, arm: Arm) {
    push_scope_arm_as(sql, scope, arm, TenantCondition::Indexed);
}

/// [`push_scope_arm`] with the tenant's condition written as `tenant` says.
fn push_scope_arm_as(sql: &mut Sql, scope: &Scope, arm: Arm, tenant_is: TenantCondition) {
    match scope {
        Scope::Everything => {}
        Scope::Nothing => {
            sql.push(" AND 1 = 0");
        }
        Scope::Tenant { tenant } => {
            sql.push(tenant_is.open())
                .push(" = ")
                .bind(tenant.as_uuid())
                .push(tenant_is.close());
        }
        Scope::Requester {
            tenant,
            member,
            whole_tenant,
        } => {
            sql.push(tenant_is.open())
                .push(" = ")
                .bind(tenant.as_uuid())
                .push(tenant_is.close());
            if !whole_tenant {
                push_requester_arm(sql, *tenant, *member, arm);
            }
        }
        Scope::Staff {
            staff,
            tenants,
            groups,
            all_groups,
        } => {
            if let TenantScope::Only(tenants) = tenants {
                sql.push(tenant_is.open())
                    .push(" IN ")
                    .bind_list(tenants.iter().map(|t| t.as_uuid()))
                    .push(tenant_is.close());
            }
            if !all_groups {
                push_agent_arm(sql, *staff, groups, arm);
            }
        }
    }
}

fn push_requester_arm(sql: &mut Sql, tenant: TenantId, member: MemberId, arm: Arm) {
    match arm {
        Arm::Own => {
            sql.push(" AND t.requester_id = ").bind(member.as_uuid());
        }
        Arm::Guest => {
            // Read from [`GUEST_FROM`]: the guest rows drive, each ticket by its key.
            sql.push(" AND g.tenant_id = ")
                .bind(tenant.as_uuid())
                .push(" AND g.member_id = ")
                .bind(member.as_uuid())
                .push(
                    " AND t.tenant_id = g.tenant_id AND t.id = g.ticket_id AND t.requester_id <> ",
                )
                .bind(member.as_uuid());
        }
        _ => {
            sql.push(" AND (t.requester_id = ")
                .bind(member.as_uuid())
                .push(
                    " OR t.id IN (SELECT g.ticket_id FROM helpdesk_ticket_guests g \
                     WHERE g.tenant_id = ",
                )
                .bind(tenant.as_uuid())
                .push(" AND g.member_id = ")
                .bind(member.as_uuid())
                .push("))");
        }
    }
}

/// What [`Arm::Guest`] reads from, up to its conditions: the member's guest rows first
/// (`CROSS JOIN` fixes that order on SQLite, which would otherwise walk the tenant
/// newest first and probe each ticket), then each ticket, then its tenant.
pub(crate) const GUEST_FROM: &str = " FROM helpdesk_ticket_guests g CROSS JOIN helpdesk_tickets t \
     LEFT JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE 1 = 1";

fn push_agent_arm(sql: &mut Sql, staff: StaffId, groups: &[GroupId], arm: Arm) {
    let not_assigned = |sql: &mut Sql| {
        sql.push(" AND (t.assignee_id IS NULL OR t.assignee_id <> ")
            .bind(staff.as_uuid())
            .push(")");
    };
    match arm {
        Arm::Assigned => {
            sql.push(" AND t.assignee_id = ").bind(staff.as_uuid());
        }
        Arm::Unrouted => {
            sql.push(" AND t.group_id IS NULL");
            not_assigned(sql);
        }
        Arm::Routed(n) => {
            match staff_groups(groups).get(n) {
                Some(group) => sql.push(" AND t.group_id = ").bind(group.as_uuid()),
                None => sql.push(" AND 1 = 0"),
            };
            not_assigned(sql);
        }
        _ => {
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

/// "`t` is in one of `statuses`", written as "`t` is in none of the others", with the
/// names as literals (fixed words, never user text): nothing when every status is
/// admitted. Without statistics, PostgreSQL guesses that `NOT IN` keeps most rows, so a
/// list page walks the newest-first index and stops at the page (right: the statuses a
/// list shows are the common ones, the recent tickets are the open ones); an `IN` list
/// is guessed rare and read through another index, then the whole tenant sorted.
pub(crate) fn push_statuses(sql: &mut Sql, statuses: &[Status]) {
    if statuses.is_empty() {
        sql.push(" AND 1 = 0");
        return;
    }
    if only_open(statuses) && statuses.len() < Status::OPEN.len() {
        // Some open statuses: the condition of the partial indexes of open tickets
        // first, word for word, so that either database may walk them.
        sql.push(OPEN);
    }
    let mut first = true;
    for status in Status::ALL.iter().filter(|s| !statuses.contains(s)) {
        sql.push(if first {
            " AND t.status NOT IN ('"
        } else {
            ", '"
        })
        .push(status.as_str())
        .push("'");
        first = false;
    }
    if !first {
        sql.push(")");
    }
}

/// [`SearchQuery::matches_filters`] and the archive rule and `contains`, in SQL: what
/// a search counts in its total. The page adds [`push_after`] and [`push_order`].
pub(crate) fn push_search<D: Dialect>(sql: &mut Sql, query: &SearchQuery, arm: Arm) {
    push_search_as::<D>(sql, query, arm, TenantCondition::Indexed);
}

/// [`push_search`] with the tenant's condition written as `tenant_is` says.
pub(crate) fn push_search_as<D: Dialect>(
    sql: &mut Sql,
    query: &SearchQuery,
    arm: Arm,
    tenant_is: TenantCondition,
) {
    let c = &query.criteria;
    push_scope_arm_as(sql, &query.scope, arm, tenant_is);
    // The same tenant twice would make PostgreSQL's estimate (without statistics) the
    // square of one condition's.
    if let Some(tenant) = c.tenant
        && scope_tenant(&query.scope) != Some(tenant)
    {
        sql.push(tenant_is.open())
            .push(" = ")
            .bind(tenant.as_uuid())
            .push(tenant_is.close());
    }
    if let Some(number) = c.number {
        // A number beyond what is stored matches nothing, as -1 does.
        sql.push(" AND t.number = ")
            .bind(i64::try_from(number.get()).unwrap_or(-1));
    }
    let statuses = push_value_filters(sql, c, arm);
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
    push_changed_since(sql, query, "", true);
    if let Some(at) = c.updated_to {
        sql.push(" AND ")
            .push(updated_column(query))
            .push(" < ")
            .bind(nanos_clamped(at));
    }
    if !c.include_archived {
        push_unarchived(sql, query, &statuses);
    }
    if let Some(sla) = c.sla {
        if open_due(query) {
            sql.push(OPEN).push(DUE);
        }
        push_sla(sql, sla, nanos_clamped(query.now));
    }
    let words = c.contains_words();
    if !words.is_empty() {
        D::push_contains(
            sql,
            &words,
            query.scope.sees_internal(),
            &search_tenants(query),
        );
    }
}

/// The filters by status, priority, category and product: an equality on the value
/// `arm` walks, a list for the others. Answers the statuses the arm admits.
fn push_value_filters(sql: &mut Sql, c: &SearchCriteria, arm: Arm) -> Vec<Status> {
    let statuses = match arm {
        Arm::Status(status) => {
            sql.push(" AND t.status = '")
                .push(status.as_str())
                .push("'");
            vec![status]
        }
        _ => {
            let statuses = c.effective_statuses();
            push_statuses(sql, &statuses);
            statuses
        }
    };
    match arm {
        Arm::Priority(priority) => {
            sql.push(" AND t.priority = '")
                .push(priority.as_str())
                .push("'");
        }
        _ if !c.priorities.is_empty() => {
            sql.push(" AND t.priority IN ")
                .bind_list(c.priorities.iter().map(|p| p.as_str()));
        }
        _ => {}
    }
    let (category, product) = match arm {
        Arm::Category(id) => (Some(id.as_uuid()), None),
        Arm::Product(id) => (None, Some(id.as_uuid())),
        _ => (None, None),
    };
    push_id_filter(
        sql,
        " AND t.category_id",
        category,
        c.categories.iter().map(|x| x.as_uuid()),
    );
    push_id_filter(
        sql,
        " AND t.product_id",
        product,
        c.products.iter().map(|x| x.as_uuid()),
    );
    statuses
}

/// ` AND column = walked` when the arm walks one value, ` AND column IN (listed)` when
/// the criteria list some, nothing otherwise.
fn push_id_filter(
    sql: &mut Sql,
    column: &'static str,
    walked: Option<uuid::Uuid>,
    listed: impl ExactSizeIterator<Item = uuid::Uuid>,
) {
    if let Some(id) = walked {
        sql.push(column).push(" = ").bind(id);
    } else if listed.len() > 0 {
        sql.push(column).push(" IN ").bind_list(listed);
    }
}

/// "`t` is not archived": not ended, or ended less than its tenant's archive delay
/// before now; tickets of a tenant the store does not know are kept, as the reference
/// store does.
///
/// Only closed and cancelled tickets have ended (`ended_at` is NULL for the others), so
/// a search of open statuses needs no condition at all. When the search is in one
/// tenant, the delay is read once (an uncorrelated subquery) instead of joining each
/// ticket's tenant row.
fn push_unarchived(sql: &mut Sql, query: &SearchQuery, statuses: &[Status]) {
    if !any_ended(statuses) {
        return;
    }
    match single_tenant(query) {
        Some(tenant) => {
            sql.push(" AND (t.ended_at IS NULL OR t.ended_at > ");
            push_archive_limit(sql, query, tenant);
            sql.push(")");
        }
        None => {
            sql.push(" AND (t.ended_at IS NULL OR tn.id IS NULL OR t.ended_at > ")
                .bind(archive_now(query.now))
                .push(" - tn.archive_delay_ns)");
        }
    }
}

/// Whether some of `statuses` are those of ended tickets (closed, cancelled).
pub(crate) fn any_ended(statuses: &[Status]) -> bool {
    statuses
        .iter()
        .any(|s| matches!(s, Status::Closed | Status::Cancelled))
}

/// The end time before which `tenant`'s tickets are archived at `query`'s time, read
/// once (an uncorrelated subquery); the smallest time for a tenant the store does not
/// know, whose tickets are kept.
pub(crate) fn push_archive_limit(sql: &mut Sql, query: &SearchQuery, tenant: TenantId) {
    sql.push("COALESCE((SELECT ")
        .bind(archive_now(query.now))
        .push(" - d.archive_delay_ns FROM helpdesk_tenants d WHERE d.id = ")
        .bind(tenant.as_uuid())
        .push("), ")
        .bind(i64::MIN)
        .push(")");
}

/// The one tenant a search is confined to, if any.
pub(crate) fn single_tenant(query: &SearchQuery) -> Option<TenantId> {
    query.criteria.tenant.or(scope_tenant(&query.scope))
}

/// Above this many tenants, a `contains` search's full-text match leaves its tenants
/// out ([`search_tenants`]): the tickets' own `tenant_id` condition still holds, and a
/// long `OR` of tenant words would cost the full-text index more than it saves.
const MAX_FULL_TEXT_TENANTS: usize = 16;

/// The time of the last change the caller of `query` observes: those who do not see
/// internal notes search on the public one.
fn updated_column(query: &SearchQuery) -> &'static str {
    if query.scope.sees_internal() {
        "t.updated_at"
    } else {
        "t.public_updated_at"
    }
}

/// "Changed since" (`updated_from`), if the criteria have it, its column after
/// `prefix` (a dialect's [`NOT_INDEXED`](Dialect::NOT_INDEXED), for a statement that
/// must walk another index). A statement that reads the range (`closed`) ends it at
/// the largest time when the search does not: PostgreSQL's generic plan guessed an open
/// range at a third of the tenant and scanned the table for a capped total (0.7-5 s at
/// 1M, BENCHMARKS.md). A walk newest first leaves it open, or a range guessed small is
/// read and sorted.
pub(crate) fn push_changed_since(
    sql: &mut Sql,
    query: &SearchQuery,
    prefix: &'static str,
    closed: bool,
) {
    if let Some(at) = query.criteria.updated_from {
        sql.push(" AND ")
            .push(prefix)
            .push(updated_column(query))
            .push(" >= ")
            .bind(nanos_clamped(at));
        if closed && query.criteria.updated_to.is_none() {
            let column = updated_column(query);
            sql.push(" AND ").push(column).push(" <= ").bind(i64::MAX);
        }
    }
}

/// The tenants a `contains` search's full-text match is limited to, by its criteria or
/// its scope: one, a few (up to [`MAX_FULL_TEXT_TENANTS`]), or none (any tenant).
pub(crate) fn search_tenants(query: &SearchQuery) -> Vec<TenantId> {
    if let Some(tenant) = query.criteria.tenant {
        return vec![tenant];
    }
    match &query.scope {
        Scope::Staff {
            tenants: TenantScope::Only(tenants),
            ..
        } if tenants.len() <= MAX_FULL_TEXT_TENANTS => tenants.clone(),
        scope => scope_tenant(scope).into_iter().collect(),
    }
}

/// The one tenant a scope is confined to, if any.
fn scope_tenant(scope: &Scope) -> Option<TenantId> {
    match scope {
        Scope::Tenant { tenant } | Scope::Requester { tenant, .. } => Some(*tenant),
        Scope::Staff {
            tenants: TenantScope::Only(tenants),
            ..
        } if tenants.len() == 1 => tenants.first().copied(),
        _ => None,
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

/// "`t` comes after the query's cursor in its sort": `(key, id)` beyond the cursor's, in
/// the sort's direction, as one row-value comparison so that an index on
/// `(tenant_id, key, id)` starts its walk at the cursor (the newest-first index for
/// [`SortKey::Opened`], `(tenant_id, number)` for [`SortKey::Number`]; the other keys
/// have no index and are sorted). The service and the store refuse a cursor of another
/// sort before this runs.
pub(crate) fn push_after<D: Dialect>(sql: &mut Sql, query: &SearchQuery) {
    let Some(cursor) = &query.page.after else {
        return;
    };
    let key = sort_expression::<D>(cursor.sort.key, query.sees_internal());
    let beyond = match cursor.sort.order {
        SortOrder::Asc => ", t.id) > (",
        SortOrder::Desc => ", t.id) < (",
    };
    sql.push(" AND (").push(key).push(beyond);
    bind_value(sql, &cursor.value);
    sql.push(", ").bind(cursor.id.as_uuid()).push(")");
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
