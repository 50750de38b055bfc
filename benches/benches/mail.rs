//! Mail delivery throughput: `helpdesk_mail::MailNotifier` sending notifications to a
//! real SMTP server on 127.0.0.1 (`.ci/smtp-server`: aiosmtpd, in Python, on the same
//! cores), each message written to disk by the server. One notification for one
//! recipient (the baseline) against one for four recipients (four messages, one
//! connection from the pool). Each message is rendered in the recipient's language
//! (text and HTML), signed (Reply-To token) and sent.
//!
//! `cargo bench -p helpdesk-benches --bench mail`

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use chrono::{Duration, Utc};
use helpdesk_benches::BenchResult;
use helpdesk_benches::table::{self, Table};
use helpdesk_benches::timing::{Plan, Samples, measure};
use helpdesk_core::{
    ActorRef, Contact, ContactKind, ContactRef, EventId, EventKind, MemberId, Notification,
    Notifier, OutboxId, Priority, RichText, StaffId, Status, TenantId, TicketId, TicketNumber,
    TimelineEvent,
};
use helpdesk_mail::{MailNotifier, ReplySigner, SmtpConfig};

const ROUNDS: usize = 3;
const PLAN: Plan = Plan::new(10, 20).batched(10);

/// The SMTP server process, killed on drop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `.ci/smtp-server` writing into `dir`; its port.
fn server(dir: &std::path::Path) -> BenchResult<(Server, u16)> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/smtp-server");
    let mut child = Command::new("bash")
        .arg(script)
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let port = line.trim().parse()?;
    Ok((server, port))
}

/// A reply on ticket #42 to `contacts` people, alternately French and English.
fn notification(contacts: usize) -> Notification {
    let (ticket, tenant) = (TicketId::new(), TenantId::new());
    let people = (0..contacts)
        .map(|i| Contact {
            recipient: ContactRef::Member(MemberId::new()),
            display_name: format!("Personne {i}"),
            email: Some(format!("p{i}@acme.example")),
            language: if i % 2 == 0 { "fr" } else { "en" }.to_owned(),
            kind: if i == 0 {
                ContactKind::Requester
            } else {
                ContactKind::Guest
            },
        })
        .collect();
    let body = RichText::from_stored(
        "<p>Bonjour,</p><p>Le pilote de l'imprimante a été réinstallé : pouvez-vous \
         réessayer ?</p><ul><li>Salle 204</li><li>Modèle X-200</li></ul>",
    );
    Notification {
        id: OutboxId::new(),
        tenant,
        ticket,
        number: TicketNumber::new(42),
        subject: "Imprimante du 2e étage bloquée".to_owned(),
        event: TimelineEvent {
            id: EventId::new(),
            ticket,
            tenant,
            at: Utc::now(),
            author: ActorRef::Staff(StaffId::new()),
            status_change: None,
            kind: EventKind::Replied { body: body.clone() },
        },
        contacts: people,
        tenant_slug: "acme".to_owned(),
        tenant_name: "Acme".to_owned(),
        status: Status::InProgress,
        status_labels: [("fr", "En cours"), ("en", "In progress")]
            .map(|(l, s)| (l.to_owned(), s.to_owned()))
            .into(),
        priority: Priority::High,
        author_name: Some("Sam Support".to_owned()),
        public_text: Some(body),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> BenchResult {
    let dir = tempfile::tempdir()?;
    let (_server, port) = server(dir.path())?;
    let smtp = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}?tls=none"))?;
    let signer = ReplySigner::new(
        b"a bench secret of at least thirty-two bytes",
        "support@help.example.com",
        Duration::days(90),
    )?;
    let notifier = MailNotifier::new(
        smtp,
        "Assistance <helpdesk@help.example.com>",
        "https://help.example.com",
    )?
    .with_reply_to(signer);
    let cases = [("1 recipient (baseline)", 1usize), ("4 recipients", 4)];
    let mut samples: Vec<Samples> = cases.iter().map(|_| Samples::new()).collect();
    for _ in 0..ROUNDS {
        for (i, (_, contacts)) in cases.iter().enumerate() {
            let n = notification(*contacts);
            samples[i].extend(measure(PLAN, async || notifier.notify(&n).await).await?);
        }
    }
    let delivered = std::fs::read_dir(dir.path())?.count();
    let mut out = Table::new([
        "notification",
        "median",
        "min",
        "×baseline",
        "messages/s (median)",
    ]);
    let base = samples[0].median();
    for ((name, contacts), s) in cases.iter().zip(&samples) {
        out.row([
            (*name).to_owned(),
            table::duration(s.median()),
            table::duration(s.min()),
            table::ratio(s.median(), base),
            format!("{:.0}", s.per_second() * *contacts as f64),
        ]);
    }
    println!("{}", out.render());
    println!("{delivered} messages written by the server");
    Ok(())
}
