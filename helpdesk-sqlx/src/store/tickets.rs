//! [`TicketRepository`]: tickets with their timeline, attachments, outbox messages and
//! closure answers, the full-text index, search and the dashboard.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_core::text::words;
use helpdesk_core::{
    AgentLine, Answer, Attachment, AttachmentId, Breakdown, Closure, Dashboard, DashboardQuery,
    Entity, Error, GroupId, GroupLine, OutboxMessage, SearchPage, SearchQuery, StaffId, Status,
    StoreResult, TenantId, Ticket, TicketChange, TicketId, TicketNumber, TicketRepository,
    TicketState, TimelineEvent, Visibility,
};

use super::{SqlStore, db, fetch_all, fetch_optional, select, store_err};
use crate::backend::{Dialect, Exec, RowExt, TicketWords};
use crate::codec::{self, actor_columns, enum_text, nanos, signed, to_json};
use crate::error::{SqlxStoreError, duplicate_as};
use crate::query;

use super::dashboard::{
    breakdown_lines, count_by_status, count_opened_per_month, count_satisfaction,
    count_service_levels,
};
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

/// Writes everything of a ticket change beside the ticket row, in `tx`: guests,
/// events (from `position` on), outbox messages, attachments and closure answers.
async fn write_change<E: Exec>(
    tx: &mut E,
    ticket: &Ticket,
    change: &TicketChange<'_>,
    position: i64,
) -> StoreResult<()> {
    replace_guests(tx, ticket).await?;
    insert_events(tx, ticket, change.events, position).await?;
    insert_outbox(tx, ticket, change.outbox).await?;
    insert_attachments(tx, ticket, change.attachments).await?;
    replace_closure_answers(tx, ticket).await
}

/// Replaces the rows that list the ticket's guests.
async fn replace_guests<E: Exec>(tx: &mut E, ticket: &Ticket) -> StoreResult<()> {
    let tenant = ticket.tenant.as_uuid();
    tx.execute(
        Sql::new("DELETE FROM helpdesk_ticket_guests WHERE tenant_id = $1 AND ticket_id = $2")
            .arg(tenant)
            .arg(ticket.id.as_uuid()),
    )
    .await
    .map_err(db)?;
    for guest in &ticket.guests {
        tx.execute(
            Sql::new(
                "INSERT INTO helpdesk_ticket_guests (tenant_id, ticket_id, member_id) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .arg(tenant)
            .arg(ticket.id.as_uuid())
            .arg(guest.as_uuid()),
        )
        .await
        .map_err(db)?;
    }
    Ok(())
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

/// Appends the change's events to the timeline, numbered from `position` on.
async fn insert_events<E: Exec>(
    tx: &mut E,
    ticket: &Ticket,
    events: &[TimelineEvent],
    mut position: i64,
) -> StoreResult<()> {
    for event in events {
        let mut sql = Sql::new("INSERT INTO helpdesk_events (");
        sql.push(EVENT_INSERT_COLUMNS)
            .push(") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
        tx.execute(event_values(sql, ticket, position, event)?)
            .await
            .map_err(duplicate_as(Entity::Ticket))?;
        position += 1;
    }
    Ok(())
}

/// Queues the change's notifications.
async fn insert_outbox<E: Exec>(
    tx: &mut E,
    ticket: &Ticket,
    outbox: &[OutboxMessage],
) -> StoreResult<()> {
    let tenant = ticket.tenant.as_uuid();
    for message in outbox {
        tx.execute(
            Sql::new(
                "INSERT INTO helpdesk_outbox (tenant_id, id, ticket_id, event_id, recipients, \
                 created_at, attempts, next_attempt_at, last_error) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .arg(tenant)
            .arg(message.id.as_uuid())
            .arg(ticket.id.as_uuid())
            .arg(message.event.as_uuid())
            .arg(to_json(&message.recipients)?)
            .arg(nanos(message.created_at)?)
            .arg(i64::from(message.attempts))
            .arg(nanos(message.next_attempt_at)?)
            .arg(message.last_error.clone()),
        )
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Records the change's attachments.
async fn insert_attachments<E: Exec>(
    tx: &mut E,
    ticket: &Ticket,
    attachments: &[Attachment],
) -> StoreResult<()> {
    let tenant = ticket.tenant.as_uuid();
    for attachment in attachments {
        let (kind, id) = actor_columns(attachment.uploaded_by);
        tx.execute(
            Sql::new(
                "INSERT INTO helpdesk_attachments (tenant_id, id, ticket_id, event_id, \
                 file_name, content_type, size, uploaded_by_kind, uploaded_by_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .arg(tenant)
            .arg(attachment.id.as_uuid())
            .arg(ticket.id.as_uuid())
            .arg(attachment.event.as_uuid())
            .arg(attachment.file_name.as_str())
            .arg(attachment.content_type.as_str())
            .arg(signed(attachment.size, "attachment size")?)
            .arg(kind)
            .arg(id)
            .arg(nanos(attachment.created_at)?),
        )
        .await
        .map_err(duplicate_as(Entity::Attachment))?;
    }
    Ok(())
}

/// Replaces the ticket's closure answers, which the dashboard counts.
async fn replace_closure_answers<E: Exec>(tx: &mut E, ticket: &Ticket) -> StoreResult<()> {
    let tenant = ticket.tenant.as_uuid();
    tx.execute(
        Sql::new("DELETE FROM helpdesk_closure_answers WHERE tenant_id = $1 AND ticket_id = $2")
            .arg(tenant)
            .arg(ticket.id.as_uuid()),
    )
    .await
    .map_err(db)?;
    for (key, answer) in ticket.closure_answers().into_iter().flatten() {
        let (score, choice) = match answer {
            Answer::Score(s) => (Some(i64::from(*s)), None),
            Answer::Text(t) => (None, Some(t.clone())),
        };
        tx.execute(
            Sql::new(
                "INSERT INTO helpdesk_closure_answers \
                 (tenant_id, ticket_id, question_key, score, choice) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .arg(tenant)
            .arg(ticket.id.as_uuid())
            .arg(key.as_str())
            .arg(score)
            .arg(choice),
        )
        .await
        .map_err(db)?;
    }
    Ok(())
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
        let mut tx = D::begin(&self.pool).await.map_err(db)?;
        // The counter row is locked by this update until commit: concurrent openings in
        // the tenant queue here, and a rolled-back opening gives its number back.
        let row = tx
            .fetch_optional(
                Sql::new(
                    "INSERT INTO helpdesk_ticket_counters (tenant_id, last_number) \
                     VALUES ($1, 1) ON CONFLICT (tenant_id) DO UPDATE \
                     SET last_number = helpdesk_ticket_counters.last_number + 1 \
                     RETURNING last_number",
                )
                .arg(change.ticket.tenant.as_uuid()),
            )
            .await
            .map_err(db)?
            .ok_or_else(|| store_err(SqlxStoreError::Corrupt("no ticket counter".into())))?;
        let number = codec::unsigned(row.i64("last_number")?, "ticket number")?;
        let mut ticket = change.ticket.clone();
        ticket.number = TicketNumber::new(number);
        let mut insert = Sql::new("INSERT INTO helpdesk_tickets (");
        insert.push(TICKET_INSERT_COLUMNS).push(
            ", number, request_fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, \
             $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37)",
        );
        let insert = ticket_values(
            insert.arg(ticket.tenant.as_uuid()).arg(ticket.id.as_uuid()),
            &ticket,
        )?
        .arg(signed(number, "ticket number")?)
        .arg(change.request_fingerprint.map(str::to_owned));
        if let Err(e) = tx.execute(insert).await {
            let refusal = duplicate_as(Entity::Ticket)(e);
            if !matches!(refusal, Error::AlreadyExists(Entity::Ticket)) {
                return Err(refusal);
            }
            // A ticket with this id exists: a retried open. Dropping `tx` rolls back
            // (and gives the number back); the stored fingerprint says whether the retry
            // is the same request.
            drop(tx);
            let stored = fetch_optional(
                &mut self.conn(),
                Sql::new("SELECT request_fingerprint FROM helpdesk_tickets WHERE id = $1")
                    .arg(change.ticket.id.as_uuid()),
                |r| r.opt_text("request_fingerprint"),
            )
            .await?
            .flatten();
            return Err(if stored.as_deref() == change.request_fingerprint {
                refusal
            } else {
                Error::IdempotencyKeyReused
            });
        }
        write_change(&mut tx, &ticket, &change, 0).await?;
        D::index_new_ticket(&mut tx, &ticket, ticket_words(&ticket, change.events))
            .await
            .map_err(db)?;
        D::commit(tx).await.map_err(db)?;
        Ok(ticket.number)
    }

    async fn save_ticket(&self, change: TicketChange<'_>) -> StoreResult<()> {
        let mut tx = D::begin(&self.pool).await.map_err(db)?;
        let update = ticket_values(
            Sql::new(
                "UPDATE helpdesk_tickets SET subject = $3, description = $4, \
                 category_id = $5, product_id = $6, priority = $7, status = $8, state = $9, \
                 proposed_at = $10, ended_at = $11, approved = $12, requester_id = $13, \
                 assignee_id = $14, group_id = $15, guests = $16, contact_phone = $17, \
                 asset = $18, custom_fields = $19, opened_by_kind = $20, opened_by_id = $21, \
                 created_at = $22, created_month = $23, updated_at = $24, version = $25, \
                 public_updated_at = $26, public_version = $27, service_level = $28, \
                 first_response_due = $29, first_response_soon = $30, first_response_at = $31, \
                 resolution_due = $32, resolution_soon = $33, resolved_at = $34, \
                 sla_paused_since = $35 WHERE id = $1 AND version = $2 RETURNING tenant_id, number",
            )
            .arg(change.ticket.id.as_uuid())
            .arg(signed(change.expected_version, "version")?),
            change.ticket,
        )?;
        let Some(row) = tx.fetch_optional(update).await.map_err(db)? else {
            // Nothing written: tell a missing ticket from a stale version. Dropping `tx`
            // rolls back.
            let current = tx
                .fetch_optional(
                    Sql::new("SELECT version FROM helpdesk_tickets WHERE id = $1")
                        .arg(change.ticket.id.as_uuid()),
                )
                .await
                .map_err(db)?;
            return match current {
                None => Err(Error::NotFound(Entity::Ticket)),
                Some(row) => Err(Error::VersionConflict {
                    expected: change.expected_version,
                    actual: codec::unsigned(row.i64("version")?, "version")?,
                }),
            };
        };
        // The tenant and number stay those stored.
        let ticket = Ticket {
            tenant: TenantId::from_uuid(row.uuid("tenant_id")?),
            number: TicketNumber::new(codec::unsigned(row.i64("number")?, "ticket number")?),
            ..change.ticket.clone()
        };
        let next = tx
            .fetch_optional(
                Sql::new(
                    "SELECT COALESCE(MAX(position) + 1, 0) AS next FROM helpdesk_events \
                     WHERE tenant_id = $1 AND ticket_id = $2",
                )
                .arg(ticket.tenant.as_uuid())
                .arg(ticket.id.as_uuid()),
            )
            .await
            .map_err(db)?;
        let position = match next {
            Some(row) => row.i64("next")?,
            None => 0,
        };
        write_change(&mut tx, &ticket, &change, position).await?;
        D::index_saved_ticket(&mut tx, &ticket, ticket_words(&ticket, change.events))
            .await
            .map_err(db)?;
        D::commit(tx).await.map_err(db)
    }

    async fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        let sql = ticket_select("WHERE t.id = $1").arg(id.as_uuid());
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
        let sql = select(
            codec::EVENT_COLUMNS,
            "FROM helpdesk_events WHERE tenant_id IN \
             (SELECT tenant_id FROM helpdesk_tickets WHERE id = $1) \
             AND ticket_id = $1 ORDER BY position",
        )
        .arg(ticket.as_uuid());
        fetch_all(&mut self.conn(), sql, codec::event).await
    }

    async fn attachments(&self, ticket: TicketId) -> StoreResult<Vec<Attachment>> {
        let sql = select(
            codec::ATTACHMENT_COLUMNS,
            "FROM helpdesk_attachments WHERE tenant_id IN \
             (SELECT tenant_id FROM helpdesk_tickets WHERE id = $1) \
             AND ticket_id = $1 ORDER BY created_at, id",
        )
        .arg(ticket.as_uuid());
        fetch_all(&mut self.conn(), sql, codec::attachment).await
    }

    async fn attachment(&self, id: AttachmentId) -> StoreResult<Option<Attachment>> {
        let sql = select(
            codec::ATTACHMENT_COLUMNS,
            "FROM helpdesk_attachments WHERE id = $1",
        )
        .arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::attachment).await
    }

    async fn search(&self, query: &SearchQuery) -> StoreResult<SearchPage> {
        query.check_cursor()?;
        let mut conn = self.conn();
        // The total: the same filters, no cursor, no order.
        let mut count = Sql::new(
            "SELECT COUNT(*) AS n FROM helpdesk_tickets t \
             LEFT JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE 1 = 1",
        );
        query::push_search::<D>(&mut count, query);
        let total = match conn.fetch_optional(count).await.map_err(db)? {
            Some(row) => codec::unsigned(row.i64("n")?, "count")?,
            None => 0,
        };
        let mut sql =
            ticket_select("LEFT JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE 1 = 1");
        query::push_search::<D>(&mut sql, query);
        query::push_after::<D>(&mut sql, query);
        query::push_order::<D>(&mut sql, query);
        // One more than the page: `next` is set exactly when more tickets follow.
        let limit = i64::from(query.page.limit);
        sql.push(" LIMIT ").bind(limit + 1);
        let mut tickets = fetch_all(&mut conn, sql, codec::ticket).await?;
        let more = tickets.len() > query.page.limit as usize;
        tickets.truncate(query.page.limit as usize);
        let next = if more {
            tickets.last().map(|t| query.cursor_after(t))
        } else {
            None
        };
        Ok(SearchPage {
            tickets,
            total,
            next,
        })
    }

    async fn dashboard(&self, query: &DashboardQuery) -> StoreResult<Dashboard> {
        let mut conn = self.conn();
        let mut dashboard = Dashboard::default();
        count_by_status(&mut conn, query, &mut dashboard).await?;
        count_opened_per_month(&mut conn, query, &mut dashboard).await?;
        count_satisfaction(&mut conn, query, &mut dashboard).await?;
        count_service_levels(&mut conn, query, &mut dashboard).await?;
        Ok(dashboard)
    }

    async fn dashboard_breakdown(&self, query: &DashboardQuery) -> StoreResult<Breakdown> {
        let mut conn = self.conn();
        let agents = breakdown_lines(&mut conn, query, "t.assignee_id").await?;
        let groups = breakdown_lines(&mut conn, query, "t.group_id").await?;
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
