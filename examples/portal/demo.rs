//! Demo data, created on first start: two tenants, their members, the support staff,
//! categories, products and a few tickets.

use helpdesk_core::{
    Actor, HelpdeskService, MemberDetails, MemberRole, NewTicket, Priority, StaffRole, TenantScope,
    UserId,
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

/// Creates the demo data unless it is there already; returns the host's users.
pub(crate) async fn ensure(service: &HelpdeskService) -> Fallible<Vec<Person>> {
    let people = people();
    let root_user = UserId::new("root")?;
    let root = match service.store().staff_by_user(&root_user).await? {
        Some(staff) => {
            let _ = Actor::Staff(staff);
            return Ok(people);
        }
        None => {
            service
                .bootstrap_platform_admin(&root_user, "Platform Admin")
                .await?
        }
    };
    let acme = service
        .create_tenant(&root, "acme", "Acme Corporation")
        .await?;
    let globex = service.create_tenant(&root, "globex", "Globex").await?;
    let software = service.create_group(&root, "Support logiciel").await?;
    let hardware = service.create_group(&root, "Matériel et réseau").await?;

    let mut sam = service
        .add_staff(
            &root,
            &UserId::new("sam")?,
            "Sam Support",
            Some("sam@example.org"),
            StaffRole::Agent,
            TenantScope::All,
        )
        .await?;
    sam.groups = vec![software.id, hardware.id];
    let sam = Actor::Staff(service.update_staff(&root, sam).await?);
    service
        .add_staff(
            &root,
            &UserId::new("sue")?,
            "Sue Supervisor",
            Some("sue@example.org"),
            StaffRole::Supervisor,
            TenantScope::All,
        )
        .await?;

    let mut members = std::collections::HashMap::new();
    for p in &people {
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

    for tenant in [&acme, &globex] {
        let logiciel = service
            .create_category(&root, tenant.id, None, "Logiciel", Some(software.id))
            .await?;
        service
            .create_category(&root, tenant.id, Some(logiciel.id), "Connexion", None)
            .await?;
        service
            .create_category(&root, tenant.id, None, "Imprimantes", Some(hardware.id))
            .await?;
        service
            .create_product(&root, tenant.id, Some("INL"), "Indeline")
            .await?;
        service
            .create_product(&root, tenant.id, Some("WPA"), "Winpaie")
            .await?;
        service
            .create_article(
                &root,
                tenant.id,
                None,
                "Réinitialiser son mot de passe",
                "<p>Cliquez sur « Mot de passe oublié » sur la page de connexion.</p>",
            )
            .await?;
    }

    let categories = service.categories(&root, acme.id).await?;
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
                ..NewTicket::default()
            },
            vec![],
        )
        .await?;
    service
        .assign(&sam, first.id, None, sam.as_staff().map(|s| s.id), None)
        .await?;
    service
        .reply(
            &sam,
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
                ..NewTicket::default()
            },
            vec![],
        )
        .await?;
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
    Ok(people)
}
