//! Replies by mail, on the SQLite store: a real reply message becomes a reply on its
//! ticket (attachment kept, quoted history and signature gone, MIME-encoded French
//! headers decoded); every refused message changes nothing; the `POST /inbound` route
//! wants the host's secret.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, TimeZone, Utc};
use helpdesk_core::memory::MemoryBlobStore;
use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed, World};
use helpdesk_core::{
    ActorRef, ContactRef, EventKind, HelpdeskService, MemberRole, NewTicket, StaffRole, Ticket,
    TicketId,
};
use helpdesk_mail::{MailIntake, ReplySigner, inbound_router};
use helpdesk_sqlx::SqliteStore;
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

const SECRET: &[u8] = b"test secret, long enough to sign reply tokens";
const INBOUND_SECRET: &str = "inbound secret for the MTA";
const OUR_FROM: &str = "Acme Support <helpdesk@help.example.com>";

fn signer() -> ReplySigner {
    ReplySigner::new(SECRET, "support@help.example.com", Duration::days(30)).unwrap()
}

/// Tenant `acme` on SQLite: requesters Alice and Bob, blocked Carol, agent Sam; Alice's
/// ticket about the printer.
struct Desk {
    w: World,
    intake: MailIntake,
    ticket: Ticket,
}

async fn desk() -> Desk {
    let store = SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    let service =
        HelpdeskService::new(Arc::new(store)).with_blobs(Arc::new(MemoryBlobStore::new()));
    let member = |user: &str, name: &str| {
        let email = format!("{user}@acme.example");
        MemberSeed::new("acme", user, MemberRole::Requester)
            .named(name)
            .email(Some(email.as_str()))
    };
    let w = Seed::new(service)
        .at(Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap())
        .tenant("acme", "Acme")
        .group("Support")
        .staff(
            StaffSeed::new("sam", StaffRole::Agent)
                .named("Sam Agent")
                .email("sam@support.example")
                .only(&["acme"])
                .groups(&["Support"]),
        )
        .member_seed(member("alice", "Alice Ménard"))
        .member_seed(member("bob", "Bob Martin"))
        .member_seed(member("carol", "Carol Blocked").blocked())
        .build()
        .await
        .unwrap();
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            NewTicket {
                subject: "Imprimante bloquée".to_owned(),
                description: "<p>Elle ne répond plus.</p>".to_owned(),
                ..Default::default()
            },
            vec![],
        )
        .await
        .unwrap();
    let intake = MailIntake::new(w.service.clone(), signer()).with_own_address(OUR_FROM);
    Desk { w, intake, ticket }
}

impl Desk {
    fn member(&self, user: &str) -> ContactRef {
        ContactRef::Member(self.w.member(user).id)
    }

    /// The reply address the notification to `who` about the ticket carried.
    fn reply_to(&self, who: ContactRef) -> String {
        signer().reply_address(self.ticket.id, who, self.w.service.now())
    }

    /// (timeline length, version) as the platform admin sees them.
    async fn state(&self) -> (usize, u64) {
        let view = self
            .w
            .service
            .ticket(&self.w.root, self.ticket.id)
            .await
            .unwrap();
        (view.timeline.len(), view.ticket.version)
    }

    /// Asserts `raw` is refused with `code` and changes nothing.
    async fn refused(&self, raw: &[u8], code: &str) {
        let before = self.state().await;
        let refused = self.intake.accept(raw).await.expect_err(code);
        assert_eq!(refused.code(), code, "{refused}");
        assert!(!refused.is_temporary());
        assert_eq!(self.state().await, before, "{code}: nothing changes");
    }
}

/// A plain text message.
fn plain(from: &str, to: &str, message_id: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: [#1] Imprimante\r\nMessage-ID: {message_id}\r\n\
         Date: Mon, 30 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n{headers}\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    )
    .into_bytes()
}

const PDF: &[u8] = b"%PDF-1.4 a receipt\n%%EOF";

/// A reply as Thunderbird writes it: text and HTML alternatives, quoted history, a
/// signature, an attachment whose name is MIME-encoded, and a French subject.
fn thunderbird_reply(to: &str) -> Vec<u8> {
    use base64_pdf as b64;
    format!(
        "Return-Path: <alice@acme.example>\r\n\
         Delivered-To: {to}\r\n\
         From: =?UTF-8?Q?Alice_M=C3=A9nard?= <alice@acme.example>\r\n\
         To: Acme <{to}>\r\n\
         Subject: =?UTF-8?Q?Re=3A_=5B=231=5D_Imprimante_bloqu=C3=A9e?=\r\n\
         Message-ID: <3f2a9c1e-1234@acme.example>\r\n\
         In-Reply-To: <{ticket}@help.example.com>\r\n\
         Date: Mon, 30 Nov 2026 10:00:00 +0100\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"mixed\"\r\n\
         \r\n\
         --mixed\r\n\
         Content-Type: multipart/alternative; boundary=\"alt\"\r\n\
         \r\n\
         --alt\r\n\
         Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         Bonjour,\r\n\
         \r\n\
         Voici le re=C3=A7u demand=C3=A9. L'imprimante fonctionne =C3=A0 nouveau.\r\n\
         \r\n\
         Le 30/11/2026 =C3=A0 09:30, Acme a =C3=A9crit=C2=A0:\r\n\
         > Pouvez-vous envoyer le re=C3=A7u ?\r\n\
         >\r\n\
         \r\n\
         --=20\r\n\
         Alice M=C3=A9nard\r\n\
         Comptabilit=C3=A9\r\n\
         \r\n\
         --alt\r\n\
         Content-Type: text/html; charset=UTF-8\r\n\
         \r\n\
         <p>Bonjour,</p><p>Voici le re&ccedil;u.</p><blockquote>Pouvez-vous</blockquote>\r\n\
         --alt--\r\n\
         \r\n\
         --mixed\r\n\
         Content-Type: application/pdf; name=\"=?UTF-8?Q?re=C3=A7u.pdf?=\"\r\n\
         Content-Disposition: attachment; filename=\"=?UTF-8?Q?re=C3=A7u.pdf?=\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {pdf}\r\n\
         --mixed--\r\n",
        ticket = TicketId::new(),
        pdf = b64::encode(PDF),
    )
    .into_bytes()
}

/// Base64 for the test's attachment (no crate for one line).
mod base64_pdf {
    pub(super) fn encode(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

#[tokio::test]
async fn a_real_reply_becomes_a_reply_with_its_attachment_and_without_the_quote() {
    let d = desk().await;
    let (events, version) = d.state().await;
    let raw = thunderbird_reply(&d.reply_to(d.member("alice")));
    let accepted = d.intake.accept(&raw).await.unwrap();
    assert_eq!(accepted.ticket, d.ticket.id);
    assert_eq!(accepted.author, d.member("alice"));
    assert_eq!(accepted.attachments, 1);

    let view =
        d.w.service
            .ticket(&d.w.actor("alice"), d.ticket.id)
            .await
            .unwrap();
    assert_eq!(view.timeline.len(), events + 1);
    assert!(view.ticket.version > version);
    let reply = view.timeline.last().unwrap();
    assert_eq!(reply.author, ActorRef::Member(d.w.member("alice").id));
    let EventKind::Replied { body } = &reply.kind else {
        panic!("a public reply, not {:?}", reply.kind);
    };
    let body = body.as_html();
    assert!(body.contains("Voici le reçu demandé."), "{body}");
    assert!(body.contains("fonctionne à nouveau"), "{body}");
    for gone in ["a écrit", "Pouvez-vous", "Comptabilité"] {
        assert!(!body.contains(gone), "`{gone}` stripped: {body}");
    }
    assert_eq!(view.attachments.len(), 1);
    let file = &view.attachments[0];
    assert_eq!(file.file_name, "reçu.pdf", "the MIME-encoded name decoded");
    assert_eq!(file.content_type, "application/pdf");
    assert_eq!(file.event, reply.id);
    let (_, bytes) =
        d.w.service
            .attachment_file(&d.w.actor("alice"), file.id)
            .await
            .unwrap();
    assert_eq!(bytes, PDF);
}

#[tokio::test]
async fn staff_answering_by_mail_give_a_public_reply() {
    let d = desk().await;
    let sam = ContactRef::Staff(d.w.staff("sam").id);
    let raw = plain(
        "Sam <SAM@Support.Example>",
        &d.reply_to(sam),
        "<sam-1@support.example>",
        "",
        "I am on my way.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Alice wrote:\n> Help\n",
    );
    d.intake.accept(&raw).await.unwrap();
    let view =
        d.w.service
            .ticket(&d.w.actor("alice"), d.ticket.id)
            .await
            .unwrap();
    let reply = view.timeline.last().unwrap();
    assert_eq!(reply.author, ActorRef::Staff(d.w.staff("sam").id));
    assert!(
        matches!(&reply.kind, EventKind::Replied { body } if body.as_html() == "<p>I am on my way.</p>"),
        "{:?}",
        reply.kind
    );
}

#[tokio::test]
async fn a_forged_token_is_refused() {
    let d = desk().await;
    let other = ReplySigner::new(&[7; 32], "support@help.example.com", Duration::days(30)).unwrap();
    let forged = other.reply_address(d.ticket.id, d.member("alice"), d.w.service.now());
    let raw = plain(
        "alice@acme.example",
        &forged,
        "<f@acme.example>",
        "",
        "Hello",
    );
    d.refused(&raw, "forged_token").await;
    let raw = plain(
        "alice@acme.example",
        "support+abc@help.example.com",
        "<g@acme.example>",
        "",
        "Hello",
    );
    d.refused(&raw, "forged_token").await;
    let raw = plain(
        "alice@acme.example",
        "support@help.example.com",
        "<h@a>",
        "",
        "Hi",
    );
    d.refused(&raw, "no_token").await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let d = desk().await;
    let old = signer().reply_address(
        d.ticket.id,
        d.member("alice"),
        d.w.service.now() - Duration::days(31),
    );
    let raw = plain("alice@acme.example", &old, "<e@acme.example>", "", "Hello");
    d.refused(&raw, "expired_token").await;
}

#[tokio::test]
async fn the_same_message_twice_is_replied_once() {
    let d = desk().await;
    let raw = plain(
        "alice@acme.example",
        &d.reply_to(d.member("alice")),
        "<once@acme.example>",
        "",
        "Merci",
    );
    d.intake.accept(&raw).await.unwrap();
    d.refused(&raw, "already_processed").await;
}

#[tokio::test]
async fn a_sender_who_is_not_the_recipient_is_refused() {
    let d = desk().await;
    let alices = d.reply_to(d.member("alice"));
    let raw = plain(
        "mallory@evil.example",
        &alices,
        "<m@evil.example>",
        "",
        "Hi",
    );
    d.refused(&raw, "sender_mismatch").await;
    // Bob is a member, but the token was signed for Alice.
    let raw = plain("bob@acme.example", &alices, "<b@acme.example>", "", "Hi");
    d.refused(&raw, "forged_token").await;
}

#[tokio::test]
async fn a_cancelled_ticket_takes_no_reply_by_mail() {
    let d = desk().await;
    d.w.service
        .cancel(&d.w.actor("alice"), d.ticket.id, None, None)
        .await
        .unwrap();
    let raw = plain(
        "alice@acme.example",
        &d.reply_to(d.member("alice")),
        "<c@acme.example>",
        "",
        "One more thing",
    );
    d.refused(&raw, "ticket_cancelled").await;
}

#[tokio::test]
async fn auto_replies_are_refused() {
    let d = desk().await;
    let to = d.reply_to(d.member("alice"));
    for (header, id) in [
        ("Auto-Submitted: auto-replied\r\n", "<a1@acme.example>"),
        (
            "Auto-Submitted: auto-generated; owner-email=x\r\n",
            "<a2@acme.example>",
        ),
        ("X-Autoreply: yes\r\n", "<a3@acme.example>"),
        ("X-Autorespond: Out of office\r\n", "<a4@acme.example>"),
        ("Precedence: bulk\r\n", "<a5@acme.example>"),
        ("Precedence: auto_reply\r\n", "<a6@acme.example>"),
    ] {
        let raw = plain("alice@acme.example", &to, id, header, "Je suis absente.");
        d.refused(&raw, "auto_reply").await;
    }
    // `Auto-Submitted: no` is a person writing.
    let raw = plain(
        "alice@acme.example",
        &to,
        "<a7@acme.example>",
        "Auto-Submitted: no\r\n",
        "Merci",
    );
    d.intake.accept(&raw).await.unwrap();
}

#[tokio::test]
async fn bounces_are_refused() {
    let d = desk().await;
    let to = d.reply_to(d.member("alice"));
    let raw = plain(
        "alice@acme.example",
        &to,
        "<b1@acme.example>",
        "Return-Path: <>\r\n",
        "Undeliverable",
    );
    d.refused(&raw, "bounce").await;
    let raw = plain(
        "MAILER-DAEMON@acme.example",
        &to,
        "<b2@acme.example>",
        "",
        "Undeliverable",
    );
    d.refused(&raw, "bounce").await;
    let report = format!(
        "From: postmaster@acme.example\r\nTo: {to}\r\nMessage-ID: <b3@acme.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--b--\r\n"
    );
    d.refused(report.as_bytes(), "bounce").await;
}

#[tokio::test]
async fn our_own_mail_is_refused() {
    let d = desk().await;
    let to = d.reply_to(d.member("alice"));
    let raw = plain(
        "helpdesk@help.example.com",
        &to,
        "<o1@x.example>",
        "",
        "Loop?",
    );
    d.refused(&raw, "own_mail").await;
    let ours = format!("<{}.{}@help.example.com>", TicketId::new(), TicketId::new());
    let raw = plain("alice@acme.example", &to, &ours, "", "Loop?");
    d.refused(&raw, "own_mail").await;
    let raw = plain(&to, &to, "<o3@x.example>", "", "Loop?");
    d.refused(&raw, "own_mail").await;
}

#[tokio::test]
async fn a_reply_with_nothing_left_once_stripped_is_refused() {
    let d = desk().await;
    let raw = plain(
        "alice@acme.example",
        &d.reply_to(d.member("alice")),
        "<empty@acme.example>",
        "",
        "\r\nOn Mon, Nov 30, 2026 at 10:00 AM Acme wrote:\r\n> Did it work?\r\n\r\n-- \r\nAlice\r\n",
    );
    d.refused(&raw, "empty_reply").await;
}

#[tokio::test]
async fn a_blocked_member_is_refused() {
    let d = desk().await;
    let raw = plain(
        "carol@acme.example",
        &d.reply_to(d.member("carol")),
        "<carol@acme.example>",
        "",
        "Hello",
    );
    d.refused(&raw, "inactive_person").await;
}

#[tokio::test]
async fn garbage_is_refused_as_unreadable() {
    let d = desk().await;
    d.refused(b"", "unreadable").await;
    d.refused(b"\x00\x01 not a mail", "no_sender").await;
}

async fn post(
    app: &axum::Router,
    auth: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut request = Request::post("/inbound").header("content-type", "message/rfc822");
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

#[tokio::test]
async fn the_route_wants_the_hosts_secret() {
    let d = desk().await;
    let app: axum::Router = inbound_router(d.intake.clone(), INBOUND_SECRET).unwrap();
    let raw = plain(
        "alice@acme.example",
        &d.reply_to(d.member("alice")),
        "<route@acme.example>",
        "",
        "Par la route",
    );
    let before = d.state().await;
    let (status, _) = post(&app, None, raw.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(&app, Some("Bearer not the secret"), raw.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(&app, Some(INBOUND_SECRET), raw.clone()).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the Bearer scheme is required"
    );
    assert_eq!(d.state().await, before, "nothing read without the secret");

    let auth = format!("Bearer {INBOUND_SECRET}");
    let (status, json) = post(&app, Some(&auth), raw.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{json}");
    assert_eq!(json["ticket"], d.ticket.id.to_string());
    let (status, json) = post(&app, Some(&auth), raw).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json["code"], "already_processed");
    let (status, json) = post(&app, Some(&auth), b"garbage".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");

    assert!(inbound_router::<()>(d.intake.clone(), "short").is_err());
}

#[tokio::test]
async fn an_html_only_reply_is_read_as_text_without_its_quote() {
    let d = desk().await;
    let raw = format!(
        "From: alice@acme.example\r\nTo: {}\r\nMessage-ID: <html@acme.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <div dir=\"ltr\">C&#39;est r&eacute;par&eacute;, <b>merci</b> !</div><br>\
         <div class=\"gmail_quote\"><div>On Mon, Nov 30, 2026 at 10:00 AM Acme wrote:<br></div>\
         <blockquote>Did it work?</blockquote></div>\r\n",
        d.reply_to(d.member("alice"))
    );
    d.intake.accept(raw.as_bytes()).await.unwrap();
    let view =
        d.w.service
            .ticket(&d.w.actor("alice"), d.ticket.id)
            .await
            .unwrap();
    let EventKind::Replied { body } = &view.timeline.last().unwrap().kind else {
        panic!("a reply");
    };
    let text = body.to_plain_text();
    assert!(text.contains("réparé, merci !"), "{text}");
    assert!(!text.contains("Did it work"), "{text}");
}
