//! The requester filter: staff type a name (`requester_name`), the page finds the members
//! it names (`HelpdeskService::find_members`) in the tenant shown or in each tenant the
//! viewer serves; one match becomes the filter (`requester`, a member id, kept in saved
//! searches and exports like every criterion), several become a choice of links, none a
//! notice. Plain GET forms and links: it works without JavaScript.

use helpdesk_core::{Member, MemberId, TenantId};
use maud::{Markup, html};

use super::{ListForm, ListTenants};
use crate::error::PageError;
use crate::i18n::Msg;
use crate::site::{Viewer, encode};

/// The most members a name finds.
const FOUND_AT_MOST: u32 = 20;

/// What a name typed in the requester field gave.
#[derive(Debug)]
pub(super) enum Lookup {
    /// No name typed.
    NotAsked,
    /// Exactly one member: the list filters on them.
    One(MemberId),
    /// Several members: the viewer chooses one.
    Several { name: String, members: Vec<Member> },
    /// Nobody by that name: no filter.
    Nobody { name: String },
}

/// Whether the viewer may filter on a requester: staff and the tenant's admins.
pub(super) fn allowed(viewer: &Viewer) -> bool {
    viewer.is_staff()
        || matches!(&viewer.actor, helpdesk_core::Actor::Member(m) if m.role == helpdesk_core::MemberRole::TenantAdmin)
}

/// The tenants a name is looked for in: the one shown, else each the viewer serves.
fn tenants_searched(viewer: &Viewer, tenants: &ListTenants) -> Vec<TenantId> {
    match &viewer.tenant {
        Some(t) => vec![t.id],
        None => tenants.all.iter().map(|t| t.id).collect(),
    }
}

/// The members the typed name finds, when one was typed and no requester is chosen.
pub(super) async fn lookup(
    viewer: &Viewer,
    form: &ListForm,
    tenants: &ListTenants,
) -> Result<Lookup, PageError> {
    let name = form.requester_name.trim();
    if name.is_empty() || !form.requester.trim().is_empty() || !allowed(viewer) {
        return Ok(Lookup::NotAsked);
    }
    let mut members = Vec::new();
    for tenant in tenants_searched(viewer, tenants) {
        let found = viewer
            .service
            .find_members(&viewer.actor, tenant, name, FOUND_AT_MOST)
            .await
            .map_err(|e| PageError::domain(&viewer.site, e))?;
        members.extend(found);
    }
    members.truncate(FOUND_AT_MOST as usize);
    Ok(match members.as_slice() {
        [] => Lookup::Nobody {
            name: name.to_owned(),
        },
        [one] => Lookup::One(one.id),
        _ => Lookup::Several {
            name: name.to_owned(),
            members,
        },
    })
}

/// The list's query with `requester` set to `member` in place of the typed name.
pub(super) fn query_with(query: &str, member: MemberId) -> String {
    let rest = ListForm::without(
        query,
        &["after=", "tenant=", "requester=", "requester_name="],
    );
    let sep = if rest.is_empty() { "" } else { "&" };
    format!("{rest}{sep}requester={}", encode(&member.to_string()))
}

/// The chosen requester's name: from the tickets found, else from their tenant's members.
pub(super) async fn chosen_name(
    viewer: &Viewer,
    id: MemberId,
    names: &std::collections::BTreeMap<String, String>,
    tenants: &ListTenants,
) -> Option<String> {
    if let Some(name) = names.get(&id.to_string()) {
        return Some(name.clone());
    }
    for tenant in tenants_searched(viewer, tenants) {
        if let Ok(members) = viewer.service.members(&viewer.actor, tenant).await
            && let Some(m) = members.into_iter().find(|m| m.id == id)
        {
            return Some(m.display_name);
        }
    }
    None
}

/// The notice above the list for a name that found several members or nobody.
pub(super) fn notice(
    viewer: &Viewer,
    lookup: &Lookup,
    query: &str,
    tenants: &ListTenants,
) -> Markup {
    let site = &viewer.site;
    match lookup {
        Lookup::Several { name, members } => html! {
            section class="hd-notice" role="status" aria-labelledby="hd-requester-choice" {
                h2 id="hd-requester-choice" { (site.lang.labelled(site.t(Msg::SeveralRequesters), name)) }
                ul {
                    @for m in members {
                        li {
                            a href=(site.href(&format!("/tickets?{}", query_with(query, m.id)))) { (m.display_name) }
                            @if let Some(email) = &m.email { " (" (email) ")" }
                            @if let Some(tenant) = tenants.name(m.tenant) { " · " (tenant) }
                        }
                    }
                }
            }
        },
        Lookup::Nobody { name } => html! {
            p class="hd-notice" role="status" { (site.lang.labelled(site.t(Msg::NoRequesterByName), name)) }
        },
        Lookup::NotAsked | Lookup::One(_) => html! {},
    }
}

/// The requester field of the filter panel: the chosen requester by name with a link
/// removing them, else the name field.
pub(super) fn field(viewer: &Viewer, form: &ListForm, chosen: Option<&str>, query: &str) -> Markup {
    let site = &viewer.site;
    if !allowed(viewer) {
        return html! {};
    }
    let id = form.requester.trim();
    html! {
        @if id.is_empty() {
            div class="hd-field" {
                label for="f-requester" { (site.t(Msg::Requester)) }
                input id="f-requester" type="search" name="requester_name" value=(form.requester_name.trim())
                    aria-describedby="f-requester-help";
                p id="f-requester-help" class="hd-hint" { (site.t(Msg::RequesterNameHelp)) }
            }
        } @else {
            div class="hd-field" {
                input type="hidden" name="requester" value=(id);
                p class="hd-chosen" {
                    (site.lang.labelled(site.t(Msg::Requester), chosen.unwrap_or(site.t(Msg::NotSet))))
                    " "
                    @let rest = ListForm::without(query, &["after=", "tenant=", "requester=", "requester_name="]);
                    a href=(super::list_href(viewer, &rest)) aria-label=(site.lang.labelled(site.t(Msg::RemoveRequester), chosen.unwrap_or(""))) { (site.t(Msg::RemoveRequester)) }
                }
            }
        }
    }
}
