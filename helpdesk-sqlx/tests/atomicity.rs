//! One transaction per use case: when the outbox write fails half-way (a trigger makes
//! it fail, after the ticket row and its events are written), nothing of the use case is
//! left in any table, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use helpdesk_core::{
    AttachmentId, Error, MemberId, NewAttachment, NewTicket, PageRequest, Scope, SearchCriteria,
    SearchQuery, Store, TicketNumber,
};

use support::World;

/// Row counts of every table we own (FTS5 shadow tables included on SQLite).
type Counts = BTreeMap<String, i64>;

/// The row counts of the tables `list` names, on `pool` (SQLite or PostgreSQL).
macro_rules! table_counts {
    ($pool:expr, $list:expr $(,)?) => {{
        let pool = $pool;
        let tables: Vec<String> = sqlx::query($list)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut counts = Counts::new();
        for table in tables {
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM \"{table}\""
            )))
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
            counts.insert(table, n);
        }
        counts
    }};
}

/// What a test needs from a database beside the store: raw SQL.
#[async_trait::async_trait]
trait Raw: Send + Sync {
    async fn counts(&self) -> Counts;
    async fn fail_outbox_writes(&self, on: bool);
}

async fn open_on_behalf(world: &World, subject: &str) -> Result<helpdesk_core::Ticket, Error> {
    let member: MemberId = world.requester_member();
    world
        .service
        .open(
            &world.root,
            world.tenant.id,
            NewTicket {
                subject: subject.into(),
                description: "<p>opened by support for a requester</p>".into(),
                requester: Some(member),
                ..Default::default()
            },
            vec![],
        )
        .await
}

async fn a_failed_use_case_leaves_no_trace(store: Arc<dyn Store>, raw: &dyn Raw) {
    let world = World::new(store.clone()).await;

    // Opening: the counter, the ticket, its event and words are written, then the
    // outbox insert fails.
    let before = raw.counts().await;
    raw.fail_outbox_writes(true).await;
    let failed = open_on_behalf(&world, "Zanzibar printer").await;
    assert!(
        matches!(failed, Err(Error::Store(_))),
        "the injected failure surfaces as a storage error: {failed:?}"
    );
    assert_eq!(
        raw.counts().await,
        before,
        "a failed opening leaves no row anywhere"
    );
    raw.fail_outbox_writes(false).await;
    let first = open_on_behalf(&world, "Printer").await.expect("opening");
    assert_eq!(
        first.number,
        TicketNumber::FIRST,
        "the failed opening gave its number back"
    );

    // A reply with an attachment: the ticket row, the event and the attachment are
    // written, then the outbox insert fails.
    let ticket = store.ticket(first.id).await.unwrap().expect("the ticket");
    let timeline = store.timeline(first.id).await.unwrap();
    let before = raw.counts().await;
    raw.fail_outbox_writes(true).await;
    let failed = world
        .service
        .reply(
            &world.root,
            first.id,
            Some(ticket.version),
            "<p>Zanzibar is the answer</p>",
            vec![NewAttachment {
                id: AttachmentId::new(),
                file_name: "log.txt".into(),
                content_type: "text/plain".into(),
                size: 12,
            }],
        )
        .await;
    assert!(matches!(failed, Err(Error::Store(_))), "{failed:?}");
    assert_eq!(
        raw.counts().await,
        before,
        "a failed reply leaves no row anywhere"
    );
    assert_eq!(
        store.ticket(first.id).await.unwrap().as_ref(),
        Some(&ticket)
    );
    assert_eq!(store.timeline(first.id).await.unwrap(), timeline);
    assert!(store.attachments(first.id).await.unwrap().is_empty());
    let found = store
        .search(&SearchQuery {
            scope: Scope::Everything,
            criteria: SearchCriteria {
                contains: Some("zanzibar".into()),
                include_closed: true,
                include_archived: true,
                ..Default::default()
            },
            page: PageRequest::default(),
            now: world.service.now(),
            count: helpdesk_core::Count::default(),
        })
        .await
        .unwrap();
    assert!(
        found.tickets.is_empty(),
        "the words of a reply that failed are not searchable"
    );

    // And once the fault is gone, the same reply goes through.
    raw.fail_outbox_writes(false).await;
    world
        .service
        .reply(
            &world.root,
            first.id,
            Some(ticket.version),
            "<p>Zanzibar</p>",
            vec![],
        )
        .await
        .expect("the reply once the outbox works");
}

impl World {
    fn requester_member(&self) -> MemberId {
        self.requester.as_member().expect("a member").id
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use helpdesk_sqlx::SqliteStore;
    use helpdesk_sqlx::sqlx::{self, Row};

    struct RawSqlite(SqliteStore);

    #[async_trait::async_trait]
    impl Raw for RawSqlite {
        async fn counts(&self) -> Counts {
            table_counts!(
                self.0.pool(),
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name LIKE 'helpdesk_%' ORDER BY name",
            )
        }

        async fn fail_outbox_writes(&self, on: bool) {
            let sql = if on {
                "CREATE TRIGGER fail_outbox BEFORE INSERT ON helpdesk_outbox \
                 BEGIN SELECT RAISE(ABORT, 'injected outbox failure'); END"
            } else {
                "DROP TRIGGER fail_outbox"
            };
            sqlx::raw_sql(sql).execute(self.0.pool()).await.unwrap();
        }
    }

    #[tokio::test]
    async fn sqlite_a_failed_outbox_write_leaves_no_trace_in_any_table() {
        let store = crate::support::sqlite_memory().await;
        let raw = RawSqlite(store.clone());
        a_failed_use_case_leaves_no_trace(Arc::new(store), &raw).await;
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use crate::support::postgres::{TestDatabase, url};
    use helpdesk_sqlx::PostgresStore;
    use helpdesk_sqlx::sqlx::{self, Row};

    struct RawPostgres(PostgresStore);

    #[async_trait::async_trait]
    impl Raw for RawPostgres {
        async fn counts(&self) -> Counts {
            table_counts!(
                self.0.pool(),
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
                 AND tablename LIKE 'helpdesk_%' ORDER BY tablename",
            )
        }

        async fn fail_outbox_writes(&self, on: bool) {
            let sql = if on {
                "CREATE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'injected outbox failure'; END $$; \
                 CREATE TRIGGER fail_outbox BEFORE INSERT ON helpdesk_outbox \
                 FOR EACH ROW EXECUTE FUNCTION fail_outbox();"
            } else {
                "DROP TRIGGER fail_outbox ON helpdesk_outbox; DROP FUNCTION fail_outbox();"
            };
            sqlx::raw_sql(sql).execute(self.0.pool()).await.unwrap();
        }
    }

    #[tokio::test]
    async fn postgres_a_failed_outbox_write_leaves_no_trace_in_any_table() {
        let Some(url) = url("a failed use case leaves no trace") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let store = db.store().await;
        store.migrate().await.unwrap();
        let raw = RawPostgres(store.clone());
        a_failed_use_case_leaves_no_trace(Arc::new(store), &raw).await;
    }
}
