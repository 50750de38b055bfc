//! The rows a ticket change writes beside the ticket row: events, outbox messages,
//! attachments, guests and closure answers, and the tenant of a new ticket or attachment
//! by its id, each kind in one multi-row statement, and only the kinds the change has.
//!
//! On SQLite each statement runs on its own inside the write transaction. On PostgreSQL
//! they become parts of one statement (`WITH ... AS (INSERT ...)`) with the ticket's own
//! `INSERT` or `UPDATE`: one round trip, atomic without `BEGIN`. There, every part of a
//! save reads from the ticket part (`t`), so a save whose version check matched nothing
//! writes nothing else either; an open's parts need not, its ticket part writes its row
//! or fails the statement (several opens can share one statement: `open_group`).

use helpdesk_core::{
    Answer, EventKind, Status, StoreResult, Ticket, TicketChange, TicketNumber, TimelineEvent,
};

use super::tickets::{TICKET_INSERT_COLUMNS, ticket_values, ticket_words};
use super::write_group::{Write, Written};
use super::{SqlStore, db};
use crate::backend::{Dialect, Exec};
use crate::codec::{actor_columns, enum_text, nanos, signed, to_json};
use crate::error::SqlxStoreError;
use crate::sql::Sql;

/// Whether the change's events can change the ticket's guests. Guests change only by
/// the events the workflow applies (an invitation, a new requester), so a change
/// without one leaves the guest rows as they are.
pub(super) fn guests_touched(events: &[TimelineEvent]) -> bool {
    events.iter().any(|e| {
        matches!(
            e.kind,
            EventKind::GuestInvited { .. } | EventKind::RequesterReassigned { .. }
        )
    })
}

/// Whether the change's events can change the ticket's closure answers: they exist
/// only on a closed ticket, so only a change into or out of `closed` touches them.
pub(super) fn closure_touched(events: &[TimelineEvent]) -> bool {
    events.iter().any(|e| {
        e.status_change
            .is_some_and(|c| c.from == Status::Closed || c.to == Status::Closed)
    })
}

/// Where the parts of one statement come from.
#[derive(Clone, Copy)]
pub(super) struct Part {
    /// The rows are parts of a PostgreSQL save's `WITH`: each reads from the ticket
    /// part `t` (so nothing is written when `t`'s version check matched nothing).
    /// `false`: each stands alone, a statement of SQLite's batch or a part of a
    /// PostgreSQL open, whose ticket part writes its row or fails the statement.
    pub(super) joins_ticket_part: bool,
}

impl Part {
    /// ` CROSS JOIN t` when the rows read from the ticket part, nothing otherwise.
    fn join(self) -> &'static str {
        if self.joins_ticket_part {
            " CROSS JOIN t"
        } else {
            ""
        }
    }
}

/// The statements (or `WITH` parts) that write everything of `change` beside the ticket
/// row, events numbered after the last stored one. `guests` and `closure` say whether
/// the ticket's guest rows and closure answers are to be brought in step.
pub(super) fn child_writes(
    change: &TicketChange<'_>,
    ticket: &Ticket,
    part: Part,
    guests: bool,
    closure: bool,
) -> StoreResult<Vec<Sql>> {
    let mut out = Vec::new();
    if !change.events.is_empty() {
        out.push(events(ticket, change.events, part)?);
    }
    if !change.outbox.is_empty() {
        out.push(outbox(ticket, change, part)?);
    }
    if !change.attachments.is_empty() {
        out.push(attachments(ticket, change, part)?);
        out.push(attachment_tenants(ticket, change, part));
    }
    if guests {
        out.extend(guest_rows(ticket, part));
    }
    if closure {
        out.extend(closure_rows(ticket, part));
    }
    Ok(out)
}

fn events(ticket: &Ticket, events: &[TimelineEvent], part: Part) -> StoreResult<Sql> {
    let mut sql = Sql::new(
        "INSERT INTO helpdesk_events (tenant_id, ticket_id, position, id, at, \
         author_kind, author_id, status_from, status_to, kind, visibility, payload) \
         SELECT v.column1, v.column2, p.next + v.column3, v.column4, v.column5, v.column6, \
         v.column7, v.column8, v.column9, v.column10, v.column11, v.column12 FROM (SELECT \
         COALESCE(MAX(position) + 1, 0) AS next FROM helpdesk_events WHERE tenant_id = ",
    );
    sql.bind(ticket.tenant.as_uuid())
        .push(" AND ticket_id = ")
        .bind(ticket.id.as_uuid())
        .push(") p CROSS JOIN (VALUES ");
    for (k, event) in events.iter().enumerate() {
        if k > 0 {
            sql.push(", ");
        }
        let (author_kind, author_id) = actor_columns(event.author);
        sql.push("(")
            .bind(ticket.tenant.as_uuid())
            .push(", ")
            .bind(ticket.id.as_uuid())
            .push(", ")
            .bind(i64::try_from(k).map_err(|_| SqlxStoreError::Corrupt("position".into()))?)
            .push(", ")
            .bind(event.id.as_uuid())
            .push(", ")
            .bind(nanos(event.at)?)
            .push(", ")
            .bind(author_kind)
            .push(", ")
            .bind(author_id)
            .push(", ")
            .bind(event.status_change.map(|c| c.from.as_str().to_owned()))
            .push(", ")
            .bind(event.status_change.map(|c| c.to.as_str().to_owned()))
            .push(", ")
            .bind(event.kind.name())
            .push(", ")
            .bind(enum_text(&event.visibility())?)
            .push(", ")
            .bind(to_json(&event.kind)?)
            .push(")");
    }
    sql.push(") v").push(part.join()).push(" WHERE true");
    Ok(sql)
}

fn outbox(ticket: &Ticket, change: &TicketChange<'_>, part: Part) -> StoreResult<Sql> {
    let mut sql = Sql::new(
        "INSERT INTO helpdesk_outbox (tenant_id, id, ticket_id, event_id, recipients, \
         created_at, attempts, next_attempt_at, last_error) SELECT v.column1, v.column2, \
         v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9 \
         FROM (VALUES ",
    );
    for (k, message) in change.outbox.iter().enumerate() {
        if k > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .bind(ticket.tenant.as_uuid())
            .push(", ")
            .bind(message.id.as_uuid())
            .push(", ")
            .bind(ticket.id.as_uuid())
            .push(", ")
            .bind(message.event.as_uuid())
            .push(", ")
            .bind(to_json(&message.recipients)?)
            .push(", ")
            .bind(nanos(message.created_at)?)
            .push(", ")
            .bind(i64::from(message.attempts))
            .push(", ")
            .bind(nanos(message.next_attempt_at)?)
            .push(", ")
            .bind(message.last_error.clone())
            .push(")");
    }
    sql.push(") v").push(part.join()).push(" WHERE true");
    Ok(sql)
}

fn attachments(ticket: &Ticket, change: &TicketChange<'_>, part: Part) -> StoreResult<Sql> {
    let mut sql = Sql::new(
        "INSERT INTO helpdesk_attachments (tenant_id, id, ticket_id, event_id, file_name, \
         content_type, size, uploaded_by_kind, uploaded_by_id, created_at) SELECT \
         v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, \
         v.column8, v.column9, v.column10 FROM (VALUES ",
    );
    for (k, attachment) in change.attachments.iter().enumerate() {
        if k > 0 {
            sql.push(", ");
        }
        let (kind, id) = actor_columns(attachment.uploaded_by);
        sql.push("(")
            .bind(ticket.tenant.as_uuid())
            .push(", ")
            .bind(attachment.id.as_uuid())
            .push(", ")
            .bind(ticket.id.as_uuid())
            .push(", ")
            .bind(attachment.event.as_uuid())
            .push(", ")
            .bind(attachment.file_name.as_str())
            .push(", ")
            .bind(attachment.content_type.as_str())
            .push(", ")
            .bind(signed(attachment.size, "attachment size")?)
            .push(", ")
            .bind(kind)
            .push(", ")
            .bind(id)
            .push(", ")
            .bind(nanos(attachment.created_at)?)
            .push(")");
    }
    sql.push(") v").push(part.join()).push(" WHERE true");
    Ok(sql)
}

/// The tenant of each new attachment, by its id (`helpdesk_attachment_tenants`,
/// migration 18): how a download link, which names only the attachment, finds the row.
fn attachment_tenants(ticket: &Ticket, change: &TicketChange<'_>, part: Part) -> Sql {
    let mut sql = Sql::new(
        "INSERT INTO helpdesk_attachment_tenants (id, tenant_id) \
         SELECT v.column1, v.column2 FROM (VALUES ",
    );
    for (k, attachment) in change.attachments.iter().enumerate() {
        if k > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .bind(attachment.id.as_uuid())
            .push(", ")
            .bind(ticket.tenant.as_uuid())
            .push(")");
    }
    sql.push(") v").push(part.join()).push(" WHERE true");
    sql
}

/// The tenant of a new ticket, by its id (`helpdesk_ticket_tenants`, migration 18): how
/// a caller who holds only the id (a platform admin, the reply address of a mail) finds
/// the ticket's row. Written with the ticket row; its key refuses an id that another
/// tenant's ticket has.
pub(super) fn ticket_tenant(ticket: &Ticket) -> Sql {
    let mut sql = Sql::new("INSERT INTO helpdesk_ticket_tenants (id, tenant_id) VALUES (");
    sql.bind(ticket.id.as_uuid())
        .push(", ")
        .bind(ticket.tenant.as_uuid())
        .push(")");
    sql
}

/// Brings the guest rows in step with `ticket.guests`: removes the others, adds the
/// missing ones.
fn guest_rows(ticket: &Ticket, part: Part) -> Vec<Sql> {
    let mut out = Vec::new();
    let mut delete = Sql::new("DELETE FROM helpdesk_ticket_guests WHERE tenant_id = ");
    delete
        .bind(ticket.tenant.as_uuid())
        .push(" AND ticket_id = ")
        .bind(ticket.id.as_uuid());
    if !ticket.guests.is_empty() {
        delete
            .push(" AND member_id NOT IN ")
            .bind_list(ticket.guests.iter().map(|g| g.as_uuid()));
    }
    if part.joins_ticket_part {
        delete.push(" AND EXISTS (SELECT 1 FROM t)");
    }
    out.push(delete);
    if !ticket.guests.is_empty() {
        let mut insert = Sql::new(
            "INSERT INTO helpdesk_ticket_guests (tenant_id, ticket_id, member_id) \
             SELECT v.column1, v.column2, v.column3 FROM (VALUES ",
        );
        for (k, guest) in ticket.guests.iter().enumerate() {
            if k > 0 {
                insert.push(", ");
            }
            insert
                .push("(")
                .bind(ticket.tenant.as_uuid())
                .push(", ")
                .bind(ticket.id.as_uuid())
                .push(", ")
                .bind(guest.as_uuid())
                .push(")");
        }
        insert
            .push(") v")
            .push(part.join())
            .push(" WHERE true ON CONFLICT DO NOTHING");
        out.push(insert);
    }
    out
}

/// Brings the closure answer rows in step with the ticket's answers.
fn closure_rows(ticket: &Ticket, part: Part) -> Vec<Sql> {
    let answers: Vec<_> = ticket.closure_answers().into_iter().flatten().collect();
    let mut out = Vec::new();
    let mut delete = Sql::new("DELETE FROM helpdesk_closure_answers WHERE tenant_id = ");
    delete
        .bind(ticket.tenant.as_uuid())
        .push(" AND ticket_id = ")
        .bind(ticket.id.as_uuid());
    if !answers.is_empty() {
        delete
            .push(" AND question_key NOT IN ")
            .bind_list(answers.iter().map(|(k, _)| k.as_str()));
    }
    if part.joins_ticket_part {
        delete.push(" AND EXISTS (SELECT 1 FROM t)");
    }
    out.push(delete);
    if !answers.is_empty() {
        let mut insert = Sql::new(
            "INSERT INTO helpdesk_closure_answers \
             (tenant_id, ticket_id, question_key, score, choice) \
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5 FROM (VALUES ",
        );
        for (k, (key, answer)) in answers.iter().enumerate() {
            if k > 0 {
                insert.push(", ");
            }
            let (score, choice) = match answer {
                Answer::Score(s) => (Some(i64::from(*s)), None),
                Answer::Text(t) => (None, Some(t.clone())),
            };
            insert
                .push("(")
                .bind(ticket.tenant.as_uuid())
                .push(", ")
                .bind(ticket.id.as_uuid())
                .push(", ")
                .bind(key.as_str())
                .push(", ")
                .bind(score)
                .push(", ")
                .bind(choice)
                .push(")");
        }
        insert.push(") v").push(part.join()).push(
            " WHERE true ON CONFLICT (tenant_id, ticket_id, question_key) DO UPDATE \
             SET score = excluded.score, choice = excluded.choice",
        );
        out.push(insert);
    }
    out
}

/// Appends `parts` to a PostgreSQL `WITH` whose first part is already in `sql`: `, c1 AS
/// (...), c2 AS (...)`. Their placeholders are renumbered after those already bound.
pub(super) fn push_parts(sql: &mut Sql, parts: Vec<Sql>) {
    for (k, part) in (0_i64..).zip(parts) {
        sql.push(", c")
            .push_integer(k)
            .push(" AS (")
            .append(part)
            .push(")");
    }
}

/// Several statements as one batch, `; `-separated, their placeholders renumbered after
/// one another: SQLite runs them in order in one call to its connection's thread (and
/// stops at the first that fails). Not for PostgreSQL, whose prepared statements hold one
/// command each (its writes are one statement anyway).
fn batch(statements: Vec<Sql>) -> Sql {
    let mut sql = Sql::new("");
    for (i, statement) in statements.into_iter().enumerate() {
        if i > 0 {
            sql.push("; ");
        }
        sql.append(statement);
    }
    sql
}

/// Maps a failed write of a ticket change: a duplicate attachment id is an attachment
/// that exists, any other duplicate (a ticket id in this tenant or another, an event id
/// a mail reply already wrote) a ticket.
pub(super) fn write_error(e: sqlx::Error) -> helpdesk_core::Error {
    match e.as_database_error() {
        Some(d) if d.is_unique_violation() => {
            // PostgreSQL names the table and constraint; SQLite only says, in its
            // message, which columns: `UNIQUE constraint failed: helpdesk_attachments.…`.
            // The attachment's row or its tenant by id (`helpdesk_attachment_tenants`).
            if d.table()
                .is_some_and(|t| t.starts_with("helpdesk_attachment"))
                || d.constraint().is_some_and(|c| c.contains("attachment"))
                || d.message().contains("helpdesk_attachment")
            {
                helpdesk_core::Error::AlreadyExists(helpdesk_core::Entity::Attachment)
            } else {
                helpdesk_core::Error::AlreadyExists(helpdesk_core::Entity::Ticket)
            }
        }
        _ => db(e),
    }
}

/// How an opening failed.
#[derive(Debug)]
pub(super) enum OpenError {
    /// A ticket with this id exists; nothing was written.
    Duplicate(helpdesk_core::Error),
    /// Any other failure.
    Other(helpdesk_core::Error),
}

impl From<helpdesk_core::Error> for OpenError {
    fn from(e: helpdesk_core::Error) -> Self {
        OpenError::Other(e)
    }
}

impl From<SqlxStoreError> for OpenError {
    fn from(e: SqlxStoreError) -> Self {
        OpenError::Other(e.into())
    }
}

/// `SET` of every column [`ticket_values`] binds, from `$3` on.
const TICKET_SET: &str = "subject = $3, description = $4, \
     category_id = $5, product_id = $6, priority = $7, status = $8, state = $9, \
     proposed_at = $10, ended_at = $11, approved = $12, requester_id = $13, \
     assignee_id = $14, group_id = $15, guests = $16, contact_phone = $17, \
     asset = $18, custom_fields = $19, opened_by_kind = $20, opened_by_id = $21, \
     created_at = $22, created_month = $23, updated_at = $24, version = $25, \
     public_updated_at = $26, public_version = $27, service_level = $28, \
     first_response_due = $29, first_response_soon = $30, first_response_at = $31, \
     resolution_due = $32, resolution_soon = $33, resolved_at = $34, \
     sla_paused_since = $35";

/// `$1` to `$35`.
const TICKET_PLACEHOLDERS: &str = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
     $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, \
     $31, $32, $33, $34, $35";

pub(super) fn opening_error(e: sqlx::Error) -> OpenError {
    let refusal = write_error(e);
    let duplicate_ticket = matches!(
        refusal,
        helpdesk_core::Error::AlreadyExists(helpdesk_core::Entity::Ticket)
    );
    if duplicate_ticket {
        OpenError::Duplicate(refusal)
    } else {
        OpenError::Other(refusal)
    }
}

/// A PostgreSQL open written out before it queues (see
/// [`open_group`](super::open_group)).
#[derive(Clone)]
pub(super) struct OpenParts {
    /// `INSERT INTO helpdesk_tickets (..., number) SELECT $1, ..., `: the expression of
    /// the number, and `FROM n`, follow when the group is written.
    pub(super) ticket: Sql,
    /// The rows beside the ticket, each an `INSERT` of its own that reads nothing from
    /// the ticket part: that part writes its row or the statement fails.
    pub(super) rows: Vec<Sql>,
}

impl OpenParts {
    /// How many values the parts bind.
    pub(super) fn values(&self) -> usize {
        self.ticket.values() + self.rows.iter().map(Sql::values).sum::<usize>()
    }
}

/// The parts of `change`'s open on PostgreSQL.
fn open_parts<D: Dialect>(change: &TicketChange<'_>) -> Result<OpenParts, OpenError> {
    let ticket = change.ticket;
    let words = ticket_words(ticket, change.events);
    let mut sql = Sql::new("INSERT INTO helpdesk_tickets (");
    sql.push(TICKET_INSERT_COLUMNS)
        .push(
            ", request_fingerprint, search_head, search_public, search_internal, number) \
             SELECT ",
        )
        .push(TICKET_PLACEHOLDERS)
        .push(
            ", $36, array_to_tsvector($37), array_to_tsvector($38), \
             array_to_tsvector($39), ",
        );
    let sql = ticket_values(
        sql.arg(ticket.tenant.as_uuid()).arg(ticket.id.as_uuid()),
        ticket,
    )?
    .arg(change.request_fingerprint.map(str::to_owned))
    .arg(D::words_arg(words.head))
    .arg(D::words_arg(words.public))
    .arg(D::words_arg(words.internal));
    let guests = !ticket.guests.is_empty();
    let closure = ticket.closure_answers().is_some_and(|a| !a.is_empty());
    let mut rows = vec![ticket_tenant(ticket)];
    rows.extend(child_writes(
        change,
        ticket,
        Part {
            joins_ticket_part: false,
        },
        guests,
        closure,
    )?);
    Ok(OpenParts { ticket: sql, rows })
}

impl<D: Dialect> SqlStore<D> {
    /// PostgreSQL: the number, the ticket row with its search vectors and every row beside
    /// it in one statement, written with the other opens of its tenant queued at the
    /// same time (see [`open_group`](super::open_group)). The tenant's counter row is
    /// locked from that statement's start to its commit, right after: nothing else holds
    /// it.
    pub(super) async fn open_in_one_statement(
        &self,
        change: &TicketChange<'_>,
    ) -> Result<TicketNumber, OpenError> {
        let open = open_parts::<D>(change)?;
        let number = self.open_in_group(change.ticket.tenant, open).await?;
        Ok(TicketNumber::new(number))
    }

    /// SQLite: the same writes in a group of this store's ticket writes (see
    /// [`write_group`](super::write_group)): the number, then the ticket row, the rows
    /// beside it and its words as one batch (one call to the connection's thread, not
    /// one per statement), the ticket row reading its number from the counter row.
    pub(super) async fn open_in_transaction(
        &self,
        change: &TicketChange<'_>,
    ) -> Result<TicketNumber, OpenError> {
        let ticket = change.ticket;
        let counter = Sql::new(
            "INSERT INTO helpdesk_ticket_counters (tenant_id, last_number) \
             VALUES ($1, 1) ON CONFLICT (tenant_id) DO UPDATE \
             SET last_number = helpdesk_ticket_counters.last_number + 1 \
             RETURNING last_number",
        )
        .arg(ticket.tenant.as_uuid());
        let mut insert = Sql::new("INSERT INTO helpdesk_tickets (");
        insert
            .push(TICKET_INSERT_COLUMNS)
            .push(", number, request_fingerprint) VALUES (")
            .push(TICKET_PLACEHOLDERS)
            .push(
                ", (SELECT last_number FROM helpdesk_ticket_counters WHERE tenant_id = $1), \
                 $36)",
            );
        let insert = ticket_values(
            insert.arg(ticket.tenant.as_uuid()).arg(ticket.id.as_uuid()),
            ticket,
        )?
        .arg(change.request_fingerprint.map(str::to_owned));
        let guests = !ticket.guests.is_empty();
        let closure = ticket.closure_answers().is_some_and(|a| !a.is_empty());
        // The ticket row comes first: a duplicate id fails before anything else is
        // written, and the write is rolled back to its savepoint.
        let mut statements = vec![insert, ticket_tenant(ticket)];
        statements.extend(child_writes(
            change,
            ticket,
            Part {
                joins_ticket_part: false,
            },
            guests,
            closure,
        )?);
        statements.push(D::index_new_ticket(
            ticket,
            ticket_words(ticket, change.events),
        ));
        let write = Write::Open {
            counter,
            rest: batch(statements),
        };
        match self.write_in_group(write).await? {
            Written::Opened(number) => Ok(TicketNumber::new(number)),
            Written::Saved(_) => Err(OpenError::Other(
                SqlxStoreError::Corrupt("an open answered as a save".into()).into(),
            )),
        }
    }

    /// PostgreSQL: the ticket row, its search vectors and every row beside it in one
    /// statement. False when the version check matched no row (nothing written).
    pub(super) async fn save_in_one_statement(
        &self,
        change: &TicketChange<'_>,
    ) -> StoreResult<bool> {
        let ticket = change.ticket;
        let words = ticket_words(ticket, change.events);
        let mut sql = Sql::new("WITH t AS (UPDATE helpdesk_tickets SET ");
        sql.push(TICKET_SET).push(
            ", search_head = array_to_tsvector($36), \
             search_public = search_public || array_to_tsvector($37), \
             search_internal = search_internal || array_to_tsvector($38) \
             WHERE tenant_id = $39 AND id = $1 AND version = $2 RETURNING tenant_id)",
        );
        let mut sql = ticket_values(
            sql.arg(ticket.id.as_uuid())
                .arg(signed(change.expected_version, "version")?),
            ticket,
        )?
        .arg(D::words_arg(words.head))
        .arg(D::words_arg(words.public))
        .arg(D::words_arg(words.internal))
        .arg(ticket.tenant.as_uuid());
        let parts = child_writes(
            change,
            ticket,
            Part {
                joins_ticket_part: true,
            },
            guests_touched(change.events),
            closure_touched(change.events),
        )?;
        push_parts(&mut sql, parts);
        sql.push(" SELECT tenant_id FROM t");
        let row = self
            .conn()
            .fetch_optional_write(sql)
            .await
            .map_err(write_error)?;
        Ok(row.is_some())
    }

    /// SQLite: the same writes in a group of this store's ticket writes (see
    /// [`write_group`](super::write_group)): the versioned update of the ticket row,
    /// then the rows beside it and its words as one batch. The tenant stays the one
    /// stored (the update matches it), and nothing beside the row reads the number.
    pub(super) async fn save_in_transaction(&self, change: &TicketChange<'_>) -> StoreResult<bool> {
        let ticket = change.ticket;
        let mut update = Sql::new("UPDATE helpdesk_tickets SET ");
        update
            .push(TICKET_SET)
            .push(" WHERE tenant_id = $36 AND id = $1 AND version = $2 RETURNING tenant_id");
        let update = ticket_values(
            update
                .arg(ticket.id.as_uuid())
                .arg(signed(change.expected_version, "version")?),
            ticket,
        )?
        .arg(ticket.tenant.as_uuid());
        let mut statements = child_writes(
            change,
            ticket,
            Part {
                joins_ticket_part: false,
            },
            guests_touched(change.events),
            closure_touched(change.events),
        )?;
        statements.push(D::index_saved_ticket(
            ticket,
            ticket_words(ticket, change.events),
        ));
        let write = Write::Save {
            update,
            rest: batch(statements),
        };
        match self.write_in_group(write).await {
            Ok(Written::Saved(saved)) => Ok(saved),
            Ok(Written::Opened(_)) => {
                Err(SqlxStoreError::Corrupt("a save answered as an open".into()).into())
            }
            Err(OpenError::Duplicate(e) | OpenError::Other(e)) => Err(e),
        }
    }
}
