//! The storage conformance suite: what every [`Store`] must do, written once and run
//! against each implementation (the in-memory store here, SQLite and PostgreSQL in
//! `helpdesk-sqlx`).
//!
//! Each check is a public async function that takes a freshly set-up, **empty** store
//! and panics with a message naming the promise the store broke. The
//! [`store_conformance_tests!`](crate::store_conformance_tests) macro turns every check
//! into its own `#[tokio::test]`, each on a store of its own, so the checks run in
//! parallel and a failure names the rule.
//!
//! # Running the suite against a store
//!
//! The store's crate needs `helpdesk-core` with the `testing` feature and `tokio` with
//! the `macros` and `rt` features as dev-dependencies. In a test file:
//!
//! ```text
//! // tests/conformance.rs of helpdesk-sqlx
//! use std::sync::Arc;
//!
//! // Called once per test: every test gets its own fresh, empty, migrated store.
//! async fn fresh_sqlite() -> Arc<helpdesk_sqlx::SqliteStore> {
//!     let store = helpdesk_sqlx::SqliteStore::in_memory().await.expect("opening SQLite");
//!     store.migrate().await.expect("migrating SQLite");
//!     Arc::new(store)
//! }
//!
//! helpdesk_core::store_conformance_tests!(fresh_sqlite());
//! ```
//!
//! The argument is any expression whose value is a future of `Arc<S>` for some
//! `S: Store` (or of `Arc<dyn Store>`): a call to an async function, or an
//! `async { ... }` block. It is evaluated afresh in every test. To run the suite for
//! several stores in one file, name a module for each:
//!
//! ```text
//! helpdesk_core::store_conformance_tests!(sqlite, fresh_sqlite());
//! helpdesk_core::store_conformance_tests!(postgres, fresh_postgres_database());
//! ```
//!
//! which gives tests such as `sqlite::a_stale_save_is_a_conflict_and_writes_nothing`.
//! The checks can also be called one by one, with a `&dyn Store`:
//! `helpdesk_core::conformance::search_returns_exactly_the_reference_results(&*store).await`.
//!
//! # What the checks assume
//!
//! The store is empty when a check starts (checks list every tenant and search with
//! [`Scope::Everything`]). Fixtures use timestamps with millisecond precision, sorted ASCII
//! names whose order is the same under byte order and linguistic collations, and only
//! rows whose references exist (tickets point at stored members, staff, groups,
//! categories and products), so a store with foreign keys passes too. Every dataset
//! holds at most a few hundred tickets.
//!
//! Beyond the port docs, the checks pin down what callers rely on: a timeline keeps the
//! order events were appended in, even for events of one save that share a time and
//! whose ids are not in order; a ticket's guests and a staff member's groups keep their
//! order; a search page's `next` is [`Cursor::after`] its last ticket and its `total` the
//! number of tickets all its pages hold; satisfaction
//! counts every approved closure in scope, whatever the month window; error variants
//! name the entity ([`Error::AlreadyExists`]`(`[`Entity::Tenant`]`)`...).

mod breakdown;
mod catalog;
mod closures_due;
mod dashboard;
mod dataset;
mod directory;
mod fixtures;
mod knowledge;
mod outbox;
mod outbox_claims;
mod people;
mod round_trip;
mod saved_searches;
mod search;
mod service_levels;
mod sorting;
mod staff;
mod tickets;
mod webhooks;

pub use breakdown::dashboard_breakdown_counts_per_agent_and_per_group;
pub use catalog::groups_categories_and_products_round_trip;
pub use closures_due::closures_due_are_the_tenants_oldest_pending_proposals;
pub use dashboard::dashboard_counts_statuses_months_and_satisfaction;
pub use directory::{
    members_are_unique_per_tenant_and_read_within_it, tenants_are_unique_by_slug_and_listed_by_slug,
};
pub use knowledge::knowledge_base_articles_stay_in_their_tenant;
pub use outbox::outbox_hands_out_due_messages_oldest_first_and_records_failures;
pub use outbox_claims::{
    concurrent_outbox_claims_never_share_a_message,
    dead_letters_are_kept_listed_counted_and_retried,
    outbox_claims_hand_each_message_out_once_per_lease,
};
pub use people::{
    languages_of_members_and_staff_round_trip, members_are_found_by_name_login_and_email,
    muted_topics_of_members_and_staff_round_trip,
};
pub use round_trip::saved_tickets_round_trip_every_state_event_and_attachment;
pub use saved_searches::saved_searches_belong_to_their_owner;
pub use search::{
    search_folds_accents_and_keeps_internal_notes_to_staff,
    search_pages_of_one_walk_through_everything,
    search_pages_stay_stable_while_tickets_are_inserted,
    search_returns_exactly_the_reference_results,
};
pub use service_levels::service_level_search_and_figures_follow_the_stored_due_dates;
pub use sorting::{
    a_cursor_is_refused_under_another_sort,
    search_totals_count_all_pages_and_internal_notes_only_for_staff,
    sorted_search_pages_walk_every_ticket_once_in_order,
};
pub use staff::{
    a_staff_update_made_from_a_stale_record_writes_nothing,
    staff_are_unique_and_keep_their_tenants_and_groups,
};
pub use tickets::{
    a_retried_open_is_told_apart_by_its_request_fingerprint,
    a_stale_save_is_a_conflict_and_writes_nothing,
    opened_tickets_are_numbered_per_tenant_with_everything_they_carry,
};
pub use webhooks::webhooks_are_saved_replaced_and_deleted_within_their_tenant;

#[cfg(doc)]
use crate::{
    error::{Entity, Error},
    permissions::Scope,
    ports::Store,
    search::Cursor,
};

/// Expands to one `#[tokio::test]` per check of [`conformance`](crate::conformance),
/// each on a fresh store.
///
/// `$setup` is an expression evaluated once per test whose value is a future of
/// `Arc<S>` where `S: Store` (or of `Arc<dyn Store>`): `fresh_store()` for an
/// `async fn fresh_store()`, or `async { ... }`. With a leading module name,
/// `store_conformance_tests!(sqlite, fresh_sqlite())`, the tests go into `mod sqlite`,
/// so one file can run the suite for several stores. The calling crate needs `tokio`
/// with the `macros` and `rt` features.
///
/// ```no_run
/// // tests/conformance_memory.rs of this crate:
/// helpdesk_core::store_conformance_tests!(async {
///     std::sync::Arc::new(helpdesk_core::memory::MemoryStore::new())
/// });
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! store_conformance_tests {
    ($module:ident, $setup:expr $(,)?) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;

            $crate::store_conformance_tests!($setup);
        }
    };
    ($setup:expr $(,)?) => {
        $crate::__store_conformance_tests!(
            ($setup);
            tenants_are_unique_by_slug_and_listed_by_slug,
            members_are_unique_per_tenant_and_read_within_it,
            languages_of_members_and_staff_round_trip,
            muted_topics_of_members_and_staff_round_trip,
            members_are_found_by_name_login_and_email,
            staff_are_unique_and_keep_their_tenants_and_groups,
            a_staff_update_made_from_a_stale_record_writes_nothing,
            groups_categories_and_products_round_trip,
            opened_tickets_are_numbered_per_tenant_with_everything_they_carry,
            a_stale_save_is_a_conflict_and_writes_nothing,
            a_retried_open_is_told_apart_by_its_request_fingerprint,
            saved_tickets_round_trip_every_state_event_and_attachment,
            search_returns_exactly_the_reference_results,
            search_folds_accents_and_keeps_internal_notes_to_staff,
            search_pages_stay_stable_while_tickets_are_inserted,
            search_pages_of_one_walk_through_everything,
            sorted_search_pages_walk_every_ticket_once_in_order,
            search_totals_count_all_pages_and_internal_notes_only_for_staff,
            a_cursor_is_refused_under_another_sort,
            dashboard_counts_statuses_months_and_satisfaction,
            dashboard_breakdown_counts_per_agent_and_per_group,
            closures_due_are_the_tenants_oldest_pending_proposals,
            saved_searches_belong_to_their_owner,
            knowledge_base_articles_stay_in_their_tenant,
            outbox_hands_out_due_messages_oldest_first_and_records_failures,
            outbox_claims_hand_each_message_out_once_per_lease,
            concurrent_outbox_claims_never_share_a_message,
            dead_letters_are_kept_listed_counted_and_retried,
            service_level_search_and_figures_follow_the_stored_due_dates,
            webhooks_are_saved_replaced_and_deleted_within_their_tenant,
        );
    };
}

/// Implementation detail of [`store_conformance_tests!`]: one test per named check.
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_tests {
    (($setup:expr); $($check:ident),+ $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let store: ::std::sync::Arc<dyn $crate::Store> = ($setup).await;
                $crate::conformance::$check(&*store).await;
            }
        )+
    };
}
