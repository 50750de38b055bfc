//! Members of the tenant: the list, blocking and unblocking, the role, a new member.

use axum::Router;
use axum::extract::{FromRef, Path, RawQuery};
use axum::response::Response;
use axum::routing::{get, post};
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{MAX_MEMBER_RESULTS, MemberDetails, MemberId, MemberRole, UserId};
use maud::{Markup, html};
use serde::Deserialize;

use super::{
    Problem, admin_page, banners, done, parse_id, problem, require_admin, see_other, status_of,
    tenant_or_choice, text_field,
};
use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::Msg;
use crate::site::Viewer;

const PATH: &str = "/admin/members";

pub(super) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route(PATH, get(list).post(add))
        .route("/admin/members/{id}/blocked", post(set_blocked))
        .route("/admin/members/{id}/role", post(set_role))
}

/// The new-member form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewMember {
    user: String,
    display_name: String,
    email: String,
    role: String,
}

fn role_of(value: &str) -> Option<MemberRole> {
    match value {
        "requester" => Some(MemberRole::Requester),
        "tenant_admin" => Some(MemberRole::TenantAdmin),
        _ => None,
    }
}

fn role_value(role: MemberRole) -> &'static str {
    match role {
        MemberRole::Requester => "requester",
        MemberRole::TenantAdmin => "tenant_admin",
    }
}

async fn list(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    render(viewer, done(&query), NewMember::default(), None).await
}

/// The words searched for, from `?q=` (read leniently: a bad query searches nothing).
fn searched(viewer: &Viewer) -> String {
    let query = viewer.site.here.split_once('?').map_or("", |(_, q)| q);
    serde_html_form::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

async fn render(
    viewer: Viewer,
    done: bool,
    form: NewMember,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let q = searched(&viewer);
    // The store finds them (name, login or email, folded like search): the page never
    // loads the whole tenant.
    let members = viewer
        .service
        .find_members(&viewer.actor, tenant.id, &q, MAX_MEMBER_RESULTS)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    let more = members.len() >= MAX_MEMBER_RESULTS as usize;
    let site = &viewer.site;
    let lang = site.lang;
    let me = viewer.actor.as_member().map(|m| m.id);
    let content = html! {
        (banners(site, done, problem.as_ref()))
        form class="hd-inline-form hd-admin-search" method="get" action=(site.href(PATH)) role="search" {
            @if let Some(slug) = &site.tenant_slug {
                input type="hidden" name="tenant" value=(slug);
            }
            label for="m-q" { (site.t(Msg::AdmSearchMembers)) }
            input id="m-q" type="search" name="q" value=(q) maxlength="200";
            button type="submit" class="hd-secondary" { (site.t(Msg::Search)) }
        }
        p class="hd-muted" role="status" {
            (members.len()) " " (site.t(Msg::AdmMembersCount))
            @if more { " — " (site.t(Msg::AdmMembersMore)) }
        }
        @if members.is_empty() {
            p class="hd-muted" { (site.t(Msg::AdmNone)) }
        } @else {
            div class="hd-table-wrap" {
                table class="hd-table" {
                    thead { tr {
                        @for column in [Msg::AdmName, Msg::AdmLogin, Msg::AdmEmail, Msg::AdmRole, Msg::AdmBlocked] {
                            th scope="col" { (site.t(column)) }
                        }
                        @if can.administer { th scope="col" { (site.t(Msg::AdmActions)) } }
                    } }
                    tbody {
                        @for m in &members {
                            tr {
                                td data-label=(site.t(Msg::AdmName)) { (m.display_name) }
                                td data-label=(site.t(Msg::AdmLogin)) { code { (m.user.as_str()) } }
                                td data-label=(site.t(Msg::AdmEmail)) { (m.email.as_deref().unwrap_or(site.t(Msg::NotSet))) }
                                td data-label=(site.t(Msg::AdmRole)) { (lang.member_role(m.role)) }
                                td data-label=(site.t(Msg::AdmBlocked)) {
                                    @if m.blocked { span class="hd-badge hd-badge-warn" { (site.t(Msg::AdmYes)) } } @else { (site.t(Msg::AdmNo)) }
                                }
                                @if can.administer {
                                    td data-label=(site.t(Msg::AdmActions)) {
                                        (row_actions(site, me, m))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if can.administer {
            (add_member_form(site, &form))
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmMembers,
        content,
    ))
}

/// A member's row actions: block or unblock (not oneself), change the role.
fn row_actions(
    site: &crate::site::Site,
    me: Option<helpdesk_core::MemberId>,
    m: &helpdesk_core::Member,
) -> Markup {
    let lang = site.lang;
    html! {
        div class="hd-admin-row-actions" {
            @if me != Some(m.id) {
                form method="post" action=(site.href(&format!("/admin/members/{}/blocked", m.id))) {
                    (crate::layout::token_field(site))
                    input type="hidden" name="blocked" value=(if m.blocked { "0" } else { "1" });
                    button type="submit" class=[(!m.blocked).then_some("hd-danger")] {
                        (site.t(if m.blocked { Msg::AdmUnblock } else { Msg::AdmBlock }))
                        span class="hd-visually-hidden" { " " (m.display_name) }
                    }
                }
            }
            form method="post" class="hd-inline-form" action=(site.href(&format!("/admin/members/{}/role", m.id))) {
                (crate::layout::token_field(site))
                label for=(format!("role-{}", m.id)) class="hd-visually-hidden" { (site.t(Msg::AdmRole)) " — " (m.display_name) }
                select id=(format!("role-{}", m.id)) name="role" {
                    @for role in [MemberRole::Requester, MemberRole::TenantAdmin] {
                        option value=(role_value(role)) selected[role == m.role] { (lang.member_role(role)) }
                    }
                }
                button type="submit" class="hd-secondary" { (site.t(Msg::AdmChangeRole)) }
            }
        }
    }
}

/// The form that adds a member, with what was typed.
fn add_member_form(site: &crate::site::Site, form: &NewMember) -> Markup {
    let lang = site.lang;
    html! {
    section aria-labelledby="hd-add-member" {
        h2 id="hd-add-member" { (site.t(Msg::AdmAddMember)) }
        p class="hd-muted" { (site.t(Msg::AdmAddMemberHelp)) }
        form class="hd-form" method="post" action=(site.href(PATH)) {
            (crate::layout::token_field(site))
            (text_field(site, "m-user", "user", Msg::AdmLogin, &form.user, true))
            (text_field(site, "m-name", "display_name", Msg::AdmDisplayName, &form.display_name, true))
            div class="hd-field" {
                label for="m-email" { (site.t(Msg::AdmEmail)) }
                input id="m-email" type="email" name="email" value=(form.email) maxlength="254";
            }
            div class="hd-field" {
                label for="m-role" { (site.t(Msg::AdmRole)) }
                select id="m-role" name="role" {
                    @for role in [MemberRole::Requester, MemberRole::TenantAdmin] {
                        option value=(role_value(role)) selected[form.role == role_value(role)] { (lang.member_role(role)) }
                    }
                }
            }
            div class="hd-actions" { button type="submit" { (site.t(Msg::AdmAdd)) } }
        }
    }
    }
}

async fn add(viewer: Viewer, WebForm(form): WebForm<NewMember>) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let lang = viewer.site.lang;
    let Some(role) = role_of(&form.role) else {
        let p = Problem::field(lang, "role", "?");
        return render(viewer, false, form, Some(p)).await;
    };
    let user = match UserId::new(form.user.trim()) {
        Ok(user) => user,
        Err(e) => {
            let p = Problem::field(lang, "user", &e.reason);
            return render(viewer, false, form, Some(p)).await;
        }
    };
    let email = form.email.trim();
    let result = viewer
        .service
        .add_member(
            &viewer.actor,
            tenant.id,
            MemberDetails {
                user: &user,
                display_name: &form.display_name,
                email: (!email.is_empty()).then_some(email),
                role,
            },
        )
        .await;
    match result {
        Ok(_) => Ok(see_other(&viewer.site, PATH)),
        Err(e) => {
            let p = problem(&viewer.site, e)?;
            render(viewer, false, form, Some(p)).await
        }
    }
}

#[derive(Debug, Deserialize)]
struct Blocked {
    blocked: String,
}

async fn set_blocked(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(form): WebForm<Blocked>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = &viewer.site;
    let id: MemberId = parse_id(site, &id)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    viewer
        .service
        .set_member_blocked(&viewer.actor, tenant.id, id, form.blocked == "1")
        .await
        .map_err(|e| PageError::domain(site, e))?;
    Ok(see_other(site, PATH))
}

#[derive(Debug, Deserialize)]
struct Role {
    role: String,
}

async fn set_role(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(form): WebForm<Role>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = &viewer.site;
    let id: MemberId = parse_id(site, &id)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let role = role_of(&form.role).ok_or_else(|| {
        PageError::domain(
            site,
            helpdesk_core::Error::invalid("role", "requester or tenant_admin"),
        )
    })?;
    viewer
        .service
        .set_member_role(&viewer.actor, tenant.id, id, role)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    Ok(see_other(site, PATH))
}
