//! The generated client against a running helpdesk: the routes served over TCP on a free
//! local port, on the in-memory store, the caller named by `x-user` and `x-tenant`
//! headers as a host's login layer would set them. Every call goes through the client
//! generated from `helpdesk-axum/openapi.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::Router;
use axum::http::request::Parts;
use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError};
use helpdesk_client::types::{ActorRef, EventKind, TicketState};
use helpdesk_client::{Client, Error};
use helpdesk_core::memory::MemoryStore;
use helpdesk_core::{HelpdeskService, MemberDetails, MemberRole, UserId};

/// Trusts `x-user` and `x-tenant` headers.
struct HeaderIdentity;

#[helpdesk_axum::async_trait]
impl Identify for HeaderIdentity {
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let Some(user) = header("x-user") else {
            return Ok(None);
        };
        Ok(Some(Caller {
            user: UserId::new(&user).map_err(IdentifyError::new)?,
            tenant: header("x-tenant"),
            profile: None,
        }))
    }
}

/// Serves the helpdesk under `/helpdesk` on 127.0.0.1, with tenant `acme` and its
/// requester `alice`, and returns a generated client calling as alice.
async fn serve() -> Client {
    let service = HelpdeskService::new(Arc::new(MemoryStore::new()));
    let root = service
        .bootstrap_platform_admin(&UserId::new("root").unwrap(), "Root")
        .await
        .unwrap();
    let acme = service.create_tenant(&root, "acme", "Acme").await.unwrap();
    service
        .ensure_member(
            acme.id,
            MemberDetails {
                user: &UserId::new("alice").unwrap(),
                display_name: "Alice",
                email: Some("alice@example.org"),
                role: MemberRole::Requester,
            },
        )
        .await
        .unwrap();
    let state = HelpdeskState::new(service, Arc::new(HeaderIdentity));
    let app = Router::new()
        .nest("/helpdesk", helpdesk_axum::router())
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-user", "alice".parse().unwrap());
    headers.insert("x-tenant", "acme".parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .no_proxy()
        .build()
        .unwrap();
    Client::new_with_client(&format!("http://{address}/helpdesk"), http)
}

#[tokio::test]
async fn a_ticket_opened_read_replied_to_and_searched_round_trips() {
    let client = serve().await;

    let opened = client
        .open()
        .body_map(|b| {
            b.subject("The printer is on fire")
                .description("<p>Smoke on the third floor.</p>")
        })
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status().as_u16(), 201);
    assert_eq!(opened.headers()["etag"], "\"1\"");
    let location = opened.headers()["location"].to_str().unwrap().to_owned();
    let ticket = opened.into_inner();
    assert!(
        location.ends_with(&format!("/tickets/{}", ticket.id.0)),
        "{location}"
    );
    assert_eq!(ticket.subject, "The printer is on fire");
    assert_eq!(*ticket.description, "<p>Smoke on the third floor.</p>");
    assert_eq!(ticket.state, TicketState::New);
    assert_eq!(ticket.opened_by, ActorRef::Member(ticket.requester.clone()));
    assert!(*ticket.number >= 1);

    // Read back: the same ticket, field for field, and the opening on its timeline.
    let view = client
        .get()
        .id(ticket.id.0)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(view.ticket, ticket);
    assert_eq!(view.names[&ticket.requester.0.to_string()], "Alice");
    assert_eq!(
        view.timeline.iter().map(|e| &e.kind).collect::<Vec<_>>(),
        [&EventKind::Opened]
    );

    // A reply, with the version read as `If-Match`: a new version, the same status.
    let replied = client
        .reply()
        .id(ticket.id.0)
        .if_match("\"1\"")
        .body_map(|b| b.body("<p>Any news?</p>"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replied.version, ticket.version + 1);
    assert_eq!(replied.number, ticket.number);
    assert_eq!(replied.state, TicketState::New);
    let view = client
        .get()
        .id(ticket.id.0)
        .send()
        .await
        .unwrap()
        .into_inner();
    let reply = view.timeline.last().unwrap();
    assert_eq!(
        reply.kind,
        EventKind::Replied {
            body: "<p>Any news?</p>".to_owned().into()
        }
    );
    assert_eq!(reply.author, ActorRef::Member(ticket.requester.clone()));
    assert_eq!(view.ticket, replied);

    // Found by words of its subject, and by its number.
    let found = client
        .search()
        .contains("printer")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.tickets, std::slice::from_ref(&replied));
    assert_eq!(found.next, None);
    let by_number = client
        .search()
        .number(*ticket.number)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_number.tickets, [replied]);
    let none = client
        .search()
        .contains("scanner")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(none.tickets.is_empty());
}

#[tokio::test]
async fn refusals_come_back_as_typed_problems() {
    let client = serve().await;

    // 404: an unknown ticket.
    let unknown = uuid::Uuid::from_u128(7);
    match client.get().id(unknown).send().await {
        Err(Error::ErrorResponse(problem)) => {
            assert_eq!(problem.status().as_u16(), 404);
            assert_eq!(problem.code, "not_found");
            assert_eq!(problem.entity.as_deref(), Some("ticket"));
            assert_eq!(problem.status, 404);
        }
        other => panic!("expected a 404 problem, got {other:?}"),
    }

    // 422: a reply with nothing visible once sanitised; the document's `minLength` lets
    // it through, the server refuses it and names the field.
    let ticket = client
        .open()
        .body_map(|b| b.subject("Refusals").description("<p>Here.</p>"))
        .send()
        .await
        .unwrap()
        .into_inner();
    match client
        .reply()
        .id(ticket.id.0)
        .body_map(|b| b.body("<p> </p>"))
        .send()
        .await
    {
        Err(Error::ErrorResponse(problem)) => {
            assert_eq!(problem.status().as_u16(), 422);
            assert_eq!(problem.code, "validation_failed");
            assert_eq!(problem.field.as_deref(), Some("body"));
        }
        other => panic!("expected a 422 problem, got {other:?}"),
    }

    // 412: a write against a version the ticket is no longer at.
    client
        .reply()
        .id(ticket.id.0)
        .body_map(|b| b.body("<p>First.</p>"))
        .send()
        .await
        .unwrap();
    match client
        .reply()
        .id(ticket.id.0)
        .if_match("\"1\"")
        .body_map(|b| b.body("<p>Stale.</p>"))
        .send()
        .await
    {
        Err(Error::ErrorResponse(problem)) => {
            assert_eq!(problem.status().as_u16(), 412);
            assert_eq!(problem.code, "precondition_failed");
        }
        other => panic!("expected a 412 problem, got {other:?}"),
    }
}

#[tokio::test]
async fn a_blank_subject_is_refused_by_the_client_before_it_is_sent() {
    let client = serve().await;
    // The document's pattern for `subject` requires a visible character, so the
    // generated type refuses a blank one and nothing reaches the server.
    match client
        .open()
        .body_map(|b| b.subject("   ").description("<p>Blank.</p>"))
        .send()
        .await
    {
        Err(Error::InvalidRequest(reason)) => assert!(reason.contains("subject"), "{reason}"),
        other => panic!("expected the client to refuse the subject, got {other:?}"),
    }
    let all = client.search().send().await.unwrap().into_inner();
    assert!(all.tickets.is_empty(), "{:?}", all.tickets);
}
