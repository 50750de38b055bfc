//! Custom fields a tenant defines: checked when the settings are saved, required ones
//! enforced when a ticket is opened (by anyone) and when an edit would empty them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use helpdesk_core::testing::{Seed, StaffSeed, World, draft};
use helpdesk_core::{
    Actor, CustomFieldDefinition, Error, MemberRole, NewTicket, TicketEdit, ValidationError,
};

async fn world() -> World {
    Seed::in_memory()
        .at(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap())
        .two_tenants()
        .member("acme", "alice", MemberRole::Requester)
        .member("acme", "carol", MemberRole::TenantAdmin)
        .staff(StaffSeed::agent("sam").named("Sam"))
        .build()
        .await
        .unwrap()
}

fn field(key: &str, fr: &str, en: &str, required: bool) -> CustomFieldDefinition {
    CustomFieldDefinition {
        key: key.to_owned(),
        labels: BTreeMap::from([
            ("fr".to_owned(), fr.to_owned()),
            ("en".to_owned(), en.to_owned()),
        ]),
        required,
        help: BTreeMap::new(),
    }
}

async fn define(w: &World, fields: Vec<CustomFieldDefinition>) -> Result<(), Error> {
    let tenant = w.tenant_record("acme");
    let mut settings = tenant.settings.clone();
    settings.custom_fields = fields;
    w.service
        .update_tenant(&w.actor("carol"), w.tenant("acme"), &tenant.name, settings)
        .await
        .map(|_| ())
}

fn invalid(err: Error) -> ValidationError {
    match err {
        Error::Validation(v) => v,
        other => panic!("expected a validation error, got {other}"),
    }
}

fn with_fields(subject: &str, pairs: &[(&str, &str)]) -> NewTicket {
    NewTicket {
        custom_fields: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..draft(subject)
    }
}

async fn school_world() -> World {
    let w = world().await;
    define(
        &w,
        vec![
            field("school", "Établissement", "School", true),
            field("room", "Salle / poste", "Room / desk", false),
        ],
    )
    .await
    .unwrap();
    w
}

#[tokio::test]
async fn bad_definitions_are_refused_and_change_nothing() {
    let w = world().await;
    let err = define(
        &w,
        vec![
            field("room", "Salle", "Room", false),
            field("room", "Poste", "Desk", true),
        ],
    )
    .await
    .unwrap_err();
    let v = invalid(err);
    assert_eq!(
        (v.field.as_str(), v.code.as_str()),
        ("custom_fields[1].key", "duplicate")
    );
    let stored = w
        .service
        .tenant(&w.actor("carol"), w.tenant("acme"))
        .await
        .unwrap();
    assert!(stored.settings.custom_fields.is_empty());

    define(&w, vec![field("room", "Salle", "Room", false)])
        .await
        .unwrap();
    let stored = w
        .service
        .tenant(&w.actor("carol"), w.tenant("acme"))
        .await
        .unwrap();
    assert_eq!(stored.settings.custom_fields[0].label("en", "fr"), "Room");
}

#[tokio::test]
async fn a_required_field_is_asked_of_requesters_and_of_staff_opening_on_behalf() {
    let w = school_world().await;
    let Actor::Member(alice) = &w.actor("alice") else {
        unreachable!()
    };
    for (actor, on_behalf) in [("alice", None), ("sam", Some(alice.id))] {
        for blank in [vec![], vec![("school", "  ")], vec![("room", "B12")]] {
            let draft = NewTicket {
                requester: on_behalf,
                ..with_fields("no school", &blank)
            };
            let err = w
                .service
                .open(&w.actor(actor), w.tenant("acme"), draft, vec![])
                .await
                .unwrap_err();
            let v = invalid(err);
            assert_eq!(
                (v.field.as_str(), v.code.as_str()),
                ("custom_fields.school", "required")
            );
        }
        let draft = NewTicket {
            requester: on_behalf,
            ..with_fields("ok", &[("school", "Lycée Curie"), ("erp_ref", "X-1")])
        };
        let ticket = w
            .service
            .open(&w.actor(actor), w.tenant("acme"), draft, vec![])
            .await
            .unwrap();
        assert_eq!(ticket.custom_fields["school"], "Lycée Curie");
        assert_eq!(ticket.custom_fields["erp_ref"], "X-1", "free keys are kept");
    }
}

#[tokio::test]
async fn an_edit_may_not_empty_a_required_field_but_may_remove_an_optional_one() {
    let w = school_world().await;
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            with_fields("t", &[("school", "Lycée Curie"), ("room", "B12")]),
            vec![],
        )
        .await
        .unwrap();
    for emptied in [None, Some(" ".to_owned())] {
        let edit = TicketEdit {
            custom_fields: BTreeMap::from([("school".to_owned(), emptied)]),
            ..TicketEdit::default()
        };
        let err = w
            .service
            .edit(&w.actor("sam"), ticket.id, None, edit)
            .await
            .unwrap_err();
        let v = invalid(err);
        assert_eq!(
            (v.field.as_str(), v.code.as_str()),
            ("custom_fields.school", "required")
        );
    }
    let edit = TicketEdit {
        custom_fields: BTreeMap::from([
            ("school".to_owned(), Some("Collège Zola".to_owned())),
            ("room".to_owned(), None),
        ]),
        ..TicketEdit::default()
    };
    let edited = w
        .service
        .edit(&w.actor("sam"), ticket.id, None, edit)
        .await
        .unwrap();
    assert_eq!(
        edited.custom_fields.get("school").map(String::as_str),
        Some("Collège Zola")
    );
    assert!(!edited.custom_fields.contains_key("room"));
}
