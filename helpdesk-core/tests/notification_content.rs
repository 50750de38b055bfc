//! What a notification carries for the message written from it: each contact's language
//! and part in the ticket, the tenant, the status and its labels, the priority, the
//! author's name and the event's public text; never an internal note for a member.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use helpdesk_core::testing::{self, MemberSeed, Seed, StaffSeed};
use helpdesk_core::{
    ContactKind, MemberRole, NewTicket, Notification, Notifier, NotifyError, Priority, StaffRole,
    Status, TicketId,
};

/// Records what it is given.
#[derive(Default)]
struct Recorder(Mutex<Vec<Notification>>);

#[async_trait]
impl Notifier for Recorder {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        self.0.lock().unwrap().push(notification.clone());
        Ok(())
    }
}

/// Tenant `acme` (French by default) with agent Ann (who reads English) in group
/// Support, requester Alice and guest Gina (who reads English).
async fn world() -> testing::World {
    let member = |user: &str, name: &str| {
        MemberSeed::new("acme", user, MemberRole::Requester)
            .named(name)
            .email(Some(&format!("{user}@acme.example")))
    };
    let w = Seed::in_memory()
        .at(Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap())
        .tenant("acme", "Acme Industries")
        .group("Support")
        .staff(
            StaffSeed::new("ann", StaffRole::Agent)
                .named("Ann")
                .email("ann@support.example")
                .only(&["acme"])
                .groups(&["Support"]),
        )
        .member_seed(member("alice", "Alice"))
        .member_seed(member("gina", "Gina"))
        .build()
        .await
        .unwrap();
    w.service
        .set_language(&w.actor("ann"), Some("en"))
        .await
        .unwrap();
    w.service
        .set_language(&w.actor("gina"), Some("en"))
        .await
        .unwrap();
    w
}

/// Every due notification, delivered to a recorder.
async fn deliver(w: &testing::World) -> Vec<Notification> {
    let recorder = Recorder::default();
    w.service
        .deliver_notifications(&recorder, 100)
        .await
        .unwrap();
    recorder.0.into_inner().unwrap()
}

/// Alice's ticket, assigned to Ann, Gina invited; its notifications delivered.
async fn ticket(w: &testing::World) -> TicketId {
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            NewTicket {
                subject: "Imprimante bloquée".to_owned(),
                description: "<p>Plus rien</p>".to_owned(),
                priority: Some(Priority::High),
                ..Default::default()
            },
            vec![],
        )
        .await
        .unwrap();
    w.service
        .assign(&w.root, ticket.id, None, Some(w.staff("ann").id), None)
        .await
        .unwrap();
    w.service
        .invite_guest(&w.actor("alice"), ticket.id, None, w.member("gina").id)
        .await
        .unwrap();
    deliver(w).await;
    ticket.id
}

fn contact<'a>(n: &'a Notification, name: &str) -> &'a helpdesk_core::Contact {
    n.contacts
        .iter()
        .find(|c| c.display_name == name)
        .unwrap_or_else(|| panic!("{name} is not among the contacts"))
}

#[tokio::test]
async fn each_contact_has_their_language_or_the_tenants_and_their_part() {
    let w = world().await;
    let id = ticket(&w).await;
    w.service
        .reply(
            &w.actor("ann"),
            id,
            None,
            "<p>Avez-vous redémarré ?</p>",
            vec![],
        )
        .await
        .unwrap();
    let [n] = deliver(&w).await.try_into().unwrap();
    let alice = contact(&n, "Alice");
    assert_eq!(
        (alice.language.as_str(), alice.kind),
        ("fr", ContactKind::Requester),
        "no language chosen: the tenant's default"
    );
    let gina = contact(&n, "Gina");
    assert_eq!(
        (gina.language.as_str(), gina.kind),
        ("en", ContactKind::Guest)
    );

    w.service
        .reply(&w.actor("alice"), id, None, "<p>Oui</p>", vec![])
        .await
        .unwrap();
    let [n] = deliver(&w).await.try_into().unwrap();
    let ann = contact(&n, "Ann");
    assert_eq!(
        (ann.language.as_str(), ann.kind),
        ("en", ContactKind::Staff)
    );
    assert!(ann.kind.is_staff());
}

#[tokio::test]
async fn a_notification_carries_the_tenant_status_labels_priority_author_and_text() {
    let w = world().await;
    let id = ticket(&w).await;
    w.service
        .request_information(&w.actor("ann"), id, None, "<p>Quel <b>modèle</b> ?</p>")
        .await
        .unwrap();
    let [n] = deliver(&w).await.try_into().unwrap();
    assert_eq!(n.tenant_slug, "acme");
    assert_eq!(n.tenant_name, "Acme Industries");
    assert_eq!(n.status, Status::WaitingOnRequester);
    assert_eq!(n.status_label("fr"), "En attente de votre réponse");
    assert_eq!(n.status_label("en"), "Waiting on you");
    assert_eq!(n.priority, Priority::High);
    assert_eq!(n.author_name.as_deref(), Some("Ann"));
    assert_eq!(
        n.public_text.as_ref().map(|t| t.to_plain_text()).as_deref(),
        Some("Quel modèle ?")
    );
}

#[tokio::test]
async fn an_opening_carries_the_tickets_description_as_its_text() {
    let w = world().await;
    // Opened on Alice's behalf: she is told, with what was written for her.
    w.service
        .open(
            &w.actor("ann"),
            w.tenant("acme"),
            NewTicket {
                subject: "Appel".to_owned(),
                description: "<p>Imprimante muette</p>".to_owned(),
                requester: Some(w.member("alice").id),
                ..Default::default()
            },
            vec![],
        )
        .await
        .unwrap();
    let [n] = deliver(&w).await.try_into().unwrap();
    assert_eq!(n.event.kind.name(), "opened");
    assert_eq!(contact(&n, "Alice").kind, ContactKind::Requester);
    assert_eq!(
        n.public_text.as_ref().map(|t| t.to_plain_text()).as_deref(),
        Some("Imprimante muette")
    );
}

#[tokio::test]
async fn the_status_label_is_the_tenants_own() {
    let w = world().await;
    let tenant = w.tenant_record("acme").clone();
    let mut settings = tenant.settings.clone();
    settings
        .status_labels
        .get_mut("fr")
        .unwrap()
        .insert(Status::InProgress, "Pris en charge".to_owned());
    w.service
        .update_tenant(&w.root, tenant.id, &tenant.name, settings)
        .await
        .unwrap();
    let id = ticket(&w).await;
    w.service
        .reply(&w.actor("ann"), id, None, "<p>Je regarde</p>", vec![])
        .await
        .unwrap();
    let [n] = deliver(&w).await.try_into().unwrap();
    assert_eq!(n.status, Status::InProgress);
    assert_eq!(n.status_label("fr"), "Pris en charge");
    assert_eq!(n.status_label("en"), "In progress");
}

#[tokio::test]
async fn an_internal_note_is_never_given_to_a_member_nor_as_public_text() {
    let w = world().await;
    let id = ticket(&w).await;
    w.service
        .add_note(&w.root, id, None, "<p>Fournisseur relancé</p>", vec![])
        .await
        .unwrap();
    let [n] = deliver(&w).await.try_into().unwrap();
    assert!(!n.contacts.is_empty());
    assert!(
        n.contacts.iter().all(|c| c.kind.is_staff()),
        "only staff: {:?}",
        n.contacts
    );
    assert_eq!(n.public_text, None, "a note is never public text");
}

#[tokio::test]
async fn a_notification_reads_back_from_json_and_older_documents_still_read() {
    let w = world().await;
    let id = ticket(&w).await;
    w.service
        .propose_closure(&w.actor("ann"), id, None, "<p>Toner remplacé</p>")
        .await
        .unwrap();
    let [n] = deliver(&w).await.try_into().unwrap();
    let json = serde_json::to_value(&n).unwrap();
    assert_eq!(json["contacts"][0]["kind"], "requester");
    assert_eq!(json["status"], "pending_closure");
    let back: Notification = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, n);

    // A document written before the enrichment: only the original fields.
    let mut old = json;
    let object = old.as_object_mut().unwrap();
    for field in [
        "tenant_slug",
        "tenant_name",
        "status",
        "status_labels",
        "priority",
        "author_name",
        "public_text",
    ] {
        object.remove(field);
    }
    for contact in object["contacts"].as_array_mut().unwrap() {
        let contact = contact.as_object_mut().unwrap();
        contact.remove("language");
        contact.remove("kind");
    }
    let old: Notification = serde_json::from_value(old).unwrap();
    assert_eq!(old.contacts[0].language, "fr");
    assert_eq!(
        old.contacts[0].kind,
        ContactKind::Member,
        "the narrowest part"
    );
    assert_eq!(old.public_text, None);
}
