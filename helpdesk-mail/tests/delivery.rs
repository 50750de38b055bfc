//! Notifications delivered through a real SMTP server (`.ci/smtp-server`), read back as
//! the recipients' mail clients would: who gets what for each event, in which language,
//! with which link, threading headers and Reply-To.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{Duration, Utc};
use helpdesk_core::testing::{self, MemberSeed, Seed, StaffSeed};
use helpdesk_core::{
    Category, ContactRef, MemberRole, NewTicket, Notification, Notifier, NotifyError, StaffRole,
    Status, TicketId,
};
use helpdesk_mail::{MailNotifier, ReplySigner, SmtpConfig};
use support::{Mail, SmtpServer};

const SECRET: &[u8] = b"test secret, long enough to sign reply tokens";
const PUBLIC_URL: &str = "https://help.example.com/desk";

fn signer() -> ReplySigner {
    ReplySigner::new(SECRET, "support@help.example.com", Duration::days(30)).unwrap()
}

/// The mail notifier under test, recording each notification it is given.
struct Recording {
    mail: MailNotifier,
    seen: Mutex<Vec<Notification>>,
}

#[async_trait]
impl Notifier for Recording {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        self.seen.lock().unwrap().push(notification.clone());
        self.mail.notify(notification).await
    }
}

/// Tenant `acme` (French by default, its own label for "in progress"): agent Sam who
/// reads English and supervisor Sue in group Support; requester Alice (French by
/// default), Gina who reads English, and Nadia who has no email.
struct World {
    w: testing::World,
    server: SmtpServer,
    notifier: Recording,
    support: Category,
}

async fn world(what: &str) -> Option<World> {
    let server = SmtpServer::start(what)?;
    let member = |user: &str, name: &str, email: bool| {
        let address = format!("{user}@acme.example");
        MemberSeed::new("acme", user, MemberRole::Requester)
            .named(name)
            .email(email.then_some(address.as_str()))
    };
    let staff = |user: &str, name: &str, role| {
        StaffSeed::new(user, role)
            .named(name)
            .email(&format!("{user}@support.example"))
            .only(&["acme"])
            .groups(&["Support"])
    };
    let w = Seed::in_memory()
        .tenant("acme", "Acme Industries")
        .group("Support")
        .staff(staff("sam", "Sam Agent", StaffRole::Agent))
        .staff(staff("sue", "Sue Supervisor", StaffRole::Supervisor))
        .member_seed(member("alice", "Alice Martin", true))
        .member_seed(member("gina", "Gina Guest", true))
        .member_seed(member("nadia", "Nadia Nomail", false))
        .build()
        .await
        .unwrap();
    for user in ["sam", "gina"] {
        w.service
            .set_language(&w.actor(user), Some("en"))
            .await
            .unwrap();
    }
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
    let support = w
        .service
        .create_category(
            &w.root,
            w.tenant("acme"),
            None,
            "Support",
            Some(w.group("Support")),
        )
        .await
        .unwrap();
    let smtp = SmtpConfig::from_url(&server.url()).unwrap();
    let mail = MailNotifier::new(smtp, "helpdesk@help.example.com", PUBLIC_URL)
        .unwrap()
        .with_reply_to(signer());
    let notifier = Recording {
        mail,
        seen: Mutex::new(Vec::new()),
    };
    Some(World {
        w,
        server,
        notifier,
        support,
    })
}

impl World {
    /// Alice's new ticket in Support.
    async fn opened(&self, subject: &str, description: &str) -> helpdesk_core::Ticket {
        let w = &self.w;
        w.service
            .open(
                &w.actor("alice"),
                w.tenant("acme"),
                NewTicket {
                    subject: subject.to_owned(),
                    description: description.to_owned(),
                    category: Some(self.support.id),
                    ..Default::default()
                },
                vec![],
            )
            .await
            .unwrap()
    }

    /// Delivers the outbox; the mails received, one per recipient, by address.
    async fn deliver(&self) -> Vec<Mail> {
        let report = self
            .w
            .service
            .deliver_notifications(&self.notifier, 100)
            .await
            .unwrap();
        if report.failed > 0 {
            let last = self.last();
            let error = self.notifier.mail.notify(&last).await.err();
            panic!("{report:?}: {error:?}");
        }
        let mut mails = self.server.take();
        for mail in &mails {
            assert_eq!(mail.to.len(), 1, "one recipient per message: {:?}", mail.to);
            assert_eq!(
                mail.envelope_to, mail.to[0],
                "delivered to that recipient only"
            );
        }
        mails.sort_by(|a, b| a.to.cmp(&b.to));
        mails
    }

    /// The last notification the notifier was given.
    fn last(&self) -> Notification {
        self.notifier.seen.lock().unwrap().last().cloned().unwrap()
    }

    /// Alice's ticket in Support, assigned to Sam by Sue, Gina and Nadia invited; its
    /// mails read and dropped.
    async fn ticket(&self, subject: &str) -> TicketId {
        let w = &self.w;
        let ticket = self.opened(subject, "<p>Plus rien ne sort</p>").await;
        w.service
            .assign(
                &w.actor("sue"),
                ticket.id,
                None,
                Some(w.staff("sam").id),
                None,
            )
            .await
            .unwrap();
        for guest in ["gina", "nadia"] {
            w.service
                .invite_guest(&w.actor("alice"), ticket.id, None, w.member(guest).id)
                .await
                .unwrap();
        }
        self.deliver().await;
        ticket.id
    }
}

fn addresses(mails: &[Mail]) -> Vec<&str> {
    mails
        .iter()
        .flat_map(|m| m.to.iter().map(String::as_str))
        .collect()
}

#[tokio::test]
async fn opening_mails_the_groups_staff_in_their_language_with_a_link() {
    let Some(world) = world("opening_mails_the_groups_staff").await else {
        return;
    };
    let ticket = world
        .opened("Imprimante bloquée", "<p>Plus rien ne sort</p>")
        .await;
    let mails = world.deliver().await;
    assert_eq!(
        addresses(&mails),
        ["sam@support.example", "sue@support.example"],
        "the group's staff, one message each; not Alice who opened it"
    );
    let sam = &mails[0];
    assert_eq!(
        sam.envelope_to, "sam@support.example",
        "To that person only"
    );
    assert_eq!(sam.to_name, "Sam Agent");
    assert_eq!(sam.language, "en");
    assert_eq!(sam.subject, "[#1] Imprimante bloquée — New ticket");
    assert!(
        sam.text.starts_with("Alice Martin opened this ticket."),
        "{}",
        sam.text
    );
    let link = format!("{PUBLIC_URL}/tickets/{}", ticket.id);
    assert!(sam.text.contains(&link), "{}", sam.text);
    assert!(
        sam.html.contains(&format!("href=\"{link}\"")),
        "{}",
        sam.html
    );
    assert!(sam.text.contains("Current status: New"), "{}", sam.text);
    assert!(
        sam.text.contains("\n\nPlus rien ne sort\n\n"),
        "what the ticket asks: {}",
        sam.text
    );
    assert_eq!(
        sam.from,
        (
            "Acme Industries".to_owned(),
            "helpdesk@help.example.com".to_owned()
        ),
        "a bare From address takes the tenant's name"
    );
}

#[tokio::test]
async fn a_staff_reply_mails_the_requester_in_french_and_the_guest_in_english() {
    let Some(world) = world("a_staff_reply_mails_the_requester_and_guest").await else {
        return;
    };
    let w = &world.w;
    let id = world.ticket("Imprimante bloquée").await;
    w.service
        .reply(
            &w.actor("sam"),
            id,
            None,
            "<p>Avez-vous <b>redémarré</b> ?</p>",
            vec![],
        )
        .await
        .unwrap();
    let mails = world.deliver().await;
    assert_eq!(
        addresses(&mails),
        ["alice@acme.example", "gina@acme.example"],
        "requester and guests, not Nadia who has no email, not Sam who wrote it"
    );
    let (alice, gina) = (&mails[0], &mails[1]);
    assert_eq!(alice.language, "fr");
    assert_eq!(alice.subject, "[#1] Imprimante bloquée — Nouvelle réponse");
    // The header as sent: its first line and the folded ones after it.
    let subject_line: String = alice
        .raw
        .lines()
        .skip_while(|l| !l.starts_with("Subject: "))
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.starts_with(' '))
        .map(|(_, l)| l)
        .collect();
    assert!(
        subject_line.contains("=?utf-8?b?") && !subject_line.contains("bloquée"),
        "the accented subject is MIME-encoded: {subject_line}"
    );
    assert!(
        alice
            .text
            .starts_with("Sam Agent a répondu :\n\nAvez-vous redémarré ?"),
        "{}",
        alice.text
    );
    assert!(
        alice.text.contains("Statut actuel : Pris en charge"),
        "the tenant's label: {}",
        alice.text
    );
    assert!(alice.html.contains("<b>redémarré</b>"), "{}", alice.html);
    assert!(alice.html.contains("lang=\"fr\""));
    assert_eq!(gina.language, "en");
    assert_eq!(gina.subject, "[#1] Imprimante bloquée — New reply");
    assert!(gina.text.starts_with("Sam Agent replied:"), "{}", gina.text);
    assert!(
        gina.text.contains("Current status: In progress"),
        "{}",
        gina.text
    );
}

#[tokio::test]
async fn every_mail_of_a_ticket_threads_and_carries_a_reply_token_for_its_recipient() {
    let Some(world) = world("every_mail_of_a_ticket_threads").await else {
        return;
    };
    let w = &world.w;
    let id = world.ticket("Écran noir").await;
    w.service
        .request_information(&w.actor("sam"), id, None, "<p>Quel modèle ?</p>")
        .await
        .unwrap();
    let mails = world.deliver().await;
    let n = world.last();
    let alice = &mails[0];
    let member = w.member("alice").id;
    assert_eq!(
        alice.message_id,
        format!("<{}.{}@help.example.com>", n.id, member.as_uuid())
    );
    let root = format!("<{id}@help.example.com>");
    assert_eq!(alice.in_reply_to, root);
    assert_eq!(alice.references, root);
    assert_eq!(alice.auto_submitted, "auto-generated");
    assert!(
        alice.text.contains("Répondez sur la page de la demande."),
        "asked something, the requester is told what to do: {}",
        alice.text
    );
    assert!(
        alice.subject.contains("Information demandée"),
        "{}",
        alice.subject
    );
    let reply_to = alice.reply_to.clone().unwrap();
    let token = signer().token_in(&reply_to).unwrap().to_owned();
    assert_eq!(signer().ticket_in(&token), Ok(id));
    let valid = signer()
        .verify_for(&token, id, ContactRef::Member(member), Utc::now())
        .unwrap();
    assert_eq!(valid.ticket, id);
    assert!(
        signer()
            .verify_for(
                &token,
                id,
                ContactRef::Member(w.member("gina").id),
                Utc::now()
            )
            .is_err(),
        "Alice's token is not Gina's"
    );

    // The next event of the same ticket answers the same root, under a new id.
    w.service
        .propose_closure(&w.actor("sam"), id, None, "<p>Pilote réinstallé</p>")
        .await
        .unwrap();
    let next = world.deliver().await;
    assert_eq!(next[0].in_reply_to, root);
    assert_ne!(next[0].message_id, alice.message_id);
    assert!(
        next[0].text.contains("Validez ou refusez la clôture"),
        "{}",
        next[0].text
    );

    // A retry sends the same message again under the same id.
    world.notifier.notify(&world.last()).await.unwrap();
    let again = world.server.take();
    let mut ids: Vec<_> = again.iter().map(|m| m.message_id.clone()).collect();
    ids.sort();
    let mut first: Vec<_> = next.iter().map(|m| m.message_id.clone()).collect();
    first.sort();
    assert_eq!(ids, first, "stable across retries");
}

#[tokio::test]
async fn an_internal_note_is_mailed_to_staff_only_and_never_to_the_requester_or_guests() {
    let Some(world) = world("an_internal_note_is_mailed_to_staff_only").await else {
        return;
    };
    let w = &world.w;
    let id = world.ticket("Imprimante bloquée").await;
    w.service
        .add_note(
            &w.actor("sue"),
            id,
            None,
            "<p>Fournisseur relancé</p>",
            vec![],
        )
        .await
        .unwrap();
    let mails = world.deliver().await;
    assert_eq!(addresses(&mails), ["sam@support.example"]);
    let sam = &mails[0];
    assert!(
        sam.text.contains("Fournisseur relancé"),
        "staff read the note: {}",
        sam.text
    );
    assert!(sam.subject.ends_with("Internal note"), "{}", sam.subject);

    // Even a notification that wrongly lists members sends them nothing of a note.
    let mut wrong = world.last();
    let alice = helpdesk_core::Contact {
        recipient: ContactRef::Member(w.member("alice").id),
        display_name: "Alice Martin".to_owned(),
        email: Some("alice@acme.example".to_owned()),
        language: "fr".to_owned(),
        kind: helpdesk_core::ContactKind::Requester,
    };
    let gina_as_staff = helpdesk_core::Contact {
        recipient: ContactRef::Member(w.member("gina").id),
        kind: helpdesk_core::ContactKind::Staff,
        email: Some("gina@acme.example".to_owned()),
        ..alice.clone()
    };
    wrong.contacts = vec![alice, gina_as_staff];
    world.notifier.mail.notify(&wrong).await.unwrap();
    assert!(world.server.take().is_empty(), "no note to a member");
}

#[tokio::test]
async fn the_html_part_escapes_what_people_typed() {
    let Some(world) = world("the_html_part_escapes").await else {
        return;
    };
    let w = &world.w;
    let id = world.ticket("<script>alert(1)</script> & \"quotes\"").await;
    w.service
        .reply(&w.actor("sam"), id, None, "<p>ok</p>", vec![])
        .await
        .unwrap();
    let mails = world.deliver().await;
    let alice = &mails[0];
    assert!(!alice.html.contains("<script>"), "{}", alice.html);
    assert!(
        alice
            .html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"),
        "{}",
        alice.html
    );
    assert!(
        alice
            .subject
            .starts_with("[#1] <script>alert(1)</script> & \"quotes\"")
    );
}

#[tokio::test]
async fn an_smtp_server_that_is_down_fails_the_delivery_and_the_message_waits() {
    let Some(world) = world("an_smtp_server_that_is_down").await else {
        return;
    };
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let smtp = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}?tls=none")).unwrap();
    let down = MailNotifier::new(smtp, "helpdesk@help.example.com", PUBLIC_URL).unwrap();
    let w = &world.w;
    world.opened("Réseau", "<p>Coupé</p>").await;
    let report = w.service.deliver_notifications(&down, 100).await.unwrap();
    assert_eq!((report.delivered, report.failed), (0, 1));
    assert_eq!(w.store().outbox_len(), 1, "kept for a retry");
}

#[tokio::test]
async fn assigning_tells_the_assignee_it_is_theirs_and_the_requester_who_took_it() {
    let Some(world) = world("assigning_tells_the_assignee").await else {
        return;
    };
    let w = &world.w;
    let ticket = world
        .opened("Badge refusé", "<p>La porte reste fermée</p>")
        .await;
    world.deliver().await;
    w.service
        .assign(
            &w.actor("sue"),
            ticket.id,
            None,
            Some(w.staff("sam").id),
            None,
        )
        .await
        .unwrap();
    let mails = world.deliver().await;
    assert_eq!(
        addresses(&mails),
        ["alice@acme.example", "sam@support.example"]
    );
    assert!(
        mails[0]
            .text
            .starts_with("Sue Supervisor a attribué cette demande."),
        "{}",
        mails[0].text
    );
    assert!(
        mails[1]
            .text
            .starts_with("Sue Supervisor assigned this ticket to you."),
        "{}",
        mails[1].text
    );
    assert!(
        mails[1].subject.ends_with("Assigned to you"),
        "{}",
        mails[1].subject
    );

    // Taking a ticket oneself reads so.
    w.service
        .assign(
            &w.actor("sue"),
            ticket.id,
            None,
            Some(w.staff("sue").id),
            None,
        )
        .await
        .unwrap();
    let mails = world.deliver().await;
    assert!(
        mails[0]
            .text
            .starts_with("Sue Supervisor a pris en charge cette demande."),
        "{}",
        mails[0].text
    );
}

#[tokio::test]
async fn starttls_is_required_unless_the_url_says_tls_none_and_nothing_is_sent_without_it() {
    let Some(world) = world("starttls_is_required").await else {
        return;
    };
    // The test server offers no STARTTLS: a plain `smtp://` URL refuses to send.
    let smtp = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{}", world.server.port)).unwrap();
    let strict = MailNotifier::new(smtp, "helpdesk@help.example.com", PUBLIC_URL).unwrap();
    let w = &world.w;
    world.opened("Réseau", "<p>Coupé</p>").await;
    let report = w.service.deliver_notifications(&strict, 100).await.unwrap();
    assert_eq!((report.delivered, report.failed), (0, 1));
    assert!(world.server.take().is_empty(), "nothing sent in clear");
}

#[tokio::test]
async fn each_event_reaches_the_other_side_in_each_ones_language() {
    let Some(world) = world("each_event_reaches_the_other_side").await else {
        return;
    };
    let w = &world.w;
    let id = world.ticket("Imprimante bloquée").await;
    let alice = w.actor("alice");

    w.service
        .reply(&alice, id, None, "<p>Toujours bloquée</p>", vec![])
        .await
        .unwrap();
    let mails = world.deliver().await;
    let got: Vec<_> = mails
        .iter()
        .map(|m| (m.to[0].as_str(), m.subject.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("gina@acme.example", "[#1] Imprimante bloquée — New reply"),
            ("sam@support.example", "[#1] Imprimante bloquée — New reply"),
        ],
        "the requester's reply: the guest and the assignee, not Alice"
    );
    assert!(
        mails[1]
            .text
            .starts_with("Alice Martin replied:\n\nToujours bloquée")
    );
    assert!(
        mails[1].text.contains("because you handle this ticket"),
        "{}",
        mails[1].text
    );

    w.service
        .propose_closure(&w.actor("sam"), id, None, "<p>Toner changé</p>")
        .await
        .unwrap();
    let mails = world.deliver().await;
    let got: Vec<_> = mails
        .iter()
        .map(|m| (m.to[0].as_str(), m.subject.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "alice@acme.example",
                "[#1] Imprimante bloquée — Solution proposée"
            ),
            (
                "gina@acme.example",
                "[#1] Imprimante bloquée — Solution proposed"
            ),
        ]
    );
    assert!(
        !mails[1].text.contains("Approve or refuse"),
        "only the requester is asked to approve: {}",
        mails[1].text
    );

    w.service
        .refuse_closure(&alice, id, None, "<p>Ça bourre encore</p>")
        .await
        .unwrap();
    let mails = world.deliver().await;
    let got: Vec<_> = mails
        .iter()
        .map(|m| (m.to[0].as_str(), m.subject.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "gina@acme.example",
                "[#1] Imprimante bloquée — Closure refused"
            ),
            (
                "sam@support.example",
                "[#1] Imprimante bloquée — Closure refused"
            ),
        ]
    );
    assert!(
        mails[1].text.contains("Ça bourre encore"),
        "{}",
        mails[1].text
    );

    w.service
        .cancel(&alice, id, None, Some("<p>Résolu seul</p>"))
        .await
        .unwrap();
    let mails = world.deliver().await;
    assert_eq!(
        addresses(&mails),
        ["gina@acme.example", "sam@support.example"]
    );
    assert!(
        mails[1].subject.ends_with("Ticket cancelled"),
        "{}",
        mails[1].subject
    );
    assert!(mails[1].text.contains("Résolu seul"), "{}", mails[1].text);
}
