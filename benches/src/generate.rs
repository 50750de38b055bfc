//! A generator of realistic helpdesks for the scale bench: people created through
//! `HelpdeskService`, then tickets built as domain values and written with
//! [`import_tickets`](helpdesk_sqlx::SqlStore::import_tickets) (or opened one by one
//! through the port, to check the bulk path against the reference store).
//!
//! Deterministic: ticket `i` of tenant `t` depends only on the seed, `t` and `i` (a
//! splitmix64 stream of its own), so any range of tickets can be built alone, in any
//! order, and a 10k database holds the same kind of tickets as a 1M one.
//!
//! The shape of a tenant of `n` tickets:
//! - opened evenly over the 24 months before `now`, numbered in opening order;
//! - older than 30 days: 90% closed (approved with answers 60%, auto-approved 25%,
//!   closed directly 15%), 7% cancelled, 3% still open; the last 30 days: new 20%, in
//!   progress 30%, waiting on the requester 15%, pending closure 10%, closed 20%,
//!   cancelled 5%;
//! - after the opening, 1-6 replies and notes (public replies of agent and requester,
//!   internal notes, information requests) with their status changes, then the closure;
//! - requesters: `n / 50` of them (at least 50, at most 20,000): 5 heavy ones share 10%
//!   of the tickets, the light ones the rest (about 45 tickets each at every size);
//! - 5% of tickets have one or two guests; one member, `guest`, is a guest on exactly 20
//!   tickets and has none of their own;
//! - 85% filed in one of 8 categories, 70% with a group (of 5) and most of those with an
//!   agent; priorities low 20%, normal 60%, high 15%, blocking 5%;
//! - French subjects and bodies with accents; each description carries a reference
//!   `dossierNNNNNNN` (the ticket's number, 7 digits) that only it contains.

use chrono::{DateTime, Duration, Utc};
use helpdesk_core::{
    Actor, ActorRef, Answer, CategoryId, Closure, EventId, EventKind, GroupId, HelpdeskService,
    MemberDetails, MemberId, MemberRole, Priority, RichText, StaffDetails, StaffId, StaffRole,
    Status, StatusChange, TenantId, TenantScope, Ticket, TicketId, TicketNumber, TicketState,
    TimelineEvent, UserId,
};
use helpdesk_sqlx::ImportedTicket;

use crate::BenchResult;

/// The time span the tickets cover.
pub const SPAN_DAYS: i64 = 730;
/// Heavy requesters per tenant.
pub const HEAVY: usize = 5;
/// Groups (shared by every tenant: groups are platform-wide).
pub const GROUPS: usize = 5;
/// Categories per tenant.
pub const CATEGORIES: usize = 8;
/// Tickets the `guest` member is invited on, per tenant.
pub const GUEST_TICKETS: usize = 20;

/// The subjects tickets are generated with (French, with accents).
pub const SUBJECTS: [&str; 24] = [
    "L'imprimante du 2e étage n'imprime plus",
    "Écran noir au démarrage",
    "Mot de passe oublié pour l'ENT",
    "Accès réseau impossible depuis la salle B",
    "Messagerie : pièces jointes refusées",
    "Vidéoprojecteur de l'amphithéâtre en panne",
    "Demande de création de compte",
    "Logiciel de comptabilité très lent",
    "Téléphone fixe sans tonalité",
    "Badge d'accès désactivé",
    "Clavier défectueux au secrétariat",
    "Sauvegarde nocturne en échec",
    "Certificat expiré sur l'intranet",
    "Wifi instable au réfectoire",
    "Licence bureautique à renouveler",
    "Scanner réseau introuvable",
    "Agenda partagé non synchronisé",
    "Écran tactile qui ne répond plus",
    "Imprimante couleur : bourrage papier",
    "Demande d'installation d'un logiciel",
    "Facture erronée pour le contrat de maintenance",
    "Clôture du dossier de Mme Lefèvre",
    "Problème de congés dans le logiciel de paie",
    "Câble réseau arraché au bâtiment C",
];

const DESCRIPTIONS: [&str; 6] = [
    "<p>Depuis ce matin, impossible de travailler : le poste affiche une erreur.</p>",
    "<p>Bonjour, j'ai déjà redémarré deux fois, sans succès. Pouvez-vous intervenir ?</p>",
    "<p><strong>Urgent</strong> : toute l'équipe est bloquée, réunion à 14 h.</p>",
    "<p>Le problème revient chaque lundi après la mise à jour.</p>",
    "<ul><li>Poste concerné au secrétariat</li><li>Câble vérifié</li></ul>",
    "<p>Merci de vérifier la configuration &amp; de me tenir informé.</p>",
];

const REPLIES: [&str; 10] = [
    "<p>Avez-vous redémarré l'équipement ? Merci de réessayer.</p>",
    "<p>Le technicien passera demain matin entre 9 h et 11 h.</p>",
    "<p>Votre mot de passe a été réinitialisé, vous le recevrez par courriel.</p>",
    "<p>Nous avons commandé la pièce, délai d'une semaine environ.</p>",
    "<p>La mise à jour corrective est déployée sur votre poste.</p>",
    "<p>Pouvez-vous préciser le message d'erreur exact ?</p>",
    "<p>Le service est rétabli, merci de confirmer de votre côté.</p>",
    "<p>Toujours bloqué, merci de relancer le prestataire.</p>",
    "<p>C'est réparé, merci beaucoup pour votre réactivité !</p>",
    "<p>Je serai absent jeudi, merci de passer vendredi.</p>",
];

const NOTES: [&str; 6] = [
    "<p>Note interne : voir le fournisseur Dupont, contrat n° 48-B.</p>",
    "<p>Escalade vers le niveau 2, équipe réseau.</p>",
    "<p>Utilisateur pressé, rester courtois et rapide.</p>",
    "<p>Matériel sous garantie jusqu'en décembre, ne pas facturer.</p>",
    "<p>Même panne que la semaine dernière au bâtiment voisin.</p>",
    "<p>Attente du retour de la DSI avant clôture.</p>",
];

const SOLUTIONS: [&str; 4] = [
    "<p>Pilote réinstallé, l'impression fonctionne de nouveau.</p>",
    "<p>Compte réactivé et droits vérifiés.</p>",
    "<p>Pièce remplacée par le technicien.</p>",
    "<p>Configuration corrigée, problème résolu.</p>",
];

const CATEGORY_NAMES: [&str; CATEGORIES] = [
    "Matériel",
    "Réseau",
    "Messagerie",
    "Comptes et accès",
    "Logiciels",
    "Téléphonie",
    "Impression",
    "Facturation",
];

/// The fixed bodies, sanitised once.
struct Texts {
    replies: Vec<RichText>,
    notes: Vec<RichText>,
    solutions: Vec<RichText>,
    cancel: RichText,
}

fn texts() -> &'static Texts {
    static TEXTS: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
    TEXTS.get_or_init(|| {
        let all = |list: &[&str]| list.iter().map(|t| RichText::from_stored(t)).collect();
        Texts {
            replies: all(&REPLIES),
            notes: all(&NOTES),
            solutions: all(&SOLUTIONS),
            cancel: RichText::from_stored("<p>Doublon, déjà résolu.</p>"),
        }
    })
}

/// A small deterministic PRNG: splitmix64.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A stream for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True `per_mille` times in a thousand.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as usize
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// 10 random bytes, for the random part of an id.
    fn bytes(&mut self) -> [u8; 10] {
        let a = self.next_u64().to_le_bytes();
        let b = self.next_u64().to_le_bytes();
        [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1]]
    }

    /// A time-ordered UUID (v7) for the instant `at`, random part from this stream.
    fn uuid_at(&mut self, at: DateTime<Utc>) -> uuid::Uuid {
        let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(ms, &self.bytes()).into_uuid()
    }
}

/// The people and catalogue of one tenant, created through the service.
#[derive(Clone, Debug)]
pub struct TenantPeople {
    /// The tenant.
    pub tenant: TenantId,
    /// Its admin (a member).
    pub admin: Actor,
    /// Requesters, the [`HEAVY`] heavy ones first.
    pub requesters: Vec<MemberId>,
    /// A member with no tickets of their own, guest on [`GUEST_TICKETS`] tickets.
    pub guest: MemberId,
    /// Agents of the tenant, each in one group.
    pub agents: Vec<(StaffId, GroupId)>,
    /// A supervisor of the tenant.
    pub supervisor: Actor,
    /// Categories, with the group each routes to.
    pub categories: Vec<(CategoryId, Option<GroupId>)>,
    /// Tickets in the tenant.
    pub tickets: usize,
    /// A hash of the tenant's slug: what its tickets are generated from, beside the
    /// seed (not its id, which is random), so both databases get the same tickets.
    pub key: u64,
}

impl TenantPeople {
    /// The first light requester (about 45 tickets at every size).
    pub fn light(&self) -> MemberId {
        self.requesters[HEAVY.min(self.requesters.len() - 1)]
    }
}

/// How many requesters a tenant of `tickets` tickets has.
pub fn requesters_for(tickets: usize) -> usize {
    (tickets / 50).clamp(50, 20_000)
}

/// The member `user` of `tenant` with `role`, created when missing (named as their user
/// id, a mail address at `exemple.fr`).
pub async fn member(
    service: &HelpdeskService,
    tenant: TenantId,
    user: &str,
    role: MemberRole,
) -> BenchResult<helpdesk_core::Member> {
    Ok(service
        .ensure_member(
            tenant,
            MemberDetails {
                user: &UserId::new(user)?,
                display_name: user,
                email: Some(&format!("{user}@exemple.fr")),
                role,
            },
        )
        .await?)
}

/// Creates the platform's groups (as `root`, a platform admin).
pub async fn groups(service: &HelpdeskService, root: &Actor) -> BenchResult<Vec<GroupId>> {
    let mut out = Vec::new();
    for g in 0..GROUPS {
        out.push(
            service
                .create_group(root, &format!("Équipe {}", g + 1))
                .await?
                .id,
        );
    }
    Ok(out)
}

/// Creates tenant `slug` with its people and categories, sized for `tickets` tickets,
/// with `agents` agents.
pub async fn tenant(
    service: &HelpdeskService,
    root: &Actor,
    groups: &[GroupId],
    slug: &str,
    tickets: usize,
    agents: usize,
) -> BenchResult<TenantPeople> {
    let tenant = service.create_tenant(root, slug, slug).await?.id;
    let admin = Actor::Member(
        member(
            service,
            tenant,
            &format!("{slug}-admin"),
            MemberRole::TenantAdmin,
        )
        .await?,
    );
    let mut requesters = Vec::new();
    for r in 0..requesters_for(tickets) {
        let user = format!("{slug}-user{r:05}");
        requesters.push(
            member(service, tenant, &user, MemberRole::Requester)
                .await?
                .id,
        );
    }
    let guest = member(
        service,
        tenant,
        &format!("{slug}-guest"),
        MemberRole::Requester,
    )
    .await?
    .id;
    let staff = |user: String, role, groups: Vec<GroupId>| async move {
        service
            .add_staff(
                root,
                StaffDetails {
                    user: &UserId::new(&user)?,
                    display_name: &user,
                    email: None,
                    role,
                    tenants: TenantScope::Only(vec![tenant]),
                    groups,
                },
            )
            .await
            .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })
    };
    let mut agent_ids = Vec::new();
    for a in 0..agents {
        let group = groups[a % groups.len()];
        let s = staff(format!("{slug}-agent{a:02}"), StaffRole::Agent, vec![group]).await?;
        agent_ids.push((s.id, group));
    }
    let supervisor = Actor::Staff(
        staff(
            format!("{slug}-supervisor"),
            StaffRole::Supervisor,
            groups.to_vec(),
        )
        .await?,
    );
    let mut categories = Vec::new();
    for (c, name) in CATEGORY_NAMES.iter().enumerate() {
        let group = (c < 6).then(|| groups[c % groups.len()]);
        let category = service
            .create_category(&admin, tenant, None, name, group)
            .await?;
        categories.push((category.id, group));
    }
    Ok(TenantPeople {
        tenant,
        admin,
        requesters,
        guest,
        agents: agent_ids,
        supervisor,
        categories,
        tickets,
        key: slug_key(slug),
    })
}

/// The people of tenant `slug`, created by [`tenant`] in a database kept from an earlier
/// run, found again by their user ids (their ids are random): every field as
/// [`tenant`] filled it but the requesters, of whom the [`HEAVY`] heavy ones and the
/// first light one only (what a measurement reads).
pub async fn reopen(
    service: &HelpdeskService,
    store: &dyn helpdesk_core::Store,
    slug: &str,
    tickets: usize,
    agents: usize,
) -> BenchResult<TenantPeople> {
    let tenant = store
        .tenant_by_slug(slug)
        .await?
        .ok_or("no such tenant in the kept database")?
        .id;
    let actor = async |user: String| -> BenchResult<Actor> {
        Ok(service.actor(&UserId::new(&user)?, Some(tenant)).await?)
    };
    let member_id = async |user: String| -> BenchResult<MemberId> {
        match actor(user).await? {
            Actor::Member(m) => Ok(m.id),
            _ => Err("a member was expected".into()),
        }
    };
    let admin = actor(format!("{slug}-admin")).await?;
    let mut requesters = Vec::new();
    for r in 0..=HEAVY.min(requesters_for(tickets) - 1) {
        requesters.push(member_id(format!("{slug}-user{r:05}")).await?);
    }
    let guest = member_id(format!("{slug}-guest")).await?;
    let mut agent_ids = Vec::new();
    for a in 0..agents {
        let Actor::Staff(s) = actor(format!("{slug}-agent{a:02}")).await? else {
            return Err("an agent was expected".into());
        };
        let group = *s.groups.first().ok_or("an agent without a group")?;
        agent_ids.push((s.id, group));
    }
    let supervisor = actor(format!("{slug}-supervisor")).await?;
    let stored = store.categories(tenant).await?;
    let mut categories = Vec::new();
    for name in CATEGORY_NAMES {
        let c = stored
            .iter()
            .find(|c| c.name == name)
            .ok_or("a category is missing")?;
        categories.push((c.id, c.group));
    }
    Ok(TenantPeople {
        tenant,
        admin,
        requesters,
        guest,
        agents: agent_ids,
        supervisor,
        categories,
        tickets,
        key: slug_key(slug),
    })
}

/// What a tenant's tickets are generated from, beside the seed: a hash of its slug.
fn slug_key(slug: &str) -> u64 {
    slug.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Where a generated ticket ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    New,
    InProgress,
    Waiting,
    Pending,
    Approved,
    AutoApproved,
    Direct,
    Cancelled,
}

fn end_for(rng: &mut Rng, age_days: i64) -> End {
    let r = rng.below(1000);
    if age_days > 30 {
        match r {
            0..540 => End::Approved,
            540..765 => End::AutoApproved,
            765..900 => End::Direct,
            900..970 => End::Cancelled,
            970..990 => End::InProgress,
            _ => End::Waiting,
        }
    } else {
        match r {
            0..200 => End::New,
            200..500 => End::InProgress,
            500..650 => End::Waiting,
            650..750 => End::Pending,
            750..900 => End::Approved,
            900..950 => End::Direct,
            _ => End::Cancelled,
        }
    }
}

/// Builds a timeline event by event, keeping the ticket's status, times and versions.
struct Timeline {
    rng: Rng,
    ticket: Ticket,
    events: Vec<TimelineEvent>,
    at: DateTime<Utc>,
    gap: Duration,
}

impl Timeline {
    fn push(&mut self, author: ActorRef, kind: EventKind, to: Option<Status>) {
        let from = self.ticket.status();
        let status_change = to
            .filter(|to| *to != from)
            .map(|to| StatusChange { from, to });
        let id = EventId::from_uuid(self.rng.uuid_at(self.at));
        let event = TimelineEvent {
            id,
            ticket: self.ticket.id,
            tenant: self.ticket.tenant,
            at: self.at,
            author,
            status_change,
            kind,
        };
        self.ticket.version += 1;
        self.ticket.updated_at = self.at;
        if event.visibility() == helpdesk_core::Visibility::Public {
            self.ticket.public_version += 1;
            self.ticket.public_updated_at = self.at;
        }
        self.ticket.state = match to {
            Some(Status::InProgress) => TicketState::InProgress,
            Some(Status::WaitingOnRequester) => TicketState::WaitingOnRequester,
            _ => self.ticket.state.clone(),
        };
        self.events.push(event);
        let jitter = self.gap.num_seconds().max(2);
        self.at += Duration::seconds(jitter / 2 + (self.rng.next_u64() % jitter as u64) as i64 / 2);
    }

    fn rich(&mut self, texts: &[RichText]) -> RichText {
        self.rng.pick(texts).clone()
    }
}

/// Ticket `i` (0-based, number `i + 1`) of `people`'s tenant, as of `now`.
pub fn ticket(people: &TenantPeople, seed: u64, i: usize, now: DateTime<Utc>) -> ImportedTicket {
    let n = people.tickets.max(1);
    let mut rng = Rng::new(seed ^ people.key ^ ((i as u64) << 20));
    rng.next_u64();
    let span = Duration::days(SPAN_DAYS);
    let start = now - span;
    let offset_ms = span.num_milliseconds() as f64 * (i as f64 + 0.5) / n as f64;
    let created_at = start + Duration::milliseconds(offset_ms as i64);
    let age = now - created_at;
    let end = end_for(&mut rng, age.num_days());
    let requester = if rng.chance(100) {
        people.requesters[rng.below(HEAVY.min(people.requesters.len()))]
    } else {
        let light = &people.requesters[HEAVY.min(people.requesters.len() - 1)..];
        *rng.pick(light)
    };
    let mut guests = Vec::new();
    if i % (n / GUEST_TICKETS).max(1) == 7 % (n / GUEST_TICKETS).max(1) {
        guests.push(people.guest);
    }
    if rng.chance(50) {
        for _ in 0..1 + rng.below(2) {
            let g = *rng.pick(&people.requesters[HEAVY.min(people.requesters.len() - 1)..]);
            if g != requester && !guests.contains(&g) {
                guests.push(g);
            }
        }
    }
    let (category, routed) = if rng.chance(850) {
        let (c, g) = *rng.pick(&people.categories);
        (Some(c), g)
    } else {
        (None, None)
    };
    let assigned = end != End::New && rng.chance(700);
    let (assignee, group) = if assigned {
        let (agent, g) = *rng.pick(&people.agents);
        if rng.chance(850) {
            (Some(agent), Some(g))
        } else {
            (None, Some(routed.unwrap_or(g)))
        }
    } else {
        (None, routed)
    };
    let agent = assignee.unwrap_or(people.agents[rng.below(people.agents.len())].0);
    let number = i as u64 + 1;
    let subject = format!("{} (poste {})", rng.pick(&SUBJECTS), rng.below(400));
    let description = format!(
        "{}<p>Référence : dossier{number:07}.</p>",
        rng.pick(&DESCRIPTIONS)
    );
    let id = TicketId::from_uuid(rng.uuid_at(created_at));
    let ticket = Ticket {
        id,
        tenant: people.tenant,
        number: TicketNumber::new(number),
        subject,
        description: RichText::from_stored(&description),
        category,
        product: None,
        priority: [
            Priority::Low,
            Priority::Normal,
            Priority::High,
            Priority::Blocking,
        ][match rng.below(100) {
            0..20 => 0,
            20..80 => 1,
            80..95 => 2,
            _ => 3,
        }],
        state: TicketState::New,
        requester,
        assignee: None,
        group: None,
        guests,
        contact_phone: rng
            .chance(300)
            .then(|| format!("01 23 45 {:02} {:02}", rng.below(100), rng.below(100))),
        asset: rng
            .chance(400)
            .then(|| format!("PC-{:05}", rng.below(100_000))),
        custom_fields: Default::default(),
        opened_by: ActorRef::Member(requester),
        created_at,
        updated_at: created_at,
        version: 0,
        public_updated_at: created_at,
        public_version: 0,
        service_level: Default::default(),
    };
    let exchanges = 1 + rng.below(6);
    // Events spread over at most the ticket's age, 20 minutes to 36 hours apart.
    let room = (age.num_seconds() / (exchanges as i64 + 4)).max(2);
    let gap = Duration::seconds(room.min(1_200 + rng.below(128_400) as i64));
    let mut tl = Timeline {
        rng,
        ticket,
        events: Vec::new(),
        at: created_at,
        gap,
    };
    tl.push(ActorRef::Member(requester), EventKind::Opened, None);
    if assignee.is_some() || group != routed {
        tl.push(
            ActorRef::Staff(agent),
            EventKind::Assigned { assignee, group },
            None,
        );
    }
    tl.ticket.assignee = assignee;
    tl.ticket.group = group;
    converse(&mut tl, end, exchanges, requester, agent);
    finish(&mut tl, end, requester, agent);
    ImportedTicket {
        ticket: tl.ticket,
        events: tl.events,
    }
}

/// The replies and notes after the opening.
fn converse(tl: &mut Timeline, end: End, exchanges: usize, requester: MemberId, agent: StaffId) {
    for k in 0..exchanges {
        let last = k + 1 == exchanges;
        let r = tl.rng.below(100);
        if end == End::New {
            if r < 50 {
                let body = tl.rich(&texts().replies);
                tl.push(
                    ActorRef::Member(requester),
                    EventKind::Replied { body },
                    None,
                );
            } else {
                let body = tl.rich(&texts().notes);
                tl.push(ActorRef::Staff(agent), EventKind::NoteAdded { body }, None);
            }
        } else if last && end == End::Waiting {
            let message = tl.rich(&texts().replies);
            tl.push(
                ActorRef::Staff(agent),
                EventKind::InformationRequested { message },
                Some(Status::WaitingOnRequester),
            );
        } else if r < 60 || k == 0 {
            let body = tl.rich(&texts().replies);
            tl.push(
                ActorRef::Staff(agent),
                EventKind::Replied { body },
                Some(Status::InProgress),
            );
        } else if r < 85 {
            let body = tl.rich(&texts().notes);
            tl.push(ActorRef::Staff(agent), EventKind::NoteAdded { body }, None);
        } else {
            let body = tl.rich(&texts().replies);
            let to =
                (tl.ticket.status() == Status::WaitingOnRequester).then_some(Status::InProgress);
            tl.push(ActorRef::Member(requester), EventKind::Replied { body }, to);
        }
    }
}

/// The closure, if the ticket ends closed, pending or cancelled.
fn finish(tl: &mut Timeline, end: End, requester: MemberId, agent: StaffId) {
    match end {
        End::New | End::InProgress | End::Waiting => {}
        End::Pending | End::Approved | End::AutoApproved => {
            let solution = tl.rich(&texts().solutions);
            let proposed_at = tl.at;
            tl.push(
                ActorRef::Staff(agent),
                EventKind::ClosureProposed { solution },
                Some(Status::PendingClosure),
            );
            tl.ticket.state = TicketState::PendingClosure {
                proposed_at,
                proposed_by: agent,
            };
            let closed_at = tl.at;
            let (author, kind, closure) = match end {
                End::Approved => {
                    let mut answers = helpdesk_core::Answers::new();
                    let score = [10, 9, 9, 8, 8, 8, 7, 6, 5, 3][tl.rng.below(10)];
                    answers.insert("overall".to_owned(), Answer::Score(score));
                    if tl.rng.chance(500) {
                        let s = *tl.rng.pick(&helpdesk_core::SATISFACTION);
                        answers.insert("solution".to_owned(), Answer::Text(s.to_owned()));
                    }
                    (
                        ActorRef::Member(requester),
                        EventKind::ClosureApproved {
                            answers: answers.clone(),
                        },
                        Closure::Approved {
                            by: requester,
                            answers,
                        },
                    )
                }
                End::AutoApproved => (
                    ActorRef::System,
                    EventKind::ClosureAutoApproved,
                    Closure::AutoApproved,
                ),
                _ => return,
            };
            tl.push(author, kind, Some(Status::Closed));
            tl.ticket.state = TicketState::Closed { closed_at, closure };
        }
        End::Direct => {
            let solution = tl.rich(&texts().solutions);
            let closed_at = tl.at;
            tl.push(
                ActorRef::Staff(agent),
                EventKind::ClosedDirectly { solution },
                Some(Status::Closed),
            );
            tl.ticket.state = TicketState::Closed {
                closed_at,
                closure: Closure::Direct { by: agent },
            };
        }
        End::Cancelled => {
            let cancelled_at = tl.at;
            tl.push(
                ActorRef::Member(requester),
                EventKind::Cancelled {
                    reason: Some(texts().cancel.clone()),
                },
                Some(Status::Cancelled),
            );
            tl.ticket.state = TicketState::Cancelled { cancelled_at };
        }
    }
}
