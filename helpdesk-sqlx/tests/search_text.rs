//! Full text matches exactly what the reference search matches, also for text that
//! database tokenizers fold their own way: ligatures, ß, ø, a dotted capital I,
//! superscripts, Roman numerals, CJK, apostrophes and underscores. On SQLite and
//! PostgreSQL, for staff (internal notes included) and tenant admins (public only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::Utc;
use helpdesk_core::search::{contains_all, searchable_words};
use helpdesk_core::text::words;
use helpdesk_core::{
    MemberId, PageRequest, Scope, SearchCriteria, SearchQuery, Store, TenantId, TicketId,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CHARS: &[char] = &[
    'a', 'b', 'e', 'E', 'é', 'É', 'ø', 'o', 'l', 'ł', 'ß', 'ﬁ', 'İ', '²', 'Ⅻ', '中', '文', '1',
    '\'', '_', '-', ' ', ' ', 'ǅ', 'Σ', 'ς',
];

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(CHARS), 0..max)
        .prop_map(|chars| chars.into_iter().collect())
}

#[derive(Clone, Debug)]
struct Doc {
    subject: String,
    reply: String,
    note: String,
}

fn doc() -> impl Strategy<Value = Doc> {
    (text(16), text(16), text(16)).prop_map(|(subject, reply, note)| Doc {
        subject,
        reply,
        note,
    })
}

async fn open(store: &dyn Store, tenant: TenantId, doc: &Doc, i: usize) -> TicketId {
    let text = support::TicketText {
        subject: &doc.subject,
        reply: Some(&doc.reply),
        note: &doc.note,
    };
    support::open_with_text(store, tenant, MemberId::new(), i, text).await
}

async fn matches_the_reference(store: Arc<dyn Store>, docs: Vec<Doc>, queries: Vec<String>) {
    let tenant = TenantId::new();
    let mut ids = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        ids.push(open(&*store, tenant, doc, i).await);
    }
    let mut stored = Vec::new();
    for id in &ids {
        let ticket = store.ticket(*id).await.unwrap().unwrap();
        let timeline = store.timeline(*id).await.unwrap();
        stored.push((ticket, timeline));
    }
    for query in queries {
        for (scope, internal) in [(Scope::Everything, true), (Scope::Tenant { tenant }, false)] {
            let expected: BTreeSet<TicketId> = stored
                .iter()
                .filter(|(t, timeline)| {
                    contains_all(&words(&query), &searchable_words(t, timeline, internal))
                })
                .map(|(t, _)| t.id)
                .collect();
            let found = search(&*store, scope, tenant, &query).await;
            assert_eq!(
                found, expected,
                "contains {query:?} (internal notes: {internal}) over {docs:?}"
            );
        }
    }
}

/// The tickets of `tenant` whose words contain `query`, searched in `scope`.
async fn search(
    store: &dyn Store,
    scope: Scope,
    tenant: TenantId,
    query: &str,
) -> BTreeSet<TicketId> {
    let page = store
        .search(&SearchQuery {
            scope,
            criteria: SearchCriteria {
                tenant: Some(tenant),
                contains: Some(query.to_owned()),
                ..Default::default()
            },
            page: PageRequest {
                limit: 200,
                after: None,
            },
            now: Utc::now(),
            count: helpdesk_core::Count::default(),
        })
        .await
        .unwrap();
    page.tickets.iter().map(|t| t.id).collect()
}

/// SQLite's full-text index holds each ticket's tenant as a word beside its text (`t`
/// and the id in hex): no search, by anyone, matches it, nor the id itself (on either
/// database).
async fn the_tenants_word_is_not_searched(store: &dyn Store) {
    let tenant = TenantId::new();
    let doc = Doc {
        subject: "alpha".into(),
        reply: "beta".into(),
        note: "gamma".into(),
    };
    let id = open(store, tenant, &doc, 0).await;
    let word = format!("t{}", tenant.as_uuid().simple());
    for scope in [Scope::Everything, Scope::Tenant { tenant }] {
        assert_eq!(
            search(store, scope.clone(), tenant, "alpha").await,
            BTreeSet::from([id])
        );
        // One letter is no search word (it would match every ticket); "t" and two hex
        // digits is.
        let id_text = tenant.as_uuid().to_string();
        for query in [&word[..3], &word[..6], &word, &id_text[..8], &id_text] {
            assert!(
                search(store, scope.clone(), tenant, query).await.is_empty(),
                "{query:?} matched the tenant's word in {scope:?}"
            );
        }
    }
}

/// A tenant that holds most of the tickets (SQLite then leaves its word out of the
/// full-text match) and one that holds few (its word is kept) each find their own
/// tickets only, though the word is in both.
async fn a_large_and_a_small_tenant_find_their_own_only(store: &dyn Store) {
    let doc = Doc {
        subject: "imprimante".into(),
        reply: "bourrage".into(),
        note: "toner".into(),
    };
    let (large, small) = (TenantId::new(), TenantId::new());
    let mut mine: BTreeMap<TenantId, BTreeSet<TicketId>> = BTreeMap::new();
    for (i, tenant) in [large, large, large, large, small].into_iter().enumerate() {
        let id = open(store, tenant, &doc, i).await;
        mine.entry(tenant).or_default().insert(id);
    }
    for tenant in [large, small] {
        for scope in [Scope::Everything, Scope::Tenant { tenant }] {
            for query in ["imprimante", "imprimante bourrage", "toner"] {
                let expected = if query == "toner" && scope != Scope::Everything {
                    BTreeSet::new()
                } else {
                    mine[&tenant].clone()
                };
                assert_eq!(
                    search(store, scope.clone(), tenant, query).await,
                    expected,
                    "{query:?} in {scope:?}"
                );
            }
        }
    }
}

fn run(store: Arc<dyn Store>, runtime: &tokio::runtime::Runtime) {
    runtime.block_on(a_large_and_a_small_tenant_find_their_own_only(&*store));
    runtime.block_on(the_tenants_word_is_not_searched(&*store));
    let default = Config::default();
    let mut runner = TestRunner::new(Config {
        cases: default.cases.min(64),
        ..default
    });
    let strategy = (
        prop::collection::vec(doc(), 1..6),
        prop::collection::vec(text(5), 1..6),
    );
    let result = runner.run(&strategy, |(docs, queries)| {
        runtime.block_on(matches_the_reference(store.clone(), docs, queries));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_full_text_matches_the_reference_on_awkward_unicode() {
    support::on_sqlite_memory(run);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_full_text_matches_the_reference_on_awkward_unicode() {
    support::on_postgres("full text on awkward unicode", run);
}
