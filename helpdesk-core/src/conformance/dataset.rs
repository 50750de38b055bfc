//! The seeded search dataset: tickets in every state with their timelines, and the
//! reference meaning of a search over them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::fixtures::{
    Directory, Found, Rng, blank_ticket, days, directory, event, insert_ticket, now, opened_event,
    rich,
};
use crate::ids::{MemberId, StaffId, TicketId, TicketNumber};
use crate::people::{ActorRef, Staff, TenantScope};
use crate::permissions::Scope;
use crate::ports::Store;
use crate::questionnaire::Answer;
use crate::search::{SearchCriteria, SearchQuery, contains_all, searchable_words};
use crate::status::{Priority, Status};
use crate::ticket::{Closure, Ticket, TicketState};
use crate::timeline::{EventKind, TimelineEvent, Visibility};

pub(super) const SUBJECTS: [&str; 8] = [
    "Imprimante bloquée au deuxième étage",
    "Clôture du dossier de Mme Martin",
    "Connexion impossible à l'ENT",
    "Écran noir après la mise à jour",
    "Facture erronée pour le contrat",
    "Demande de matériel pour la rentrée",
    "Problème réseau dans le bâtiment B",
    "Accès refusé au logiciel de paie",
];

pub(super) const DESCRIPTIONS: [&str; 5] = [
    "<p>L'imprimante affiche « bourrage papier » depuis ce matin.</p>",
    "<p><strong>Urgent</strong> : le serveur ne répond plus.</p>",
    "<p>Merci de vérifier la <em>facture</em> &amp; le contrat.</p>",
    "<ul><li>Poste 12</li><li>Câble débranché</li></ul>",
    "<p>Impossible d'ouvrir la session, mot de passe refusé.</p>",
];

pub(super) const REPLIES: [&str; 5] = [
    "<p>Avez-vous redémarré l'imprimante ?</p>",
    "<p>Nous procédons à la Clôture de votre demande.</p>",
    "<p>Le technicien passera demain matin.</p>",
    "<p>Votre mot de passe a été réinitialisé.</p>",
    "<p>Toujours bloqué, merci de relancer.</p>",
];

/// Words here appear in no public text.
pub(super) const NOTES: [&str; 3] = [
    "<p>Note confidentielle : voir le fournisseur Dupont.</p>",
    "<p>Escalade vers le niveau 2, équipe réseau.</p>",
    "<p>Client pressé, rester courtois.</p>",
];

/// A directory, tickets in every state with their timelines, and the reference meaning
/// of a search over them.
pub(super) struct Dataset {
    pub(super) dir: Directory,
    pub(super) tickets: Vec<Ticket>,
    /// Each ticket's searchable words: without and with internal notes.
    pub(super) words: BTreeMap<TicketId, [Vec<String>; 2]>,
}

impl Dataset {
    /// What a search must return: every ticket the reference accepts, newest first.
    pub(super) fn reference(&self, query: &SearchQuery) -> Vec<Ticket> {
        let words = query.criteria.contains_words();
        let internal = query.scope.sees_internal();
        let mut found: Vec<Ticket> = self
            .tickets
            .iter()
            .filter(|t| query.matches_fields(t))
            .filter(|t| {
                query.criteria.include_archived
                    || !t.is_archived(self.dir.tenant(t.tenant).settings.archive_delay, query.now)
            })
            .filter(|t| {
                words.is_empty()
                    || self
                        .words
                        .get(&t.id)
                        .is_some_and(|w| contains_all(&words, &w[usize::from(internal)]))
            })
            .cloned()
            .collect();
        let sort = query.criteria.sort;
        found.sort_by(|a, b| sort.compare(a, b, internal));
        found
    }

    pub(super) fn new(
        dir: Directory,
        tickets: Vec<Ticket>,
        timelines: &BTreeMap<TicketId, Vec<TimelineEvent>>,
    ) -> Self {
        let words = tickets
            .iter()
            .map(|t| {
                let timeline = timelines.get(&t.id).map(Vec::as_slice).unwrap_or(&[]);
                (
                    t.id,
                    [
                        searchable_words(t, timeline, false),
                        searchable_words(t, timeline, true),
                    ],
                )
            })
            .collect();
        Self {
            dir,
            tickets,
            words,
        }
    }

    pub(super) fn find(&self, id: TicketId) -> &Ticket {
        self.tickets
            .iter()
            .find(|t| t.id == id)
            .found("a dataset ticket")
    }

    /// The scopes every search is run in, by name.
    pub(super) fn scopes(&self) -> Vec<(&'static str, Scope)> {
        let d = &self.dir;
        let [agnes, bruno, sylvie] = [0, 1, 2].map(|i| &d.staff[i]);
        vec![
            ("everything", Scope::Everything),
            (
                "agent of alpha and bravo in group Logiciel",
                Scope::Staff {
                    staff: agnes.id,
                    tenants: agnes.tenants.clone(),
                    groups: agnes.groups.clone(),
                    all_groups: false,
                },
            ),
            (
                "agent of every tenant in groups Materiel and Reseau",
                Scope::Staff {
                    staff: bruno.id,
                    tenants: TenantScope::All,
                    groups: vec![d.groups[1].id, d.groups[2].id],
                    all_groups: false,
                },
            ),
            (
                "supervisor of alpha and charlie",
                Scope::Staff {
                    staff: sylvie.id,
                    tenants: sylvie.tenants.clone(),
                    groups: vec![],
                    all_groups: true,
                },
            ),
            (
                "tenant admin of bravo",
                Scope::Tenant {
                    tenant: d.tenants[1].id,
                },
            ),
            (
                "requester Alice of alpha",
                Scope::Requester {
                    tenant: d.tenants[0].id,
                    member: d.requesters[0][0].id,
                    whole_tenant: false,
                },
            ),
            (
                "requester Bernard of charlie",
                Scope::Requester {
                    tenant: d.tenants[2].id,
                    member: d.requesters[2][1].id,
                    whole_tenant: false,
                },
            ),
            (
                "requester Chloe of bravo, whole tenant",
                Scope::Requester {
                    tenant: d.tenants[1].id,
                    member: d.requesters[1][2].id,
                    whole_tenant: true,
                },
            ),
            ("nothing", Scope::Nothing),
        ]
    }

    /// The criteria every scope is searched with, by name.
    pub(super) fn criteria(&self) -> Vec<(&'static str, SearchCriteria)> {
        [
            status_criteria(),
            field_criteria(&self.dir),
            number_and_time_criteria(&self.dir),
            text_criteria(&self.dir),
        ]
        .concat()
    }
}

/// `c`, closed and archived tickets included.
fn all(c: SearchCriteria) -> SearchCriteria {
    SearchCriteria {
        include_closed: true,
        include_archived: true,
        ..c
    }
}

/// `c`, closed tickets included.
fn closed(c: SearchCriteria) -> SearchCriteria {
    SearchCriteria {
        include_closed: true,
        ..c
    }
}

/// Tickets containing `words`.
fn text(words: &str) -> SearchCriteria {
    SearchCriteria {
        contains: Some(words.to_owned()),
        ..Default::default()
    }
}

/// Criteria on closed and archived tickets, statuses and priorities.
fn status_criteria() -> Vec<(&'static str, SearchCriteria)> {
    vec![
        ("open tickets", SearchCriteria::default()),
        ("closed included", closed(SearchCriteria::default())),
        (
            "closed and archived included",
            all(SearchCriteria::default()),
        ),
        (
            "archived only asked",
            SearchCriteria {
                include_archived: true,
                ..Default::default()
            },
        ),
        (
            "closed and cancelled, archived too",
            all(SearchCriteria {
                statuses: vec![Status::Cancelled, Status::Closed],
                ..Default::default()
            }),
        ),
        (
            "closed, not archived",
            SearchCriteria {
                statuses: vec![Status::Closed],
                ..Default::default()
            },
        ),
        (
            "pending closure",
            SearchCriteria {
                statuses: vec![Status::PendingClosure],
                ..Default::default()
            },
        ),
        (
            "new or waiting",
            SearchCriteria {
                statuses: vec![Status::WaitingOnRequester, Status::New, Status::New],
                ..Default::default()
            },
        ),
        (
            "high and blocking",
            closed(SearchCriteria {
                priorities: vec![Priority::High, Priority::Blocking],
                ..Default::default()
            }),
        ),
        (
            "low",
            SearchCriteria {
                priorities: vec![Priority::Low],
                ..Default::default()
            },
        ),
    ]
}

/// Criteria on the catalog, people, group and tenant.
fn field_criteria(d: &Directory) -> Vec<(&'static str, SearchCriteria)> {
    vec![
        (
            "two categories of two tenants",
            closed(SearchCriteria {
                categories: vec![d.categories[0][1].id, d.categories[1][0].id],
                ..Default::default()
            }),
        ),
        (
            "one product",
            all(SearchCriteria {
                products: vec![d.products[0][0].id],
                ..Default::default()
            }),
        ),
        (
            "requester Alice of alpha",
            closed(SearchCriteria {
                requester: Some(d.requesters[0][0].id),
                ..Default::default()
            }),
        ),
        (
            "assigned to Agnes",
            closed(SearchCriteria {
                assignee: Some(d.staff[0].id),
                ..Default::default()
            }),
        ),
        (
            "group Materiel",
            all(SearchCriteria {
                group: Some(d.groups[1].id),
                ..Default::default()
            }),
        ),
        (
            "tenant bravo",
            all(SearchCriteria {
                tenant: Some(d.tenants[1].id),
                ..Default::default()
            }),
        ),
    ]
}

/// Criteria on the number and on opening and change times.
fn number_and_time_criteria(d: &Directory) -> Vec<(&'static str, SearchCriteria)> {
    vec![
        (
            "number 3 of alpha",
            all(SearchCriteria {
                tenant: Some(d.tenants[0].id),
                number: Some(TicketNumber::new(3)),
                ..Default::default()
            }),
        ),
        (
            "number 2 of any tenant",
            all(SearchCriteria {
                number: Some(TicketNumber::new(2)),
                ..Default::default()
            }),
        ),
        (
            "opened between 120 and 30 days ago",
            closed(SearchCriteria {
                opened_from: Some(now() - days(120)),
                opened_to: Some(now() - days(30)),
                ..Default::default()
            }),
        ),
        (
            "changed between 60 days and 1 day ago",
            all(SearchCriteria {
                updated_from: Some(now() - days(60)),
                updated_to: Some(now() - days(1)),
                ..Default::default()
            }),
        ),
    ]
}

/// Criteria on words, and on many fields at once.
fn text_criteria(d: &Directory) -> Vec<(&'static str, SearchCriteria)> {
    vec![
        ("contains imprim", closed(text("imprim"))),
        ("contains cloture", all(text("cloture"))),
        ("contains CLÔTURE DOSSIER", all(text("CLÔTURE DOSSIER"))),
        ("contains Imprimante, bloquée", text("Imprimante, bloquée")),
        ("contains mot de passe", closed(text("mot de passe"))),
        ("contains an internal word", all(text("confidentielle"))),
        ("contains an internal prefix", all(text("escal"))),
        ("contains reseau", all(text("réseau"))),
        ("contains tag names", all(text("strong em li"))),
        ("contains nothing known", all(text("zzzz"))),
        (
            "everything at once",
            SearchCriteria {
                tenant: Some(d.tenants[0].id),
                statuses: vec![Status::New, Status::InProgress, Status::Closed],
                priorities: vec![Priority::Normal, Priority::High, Priority::Low],
                opened_from: Some(now() - days(400)),
                include_archived: true,
                contains: Some("de".to_owned()),
                ..Default::default()
            },
        ),
        (
            "assignee, group and category",
            closed(SearchCriteria {
                assignee: Some(d.staff[1].id),
                group: Some(d.groups[1].id),
                categories: d.categories.iter().flatten().map(|c| c.id).collect(),
                ..Default::default()
            }),
        ),
    ]
}

/// Builds `count` tickets in random (but seeded) tenants, states, fields and timelines,
/// and stores them.
pub(super) async fn dataset(store: &dyn Store, count: usize, seed: u64) -> Dataset {
    let dir = directory(store).await;
    let mut rng = Rng(seed);
    let mut tickets = Vec::new();
    let mut timelines = BTreeMap::new();
    let mut previous_created: Option<DateTime<Utc>> = None;
    for i in 0..count {
        let t_ix = match rng.below(10) {
            0..=4 => 0,
            5..=7 => 1,
            _ => 2,
        };
        let tenant = &dir.tenants[t_ix];
        let requester = rng.pick(&dir.requesters[t_ix]).id;
        let serving: Vec<&Staff> = dir.staff.iter().filter(|s| s.serves(tenant.id)).collect();
        let class = rng.below(100);
        let (ended_at, created_at) = times(&mut rng, i, class, previous_created);
        previous_created = Some(created_at);

        let mut ticket = blank_ticket(tenant.id, requester, created_at);
        fill_fields(&mut rng, &mut ticket, &dir, t_ix, &serving);
        let staff_author = ActorRef::Staff(rng.pick(&serving).id);
        let mut events = conversation(&mut rng, &ticket, staff_author);
        end_in_state(
            &mut rng,
            &mut ticket,
            &mut events,
            (class, ended_at),
            staff_author,
            dir.staff[1].id,
        );
        ticket.updated_at = events.last().map_or(created_at, |e| e.at);
        // Requesters observe the time of the last public event: an internal note
        // leaves it behind.
        ticket.public_updated_at = events
            .iter()
            .rev()
            .find(|e| e.visibility() == Visibility::Public)
            .map_or(created_at, |e| e.at);
        insert_ticket(store, &mut ticket, &events).await;
        timelines.insert(ticket.id, events);
        tickets.push(ticket);
    }
    Dataset::new(dir, tickets, &timelines)
}

/// When the `i`-th ticket of `class` ended (closed or cancelled: long ago, 60 days ago,
/// 3 days ago, or exactly 90 days ago, on alpha's archive boundary) and when it was
/// opened; some open tickets share the opening time of the one before.
fn times(
    rng: &mut Rng,
    i: usize,
    class: usize,
    previous_created: Option<DateTime<Utc>>,
) -> (Option<DateTime<Utc>>, DateTime<Utc>) {
    let jitter = Duration::milliseconds((i as i64 * 37) % 1000);
    let ended_at = (class >= 58).then(|| {
        let spread = Duration::seconds(rng.below(80_000) as i64);
        match rng.below(4) {
            0 => now() - days(200) - Duration::hours(rng.below(2000) as i64) - spread,
            1 => now() - days(60) - spread,
            2 => now() - days(3) - spread,
            _ => now() - days(90),
        }
    });
    let mut created_at = match ended_at {
        Some(end) => {
            end - days(1 + rng.below(40) as i64) - Duration::minutes(rng.below(600) as i64)
        }
        None => now() - Duration::minutes(30 + rng.below(400 * 24 * 60) as i64),
    } + jitter;
    if ended_at.is_none() && i % 9 == 8 {
        // Ties on the opening time: the id decides the order.
        if let Some(prev) = previous_created.filter(|p| *p < now()) {
            created_at = prev;
        }
    }
    (ended_at, created_at)
}

/// Sets the ticket's subject, description, priority and, by chance, its catalog
/// entries, assignee, group, guests, contact, asset, custom field and opener.
fn fill_fields(
    rng: &mut Rng,
    ticket: &mut Ticket,
    dir: &Directory,
    t_ix: usize,
    serving: &[&Staff],
) {
    ticket.subject = (*rng.pick(&SUBJECTS)).to_owned();
    ticket.description = rich(rng.pick::<&str>(&DESCRIPTIONS));
    ticket.priority = *rng.pick(&Priority::ALL);
    if rng.chance(70) {
        ticket.category = Some(rng.pick(&dir.categories[t_ix]).id);
    }
    if rng.chance(50) {
        ticket.product = Some(rng.pick(&dir.products[t_ix]).id);
    }
    if rng.chance(55) {
        ticket.assignee = Some(rng.pick(serving).id);
    }
    if rng.chance(65) {
        ticket.group = Some(rng.pick(&dir.groups).id);
    }
    for _ in 0..rng.below(3) {
        let guest = rng.pick(&dir.requesters[t_ix]).id;
        if guest != ticket.requester && !ticket.guests.contains(&guest) {
            ticket.guests.push(guest);
        }
    }
    if rng.chance(30) {
        ticket.contact_phone = Some("01 23 45 67 89".to_owned());
    }
    if rng.chance(30) {
        ticket.asset = Some(format!("PC-{:04}", rng.below(10_000)));
    }
    if rng.chance(20) {
        ticket
            .custom_fields
            .insert("site".to_owned(), "Lyon".to_owned());
    }
    if rng.chance(20) {
        ticket.opened_by = ActorRef::Staff(rng.pick(serving).id);
    }
}

/// The opening event, then up to three replies (by the requester or `staff_author`),
/// internal notes and requests for information, 37 minutes apart.
fn conversation(rng: &mut Rng, ticket: &Ticket, staff_author: ActorRef) -> Vec<TimelineEvent> {
    let mut events = vec![opened_event(ticket)];
    for j in 0..rng.below(4) {
        let at = ticket.created_at + Duration::minutes(37 * (j as i64 + 1));
        let kind = match rng.below(10) {
            0..=4 => EventKind::Replied {
                body: rich(rng.pick::<&str>(&REPLIES)),
            },
            5..=7 => EventKind::NoteAdded {
                body: rich(rng.pick::<&str>(&NOTES)),
            },
            _ => EventKind::InformationRequested {
                message: rich("<p>Pouvez-vous préciser le numéro de série ?</p>"),
            },
        };
        let author = match kind {
            EventKind::Replied { .. } if rng.chance(50) => ActorRef::Member(ticket.requester),
            _ => staff_author,
        };
        events.push(event(ticket, at, author, kind, None));
    }
    events
}

/// Puts the ticket in the state its class says (new, in progress, waiting, pending
/// closure, closed or cancelled when it ended), appending the event that got it there.
/// `fallback_staff` proposes or closes when the staff author is not staff.
fn end_in_state(
    rng: &mut Rng,
    ticket: &mut Ticket,
    events: &mut Vec<TimelineEvent>,
    (class, ended_at): (usize, Option<DateTime<Utc>>),
    staff_author: ActorRef,
    fallback_staff: StaffId,
) {
    let staff_id = match staff_author {
        ActorRef::Staff(id) => id,
        _ => fallback_staff,
    };
    let last_at = events.last().map_or(ticket.created_at, |e| e.at);
    match (class, ended_at) {
        (0..=17, _) => {}
        (18..=35, _) => ticket.state = TicketState::InProgress,
        (36..=45, _) => ticket.state = TicketState::WaitingOnRequester,
        (46..=57, _) => {
            let at = last_at + Duration::hours(1);
            ticket.state = TicketState::PendingClosure {
                proposed_at: at,
                proposed_by: staff_id,
            };
            events.push(event(
                ticket,
                at,
                staff_author,
                EventKind::ClosureProposed {
                    solution: rich("<p>Solution : remplacer la cartouche de toner.</p>"),
                },
                Some((Status::InProgress, Status::PendingClosure)),
            ));
        }
        (58..=83, Some(at)) => {
            let (closure, kind, author) =
                random_closure(rng, ticket.requester, staff_id, staff_author);
            ticket.state = TicketState::Closed {
                closed_at: at,
                closure,
            };
            events.push(event(
                ticket,
                at,
                author,
                kind,
                Some((Status::InProgress, Status::Closed)),
            ));
        }
        (_, Some(at)) => {
            ticket.state = TicketState::Cancelled { cancelled_at: at };
            events.push(event(
                ticket,
                at,
                ActorRef::Member(ticket.requester),
                EventKind::Cancelled {
                    reason: rng
                        .chance(50)
                        .then(|| rich("<p>Doublon d'une autre demande</p>")),
                },
                Some((Status::New, Status::Cancelled)),
            ));
        }
        (_, None) => {}
    }
}

/// A closure approved by the requester with a score, automatic, or direct by staff:
/// the closure, its event and the event's author.
fn random_closure(
    rng: &mut Rng,
    requester: MemberId,
    staff_id: StaffId,
    staff_author: ActorRef,
) -> (Closure, EventKind, ActorRef) {
    match rng.below(3) {
        0 => {
            let answers =
                BTreeMap::from([("overall".to_owned(), Answer::Score(rng.below(11) as u8))]);
            (
                Closure::Approved {
                    by: requester,
                    answers: answers.clone(),
                },
                EventKind::ClosureApproved { answers },
                ActorRef::Member(requester),
            )
        }
        1 => (
            Closure::AutoApproved,
            EventKind::ClosureAutoApproved,
            ActorRef::System,
        ),
        _ => (
            Closure::Direct { by: staff_id },
            EventKind::ClosedDirectly {
                solution: rich("<p>Conflit réglé à l'amiable.</p>"),
            },
            staff_author,
        ),
    }
}
