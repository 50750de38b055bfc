//! Saved searches.

use chrono::Duration;

use super::fixtures::{Directory, Must, days, directory, now, user};
use crate::ids::{SavedSearchId, TenantId, TicketNumber};
use crate::ports::Store;
use crate::search::{SavedSearch, SearchCriteria, Sort, SortKey, SortOrder};
use crate::status::{Priority, Status};

/// Saved searches: listed per owner and tenant (none for staff), by name, criteria
/// round-tripping whole; only their owner deletes them, in the tenant they were saved
/// in (false otherwise, and for one already deleted).
pub async fn saved_searches_belong_to_their_owner(store: &dyn Store) {
    let dir = directory(store).await;
    let (a, b) = (dir.tenants[0].id, dir.tenants[1].id);
    let full = every_criterion(&dir);
    let mine_b = saved("alice", Some(a), "Bloquants", full.clone());
    let mine_a = saved("alice", Some(a), "A valider", SearchCriteria::default());
    let mine_elsewhere = saved("alice", Some(b), "Ailleurs", SearchCriteria::default());
    let staff_one = saved("alice", None, "Support", full.clone());
    let theirs = saved("bernard", Some(a), "Autre", SearchCriteria::default());
    for s in [&mine_b, &mine_a, &mine_elsewhere, &staff_one, &theirs] {
        store.insert_saved_search(s).await.must("saving a search");
    }
    assert_eq!(
        store
            .saved_searches(&user("alice"), Some(a))
            .await
            .must("listing saved searches"),
        vec![mine_a.clone(), mine_b.clone()],
        "an owner's saved searches in one tenant, by name, criteria whole"
    );
    assert_eq!(
        store
            .saved_searches(&user("alice"), None)
            .await
            .must("listing saved searches"),
        vec![staff_one.clone()],
        "saved searches without a tenant are listed apart"
    );
    assert_eq!(
        store
            .saved_searches(&user("alice"), Some(b))
            .await
            .must("listing saved searches"),
        vec![mine_elsewhere.clone()]
    );
    assert!(
        store
            .saved_searches(&user("chloe"), Some(a))
            .await
            .must("listing saved searches")
            .is_empty()
    );
    assert_only_the_owner_deletes(store, a, &mine_b).await;
    assert!(
        !store
            .delete_saved_search(&user("alice"), Some(b), staff_one.id)
            .await
            .must("deleting a saved search"),
        "a staff search is not deleted as a member's"
    );
    assert!(
        store
            .delete_saved_search(&user("alice"), None, staff_one.id)
            .await
            .must("deleting a saved search"),
        "the owner deletes their staff search"
    );
    assert!(
        store
            .saved_searches(&user("alice"), None)
            .await
            .must("listing saved searches")
            .is_empty()
    );
    assert_eq!(
        store
            .saved_searches(&user("alice"), Some(a))
            .await
            .must("listing saved searches"),
        vec![mine_a]
    );
    assert_eq!(
        store
            .saved_searches(&user("bernard"), Some(a))
            .await
            .must("listing saved searches"),
        vec![theirs]
    );
}

/// Criteria with every field set.
fn every_criterion(dir: &Directory) -> SearchCriteria {
    SearchCriteria {
        tenant: Some(dir.tenants[0].id),
        number: Some(TicketNumber::new(42)),
        statuses: vec![Status::New, Status::PendingClosure],
        priorities: vec![Priority::Blocking],
        categories: vec![dir.categories[0][0].id],
        products: vec![dir.products[0][1].id],
        requester: Some(dir.requesters[0][0].id),
        assignee: Some(dir.staff[0].id),
        group: Some(dir.groups[0].id),
        opened_from: Some(now() - days(30) + Duration::milliseconds(5)),
        opened_to: Some(now()),
        updated_from: Some(now() - days(7)),
        updated_to: Some(now() - days(1)),
        contains: Some("Clôture, imprimante".to_owned()),
        include_closed: true,
        include_archived: true,
        sort: Sort::new(SortKey::Subject, SortOrder::Asc),
        sla: Some(crate::search::SlaFilter::Breached),
    }
}

fn saved(
    owner: &str,
    tenant: Option<TenantId>,
    name: &str,
    criteria: SearchCriteria,
) -> SavedSearch {
    SavedSearch {
        id: SavedSearchId::new(),
        owner: user(owner),
        tenant,
        name: name.to_owned(),
        criteria,
        created_at: now() - Duration::minutes(3),
    }
}

/// Only alice deletes her search `mine_b` in tenant `a`, once; other deletes answer
/// false and delete nothing.
async fn assert_only_the_owner_deletes(store: &dyn Store, a: TenantId, mine_b: &SavedSearch) {
    assert!(
        !store
            .delete_saved_search(&user("bernard"), Some(a), mine_b.id)
            .await
            .must("deleting a saved search"),
        "nobody but the owner deletes a saved search"
    );
    assert_eq!(
        store
            .saved_searches(&user("alice"), Some(a))
            .await
            .must("listing saved searches")
            .len(),
        2,
        "a refused delete deletes nothing"
    );
    assert!(
        !store
            .delete_saved_search(&user("alice"), None, mine_b.id)
            .await
            .must("deleting a saved search"),
        "a member's saved search is deleted in its tenant, not among staff searches"
    );
    assert!(
        store
            .delete_saved_search(&user("alice"), Some(a), mine_b.id)
            .await
            .must("deleting a saved search"),
        "the owner deletes their saved search"
    );
    assert!(
        !store
            .delete_saved_search(&user("alice"), Some(a), mine_b.id)
            .await
            .must("deleting a saved search"),
        "deleting it again finds nothing"
    );
    assert!(
        !store
            .delete_saved_search(&user("alice"), Some(a), SavedSearchId::new())
            .await
            .must("deleting a saved search")
    );
}
