//! Importing tickets in bulk: many tickets with their whole timelines, written in one
//! transaction with multi-row `INSERT`s, for a host moving from another helpdesk (and for
//! the benches, which fill a database with a million tickets this way).
//!
//! The rows are those [`open_ticket`](helpdesk_core::TicketRepository::open_ticket) and
//! [`save_ticket`](helpdesk_core::TicketRepository::save_ticket) write, through the same
//! column lists and value functions: the ticket row, its tenant by id, its guests, its
//! events, its closure answers and its full-text words. Imported tickets read back exactly as the
//! same tickets opened and changed through the port.

use std::collections::{BTreeMap, HashSet};

use helpdesk_core::{
    Answer, Entity, Error, StoreResult, TenantId, Ticket, TicketNumber, TimelineEvent,
};

use super::tickets::{
    EVENT_INSERT_COLUMNS, TICKET_INSERT_COLUMNS, event_values, ticket_values, ticket_words,
};
use super::{SqlStore, db, store_err};
use crate::backend::{Dialect, Exec, TicketWords};
use crate::codec::signed;
use crate::error::duplicate_as;
use crate::sql::Sql;

/// Bound values per statement at most on PostgreSQL (its limit is 65,535).
#[cfg(feature = "postgres")]
const PG_MAX_BINDS: usize = 30_000;
/// Bound values per statement at most on SQLite. Its limit is 32,766, but binding a
/// numbered parameter looks its name up in a list as long as the statement's parameters
/// (`sqlite3_bind_parameter_name`), so a statement's binding time grows with the square
/// of its parameters: 27,000 of them took 0.4 s, and smaller statements are faster.
#[cfg(feature = "sqlite")]
const SQLITE_MAX_BINDS: usize = 999;

/// A ticket to import, with its whole timeline.
///
/// The ticket is stored as it is: its id, number, state, dates, versions and service
/// level. The events are its timeline, oldest first, each naming this ticket and its
/// tenant. No notification is queued for an imported ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedTicket {
    /// The ticket, numbered.
    pub ticket: Ticket,
    /// Its timeline, oldest first.
    pub events: Vec<TimelineEvent>,
}

/// What each database writes its own way in a bulk import: the full-text words.
trait BulkDialect: Dialect {
    /// Bound values per statement at most.
    const MAX_BINDS: usize;
    /// Columns written after [`TICKET_INSERT_COLUMNS`] and the number, each starting
    /// with `, `.
    const EXTRA_COLUMNS: &'static str;
    /// Binds the extra columns' values of one ticket row, each starting with `, `.
    fn push_extra(sql: &mut Sql, seq: i64, words: &TicketWords);
    /// The row sequence number the next ticket gets (SQLite's `seq`, which the full-text
    /// table's `rowid` points at); unused elsewhere.
    async fn next_seq(tx: &mut Self::Tx) -> Result<i64, sqlx::Error>;
    /// Writes the full-text words of tickets already inserted with `push_extra`, given
    /// by sequence number and tenant, if the database keeps them outside the ticket row.
    async fn index(
        tx: &mut Self::Tx,
        rows: &[(i64, TenantId, TicketWords)],
    ) -> Result<(), sqlx::Error>;
}

#[cfg(feature = "sqlite")]
impl BulkDialect for crate::SqliteBackend {
    const MAX_BINDS: usize = SQLITE_MAX_BINDS;
    const EXTRA_COLUMNS: &'static str = ", seq";

    fn push_extra(sql: &mut Sql, seq: i64, _: &TicketWords) {
        sql.push(", ").bind(seq);
    }

    async fn next_seq(tx: &mut Self::Tx) -> Result<i64, sqlx::Error> {
        let row = tx
            .fetch_optional(Sql::new(
                "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM helpdesk_tickets",
            ))
            .await?;
        Ok(row
            .and_then(|r| crate::backend::RowExt::i64(&r, "next").ok())
            .unwrap_or(1))
    }

    async fn index(
        tx: &mut Self::Tx,
        rows: &[(i64, TenantId, TicketWords)],
    ) -> Result<(), sqlx::Error> {
        for chunk in rows.chunks(Self::MAX_BINDS / 5) {
            let mut sql = Sql::new(
                "INSERT INTO helpdesk_ticket_text (rowid, tenant, head, public, internal) \
                 VALUES ",
            );
            for (n, (seq, tenant, words)) in chunk.iter().enumerate() {
                sql.push(if n == 0 { "(" } else { ", (" })
                    .bind(*seq)
                    .push(", ")
                    .bind(crate::sqlite::tenant_word(*tenant))
                    .push(", ")
                    .bind(words.head.join(" "))
                    .push(", ")
                    .bind(words.public.join(" "))
                    .push(", ")
                    .bind(words.internal.join(" "))
                    .push(")");
            }
            tx.execute(sql).await?;
        }
        Ok(())
    }
}

#[cfg(feature = "postgres")]
impl BulkDialect for crate::PostgresBackend {
    const MAX_BINDS: usize = PG_MAX_BINDS;
    const EXTRA_COLUMNS: &'static str = ", search_head, search_public, search_internal";

    fn push_extra(sql: &mut Sql, _: i64, words: &TicketWords) {
        let lexemes =
            |words: &[String]| crate::sql::Arg::TextArray(crate::postgres::lexemes(words.to_vec()));
        sql.push(", array_to_tsvector(")
            .bind(lexemes(&words.head))
            .push("), array_to_tsvector(")
            .bind(lexemes(&words.public))
            .push("), array_to_tsvector(")
            .bind(lexemes(&words.internal))
            .push(")");
    }

    async fn next_seq(_: &mut Self::Tx) -> Result<i64, sqlx::Error> {
        Ok(0)
    }

    async fn index(
        _: &mut Self::Tx,
        _: &[(i64, TenantId, TicketWords)],
    ) -> Result<(), sqlx::Error> {
        // The words went into the ticket rows.
        Ok(())
    }
}

/// Appends `, (values...)` (or `(values...)` first) for the values of `row`, bound anew.
fn push_row(sql: &mut Sql, first: bool, row: Sql) {
    sql.push(if first { "(" } else { ", (" });
    for (n, arg) in row.into_parts().1.into_iter().enumerate() {
        if n > 0 {
            sql.push(", ");
        }
        sql.bind(arg);
    }
}

/// Refuses a batch that names a ticket or a number twice, or events of another ticket.
fn check(tickets: &[ImportedTicket]) -> StoreResult<()> {
    let mut ids = HashSet::new();
    let mut numbers = HashSet::new();
    for item in tickets {
        let t = &item.ticket;
        if !ids.insert(t.id) || !numbers.insert((t.tenant, t.number)) {
            return Err(Error::AlreadyExists(Entity::Ticket));
        }
        if item
            .events
            .iter()
            .any(|e| e.ticket != t.id || e.tenant != t.tenant)
        {
            return Err(Error::invalid(
                "events",
                format!("an event of ticket {} names another ticket", t.number),
            ));
        }
    }
    Ok(())
}

/// Refuses tickets whose id is already stored, in any tenant (the tenants of tickets by
/// id, migration 18).
async fn refuse_stored<E: Exec>(tx: &mut E, chunk: &[ImportedTicket]) -> StoreResult<()> {
    let mut sql = Sql::new("SELECT id FROM helpdesk_ticket_tenants WHERE id IN ");
    sql.bind_list(chunk.iter().map(|t| t.ticket.id.as_uuid()))
        .push(" LIMIT 1");
    match tx.fetch_optional(sql).await.map_err(db)? {
        Some(_) => Err(Error::AlreadyExists(Entity::Ticket)),
        None => Ok(()),
    }
}

/// Inserts the ticket rows of `chunk`, numbered from `seq` on, and answers their
/// full-text words for [`BulkDialect::index`].
async fn insert_tickets<D: BulkDialect>(
    tx: &mut D::Tx,
    chunk: &[ImportedTicket],
    seq: i64,
) -> StoreResult<Vec<(i64, TenantId, TicketWords)>> {
    let mut sql = Sql::new("INSERT INTO helpdesk_tickets (");
    sql.push(TICKET_INSERT_COLUMNS)
        .push(", number")
        .push(D::EXTRA_COLUMNS)
        .push(") VALUES ");
    let mut words = Vec::with_capacity(chunk.len());
    for (n, item) in chunk.iter().enumerate() {
        let t = &item.ticket;
        let row = ticket_values(Sql::new("").arg(t.tenant.as_uuid()).arg(t.id.as_uuid()), t)
            .map_err(store_err)?
            .arg(signed(t.number.get(), "ticket number").map_err(store_err)?);
        push_row(&mut sql, n == 0, row);
        let seq = seq + n as i64;
        let found = ticket_words(t, &item.events);
        D::push_extra(&mut sql, seq, &found);
        sql.push(")");
        words.push((seq, t.tenant, found));
    }
    tx.execute(sql)
        .await
        .map_err(duplicate_as(Entity::Ticket))?;
    Ok(words)
}

/// Inserts the tenant of each of `chunk`'s tickets by its id (migration 18).
async fn insert_tenants_by_id<D: BulkDialect>(
    tx: &mut D::Tx,
    chunk: &[ImportedTicket],
) -> StoreResult<()> {
    let tenants = chunk
        .iter()
        .map(|t| {
            Sql::new("")
                .arg(t.ticket.id.as_uuid())
                .arg(t.ticket.tenant.as_uuid())
        })
        .collect();
    insert_rows::<D>(
        tx,
        "INSERT INTO helpdesk_ticket_tenants (id, tenant_id) VALUES ",
        "",
        tenants,
        2,
    )
    .await
}

/// Inserts the guests, events and closure answers of `chunk`'s tickets.
async fn insert_children<D: BulkDialect>(
    tx: &mut D::Tx,
    chunk: &[ImportedTicket],
) -> StoreResult<()> {
    let events: Vec<(&Ticket, i64, &TimelineEvent)> = chunk
        .iter()
        .flat_map(|t| (0..).zip(&t.events).map(move |(p, e)| (&t.ticket, p, e)))
        .collect();
    for part in events.chunks(D::MAX_BINDS / 12) {
        let mut sql = Sql::new("INSERT INTO helpdesk_events (");
        sql.push(EVENT_INSERT_COLUMNS).push(") VALUES ");
        for (n, (ticket, position, event)) in part.iter().enumerate() {
            let row = event_values(Sql::new(""), ticket, *position, event).map_err(store_err)?;
            push_row(&mut sql, n == 0, row);
            sql.push(")");
        }
        tx.execute(sql)
            .await
            .map_err(duplicate_as(Entity::Ticket))?;
    }
    let guests: Vec<Sql> = chunk
        .iter()
        .flat_map(|t| {
            t.ticket.guests.iter().map(|g| {
                Sql::new("")
                    .arg(t.ticket.tenant.as_uuid())
                    .arg(t.ticket.id.as_uuid())
                    .arg(g.as_uuid())
            })
        })
        .collect();
    insert_rows::<D>(
        tx,
        "INSERT INTO helpdesk_ticket_guests (tenant_id, ticket_id, member_id) VALUES ",
        " ON CONFLICT DO NOTHING",
        guests,
        3,
    )
    .await?;
    let answers: Vec<Sql> = chunk
        .iter()
        .flat_map(|t| {
            t.ticket
                .closure_answers()
                .into_iter()
                .flatten()
                .map(|(key, answer)| {
                    let (score, choice) = match answer {
                        Answer::Score(s) => (Some(i64::from(*s)), None),
                        Answer::Text(t) => (None, Some(t.clone())),
                    };
                    Sql::new("")
                        .arg(t.ticket.tenant.as_uuid())
                        .arg(t.ticket.id.as_uuid())
                        .arg(key.as_str())
                        .arg(score)
                        .arg(choice)
                })
        })
        .collect();
    insert_rows::<D>(
        tx,
        "INSERT INTO helpdesk_closure_answers \
         (tenant_id, ticket_id, question_key, score, choice) VALUES ",
        "",
        answers,
        5,
    )
    .await
}

/// Inserts `rows` (each `width` values) with `head`, chunked under the bind limit.
async fn insert_rows<D: BulkDialect>(
    tx: &mut D::Tx,
    head: &'static str,
    tail: &'static str,
    rows: Vec<Sql>,
    width: usize,
) -> StoreResult<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::new(head);
        for (n, row) in rows.by_ref().take(D::MAX_BINDS / width).enumerate() {
            push_row(&mut sql, n == 0, row);
            sql.push(")");
        }
        sql.push(tail);
        tx.execute(sql)
            .await
            .map_err(duplicate_as(Entity::Ticket))?;
    }
    Ok(())
}

/// Raises each tenant's number counter to at least the highest number imported.
async fn raise_counters<E: Exec>(tx: &mut E, tickets: &[ImportedTicket]) -> StoreResult<()> {
    let mut highest: BTreeMap<TenantId, TicketNumber> = BTreeMap::new();
    for t in tickets {
        let top = highest.entry(t.ticket.tenant).or_insert(t.ticket.number);
        *top = (*top).max(t.ticket.number);
    }
    for (tenant, number) in highest {
        tx.execute(
            Sql::new(
                "INSERT INTO helpdesk_ticket_counters (tenant_id, last_number) \
                 VALUES ($1, $2) ON CONFLICT (tenant_id) DO UPDATE \
                 SET last_number = CASE \
                 WHEN excluded.last_number > helpdesk_ticket_counters.last_number \
                 THEN excluded.last_number ELSE helpdesk_ticket_counters.last_number END",
            )
            .arg(tenant.as_uuid())
            .arg(signed(number.get(), "ticket number").map_err(store_err)?),
        )
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// The import on any database: see [`SqlStore::import_tickets`].
async fn import<D: BulkDialect>(pool: &D::Pool, tickets: &[ImportedTicket]) -> StoreResult<()> {
    check(tickets)?;
    if tickets.is_empty() {
        return Ok(());
    }
    // The widest ticket row: its values, the number and up to three extra columns.
    let per_statement = D::MAX_BINDS / 40;
    let mut tx = D::begin(pool).await.map_err(db)?;
    let mut seq = D::next_seq(&mut tx).await.map_err(db)?;
    for chunk in tickets.chunks(per_statement) {
        refuse_stored(&mut tx, chunk).await?;
        let words = insert_tickets::<D>(&mut tx, chunk, seq).await?;
        D::index(&mut tx, &words).await.map_err(db)?;
        insert_tenants_by_id::<D>(&mut tx, chunk).await?;
        insert_children::<D>(&mut tx, chunk).await?;
        seq += chunk.len() as i64;
    }
    raise_counters(&mut tx, tickets).await?;
    D::commit(tx).await.map_err(db)
}

/// Documented once for both databases.
macro_rules! import_tickets {
    ($backend:ty, $feature:literal) => {
        #[cfg_attr(docsrs, doc(cfg(feature = $feature)))]
        impl SqlStore<$backend> {
            /// Imports tickets with their whole timelines, from another helpdesk say, in
            /// one transaction: all of them or, on any error, none.
            ///
            /// Each ticket keeps its id, number, state, dates and versions; its guests,
            /// events, closure answers and full-text words are written as
            /// [`open_ticket`](helpdesk_core::TicketRepository::open_ticket) and
            /// [`save_ticket`](helpdesk_core::TicketRepository::save_ticket) write them,
            /// so imported tickets read back, search and count in dashboards exactly as
            /// tickets opened here. Each tenant's number counter is raised to at least
            /// the highest number imported: tickets opened afterwards continue from
            /// there. No notification is queued. The rows go in multi-row `INSERT`s,
            /// hundreds of tickets per statement; pass thousands of tickets per call
            /// (a transaction each) for a large import. On PostgreSQL, run
            /// `VACUUM (ANALYZE)` on the tables once a large import is done
            /// (autovacuum would, later): the visibility map it sets lets the walks
            /// check their conditions in their indexes, and two kinds of search read
            /// better with the tables' statistics (see the crate docs).
            ///
            /// A ticket whose id is already stored (in any tenant) or whose number is
            /// taken in its tenant, or a batch naming one twice, is
            /// [`Error::AlreadyExists`] and nothing is written. An event naming another
            /// ticket is a validation error on `events`. The tickets' tenants, people,
            /// categories and groups are not checked: create them first.
            pub async fn import_tickets(&self, tickets: &[ImportedTicket]) -> StoreResult<()> {
                import::<$backend>(self.raw_pool(), tickets).await
            }
        }
    };
}

#[cfg(feature = "sqlite")]
import_tickets!(crate::SqliteBackend, "sqlite");
#[cfg(feature = "postgres")]
import_tickets!(crate::PostgresBackend, "postgres");
