//! The vendor manual's closure scenario, on the in-memory service: a client opens a
//! request, support replies and asks for more information, the client answers, support
//! proposes a closure, the client refuses it with a justification, support proposes
//! again, and the client approves with the satisfaction questionnaire. Prints the
//! timeline with the tenant's own status labels.
//!
//! Run it with `cargo run --example vendor_closure`.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use helpdesk_core::memory::MemoryStore;
use helpdesk_core::{
    Actor, ActorRef, Answer, Answers, CategoryId, EventKind, HelpdeskService, ManualClock,
    MemberDetails, MemberRole, NewTicket, Priority, ProductId, StaffDetails, StaffRole, Status,
    Tenant, TenantScope, Ticket, TicketId, TicketView, UserId,
};

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Fallible<()> {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2020, 5, 5, 9, 0, 0)
            .single()
            .unwrap_or_default(),
    ));
    let service = HelpdeskService::new(Arc::new(MemoryStore::new())).with_clock(clock.clone());
    let scene = set_up(&service).await?;
    let (martin, christian) = (&scene.martin, &scene.christian);

    // 1. The client files a request [Déposer une DI].
    let ticket = service
        .open(
            christian,
            scene.tenant.id,
            NewTicket {
                subject: "DI de test pour documentation".into(),
                description: "<p>Bonjour,</p><p>merci de nous dépanner</p>".into(),
                category: Some(scene.category),
                product: Some(scene.product),
                priority: Some(Priority::High),
                ..NewTicket::default()
            },
            vec![],
        )
        .await?;
    let id = ticket.id;
    support_takes_it(&service, &clock, &scene, id).await?;
    closure_refused(&service, &clock, &scene, id).await?;
    let closed = closure_approved(&service, &clock, &scene, id).await?;
    assert_eq!(closed.status(), Status::Closed);

    println!("Ticket n°{} — {}", closed.number, closed.subject);
    println!("\nAs the requester sees it:");
    print_timeline(
        &service.ticket(christian, id).await?,
        &scene.tenant.settings,
    );
    println!("\nAs support sees it (internal notes included):");
    print_timeline(&service.ticket(martin, id).await?, &scene.tenant.settings);
    Ok(())
}

/// The client's tenant with its catalog, the support agent and the client.
struct Scene {
    tenant: Tenant,
    category: CategoryId,
    product: ProductId,
    martin: Actor,
    christian: Actor,
}

/// The platform, as the host sets it up once.
async fn set_up(service: &HelpdeskService) -> Fallible<Scene> {
    let root = service
        .bootstrap_platform_admin(&UserId::new("root")?, "Platform admin")
        .await?;
    let tenant = service
        .create_tenant(&root, "cegape-client", "Établissement client")
        .await?;
    let software = service.create_group(&root, "Support logiciel").await?;
    let category = service
        .create_category(&root, tenant.id, None, "Logiciel", Some(software.id))
        .await?;
    let product = service
        .create_product(&root, tenant.id, Some("INL"), "Indeline")
        .await?;
    let martin = service
        .add_staff(
            &root,
            StaffDetails {
                user: &UserId::new("martin")?,
                display_name: "Martin Crampon",
                email: Some("martin@support.example"),
                role: StaffRole::Agent,
                tenants: TenantScope::All,
                groups: vec![software.id],
            },
        )
        .await?;
    let christian = service
        .ensure_member(
            tenant.id,
            MemberDetails {
                user: &UserId::new("cbergeron")?,
                display_name: "Christian Bergeron",
                email: Some("cbergeron@client.example"),
                role: MemberRole::Requester,
            },
        )
        .await?;
    Ok(Scene {
        tenant,
        category: category.id,
        product: product.id,
        martin: Actor::Staff(martin),
        christian: Actor::Member(christian),
    })
}

/// Steps 2 and 3: support takes the ticket and replies, then needs more information;
/// the client answers.
async fn support_takes_it(
    service: &HelpdeskService,
    clock: &ManualClock,
    scene: &Scene,
    id: TicketId,
) -> Fallible<()> {
    let (martin, christian) = (&scene.martin, &scene.christian);
    clock.advance(Duration::hours(1));
    service
        .assign(martin, id, None, martin_id(martin), None)
        .await?;
    service
        .reply(
            martin,
            id,
            None,
            "<p>Nous regardons votre demande.</p>",
            vec![],
        )
        .await?;
    service
        .add_note(
            martin,
            id,
            None,
            "Probablement le fichier de rechargement.",
            vec![],
        )
        .await?;

    clock.advance(Duration::hours(2));
    service
        .request_information(
            martin,
            id,
            None,
            "Pouvez-vous joindre le fichier de rechargement ?",
        )
        .await?;
    clock.advance(Duration::hours(20));
    service
        .reply(
            christian,
            id,
            None,
            "Le fichier est sur le serveur, dossier /rechargement/2020-05.",
            vec![],
        )
        .await?;
    Ok(())
}

/// Step 4: support proposes a closure; the client refuses it with a justification.
async fn closure_refused(
    service: &HelpdeskService,
    clock: &ManualClock,
    scene: &Scene,
    id: TicketId,
) -> Fallible<()> {
    clock.advance(Duration::hours(3));
    service
        .propose_closure(&scene.martin, id, None, "Fichier corrigé et rechargé.")
        .await?;
    clock.advance(Duration::hours(1));
    service
        .refuse_closure(
            &scene.christian,
            id,
            None,
            "Le rechargement échoue toujours pour deux allocataires.",
        )
        .await?;
    Ok(())
}

/// Step 5: support proposes again; the client approves with the questionnaire.
async fn closure_approved(
    service: &HelpdeskService,
    clock: &ManualClock,
    scene: &Scene,
    id: TicketId,
) -> Fallible<Ticket> {
    clock.advance(Duration::days(1));
    service
        .propose_closure(
            &scene.martin,
            id,
            None,
            "Les deux allocataires sont corrigés.",
        )
        .await?;
    clock.advance(Duration::hours(2));
    let answers: Answers = [
        ("overall", Answer::Score(9)),
        ("processing_time", Answer::Text("satisfied".into())),
        ("follow_up", Answer::Text("very_satisfied".into())),
        ("solution", Answer::Text("very_satisfied".into())),
        ("comment", Answer::Text("Merci pour le suivi.".into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    Ok(service
        .approve_closure(&scene.christian, id, None, answers)
        .await?)
}

fn martin_id(actor: &Actor) -> Option<helpdesk_core::StaffId> {
    actor.as_staff().map(|s| s.id)
}

fn print_timeline(view: &TicketView, settings: &helpdesk_core::TenantSettings) {
    for event in &view.timeline {
        let who = match event.author {
            ActorRef::Member(_) => "client ",
            ActorRef::Staff(_) => "support",
            ActorRef::System => "system ",
        };
        let change = event
            .status_change
            .map(|c| {
                format!(
                    "  [{} → {}]",
                    settings.label(c.from, "fr"),
                    settings.label(c.to, "fr")
                )
            })
            .unwrap_or_default();
        let text = match &event.kind {
            EventKind::Opened => view.ticket.subject.clone(),
            EventKind::ClosureApproved { answers } => answers
                .iter()
                .map(|(key, answer)| match answer {
                    Answer::Score(score) => format!("{key}={score}"),
                    Answer::Text(text) => format!("{key}={text}"),
                })
                .collect::<Vec<_>>()
                .join(", "),
            other => event
                .body()
                .map(|b| b.to_plain_text())
                .unwrap_or_else(|| other.name().replace('_', " ")),
        };
        println!(
            "  {}  {who}  {:<22} {text}{change}",
            event.at.format("%Y-%m-%d %H:%M"),
            event.kind.name()
        );
    }
    println!("  Statut : {}", view.status_label);
}
