//! Domain values to columns and back: timestamps, enums, actor references and the
//! rows of each table.

use chrono::{DateTime, Datelike, Utc};
use helpdesk_core::{
    ActorRef, Article, ArticleId, Attachment, AttachmentId, Category, CategoryId, EventId,
    EventKind, Group, GroupId, Member, MemberId, OutboxId, OutboxMessage, Priority, Product,
    ProductId, SavedSearch, SavedSearchId, Staff, StaffId, StatusChange, Tenant, TenantId, Ticket,
    TicketId, TicketNumber, TimelineEvent, UserId,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::backend::RowExt;
use crate::error::{Result, SqlxStoreError};

/// A stored instant: nanoseconds since the Unix epoch, so a timestamp reads back exactly
/// as written (PostgreSQL's own types keep microseconds only) and compares the same way
/// in both databases. Instants outside 1677-2262 are refused.
pub(crate) fn nanos(at: DateTime<Utc>) -> Result<i64> {
    at.timestamp_nanos_opt()
        .ok_or(SqlxStoreError::OutOfRange("timestamp"))
}

/// A bound for a comparison: instants beyond what can be stored compare like the
/// farthest storable one, which keeps every comparison with a stored value exact.
pub(crate) fn nanos_clamped(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// An instant read back.
pub(crate) fn instant(nanos: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(nanos)
}

/// The month an instant falls in, as one integer (`year * 12 + month - 1`), stored
/// beside `created_at` so the monthly series is a plain `GROUP BY`.
pub(crate) fn month_index(at: DateTime<Utc>) -> i64 {
    i64::from(at.year()) * 12 + i64::from(at.month()) - 1
}

/// A month index back as a month.
pub(crate) fn month_of_index(index: i64) -> helpdesk_core::Month {
    helpdesk_core::Month {
        year: i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX),
        month: u32::try_from(index.rem_euclid(12) + 1).unwrap_or(1),
    }
}

/// A month back as an index.
pub(crate) fn index_of_month(month: helpdesk_core::Month) -> i64 {
    i64::from(month.year) * 12 + i64::from(month.month) - 1
}

/// An unsigned counter (version, number, size) as stored.
pub(crate) fn signed(value: u64, what: &'static str) -> Result<i64> {
    i64::try_from(value).map_err(|_| SqlxStoreError::OutOfRange(what))
}

/// A stored counter back as unsigned.
pub(crate) fn unsigned(value: i64, what: &'static str) -> Result<u64> {
    u64::try_from(value).map_err(|_| SqlxStoreError::Corrupt(format!("negative {what}")))
}

/// A unit enum by its serde name (`tenant_admin`).
pub(crate) fn enum_text<T: Serialize>(value: &T) -> Result<String> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(SqlxStoreError::Corrupt(format!("not a unit enum: {other}"))),
    }
}

/// A unit enum from its serde name.
pub(crate) fn parse_enum<T: DeserializeOwned>(text: String) -> Result<T> {
    Ok(serde_json::from_value(serde_json::Value::String(text))?)
}

/// A value as a JSON column.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(value)?)
}

/// A JSON column back as a value.
pub(crate) fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    Ok(serde_json::from_value(value)?)
}

/// An actor reference as two columns: its kind and its id.
pub(crate) fn actor_columns(actor: ActorRef) -> (&'static str, Option<uuid::Uuid>) {
    match actor {
        ActorRef::Member(id) => ("member", Some(id.as_uuid())),
        ActorRef::Staff(id) => ("staff", Some(id.as_uuid())),
        ActorRef::System => ("system", None),
    }
}

/// An actor reference read back.
pub(crate) fn actor_ref(kind: &str, id: Option<uuid::Uuid>) -> Result<ActorRef> {
    match (kind, id) {
        ("member", Some(id)) => Ok(ActorRef::Member(MemberId::from_uuid(id))),
        ("staff", Some(id)) => Ok(ActorRef::Staff(StaffId::from_uuid(id))),
        ("system", None) => Ok(ActorRef::System),
        _ => Err(SqlxStoreError::Corrupt(format!("actor `{kind}`"))),
    }
}

fn user(text: String) -> Result<UserId> {
    UserId::new(&text).map_err(|e| SqlxStoreError::Corrupt(e.to_string()))
}

pub(crate) const TENANT_COLUMNS: &str = "id, slug, name, settings";

pub(crate) fn tenant(r: &impl RowExt) -> Result<Tenant> {
    Ok(Tenant {
        id: TenantId::from_uuid(r.uuid("id")?),
        slug: r.text("slug")?,
        name: r.text("name")?,
        settings: from_json(r.json("settings")?)?,
    })
}

pub(crate) const MEMBER_COLUMNS: &str =
    "tenant_id, id, user_id, display_name, email, role, blocked, language, muted";

pub(crate) fn member(r: &impl RowExt) -> Result<Member> {
    Ok(Member {
        id: MemberId::from_uuid(r.uuid("id")?),
        tenant: TenantId::from_uuid(r.uuid("tenant_id")?),
        user: user(r.text("user_id")?)?,
        display_name: r.text("display_name")?,
        email: r.opt_text("email")?,
        role: parse_enum(r.text("role")?)?,
        blocked: r.bool("blocked")?,
        language: r.opt_text("language")?,
        muted: helpdesk_core::parse_muted(&r.text("muted")?),
    })
}

pub(crate) const STAFF_COLUMNS: &str =
    "id, user_id, display_name, email, role, tenants, group_ids, active, language, muted";

pub(crate) fn staff(r: &impl RowExt) -> Result<Staff> {
    Ok(Staff {
        id: StaffId::from_uuid(r.uuid("id")?),
        user: user(r.text("user_id")?)?,
        display_name: r.text("display_name")?,
        email: r.opt_text("email")?,
        role: parse_enum(r.text("role")?)?,
        tenants: from_json(r.json("tenants")?)?,
        groups: from_json(r.json("group_ids")?)?,
        active: r.bool("active")?,
        language: r.opt_text("language")?,
        muted: helpdesk_core::parse_muted(&r.text("muted")?),
    })
}

pub(crate) fn group(r: &impl RowExt) -> Result<Group> {
    Ok(Group {
        id: GroupId::from_uuid(r.uuid("id")?),
        name: r.text("name")?,
    })
}

pub(crate) const CATEGORY_COLUMNS: &str = "tenant_id, id, parent_id, name, group_id, active";

pub(crate) fn category(r: &impl RowExt) -> Result<Category> {
    Ok(Category {
        id: CategoryId::from_uuid(r.uuid("id")?),
        tenant: TenantId::from_uuid(r.uuid("tenant_id")?),
        parent: r.opt_uuid("parent_id")?.map(CategoryId::from_uuid),
        name: r.text("name")?,
        group: r.opt_uuid("group_id")?.map(GroupId::from_uuid),
        active: r.bool("active")?,
    })
}

pub(crate) const PRODUCT_COLUMNS: &str = "tenant_id, id, code, name, active";

pub(crate) fn product(r: &impl RowExt) -> Result<Product> {
    Ok(Product {
        id: ProductId::from_uuid(r.uuid("id")?),
        tenant: TenantId::from_uuid(r.uuid("tenant_id")?),
        code: r.opt_text("code")?,
        name: r.text("name")?,
        active: r.bool("active")?,
    })
}

pub(crate) const TICKET_COLUMNS: &str = "t.tenant_id, t.id, t.number, t.subject, t.description, \
     t.category_id, t.product_id, t.priority, t.state, t.requester_id, t.assignee_id, \
     t.group_id, t.guests, t.contact_phone, t.asset, t.custom_fields, t.opened_by_kind, \
     t.opened_by_id, t.created_at, t.updated_at, t.version, t.public_updated_at, \
     t.public_version, t.service_level";

pub(crate) fn ticket(r: &impl RowExt) -> Result<Ticket> {
    let priority: String = r.text("priority")?;
    Ok(Ticket {
        id: TicketId::from_uuid(r.uuid("id")?),
        tenant: TenantId::from_uuid(r.uuid("tenant_id")?),
        number: TicketNumber::new(unsigned(r.i64("number")?, "ticket number")?),
        subject: r.text("subject")?,
        description: from_json(serde_json::Value::String(r.text("description")?))?,
        category: r.opt_uuid("category_id")?.map(CategoryId::from_uuid),
        product: r.opt_uuid("product_id")?.map(ProductId::from_uuid),
        priority: priority
            .parse::<Priority>()
            .map_err(|e| SqlxStoreError::Corrupt(e.to_string()))?,
        state: from_json(r.json("state")?)?,
        requester: MemberId::from_uuid(r.uuid("requester_id")?),
        assignee: r.opt_uuid("assignee_id")?.map(StaffId::from_uuid),
        group: r.opt_uuid("group_id")?.map(GroupId::from_uuid),
        guests: from_json(r.json("guests")?)?,
        contact_phone: r.opt_text("contact_phone")?,
        asset: r.opt_text("asset")?,
        custom_fields: from_json(r.json("custom_fields")?)?,
        opened_by: actor_ref(&r.text("opened_by_kind")?, r.opt_uuid("opened_by_id")?)?,
        created_at: instant(r.i64("created_at")?),
        updated_at: instant(r.i64("updated_at")?),
        version: unsigned(r.i64("version")?, "version")?,
        public_updated_at: instant(r.i64("public_updated_at")?),
        public_version: unsigned(r.i64("public_version")?, "public_version")?,
        service_level: from_json(r.json("service_level")?)?,
    })
}

pub(crate) const EVENT_COLUMNS: &str =
    "tenant_id, ticket_id, id, at, author_kind, author_id, status_from, status_to, payload";

pub(crate) fn event(r: &impl RowExt) -> Result<TimelineEvent> {
    let status = |col: &str| -> Result<Option<helpdesk_core::Status>> {
        r.opt_text(col)?
            .map(|s| {
                s.parse().map_err(|e: helpdesk_core::ValidationError| {
                    SqlxStoreError::Corrupt(e.to_string())
                })
            })
            .transpose()
    };
    let status_change = match (status("status_from")?, status("status_to")?) {
        (Some(from), Some(to)) => Some(StatusChange { from, to }),
        _ => None,
    };
    let kind: EventKind = from_json(r.json("payload")?)?;
    Ok(TimelineEvent {
        id: EventId::from_uuid(r.uuid("id")?),
        ticket: TicketId::from_uuid(r.uuid("ticket_id")?),
        tenant: TenantId::from_uuid(r.uuid("tenant_id")?),
        at: instant(r.i64("at")?),
        author: actor_ref(&r.text("author_kind")?, r.opt_uuid("author_id")?)?,
        status_change,
        kind,
    })
}

pub(crate) const ATTACHMENT_COLUMNS: &str = "tenant_id, id, ticket_id, event_id, file_name, \
     content_type, size, uploaded_by_kind, uploaded_by_id, created_at";

pub(crate) fn attachment(r: &impl RowExt) -> Result<Attachment> {
    Ok(Attachment {
        id: AttachmentId::from_uuid(r.uuid("id")?),
        tenant: TenantId::from_uuid(r.uuid("tenant_id")?),
        ticket: TicketId::from_uuid(r.uuid("ticket_id")?),
        event: EventId::from_uuid(r.uuid("event_id")?),
        file_name: r.text("file_name")?,
        content_type: r.text("content_type")?,
        size: unsigned(r.i64("size")?, "size")?,
        uploaded_by: actor_ref(&r.text("uploaded_by_kind")?, r.opt_uuid("uploaded_by_id")?)?,
        created_at: instant(r.i64("created_at")?),
    })
}

pub(crate) const OUTBOX_COLUMNS: &str = "tenant_id, id, ticket_id, event_id, recipients, \
     created_at, attempts, next_attempt_at, last_error, dead_at";

pub(crate) fn outbox(r: &impl RowExt) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: OutboxId::from_uuid(r.uuid("id")?),
        tenant: TenantId::from_uuid(r.uuid("tenant_id")?),
        ticket: TicketId::from_uuid(r.uuid("ticket_id")?),
        event: EventId::from_uuid(r.uuid("event_id")?),
        recipients: from_json(r.json("recipients")?)?,
        created_at: instant(r.i64("created_at")?),
        attempts: u32::try_from(r.i64("attempts")?)
            .map_err(|_| SqlxStoreError::Corrupt("attempts".into()))?,
        next_attempt_at: instant(r.i64("next_attempt_at")?),
        last_error: r.opt_text("last_error")?,
        dead_at: r.opt_i64("dead_at")?.map(instant),
    })
}

pub(crate) const SAVED_SEARCH_COLUMNS: &str = "id, tenant_id, owner, name, criteria, created_at";

/// The staff's saved searches have no tenant: read back as `None`.
pub(crate) const STAFF_SAVED_SEARCH_COLUMNS: &str =
    "id, NULL AS tenant_id, owner, name, criteria, created_at";

pub(crate) fn saved_search(r: &impl RowExt) -> Result<SavedSearch> {
    Ok(SavedSearch {
        id: SavedSearchId::from_uuid(r.uuid("id")?),
        owner: user(r.text("owner")?)?,
        tenant: r.opt_uuid("tenant_id")?.map(TenantId::from_uuid),
        name: r.text("name")?,
        criteria: from_json(r.json("criteria")?)?,
        created_at: instant(r.i64("created_at")?),
    })
}

pub(crate) const ARTICLE_COLUMNS: &str =
    "tenant_id, id, category_id, title, body, published, updated_at";

pub(crate) fn article(r: &impl RowExt) -> Result<Article> {
    Ok(Article {
        id: ArticleId::from_uuid(r.uuid("id")?),
        tenant: TenantId::from_uuid(r.uuid("tenant_id")?),
        category: r.opt_uuid("category_id")?.map(CategoryId::from_uuid),
        title: r.text("title")?,
        body: from_json(serde_json::Value::String(r.text("body")?))?,
        published: r.bool("published")?,
        updated_at: instant(r.i64("updated_at")?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_to_the_nanosecond() {
        let at = DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap_or_default();
        assert_eq!(nanos(at).ok().map(instant), Some(at));
    }

    #[test]
    fn instants_beyond_the_stored_range_are_refused_or_clamped() {
        let far = DateTime::<Utc>::MAX_UTC;
        assert!(nanos(far).is_err());
        assert_eq!(nanos_clamped(far), i64::MAX);
        assert_eq!(nanos_clamped(DateTime::<Utc>::MIN_UTC), i64::MIN);
    }

    #[test]
    fn month_indexes_round_trip() {
        let at = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default(); // 2026-01-01
        let m = month_of_index(month_index(at));
        assert_eq!((m.year, m.month), (2026, 1));
        assert_eq!(index_of_month(m), month_index(at));
    }
}
