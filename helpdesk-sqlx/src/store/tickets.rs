//! [`TicketRepository`]: tickets with their timeline, attachments, outbox messages and
//! closure answers, the full-text index, search and the dashboard.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_core::text::words;
use helpdesk_core::{
    Attachment, AttachmentId, Breakdown, Closure, Dashboard, DashboardQuery, Entity, Error,
    SearchPage, SearchQuery, Status, StoreResult, TenantId, Ticket, TicketChange, TicketId,
    TicketNumber, TicketRepository, TicketState, TimelineEvent, Visibility,
};

use super::ticket_writes::OpenError;
use super::{SqlStore, fetch_all, fetch_optional, select};
use crate::backend::{Dialect, RowExt, TicketWords};
use crate::codec::{self, actor_columns, enum_text, nanos, signed, to_json};
use crate::error::SqlxStoreError;

use super::dashboard;
use super::search;
use crate::sql::Sql;

/// The columns of a ticket's state the queries filter on.
struct StateColumns {
    status: &'static str,
    proposed_at: Option<i64>,
    ended_at: Option<i64>,
    approved: bool,
}

fn state_columns(ticket: &Ticket) -> Result<StateColumns, SqlxStoreError> {
    let (proposed_at, approved) = match &ticket.state {
        TicketState::PendingClosure { proposed_at, .. } => (Some(nanos(*proposed_at)?), false),
        TicketState::Closed { closure, .. } => (None, matches!(closure, Closure::Approved { .. })),
        _ => (None, false),
    };
    Ok(StateColumns {
        status: ticket.status().as_str(),
        proposed_at,
        ended_at: ticket.ended_at().map(nanos).transpose()?,
        approved,
    })
}

/// The columns a new ticket row is written with, `tenant_id` and `id` first, then
/// those [`ticket_values`] binds, in its order.
pub(crate) const TICKET_INSERT_COLUMNS: &str = "tenant_id, id, subject, description, \
     category_id, product_id, priority, status, state, proposed_at, ended_at, approved, \
     requester_id, assignee_id, group_id, guests, contact_phone, asset, custom_fields, \
     opened_by_kind, opened_by_id, created_at, created_month, updated_at, version, \
     public_updated_at, public_version, service_level, first_response_due, \
     first_response_soon, first_response_at, resolution_due, resolution_soon, resolved_at, \
     sla_paused_since";

/// The values of a ticket row shared by insert and update, from `$3` on (`$1` and `$2`
/// identify the row).
pub(crate) fn ticket_values(sql: Sql, ticket: &Ticket) -> Result<Sql, SqlxStoreError> {
    let state = state_columns(ticket)?;
    let sla = &ticket.service_level;
    let (opened_by_kind, opened_by_id) = actor_columns(ticket.opened_by);
    Ok(sql
        .arg(ticket.subject.as_str())
        .arg(ticket.description.as_html())
        .arg(ticket.category.map(|x| x.as_uuid()))
        .arg(ticket.product.map(|x| x.as_uuid()))
        .arg(ticket.priority.as_str())
        .arg(state.status)
        .arg(to_json(&ticket.state)?)
        .arg(state.proposed_at)
        .arg(state.ended_at)
        .arg(state.approved)
        .arg(ticket.requester.as_uuid())
        .arg(ticket.assignee.map(|x| x.as_uuid()))
        .arg(ticket.group.map(|x| x.as_uuid()))
        .arg(to_json(&ticket.guests)?)
        .arg(ticket.contact_phone.clone())
        .arg(ticket.asset.clone())
        .arg(to_json(&ticket.custom_fields)?)
        .arg(opened_by_kind)
        .arg(opened_by_id)
        .arg(nanos(ticket.created_at)?)
        .arg(codec::month_index(ticket.created_at))
        .arg(nanos(ticket.updated_at)?)
        .arg(signed(ticket.version, "version")?)
        .arg(nanos(ticket.public_updated_at)?)
        .arg(signed(ticket.public_version, "public_version")?)
        .arg(to_json(sla)?)
        .arg(sla.due.first_response.map(nanos).transpose()?)
        .arg(sla.due_soon_from.first_response.map(nanos).transpose()?)
        .arg(sla.first_response_at.map(nanos).transpose()?)
        .arg(sla.due.resolution.map(nanos).transpose()?)
        .arg(sla.due_soon_from.resolution.map(nanos).transpose()?)
        .arg(sla.resolved_at.map(nanos).transpose()?)
        .arg(sla.paused_since().map(nanos).transpose()?))
}

/// The words the full-text index keeps for `ticket` and its new `events`.
pub(crate) fn ticket_words(ticket: &Ticket, events: &[TimelineEvent]) -> TicketWords {
    let mut out = TicketWords {
        head: helpdesk_core::search::searchable_words(ticket, &[], false),
        ..TicketWords::default()
    };
    for event in events {
        if let Some(body) = event.body() {
            let found = words(&body.to_plain_text());
            match event.visibility() {
                Visibility::Public => out.public.extend(found),
                Visibility::Internal => out.internal.extend(found),
            }
        }
    }
    out
}

/// The columns of a timeline event row, in the order [`event_values`] binds them.
pub(crate) const EVENT_INSERT_COLUMNS: &str = "tenant_id, ticket_id, position, id, at, \
     author_kind, author_id, status_from, status_to, kind, visibility, payload";

/// Binds the values of `event`'s row, at `position` in `ticket`'s timeline, in the order
/// of [`EVENT_INSERT_COLUMNS`].
pub(crate) fn event_values(
    sql: Sql,
    ticket: &Ticket,
    position: i64,
    event: &TimelineEvent,
) -> Result<Sql, SqlxStoreError> {
    let (author_kind, author_id) = actor_columns(event.author);
    Ok(sql
        .arg(ticket.tenant.as_uuid())
        .arg(ticket.id.as_uuid())
        .arg(position)
        .arg(event.id.as_uuid())
        .arg(nanos(event.at)?)
        .arg(author_kind)
        .arg(author_id)
        .arg(event.status_change.map(|c| c.from.as_str().to_owned()))
        .arg(event.status_change.map(|c| c.to.as_str().to_owned()))
        .arg(event.kind.name())
        .arg(enum_text(&event.visibility())?)
        .arg(to_json(&event.kind)?))
}

/// The tenant of a ticket, by the ticket's id (migration 18).
const TENANT_OF_TICKET: &str = "SELECT tenant_id FROM helpdesk_ticket_tenants WHERE id = $1";
/// The tenant of an attachment, by the attachment's id (migration 18).
const TENANT_OF_ATTACHMENT: &str =
    "SELECT tenant_id FROM helpdesk_attachment_tenants WHERE id = $1";

impl<D: Dialect> SqlStore<D> {
    /// The tenant `lookup` (one of the `TENANT_OF_*` reads) finds for `id`: what a read
    /// by id alone asks first, so that every read of a ticket's or an attachment's rows
    /// names its tenant (one shard of a database distributed by tenant, see
    /// `docs/distribution.md`, each of these two tables then distributed by `id`).
    async fn tenant_of(
        &self,
        lookup: &'static str,
        id: uuid::Uuid,
    ) -> StoreResult<Option<TenantId>> {
        fetch_optional(&mut self.conn(), Sql::new(lookup).arg(id), |r| {
            Ok(TenantId::from_uuid(r.uuid("tenant_id")?))
        })
        .await
    }
}

fn ticket_select(rest: &'static str) -> Sql {
    let mut sql = Sql::new("SELECT ");
    sql.push(codec::TICKET_COLUMNS)
        .push(" FROM helpdesk_tickets t ")
        .push(rest);
    sql
}

#[async_trait]
impl<D: Dialect> TicketRepository for SqlStore<D> {
    async fn open_ticket(&self, change: TicketChange<'_>) -> StoreResult<TicketNumber> {
        let opened = if D::ONE_STATEMENT {
            self.open_in_one_statement(&change).await
        } else {
            self.open_in_transaction(&change).await
        };
        match opened {
            Err(OpenError::Duplicate(refusal)) => {
                // A ticket with this id exists: a retried open. Nothing was written (the
                // number was given back); the stored fingerprint says whether the retry
                // is the same request.
                let stored = fetch_optional(
                    &mut self.conn(),
                    Sql::new(
                        "SELECT request_fingerprint FROM helpdesk_tickets \
                         WHERE tenant_id = $1 AND id = $2",
                    )
                    .arg(change.ticket.tenant.as_uuid())
                    .arg(change.ticket.id.as_uuid()),
                    |r| r.opt_text("request_fingerprint"),
                )
                .await?
                .flatten();
                Err(if stored.as_deref() == change.request_fingerprint {
                    refusal
                } else {
                    Error::IdempotencyKeyReused
                })
            }
            Err(OpenError::Other(e)) => Err(e),
            Ok(number) => Ok(number),
        }
    }

    async fn save_ticket(&self, change: TicketChange<'_>) -> StoreResult<()> {
        let saved = if D::ONE_STATEMENT {
            self.save_in_one_statement(&change).await?
        } else {
            self.save_in_transaction(&change).await?
        };
        if saved {
            return Ok(());
        }
        // Nothing written: tell a missing ticket from a stale version.
        let current = fetch_optional(
            &mut self.conn(),
            Sql::new("SELECT version FROM helpdesk_tickets WHERE tenant_id = $1 AND id = $2")
                .arg(change.ticket.tenant.as_uuid())
                .arg(change.ticket.id.as_uuid()),
            |r| r.i64("version"),
        )
        .await?;
        match current {
            None => Err(Error::NotFound(Entity::Ticket)),
            Some(version) => Err(Error::VersionConflict {
                expected: change.expected_version,
                actual: codec::unsigned(version, "version")?,
            }),
        }
    }

    async fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        match self.tenant_of(TENANT_OF_TICKET, id.as_uuid()).await? {
            Some(tenant) => self.ticket_in(tenant, id).await,
            None => Ok(None),
        }
    }

    async fn ticket_in(&self, tenant: TenantId, id: TicketId) -> StoreResult<Option<Ticket>> {
        let sql = ticket_select("WHERE t.tenant_id = $1 AND t.id = $2")
            .arg(tenant.as_uuid())
            .arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::ticket).await
    }

    async fn ticket_among(
        &self,
        tenants: &[TenantId],
        id: TicketId,
    ) -> StoreResult<Option<Ticket>> {
        if tenants.is_empty() {
            return Ok(None);
        }
        let mut sql = ticket_select("WHERE t.tenant_id IN (");
        for (i, tenant) in tenants.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(tenant.as_uuid());
        }
        sql.push(") AND t.id = ").bind(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::ticket).await
    }

    async fn ticket_by_number(
        &self,
        tenant: TenantId,
        number: TicketNumber,
    ) -> StoreResult<Option<Ticket>> {
        let Ok(number) = i64::try_from(number.get()) else {
            return Ok(None);
        };
        let sql = ticket_select("WHERE t.tenant_id = $1 AND t.number = $2")
            .arg(tenant.as_uuid())
            .arg(number);
        fetch_optional(&mut self.conn(), sql, codec::ticket).await
    }

    async fn timeline(&self, ticket: TicketId) -> StoreResult<Vec<TimelineEvent>> {
        match self.tenant_of(TENANT_OF_TICKET, ticket.as_uuid()).await? {
            Some(tenant) => self.timeline_in(tenant, ticket).await,
            None => Ok(Vec::new()),
        }
    }

    async fn attachments(&self, ticket: TicketId) -> StoreResult<Vec<Attachment>> {
        match self.tenant_of(TENANT_OF_TICKET, ticket.as_uuid()).await? {
            Some(tenant) => self.attachments_in(tenant, ticket).await,
            None => Ok(Vec::new()),
        }
    }

    async fn timeline_in(
        &self,
        tenant: TenantId,
        ticket: TicketId,
    ) -> StoreResult<Vec<TimelineEvent>> {
        let sql = select(
            codec::EVENT_COLUMNS,
            "FROM helpdesk_events WHERE tenant_id = $1 AND ticket_id = $2 ORDER BY position",
        )
        .arg(tenant.as_uuid())
        .arg(ticket.as_uuid());
        fetch_all(&mut self.conn(), sql, codec::event).await
    }

    async fn event_in(
        &self,
        tenant: TenantId,
        ticket: TicketId,
        event: helpdesk_core::EventId,
    ) -> StoreResult<Option<TimelineEvent>> {
        let sql = select(
            codec::EVENT_COLUMNS,
            "FROM helpdesk_events WHERE tenant_id = $1 AND id = $2 AND ticket_id = $3",
        )
        .arg(tenant.as_uuid())
        .arg(event.as_uuid())
        .arg(ticket.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::event).await
    }

    async fn attachments_in(
        &self,
        tenant: TenantId,
        ticket: TicketId,
    ) -> StoreResult<Vec<Attachment>> {
        let sql = select(
            codec::ATTACHMENT_COLUMNS,
            "FROM helpdesk_attachments WHERE tenant_id = $1 AND ticket_id = $2 \
             ORDER BY created_at, id",
        )
        .arg(tenant.as_uuid())
        .arg(ticket.as_uuid());
        fetch_all(&mut self.conn(), sql, codec::attachment).await
    }

    async fn attachment(&self, id: AttachmentId) -> StoreResult<Option<Attachment>> {
        let Some(tenant) = self.tenant_of(TENANT_OF_ATTACHMENT, id.as_uuid()).await? else {
            return Ok(None);
        };
        let sql = select(
            codec::ATTACHMENT_COLUMNS,
            "FROM helpdesk_attachments WHERE tenant_id = $1 AND id = $2",
        )
        .arg(tenant.as_uuid())
        .arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::attachment).await
    }

    async fn attachment_among(
        &self,
        tenants: &[TenantId],
        id: AttachmentId,
    ) -> StoreResult<Option<Attachment>> {
        if tenants.is_empty() {
            return Ok(None);
        }
        let mut sql = select(
            codec::ATTACHMENT_COLUMNS,
            "FROM helpdesk_attachments WHERE tenant_id IN ",
        );
        sql.bind_list(tenants.iter().map(|t| t.as_uuid()))
            .push(" AND id = ")
            .bind(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::attachment).await
    }

    async fn search(&self, query: &SearchQuery) -> StoreResult<SearchPage> {
        query.check_cursor()?;
        search::run::<D>(&self.pool, query).await
    }

    async fn dashboard(&self, query: &DashboardQuery) -> StoreResult<Dashboard> {
        let exact = !dashboard::tallied(&query.scope);
        dashboard::dashboard(&mut self.conn(), query, exact).await
    }

    async fn dashboard_breakdown(&self, query: &DashboardQuery) -> StoreResult<Breakdown> {
        let exact = !dashboard::tallied(&query.scope);
        dashboard::breakdown(&mut self.conn(), query, exact).await
    }

    async fn closures_due(
        &self,
        tenant: TenantId,
        proposed_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Ticket>> {
        let sql = ticket_select(
            "WHERE t.tenant_id = $1 AND t.status = $2 AND t.proposed_at <= $3 \
             ORDER BY t.proposed_at, t.id LIMIT $4",
        )
        .arg(tenant.as_uuid())
        .arg(Status::PendingClosure.as_str())
        .arg(codec::nanos_clamped(proposed_before))
        .arg(i64::from(limit));
        fetch_all(&mut self.conn(), sql, codec::ticket).await
    }
}
