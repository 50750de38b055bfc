//! The schema can be distributed by tenant (`docs/distribution.md`): after every
//! migration, each primary key, unique constraint and unique index of a table a tenant
//! owns begins with `tenant_id`, each foreign key between two such tables carries
//! `tenant_id` on both sides, and no platform (reference) table refers to a tenant table.
//! The two tables that give the tenant of a ticket or an attachment by its id are keyed
//! by `id` alone and stand apart (no foreign key to or from them). The document places
//! every table of the schema, names exactly the reference tables listed here, and
//! distributes each table by `tenant_id` but those two, by `id`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

/// The platform tables: no `tenant_id`, one copy on every node (Citus reference
/// tables). `docs/distribution.md` lists the same ones (checked below).
const REFERENCE_TABLES: &[&str] = &[
    "helpdesk_tenants",
    "helpdesk_staff",
    "helpdesk_groups",
    "helpdesk_staff_saved_searches",
];

/// The tenant of a ticket or an attachment by its id (migration 18): distributed by
/// `id`, each its own colocation group, so that a caller who holds only an id (a
/// platform admin, a download link, a mail's reply address) asks one shard for the
/// tenant, then the tenant's shard for the row.
const BY_ID_TABLES: &[&str] = &["helpdesk_ticket_tenants", "helpdesk_attachment_tenants"];

/// Tables that stay on the coordinator only, outside the rule.
const LOCAL_TABLES: &[&str] = &["helpdesk_migrations"];

/// The document a host follows.
const DOC: &str = include_str!("../../docs/distribution.md");

/// A unique index (primary keys and unique constraints are backed by one): its table,
/// its name and its first column (`None` for an expression).
#[derive(Debug)]
struct UniqueIndex {
    table: String,
    name: String,
    first: Option<String>,
}

/// A foreign key: referring table and columns, referred table and columns.
#[derive(Debug)]
struct ForeignKey {
    name: String,
    table: String,
    columns: Vec<String>,
    target: String,
    target_columns: Vec<String>,
}

fn is_reference(table: &str) -> bool {
    REFERENCE_TABLES.contains(&table)
}

fn is_by_id(table: &str) -> bool {
    BY_ID_TABLES.contains(&table)
}

/// Distributed by `tenant_id`.
fn is_distributed(table: &str) -> bool {
    !is_reference(table) && !is_by_id(table) && !LOCAL_TABLES.contains(&table)
}

/// The column a table is distributed by, if it is distributed.
fn distribution_column(table: &str) -> Option<&'static str> {
    if is_by_id(table) {
        Some("id")
    } else if is_distributed(table) {
        Some("tenant_id")
    } else {
        None
    }
}

/// Every breach of the key rule among these indexes and foreign keys, one line each.
fn breaches(indexes: &[UniqueIndex], foreign_keys: &[ForeignKey]) -> Vec<String> {
    let mut found = Vec::new();
    for index in indexes {
        let Some(column) = distribution_column(&index.table) else {
            continue;
        };
        if index.first.as_deref() != Some(column) {
            found.push(format!(
                "{}: unique index {} begins with {:?}, not {column}",
                index.table, index.name, index.first
            ));
        }
    }
    for key in foreign_keys {
        if is_by_id(&key.table) || is_by_id(&key.target) {
            found.push(format!(
                "{}: foreign key {} to {} joins a table distributed by id",
                key.table, key.name, key.target
            ));
            continue;
        }
        match (is_distributed(&key.table), is_distributed(&key.target)) {
            (true, true) => {
                let paired = key
                    .columns
                    .iter()
                    .zip(&key.target_columns)
                    .any(|(from, to)| from == "tenant_id" && to == "tenant_id");
                if !paired {
                    found.push(format!(
                        "{}: foreign key {} to {} does not pair tenant_id with tenant_id",
                        key.table, key.name, key.target
                    ));
                }
            }
            (false, true) => found.push(format!(
                "{}: reference table refers to the distributed {} ({})",
                key.table, key.target, key.name
            )),
            _ => {}
        }
    }
    found
}

/// The tables `docs/distribution.md` hands to `function` in its DDL.
fn doc_tables(function: &str) -> BTreeSet<String> {
    doc_calls(function).into_iter().map(|(t, _)| t).collect()
}

/// Each call of `function` in the document's DDL: its table, and its second argument
/// when it has one (the distribution column of `create_distributed_table`).
fn doc_calls(function: &str) -> Vec<(String, Option<String>)> {
    let needle = format!("{function}('");
    DOC.lines()
        .filter_map(|line| {
            let start = line.find(&needle)? + needle.len();
            let rest = &line[start..];
            let table = &rest[..rest.find('\'')?];
            let column = rest[table.len() + 1..]
                .strip_prefix(", '")
                .and_then(|r| Some(r[..r.find('\'')?].to_owned()));
            Some((table.to_owned(), column))
        })
        .collect()
}

/// The document places every table of the schema once, and its reference tables are
/// [`REFERENCE_TABLES`].
fn check_document(tables: &BTreeSet<String>) {
    let reference = doc_tables("create_reference_table");
    let distributed = doc_tables("create_distributed_table");
    let expected: BTreeSet<String> = REFERENCE_TABLES.iter().map(|t| (*t).to_owned()).collect();
    assert_eq!(
        reference, expected,
        "docs/distribution.md and REFERENCE_TABLES name the same reference tables"
    );
    assert!(
        reference.is_disjoint(&distributed),
        "a table is either reference or distributed"
    );
    for table in tables {
        let placed = reference.contains(table)
            || distributed.contains(table)
            || LOCAL_TABLES.contains(&table.as_str());
        assert!(placed, "docs/distribution.md does not place {table}");
    }
    for table in reference.iter().chain(&distributed) {
        assert!(
            tables.contains(table),
            "docs/distribution.md names {table}, which the schema does not have"
        );
    }
    for (table, column) in doc_calls("create_distributed_table") {
        assert_eq!(
            column.as_deref(),
            distribution_column(&table),
            "docs/distribution.md distributes {table} by its right column"
        );
    }
}

#[test]
fn the_checker_reports_a_key_without_tenant_and_a_foreign_key_across_shards() {
    let indexes = [UniqueIndex {
        table: "helpdesk_widgets".into(),
        name: "helpdesk_widgets_pkey".into(),
        first: Some("id".into()),
    }];
    let keys = [
        ForeignKey {
            name: "by_id".into(),
            table: "helpdesk_widgets".into(),
            columns: vec!["ticket_id".into()],
            target: "helpdesk_tickets".into(),
            target_columns: vec!["id".into()],
        },
        ForeignKey {
            name: "back".into(),
            table: "helpdesk_staff".into(),
            columns: vec!["ticket_id".into()],
            target: "helpdesk_tickets".into(),
            target_columns: vec!["id".into()],
        },
    ];
    assert_eq!(breaches(&indexes, &keys).len(), 3);
}

#[test]
fn the_checker_holds_the_tables_by_id_to_their_own_key() {
    let indexes = [
        UniqueIndex {
            table: "helpdesk_ticket_tenants".into(),
            name: "helpdesk_ticket_tenants_pkey".into(),
            first: Some("id".into()),
        },
        UniqueIndex {
            table: "helpdesk_ticket_tenants".into(),
            name: "helpdesk_ticket_tenants_by_tenant".into(),
            first: Some("tenant_id".into()),
        },
    ];
    let keys = [ForeignKey {
        name: "to_ticket".into(),
        table: "helpdesk_ticket_tenants".into(),
        columns: vec!["tenant_id".into(), "id".into()],
        target: "helpdesk_tickets".into(),
        target_columns: vec!["tenant_id".into(), "id".into()],
    }];
    let found = breaches(&indexes, &keys);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("helpdesk_ticket_tenants_by_tenant"));
    assert!(found[1].contains("distributed by id"));
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use crate::support::postgres::{TestDatabase, url};
    use helpdesk_sqlx::sqlx::{self, PgPool, Row};

    async fn tables(pool: &PgPool) -> BTreeSet<String> {
        sqlx::query(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
             AND c.relname LIKE 'helpdesk\\_%'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    }

    async fn unique_indexes(pool: &PgPool) -> Vec<UniqueIndex> {
        sqlx::query(
            "SELECT t.relname AS table_name, i.relname AS index_name, \
             (SELECT a.attname::text FROM pg_attribute a \
              WHERE a.attrelid = t.oid AND a.attnum = x.indkey[0]) AS first \
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE x.indisunique AND n.nspname = current_schema() \
             AND t.relname LIKE 'helpdesk\\_%'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| UniqueIndex {
            table: r.get("table_name"),
            name: r.get("index_name"),
            first: r.get("first"),
        })
        .collect()
    }

    async fn foreign_keys(pool: &PgPool) -> Vec<ForeignKey> {
        sqlx::query(
            "SELECT c.conname::text AS name, t.relname::text AS table_name, \
             f.relname::text AS target, \
             ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) \
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n \
                   ORDER BY k.o) AS columns, \
             ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) \
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n \
                   ORDER BY k.o) AS target_columns \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_class f ON f.oid = c.confrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE c.contype = 'f' AND n.nspname = current_schema()",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| ForeignKey {
            name: r.get("name"),
            table: r.get("table_name"),
            columns: r.get("columns"),
            target: r.get("target"),
            target_columns: r.get("target_columns"),
        })
        .collect()
    }

    /// The distributed tables whose `tenant_id` is missing or nullable.
    async fn without_tenant(pool: &PgPool, tables: &BTreeSet<String>) -> Vec<String> {
        let mut missing = Vec::new();
        for table in tables.iter().filter(|t| distribution_column(t).is_some()) {
            let not_null: Option<bool> = sqlx::query(
                "SELECT a.attnotnull FROM pg_attribute a \
                 WHERE a.attrelid = to_regclass($1) AND a.attname = 'tenant_id' \
                 AND NOT a.attisdropped",
            )
            .bind(table)
            .fetch_optional(pool)
            .await
            .unwrap()
            .map(|r| r.get(0));
            if not_null != Some(true) {
                missing.push(table.clone());
            }
        }
        missing
    }

    #[tokio::test]
    async fn postgres_every_key_of_a_tenant_table_leads_with_tenant_id() {
        let Some(url) = url("the distribution key rule") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let store = db.store().await;
        store.migrate().await.unwrap();
        let pool = store.pool();
        let tables = tables(pool).await;
        assert!(tables.contains("helpdesk_tickets"), "the schema is there");
        let indexes = unique_indexes(pool).await;
        let keys = foreign_keys(pool).await;
        assert!(!keys.is_empty(), "the foreign keys are read");
        assert_eq!(breaches(&indexes, &keys), Vec::<String>::new());
        assert_eq!(
            without_tenant(pool, &tables).await,
            Vec::<String>::new(),
            "every distributed table has a NOT NULL tenant_id"
        );
        for table in REFERENCE_TABLES {
            assert!(tables.contains(*table), "{table} exists");
        }
        check_document(&tables);
    }

    #[tokio::test]
    async fn postgres_a_table_keyed_by_id_alone_breaks_the_rule() {
        let Some(url) = url("the distribution key rule, on a bad table") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let store = db.store().await;
        store.migrate().await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE helpdesk_widgets (id UUID PRIMARY KEY, tenant_id UUID NOT NULL, \
             ticket_id UUID NOT NULL, UNIQUE (ticket_id, tenant_id))",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let found = breaches(
            &unique_indexes(store.pool()).await,
            &foreign_keys(store.pool()).await,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|b| b.starts_with("helpdesk_widgets:")));
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use helpdesk_sqlx::sqlx::{self, Row, SqlitePool};

    /// The tables, but for SQLite's own full-text index (`helpdesk_ticket_text` and
    /// the tables FTS5 keeps for it), which PostgreSQL does not have.
    async fn tables(pool: &SqlitePool) -> BTreeSet<String> {
        sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name LIKE 'helpdesk\\_%' ESCAPE '\\' \
             AND name NOT LIKE 'helpdesk\\_ticket\\_text%' ESCAPE '\\'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    }

    /// SQLite's unique indexes, primary keys and unique constraints alike
    /// (`pragma_index_list`), with their first column.
    async fn unique_indexes(pool: &SqlitePool, tables: &BTreeSet<String>) -> Vec<UniqueIndex> {
        let mut found = Vec::new();
        for table in tables {
            let rows = sqlx::query(
                "SELECT l.name AS index_name, \
                 (SELECT i.name FROM pragma_index_info(l.name) i WHERE i.seqno = 0) AS first \
                 FROM pragma_index_list(?) l WHERE l.\"unique\" = 1",
            )
            .bind(table)
            .fetch_all(pool)
            .await
            .unwrap();
            for r in rows {
                found.push(UniqueIndex {
                    table: table.clone(),
                    name: r.get("index_name"),
                    first: r.get("first"),
                });
            }
        }
        found
    }

    async fn foreign_keys(pool: &SqlitePool, tables: &BTreeSet<String>) -> Vec<ForeignKey> {
        let mut found: Vec<ForeignKey> = Vec::new();
        for table in tables {
            let rows = sqlx::query(
                "SELECT id, \"table\" AS target, \"from\" AS col, \"to\" AS target_col \
                 FROM pragma_foreign_key_list(?) ORDER BY id, seq",
            )
            .bind(table)
            .fetch_all(pool)
            .await
            .unwrap();
            for r in rows {
                let id: i64 = r.get("id");
                let name = format!("{table}#{id}");
                let target: String = r.get("target");
                // A foreign key to a primary key may leave `to` empty: the referred key.
                let target_col: Option<String> = r.get("target_col");
                let (col, target_col) = (r.get("col"), target_col.unwrap_or_default());
                match found.iter_mut().find(|k| k.name == name) {
                    Some(key) => {
                        key.columns.push(col);
                        key.target_columns.push(target_col);
                    }
                    None => found.push(ForeignKey {
                        name,
                        table: table.clone(),
                        columns: vec![col],
                        target,
                        target_columns: vec![target_col],
                    }),
                }
            }
        }
        found
    }

    #[tokio::test]
    async fn sqlite_every_key_of_a_tenant_table_leads_with_tenant_id() {
        let store = crate::support::sqlite_memory().await;
        let pool = store.pool();
        let tables = tables(pool).await;
        assert!(tables.contains("helpdesk_tickets"), "the schema is there");
        let keys = foreign_keys(pool, &tables).await;
        assert!(!keys.is_empty(), "the foreign keys are read");
        assert_eq!(
            breaches(&unique_indexes(pool, &tables).await, &keys),
            Vec::<String>::new()
        );
        check_document(&tables);
    }
}

/// What migration 11 must keep: a webhook of tenant `acme`, a member's saved search in
/// `acme` and a staff member's (no tenant), written in the shape before it.
mod before_11 {
    use chrono::{TimeZone, Utc};
    use helpdesk_core::{
        SavedSearch, SavedSearchId, SearchCriteria, Store, Tenant, TenantId, UserId, Webhook,
        WebhookEndpoint, WebhookId, WebhookSecret,
    };

    pub(crate) struct Rows {
        pub(crate) tenant: Tenant,
        pub(crate) webhook: Webhook,
        pub(crate) member_search: SavedSearch,
        pub(crate) staff_search: SavedSearch,
    }

    pub(crate) fn rows() -> Rows {
        let tenant = Tenant::new("acme", "Acme").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        let search = |tenant: Option<TenantId>, name: &str| SavedSearch {
            id: SavedSearchId::new(),
            owner: UserId::new("alice").unwrap(),
            tenant,
            name: name.to_owned(),
            criteria: SearchCriteria::default(),
            created_at: at,
        };
        Rows {
            webhook: Webhook {
                endpoint: WebhookEndpoint {
                    id: WebhookId::new(),
                    tenant: tenant.id,
                    url: "https://acme.example/hook".to_owned(),
                    events: vec!["opened".to_owned()],
                    internal_notes: false,
                    active: true,
                    created_at: at,
                },
                secret: WebhookSecret::generate(),
            },
            member_search: search(Some(tenant.id), "Mine"),
            staff_search: search(None, "Support"),
            tenant,
        }
    }

    /// After migration 11, every row reads back through the ports.
    pub(crate) async fn assert_kept(store: &dyn Store, rows: &Rows) {
        let owner = UserId::new("alice").unwrap();
        assert_eq!(
            store.webhooks(rows.tenant.id).await.unwrap(),
            vec![rows.webhook.clone()]
        );
        assert_eq!(
            store
                .saved_searches(&owner, Some(rows.tenant.id))
                .await
                .unwrap(),
            vec![rows.member_search.clone()]
        );
        assert_eq!(
            store.saved_searches(&owner, None).await.unwrap(),
            vec![rows.staff_search.clone()]
        );
    }
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_migration_11_keeps_every_webhook_and_saved_search() {
    use helpdesk_core::TenantRepository;
    use helpdesk_sqlx::sqlx::{self, AssertSqlSafe};
    use helpdesk_sqlx::{Migration, PostgresStore};
    let Some(url) = support::postgres::url("migration 11 keeps its rows") else {
        return;
    };
    let db = support::postgres::TestDatabase::create(&url).await;
    let store = db.store().await;
    let (older, newer): (Vec<&Migration>, Vec<&Migration>) = PostgresStore::migrations()
        .iter()
        .partition(|m| m.version < 11);
    for m in older {
        sqlx::raw_sql(AssertSqlSafe(m.sql))
            .execute(store.pool())
            .await
            .unwrap();
    }
    let rows = before_11::rows();
    store.insert_tenant(&rows.tenant).await.unwrap();
    sqlx::query(
        "INSERT INTO helpdesk_webhooks (id, tenant_id, created_at, data) VALUES ($1, $2, 0, $3)",
    )
    .bind(rows.webhook.endpoint.id.as_uuid())
    .bind(rows.tenant.id.as_uuid())
    .bind(sqlx::types::Json(&rows.webhook))
    .execute(store.pool())
    .await
    .unwrap();
    for s in [&rows.member_search, &rows.staff_search] {
        sqlx::query(
            "INSERT INTO helpdesk_saved_searches (id, tenant_id, owner, name, criteria, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.id.as_uuid())
        .bind(s.tenant.map(|t| t.as_uuid()))
        .bind(s.owner.as_str())
        .bind(s.name.as_str())
        .bind(sqlx::types::Json(&s.criteria))
        .bind(s.created_at.timestamp_nanos_opt().unwrap())
        .execute(store.pool())
        .await
        .unwrap();
    }
    for m in newer {
        sqlx::raw_sql(AssertSqlSafe(m.sql))
            .execute(store.pool())
            .await
            .unwrap();
    }
    before_11::assert_kept(&store, &rows).await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_migration_11_keeps_every_webhook_and_saved_search() {
    use helpdesk_core::TenantRepository;
    use helpdesk_sqlx::sqlx::{self, AssertSqlSafe};
    use helpdesk_sqlx::{Migration, SqliteStore};
    let store = SqliteStore::in_memory().await.unwrap();
    let (older, newer): (Vec<&Migration>, Vec<&Migration>) = SqliteStore::migrations()
        .iter()
        .partition(|m| m.version < 11);
    for m in older {
        sqlx::raw_sql(AssertSqlSafe(m.sql))
            .execute(store.pool())
            .await
            .unwrap();
    }
    let rows = before_11::rows();
    store.insert_tenant(&rows.tenant).await.unwrap();
    sqlx::query(
        "INSERT INTO helpdesk_webhooks (id, tenant_id, created_at, data) VALUES ($1, $2, 0, $3)",
    )
    .bind(rows.webhook.endpoint.id.as_uuid())
    .bind(rows.tenant.id.as_uuid())
    .bind(serde_json::to_string(&rows.webhook).unwrap())
    .execute(store.pool())
    .await
    .unwrap();
    for s in [&rows.member_search, &rows.staff_search] {
        sqlx::query(
            "INSERT INTO helpdesk_saved_searches (id, tenant_id, owner, name, criteria, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.id.as_uuid())
        .bind(s.tenant.map(|t| t.as_uuid()))
        .bind(s.owner.as_str())
        .bind(s.name.as_str())
        .bind(serde_json::to_string(&s.criteria).unwrap())
        .bind(s.created_at.timestamp_nanos_opt().unwrap())
        .execute(store.pool())
        .await
        .unwrap();
    }
    for m in newer {
        sqlx::raw_sql(AssertSqlSafe(m.sql))
            .execute(store.pool())
            .await
            .unwrap();
    }
    before_11::assert_kept(&store, &rows).await;
}
