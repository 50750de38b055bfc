//! Support staff and their groups: the list, a new staff member, editing one (a form
//! read from a record changed since is sent back, 409, with what was typed), groups
//! created and renamed.

use std::hash::{DefaultHasher, Hash, Hasher};

use axum::Router;
use axum::extract::{FromRef, Path, RawQuery};
use axum::response::Response;
use axum::routing::{get, post};
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{
    Group, GroupId, Staff, StaffChanges, StaffDetails, StaffId, StaffRole, Tenant, TenantId,
    TenantScope, UserId,
};
use maud::{Markup, html};
use serde::Deserialize;

use super::{
    Can, Problem, admin_page, banners, check_field, done, parse_id, problem, require_admin,
    save_or_cancel, see_other, status_of, text_field, ticked,
};
use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::Msg;
use crate::site::{Site, Viewer};

const PATH: &str = "/admin/staff";

pub(super) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route(PATH, get(list).post(add))
        .route("/admin/staff/{id}", get(edit).post(update))
        .route("/admin/groups", post(create_group))
        .route("/admin/groups/{id}", post(rename_group))
}

/// A staff form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StaffForm {
    user: String,
    display_name: String,
    email: String,
    role: String,
    all_tenants: Option<String>,
    tenants: Vec<String>,
    groups: Vec<String>,
    active: Option<String>,
    /// The fingerprint of the record the edit form was read from.
    seen: String,
}

/// A group form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct GroupForm {
    name: String,
}

const ROLES: [StaffRole; 3] = [
    StaffRole::Agent,
    StaffRole::Supervisor,
    StaffRole::PlatformAdmin,
];

fn role_value(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Agent => "agent",
        StaffRole::Supervisor => "supervisor",
        StaffRole::PlatformAdmin => "platform_admin",
    }
}

fn role_of(value: &str) -> Option<StaffRole> {
    ROLES.into_iter().find(|r| role_value(*r) == value)
}

/// The fingerprint of a staff record, to tell whether it changed since a form was read.
fn fingerprint(staff: &Staff) -> String {
    let mut hasher = DefaultHasher::new();
    format!("{staff:?}").hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

struct Data {
    staff: Vec<Staff>,
    groups: Vec<Group>,
    tenants: Vec<Tenant>,
}

async fn load(viewer: &Viewer) -> Result<Data, PageError> {
    let site = &viewer.site;
    let staff = viewer
        .service
        .staff_list(&viewer.actor)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let groups = viewer
        .service
        .groups(&viewer.actor)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let tenants = viewer
        .service
        .tenants(&viewer.actor)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    Ok(Data {
        staff,
        groups,
        tenants,
    })
}

fn tenants_text(site: &Site, data: &Data, scope: &TenantScope) -> String {
    match scope {
        TenantScope::All => site.t(Msg::AllTenants).to_owned(),
        TenantScope::Only(ids) => ids
            .iter()
            .map(|id| {
                data.tenants
                    .iter()
                    .find(|t| t.id == *id)
                    .map_or_else(|| id.to_string(), |t| t.name.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn groups_text(site: &Site, data: &Data, ids: &[GroupId]) -> String {
    if ids.is_empty() {
        return site.t(Msg::NotSet).to_owned();
    }
    ids.iter()
        .map(|id| {
            data.groups
                .iter()
                .find(|g| g.id == *id)
                .map_or_else(|| id.to_string(), |g| g.name.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fields of a staff form; `can` decides which roles and tenants may be chosen.
fn fields(site: &Site, can: Can, data: &Data, form: &StaffForm, new: bool) -> Markup {
    let lang = site.lang;
    let roles: Vec<StaffRole> = if can.platform {
        ROLES.to_vec()
    } else {
        vec![StaffRole::Agent]
    };
    html! {
        @if new {
            (text_field(site, "s-user", "user", Msg::AdmLogin, &form.user, true))
        }
        (text_field(site, "s-name", "display_name", Msg::AdmDisplayName, &form.display_name, true))
        div class="hd-field" {
            label for="s-email" { (site.t(Msg::AdmEmail)) }
            input id="s-email" type="email" name="email" value=(form.email) maxlength="254";
        }
        div class="hd-field" {
            label for="s-role" { (site.t(Msg::AdmRole)) }
            select id="s-role" name="role" {
                @for role in &roles {
                    option value=(role_value(*role)) selected[form.role == role_value(*role)] { (lang.staff_role(*role)) }
                }
            }
        }
        fieldset {
            legend { (site.t(Msg::AdmTenants)) }
            div class="hd-checks" {
                @if can.platform {
                    label { input type="checkbox" name="all_tenants" value="1" checked[ticked(form.all_tenants.as_ref())]; (site.t(Msg::AllTenants)) }
                }
                @for t in &data.tenants {
                    label { input type="checkbox" name="tenants" value=(t.id) checked[form.tenants.contains(&t.id.to_string())]; (t.name) }
                }
            }
        }
        fieldset {
            legend { (site.t(Msg::AdmGroups)) }
            @if data.groups.is_empty() { p class="hd-muted" { (site.t(Msg::AdmNone)) } }
            div class="hd-checks" {
                @for g in &data.groups {
                    label { input type="checkbox" name="groups" value=(g.id) checked[form.groups.contains(&g.id.to_string())]; (g.name) }
                }
            }
        }
    }
}

async fn list(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    let form = StaffForm {
        role: "agent".into(),
        tenants: viewer.tenant.iter().map(|t| t.id.to_string()).collect(),
        ..StaffForm::default()
    };
    render(viewer, done(&query), form, None, None).await
}

async fn render(
    viewer: Viewer,
    done: bool,
    form: StaffForm,
    group_form: Option<(Option<GroupId>, String)>,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let data = load(&viewer).await?;
    let site = &viewer.site;
    let typed_group = |id: Option<GroupId>, current: &str| -> String {
        match &group_form {
            Some((g, name)) if *g == id => name.clone(),
            _ => current.to_owned(),
        }
    };
    let content = html! {
        (banners(site, done, problem.as_ref()))
        @if !can.manage_staff {
            p class="hd-muted" { (site.t(Msg::AdmReadOnly)) }
        }
        (staff_table(site, can, &data))
        @if can.manage_staff {
            section aria-labelledby="hd-add-staff" {
                h2 id="hd-add-staff" { (site.t(Msg::AdmAddStaff)) }
                @if !can.platform { p class="hd-muted" { (site.t(Msg::AdmSupervisorAddsAgents)) } }
                form class="hd-form" method="post" action=(site.href(PATH)) {
                    (crate::layout::token_field(site))
                    (fields(site, can, &data, &form, true))
                    div class="hd-actions" { button type="submit" { (site.t(Msg::AdmAdd)) } }
                }
            }
        }
        (groups_section(site, can, &data, &typed_group))
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmStaffAndGroups,
        content,
    ))
}

/// The staff, one row each, with a link to edit them for those who may.
fn staff_table(site: &Site, can: Can, data: &Data) -> Markup {
    let lang = site.lang;
    html! {
    h2 { (site.t(Msg::AdmStaff)) }
    div class="hd-table-wrap" {
        table class="hd-table" {
            thead { tr {
                @for column in [Msg::AdmName, Msg::AdmLogin, Msg::AdmRole, Msg::AdmGroups, Msg::AdmTenants, Msg::AdmActive] { th scope="col" { (site.t(column)) } }
                @if can.manage_staff { th scope="col" { (site.t(Msg::AdmActions)) } }
            } }
            tbody {
                @for s in &data.staff {
                    tr {
                        td data-label=(site.t(Msg::AdmName)) { (s.display_name) @if let Some(e) = &s.email { br; span class="hd-muted" { (e) } } }
                        td data-label=(site.t(Msg::AdmLogin)) { code { (s.user.as_str()) } }
                        td data-label=(site.t(Msg::AdmRole)) { (lang.staff_role(s.role)) }
                        td data-label=(site.t(Msg::AdmGroups)) { (groups_text(site, data, &s.groups)) }
                        td data-label=(site.t(Msg::AdmTenants)) { (tenants_text(site, data, &s.tenants)) }
                        td data-label=(site.t(Msg::AdmActive)) { (site.t(if s.active { Msg::AdmYes } else { Msg::AdmNo })) }
                        @if can.manage_staff {
                            td data-label=(site.t(Msg::AdmActions)) {
                                a href=(site.href(&format!("/admin/staff/{}", s.id))) { (site.t(Msg::AdmEdit)) span class="hd-visually-hidden" { " " (s.display_name) } }
                            }
                        }
                    }
                }
            }
        }
    }
    }
}

/// The groups, renamed in place by those who manage staff, and the form to add one.
fn groups_section(
    site: &Site,
    can: Can,
    data: &Data,
    typed_group: &dyn Fn(Option<GroupId>, &str) -> String,
) -> Markup {
    html! {
    section aria-labelledby="hd-groups" {
        h2 id="hd-groups" { (site.t(Msg::AdmGroups)) }
        @if data.groups.is_empty() { p class="hd-muted" { (site.t(Msg::AdmNone)) } }
        ul class="hd-admin-list" {
            @for g in &data.groups {
                li {
                    @if can.manage_staff {
                        form method="post" class="hd-inline-form" action=(site.href(&format!("/admin/groups/{}", g.id))) {
                            (crate::layout::token_field(site))
                            label for=(format!("g-{}", g.id)) class="hd-visually-hidden" { (site.t(Msg::AdmName)) " — " (g.name) }
                            input id=(format!("g-{}", g.id)) type="text" name="name" value=(typed_group(Some(g.id), &g.name)) required maxlength="200";
                            button type="submit" class="hd-secondary" { (site.t(Msg::AdmRename)) }
                        }
                    } @else {
                        (g.name)
                    }
                }
            }
        }
        @if can.manage_staff {
            form class="hd-form" method="post" action=(site.href("/admin/groups")) {
                (crate::layout::token_field(site))
                (text_field(site, "g-new", "name", Msg::AdmNewGroup, &typed_group(None, ""), true))
                div class="hd-actions" { button type="submit" { (site.t(Msg::AdmAdd)) } }
            }
        }
    }
    }
}

/// The tenants and groups a form chose, or the field that is wrong.
fn scope_and_groups(site: &Site, form: &StaffForm) -> Result<(TenantScope, Vec<GroupId>), Problem> {
    let tenants = if ticked(form.all_tenants.as_ref()) {
        TenantScope::All
    } else {
        TenantScope::Only(
            form.tenants
                .iter()
                .map(|t| t.parse::<TenantId>())
                .collect::<Result<_, _>>()
                .map_err(|_| Problem::field(site.lang, "tenants", "?"))?,
        )
    };
    let groups = form
        .groups
        .iter()
        .map(|g| g.parse::<GroupId>())
        .collect::<Result<_, _>>()
        .map_err(|_| Problem::field(site.lang, "groups", "?"))?;
    Ok((tenants, groups))
}

async fn add(viewer: Viewer, WebForm(form): WebForm<StaffForm>) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = viewer.site.clone();
    let parsed = scope_and_groups(&site, &form).and_then(|(tenants, groups)| {
        let role = role_of(&form.role).ok_or_else(|| Problem::field(site.lang, "role", "?"))?;
        let user = UserId::new(form.user.trim())
            .map_err(|e| Problem::field(site.lang, "user", &e.reason))?;
        Ok((tenants, groups, role, user))
    });
    let (tenants, groups, role, user) = match parsed {
        Ok(p) => p,
        Err(p) => return render(viewer, false, form, None, Some(p)).await,
    };
    let email = form.email.trim();
    let result = viewer
        .service
        .add_staff(
            &viewer.actor,
            StaffDetails {
                user: &user,
                display_name: &form.display_name,
                email: (!email.is_empty()).then_some(email),
                role,
                tenants,
                groups,
            },
        )
        .await;
    match result {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            render(viewer, false, form, None, Some(p)).await
        }
    }
}

fn form_of(staff: &Staff) -> StaffForm {
    StaffForm {
        user: staff.user.as_str().to_owned(),
        display_name: staff.display_name.clone(),
        email: staff.email.clone().unwrap_or_default(),
        role: role_value(staff.role).to_owned(),
        all_tenants: (staff.tenants == TenantScope::All).then(|| "1".to_owned()),
        tenants: match &staff.tenants {
            TenantScope::All => vec![],
            TenantScope::Only(ids) => ids.iter().map(ToString::to_string).collect(),
        },
        groups: staff.groups.iter().map(ToString::to_string).collect(),
        active: staff.active.then(|| "1".to_owned()),
        seen: fingerprint(staff),
    }
}

async fn edit(viewer: Viewer, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&viewer.site, &id)?;
    render_edit(viewer, id, None, None).await
}

async fn render_edit(
    viewer: Viewer,
    id: StaffId,
    form: Option<StaffForm>,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let site = &viewer.site;
    let staff = viewer
        .service
        .staff_member(&viewer.actor, id)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    if !can.manage_staff {
        return Err(PageError::domain(
            site,
            helpdesk_core::Error::Forbidden(helpdesk_core::Forbidden::RoleRequired),
        ));
    }
    let data = load(&viewer).await?;
    let current = form_of(&staff);
    let form = match form {
        // A stale form keeps what was typed, but is now based on the record as it is.
        Some(typed) => StaffForm {
            seen: current.seen.clone(),
            ..typed
        },
        None => current,
    };
    let content = html! {
        (banners(site, false, problem.as_ref()))
        p { (site.t(Msg::AdmLogin)) (site.lang.colon()) code { (staff.user.as_str()) } }
        form class="hd-form" method="post" action=(site.href(&format!("/admin/staff/{id}"))) {
            (crate::layout::token_field(site))
            input type="hidden" name="seen" value=(form.seen);
            (fields(site, can, &data, &form, false))
            (check_field(site, "s-active", "active", Msg::AdmActiveStaff, ticked(form.active.as_ref())))
            (save_or_cancel(site, PATH))
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmEditStaff,
        content,
    ))
}

async fn update(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(form): WebForm<StaffForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = viewer.site.clone();
    let id: StaffId = parse_id(&site, &id)?;
    let current = viewer
        .service
        .staff_member(&viewer.actor, id)
        .await
        .map_err(|e| PageError::domain(&site, e))?;
    if form.seen != fingerprint(&current) {
        let p = Problem::stale(site.lang);
        return render_edit(viewer, id, Some(form), Some(p)).await;
    }
    let parsed = scope_and_groups(&site, &form).and_then(|(tenants, groups)| {
        let role = role_of(&form.role).ok_or_else(|| Problem::field(site.lang, "role", "?"))?;
        Ok((tenants, groups, role))
    });
    let (tenants, groups, role) = match parsed {
        Ok(p) => p,
        Err(p) => return render_edit(viewer, id, Some(form), Some(p)).await,
    };
    let email = form.email.trim();
    let email = (!email.is_empty()).then(|| email.to_owned());
    let active = ticked(form.active.as_ref());
    // Only what the form changes is sent: the core merges it into the record as it is.
    let changes = StaffChanges {
        display_name: (form.display_name != current.display_name)
            .then(|| form.display_name.clone()),
        email: (email != current.email).then_some(email),
        role: (role != current.role).then_some(role),
        tenants: (tenants != current.tenants).then_some(tenants),
        groups: (groups != current.groups).then_some(groups),
        active: (active != current.active).then_some(active),
    };
    match viewer
        .service
        .update_staff(&viewer.actor, id, changes)
        .await
    {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            render_edit(viewer, id, Some(form), Some(p)).await
        }
    }
}

async fn create_group(
    viewer: Viewer,
    WebForm(form): WebForm<GroupForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = viewer.site.clone();
    match viewer.service.create_group(&viewer.actor, &form.name).await {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            let typed = StaffForm {
                role: "agent".into(),
                ..StaffForm::default()
            };
            render(viewer, false, typed, Some((None, form.name)), Some(p)).await
        }
    }
}

async fn rename_group(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(form): WebForm<GroupForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = viewer.site.clone();
    let id: GroupId = parse_id(&site, &id)?;
    match viewer
        .service
        .rename_group(&viewer.actor, id, &form.name)
        .await
    {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            let typed = StaffForm {
                role: "agent".into(),
                ..StaffForm::default()
            };
            render(viewer, false, typed, Some((Some(id), form.name)), Some(p)).await
        }
    }
}
