//! Demo data, created on first start: two tenants, their members, the support staff,
//! categories, products, acme's custom fields (the school ENT scenario: the school,
//! required, and the room or workstation) and a few tickets.

use std::collections::{BTreeMap, HashMap};

use helpdesk_core::service_level::{BusinessDuration, ServiceLevelPolicy};
use helpdesk_core::{
    Actor, CustomFieldDefinition, GroupId, HelpdeskService, MemberDetails, MemberRole, NewTicket,
    Priority, StaffDetails, StaffRole, Tenant, TenantId, TenantScope, TicketNumber, UserId,
};

/// Everyone who can log in to the demo, password `demo`.
pub(crate) const LOGINS: [&str; 8] = [
    "alice", "bob", "carol", "dave", "erin", "sam", "sue", "root",
];

/// A host user as the portal knows them.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub(crate) login: String,
    pub(crate) name: String,
    /// The tenant slug, for members.
    pub(crate) tenant: Option<String>,
    pub(crate) member_role: Option<MemberRole>,
}

fn person(login: &str, name: &str, tenant: Option<&str>, role: Option<MemberRole>) -> Person {
    Person {
        login: login.to_owned(),
        name: name.to_owned(),
        tenant: tenant.map(str::to_owned),
        member_role: role,
    }
}

/// The host's users.
fn people() -> Vec<Person> {
    vec![
        person(
            "alice",
            "Alice Martin",
            Some("acme"),
            Some(MemberRole::Requester),
        ),
        person(
            "bob",
            "Bob Durand",
            Some("acme"),
            Some(MemberRole::Requester),
        ),
        person(
            "carol",
            "Carol Petit",
            Some("acme"),
            Some(MemberRole::TenantAdmin),
        ),
        person(
            "dave",
            "Dave Moreau",
            Some("globex"),
            Some(MemberRole::Requester),
        ),
        person(
            "erin",
            "Erin Laurent",
            Some("globex"),
            Some(MemberRole::TenantAdmin),
        ),
        person("sam", "Sam Support", None, None),
        person("sue", "Sue Supervisor", None, None),
        person("root", "Platform Admin", None, None),
    ]
}

type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Creates whatever demo data is missing; returns the host's users. Every step finds what
/// is already there before creating it, so a start after a crash completes the data, and
/// two portals starting together on one database (which hold [`SeedLock`] around this
/// call) end with one set of demo data.
pub(crate) async fn ensure(service: &HelpdeskService) -> Fallible<Vec<Person>> {
    let people = people();
    let root = service
        .ensure_platform_admin(&UserId::new("root")?, "Platform Admin")
        .await?;
    let acme = service
        .ensure_tenant(&root, "acme", "Acme Corporation")
        .await?;
    let globex = service.ensure_tenant(&root, "globex", "Globex").await?;
    let groups = service.groups(&root).await?;
    let group = async |name: &str| -> Fallible<GroupId> {
        match groups.iter().find(|g| g.name == name) {
            Some(g) => Ok(g.id),
            None => Ok(service.create_group(&root, name).await?.id),
        }
    };
    let software = group("Support logiciel").await?;
    let hardware = group("Matériel et réseau").await?;
    let sam = ensure_staff(service, &root, [software, hardware]).await?;
    let members = ensure_members(service, &people, &acme, &globex).await?;
    for tenant in [&acme, &globex] {
        ensure_catalog(service, &root, tenant, [software, hardware]).await?;
    }
    let has_tickets = async |tenant: TenantId| -> Fallible<bool> {
        match service
            .ticket_by_number(&root, tenant, TicketNumber::FIRST)
            .await
        {
            Ok(_) => Ok(true),
            Err(helpdesk_core::Error::NotFound(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    };
    if !has_tickets(acme.id).await? {
        ensure_custom_fields(service, &root, &acme).await?;
        acme_tickets(service, &root, &acme, &sam, &members).await?;
    }
    if !has_tickets(globex.id).await? {
        service
            .open(
                &members["dave"],
                globex.id,
                NewTicket {
                    subject: "Export de paie en erreur".into(),
                    description: "<p>Le fichier de virement est vide.</p>".into(),
                    priority: Some(Priority::Blocking),
                    ..NewTicket::default()
                },
                vec![],
            )
            .await?;
    }
    Ok(people)
}

/// Sam (agent of every tenant, in both groups) and Sue (supervisor); returns Sam.
async fn ensure_staff(
    service: &HelpdeskService,
    root: &Actor,
    [software, hardware]: [GroupId; 2],
) -> Fallible<Actor> {
    let staff = service.staff_list(root).await?;
    let sam_user = UserId::new("sam")?;
    let sam = match staff.iter().find(|s| s.user == sam_user) {
        Some(staff) => Actor::Staff(staff.clone()),
        None => Actor::Staff(
            service
                .add_staff(
                    root,
                    StaffDetails {
                        user: &sam_user,
                        display_name: "Sam Support",
                        email: Some("sam@example.org"),
                        role: StaffRole::Agent,
                        tenants: TenantScope::All,
                        groups: vec![software, hardware],
                    },
                )
                .await?,
        ),
    };
    let sue_user = UserId::new("sue")?;
    if !staff.iter().any(|s| s.user == sue_user) {
        service
            .add_staff(
                root,
                StaffDetails {
                    user: &sue_user,
                    display_name: "Sue Supervisor",
                    email: Some("sue@example.org"),
                    role: StaffRole::Supervisor,
                    tenants: TenantScope::All,
                    groups: vec![],
                },
            )
            .await?;
    }
    Ok(sam)
}

/// The members of `acme` and `globex` among `people`, by login.
async fn ensure_members(
    service: &HelpdeskService,
    people: &[Person],
    acme: &Tenant,
    globex: &Tenant,
) -> Fallible<HashMap<String, Actor>> {
    let mut members = HashMap::new();
    for p in people {
        let (Some(slug), Some(role)) = (&p.tenant, p.member_role) else {
            continue;
        };
        let tenant = if slug == "acme" { acme.id } else { globex.id };
        let email = format!("{}@example.org", p.login);
        let member = service
            .ensure_member(
                tenant,
                MemberDetails {
                    user: &UserId::new(&p.login)?,
                    display_name: &p.name,
                    email: Some(&email),
                    role,
                },
            )
            .await?;
        members.insert(p.login.clone(), Actor::Member(member));
    }
    Ok(members)
}

/// The tenant's categories, products and knowledge base article, each set created only
/// when the tenant has none.
async fn ensure_catalog(
    service: &HelpdeskService,
    root: &Actor,
    tenant: &Tenant,
    [software, hardware]: [GroupId; 2],
) -> Fallible<()> {
    if service.categories(root, tenant.id).await?.is_empty() {
        let logiciel = service
            .create_category(root, tenant.id, None, "Logiciel", Some(software))
            .await?;
        service
            .create_category(root, tenant.id, Some(logiciel.id), "Connexion", None)
            .await?;
        service
            .create_category(root, tenant.id, None, "Imprimantes", Some(hardware))
            .await?;
    }
    if service.products(root, tenant.id).await?.is_empty() {
        service
            .create_product(root, tenant.id, Some("INL"), "Indeline")
            .await?;
        service
            .create_product(root, tenant.id, Some("WPA"), "Winpaie")
            .await?;
    }
    if service.articles(root, tenant.id).await?.is_empty() {
        service
            .create_article(
                root,
                tenant.id,
                helpdesk_core::ArticleDraft {
                    category: None,
                    title: "Réinitialiser son mot de passe",
                    body: "<p>Cliquez sur « Mot de passe oublié » sur la page de connexion.</p>",
                    published: true,
                },
            )
            .await?;
    }
    Ok(())
}

/// The fields acme's new-ticket form asks, set on a first start (a tenant without
/// tickets nor custom fields): the school, required, and the room or workstation; and
/// its service levels.
async fn ensure_custom_fields(
    service: &HelpdeskService,
    root: &Actor,
    acme: &Tenant,
) -> Fallible<()> {
    if !acme.settings.custom_fields.is_empty() {
        return Ok(());
    }
    let field = |key: &str, fr: &str, en: &str, required: bool, help: Option<(&str, &str)>| {
        CustomFieldDefinition {
            key: key.to_owned(),
            labels: BTreeMap::from([
                ("fr".to_owned(), fr.to_owned()),
                ("en".to_owned(), en.to_owned()),
            ]),
            required,
            help: help.map_or_else(BTreeMap::new, |(fr, en)| {
                BTreeMap::from([
                    ("fr".to_owned(), fr.to_owned()),
                    ("en".to_owned(), en.to_owned()),
                ])
            }),
        }
    };
    let mut settings = acme.settings.clone();
    settings.custom_fields = vec![
        field("school", "Établissement", "School", true, None),
        field(
            "room",
            "Salle / poste",
            "Room / workstation",
            false,
            Some((
                "Par exemple : salle B12, poste 3.",
                "For example: room B12, workstation 3.",
            )),
        ),
    ];
    settings.service_levels = demo_service_levels();
    service
        .update_tenant(root, acme.id, &acme.name, settings)
        .await?;
    Ok(())
}

/// Acme's service levels, on the default calendar (Monday to Friday, 09:00-18:00,
/// Paris): the more urgent the ticket, the sooner a first response and a resolution are
/// due, in working hours.
fn demo_service_levels() -> ServiceLevelPolicy {
    let mut policy = ServiceLevelPolicy::default();
    for (priority, first_response, resolution) in [
        (
            Priority::Blocking,
            BusinessDuration::minutes(30),
            BusinessDuration::hours(4),
        ),
        (
            Priority::High,
            BusinessDuration::hours(1),
            BusinessDuration::hours(9),
        ),
        (
            Priority::Normal,
            BusinessDuration::hours(4),
            BusinessDuration::hours(18),
        ),
        (
            Priority::Low,
            BusinessDuration::hours(9),
            BusinessDuration::hours(45),
        ),
    ] {
        let targets = policy.targets.get_mut(priority);
        targets.first_response = Some(first_response);
        targets.resolution = Some(resolution);
    }
    policy
}

async fn acme_tickets(
    service: &HelpdeskService,
    root: &Actor,
    acme: &Tenant,
    sam: &Actor,
    members: &HashMap<String, Actor>,
) -> Fallible<()> {
    let categories = service.categories(root, acme.id).await?;
    let printers = categories
        .iter()
        .find(|c| c.name == "Imprimantes")
        .map(|c| c.id);
    let alice = &members["alice"];
    let first = service
        .open(
            alice,
            acme.id,
            NewTicket {
                subject: "Imprimante du 2e étage bloquée".into(),
                description: "<p>Bourrage papier dans le bac 2.</p>".into(),
                category: printers,
                priority: Some(Priority::High),
                custom_fields: school("Lycée Jean Moulin", Some("Salle des professeurs")),
                ..NewTicket::default()
            },
            vec![],
        )
        .await?;
    service
        .assign(sam, first.id, None, sam.as_staff().map(|s| s.id), None)
        .await?;
    service
        .reply(
            sam,
            first.id,
            None,
            "<p>Je passe dans la matinée.</p>",
            vec![],
        )
        .await?;
    service
        .open(
            &members["bob"],
            acme.id,
            NewTicket {
                subject: "Connexion impossible à Indeline".into(),
                description: "<p>Mot de passe refusé depuis ce matin.</p>".into(),
                custom_fields: school("Collège Victor Hugo", None),
                ..NewTicket::default()
            },
            vec![],
        )
        .await?;
    Ok(())
}

/// The custom field values of a demo ticket of acme.
fn school(school: &str, room: Option<&str>) -> BTreeMap<String, String> {
    let mut values = BTreeMap::from([("school".to_owned(), school.to_owned())]);
    if let Some(room) = room {
        values.insert("room".to_owned(), room.to_owned());
    }
    values
}

/// Held while the demo data is checked and created, so that two portals starting at the
/// same instant on one database seed it once: a PostgreSQL advisory lock on a connection
/// of its own, or an exclusive lock on a file beside the SQLite database. Both go with
/// the process if it dies.
pub(crate) enum SeedLock {
    /// The connection holding `pg_advisory_lock`.
    Postgres(helpdesk_sqlx::sqlx::PgConnection),
    /// The locked file.
    File(std::fs::File),
    /// An in-memory database: one process only.
    None,
}

/// The advisory lock key of demo seeding ("portal s" in ASCII).
const SEED_LOCK: i64 = 0x706f_7274_616c_2073;

impl SeedLock {
    /// Waits for the lock on the PostgreSQL database `store` uses.
    pub(crate) async fn postgres(store: &helpdesk_sqlx::PostgresStore) -> Fallible<Self> {
        use helpdesk_sqlx::sqlx::{self, Connection};
        let options = store.pool().connect_options();
        let mut conn = sqlx::PgConnection::connect_with(&options).await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(SEED_LOCK)
            .execute(&mut conn)
            .await?;
        Ok(SeedLock::Postgres(conn))
    }

    /// Waits for the lock of the SQLite database at `url`.
    pub(crate) async fn sqlite(url: &str) -> Fallible<Self> {
        let options = helpdesk_sqlx::SqliteStore::options(url)?;
        let file = options.get_filename();
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Ok(SeedLock::None);
        }
        let mut path = file.as_os_str().to_owned();
        path.push(".seed-lock");
        let file = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)?;
            file.lock()?;
            Ok(file)
        })
        .await??;
        Ok(SeedLock::File(file))
    }

    /// Lets the other process in.
    pub(crate) async fn release(self) -> Fallible<()> {
        match self {
            SeedLock::Postgres(mut conn) => {
                use helpdesk_sqlx::sqlx::{self, Connection};
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(SEED_LOCK)
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
            }
            SeedLock::File(file) => file.unlock()?,
            SeedLock::None => {}
        }
        Ok(())
    }
}
