//! `contains` past the first walk: a tenant of more tickets than PostgreSQL's probe
//! walks (2,000), where its store counts by walking the newest tickets or by reading the
//! full-text index, and pages newest first or from every match, each as the words'
//! share says, and tests the tenant on each match when the tenant holds most tickets.
//! Every way gives what the words are in: totals exact up to the cap and "more than"
//! beyond it, every page in order, each matching ticket once, none of another tenant,
//! none by a word of an internal note for those who do not see them. On both
//! databases, for the same tickets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use chrono::Utc;
use helpdesk_core::{
    Count, MemberId, PageRequest, Scope, SearchCriteria, SearchQuery, Store, TenantId, TicketId,
    Total,
};

/// Tickets of the large tenant: more than the probe walks.
const LARGE: usize = 2_600;

/// The words of the `i`th ticket of the large tenant (public, internal): `commun` in one
/// in three, `milieu` in one in forty, `ancien` in the three oldest only, `interne`
/// in the internal notes of one in ten.
fn words_of(i: usize) -> (String, String) {
    let mut public = vec!["ticket"];
    if i.is_multiple_of(3) {
        public.push("commun");
    }
    if i % 40 == 7 {
        public.push("milieu");
    }
    if i < 3 {
        public.push("ancien");
    }
    let internal = if i % 10 == 4 { "interne" } else { "note" };
    (public.join(" "), internal.to_owned())
}

/// Opens a ticket of `tenant` at second `i` with these words in its subject and
/// description (`public`) and in an internal note.
async fn open(
    store: &dyn Store,
    tenant: TenantId,
    requester: MemberId,
    i: usize,
    public: &str,
    internal: &str,
) -> TicketId {
    let text = support::TicketText {
        subject: public,
        reply: None,
        note: internal,
    };
    support::open_with_text(store, tenant, requester, i, text).await
}

/// Every page of a search for `word` in `tenant` seen from `scope`, followed by its
/// cursor: the tickets in page order and the first page's total.
async fn every_page(
    store: &dyn Store,
    scope: Scope,
    tenant: TenantId,
    word: &str,
    count: Count,
) -> (Vec<TicketId>, Total) {
    let mut after = None;
    let mut found = Vec::new();
    let mut first = None;
    loop {
        let page = store
            .search(&SearchQuery {
                scope: scope.clone(),
                criteria: SearchCriteria {
                    tenant: Some(tenant),
                    contains: Some(word.to_owned()),
                    ..Default::default()
                },
                page: PageRequest { limit: 50, after },
                now: Utc::now(),
                count,
            })
            .await
            .unwrap();
        first.get_or_insert(page.total);
        found.extend(page.tickets.iter().map(|t| t.id));
        match page.next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    (found, first.unwrap())
}

async fn finds_every_match_every_way(store: &dyn Store) {
    let (large, small) = (TenantId::new(), TenantId::new());
    // Oldest first, so that the newest-first order is the reverse.
    let mut tickets = Vec::new();
    // One requester owns one ticket in five; the others, one each.
    let alice = MemberId::new();
    let requester = |i: usize| {
        if i.is_multiple_of(5) {
            alice
        } else {
            MemberId::new()
        }
    };
    for i in 0..LARGE {
        let (public, internal) = words_of(i);
        let id = open(store, large, requester(i), i, &public, &internal).await;
        tickets.push((i, id));
    }
    // The small tenant has every word, in tickets as new as the large one's newest.
    for i in 0..10 {
        let who = MemberId::new();
        open(
            store,
            small,
            who,
            LARGE + i,
            "commun milieu ancien",
            "interne",
        )
        .await;
    }
    let newest_first = |keep: &dyn Fn(usize) -> bool| -> Vec<TicketId> {
        tickets
            .iter()
            .rev()
            .filter(|(i, _)| keep(*i))
            .map(|(_, id)| *id)
            .collect()
    };
    // Staff who see every tenant and internal notes, searching the large one.
    let staff = Scope::Everything;
    let admin = Scope::Tenant { tenant: large };
    let own = Scope::Requester {
        tenant: large,
        member: alice,
        whole_tenant: false,
    };
    let cases: Vec<(&str, Scope, Vec<TicketId>)> = vec![
        (
            "commun",
            admin.clone(),
            newest_first(&|i| i.is_multiple_of(3)),
        ),
        ("milieu", admin.clone(), newest_first(&|i| i % 40 == 7)),
        ("ancien", admin.clone(), newest_first(&|i| i < 3)),
        (
            "commun milieu",
            admin.clone(),
            newest_first(&|i| i.is_multiple_of(3) && i % 40 == 7),
        ),
        ("absent", admin.clone(), vec![]),
        ("interne", admin.clone(), vec![]),
        ("interne", staff.clone(), newest_first(&|i| i % 10 == 4)),
        (
            "interne commun",
            staff.clone(),
            newest_first(&|i| i % 10 == 4 && i.is_multiple_of(3)),
        ),
        (
            "commun",
            own.clone(),
            newest_first(&|i| i.is_multiple_of(15)),
        ),
        (
            "milieu",
            own.clone(),
            newest_first(&|i| i % 40 == 7 && i.is_multiple_of(5)),
        ),
        ("interne", own.clone(), vec![]),
    ];
    for (word, scope, expected) in &cases {
        let n = expected.len() as u64;
        for cap in [1_000, 100, 5] {
            let (found, total) =
                every_page(store, scope.clone(), large, word, Count::UpTo(cap)).await;
            assert_eq!(&found, expected, "{word:?} in {scope:?}, cap {cap}");
            let want = if n > cap {
                Total::MoreThan(cap)
            } else {
                Total::Exact(n)
            };
            assert_eq!(total, want, "{word:?} in {scope:?}, cap {cap}");
        }
        let (found, total) = every_page(store, scope.clone(), large, word, Count::Skip).await;
        assert_eq!(&found, expected, "{word:?} in {scope:?}, not counted");
        assert_eq!(total, Total::NotCounted);
    }
    // The small tenant finds its own ten, never the large one's.
    for word in ["commun", "milieu", "ancien"] {
        let (found, total) = every_page(
            store,
            Scope::Tenant { tenant: small },
            small,
            word,
            Count::default(),
        )
        .await;
        assert_eq!(found.len(), 10, "{word:?} in the small tenant");
        assert_eq!(total, Total::Exact(10));
    }
}

fn run(store: Arc<dyn Store>, runtime: &tokio::runtime::Runtime) {
    runtime.block_on(finds_every_match_every_way(&*store));
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_full_text_past_the_first_walk_finds_every_match() {
    support::on_sqlite_memory(run);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_full_text_past_the_first_walk_finds_every_match() {
    support::on_postgres("full text past the first walk", run);
}
