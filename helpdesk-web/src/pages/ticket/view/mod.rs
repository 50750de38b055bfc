//! Rendering the ticket page: the header, the sections (history, properties, files,
//! guests, who is notified) and the forms of the actions the viewer may take.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use helpdesk_core::{
    Actor, ActorRef, Category, CommandName, Group, Member, MemberRole, Product, Question,
    QuestionnaireDefinition, Staff, Tenant, TicketId, TicketView,
};
use maud::{Markup, html};

use super::Notice;
use crate::error::PageError;
use crate::i18n::{Lang, Msg};
use crate::layout;
use crate::site::{Site, Viewer};

mod forms;
mod history;
mod owner;
mod watchers;

/// What the user typed in a form that was not taken, to show it again in that form.
#[derive(Debug, Default)]
pub(crate) struct Kept {
    /// The form (`reply`, `note`, `assign`...), as in its path.
    pub(crate) action: String,
    /// The fields sent, by name.
    pub(crate) values: BTreeMap<String, String>,
}

/// A name search for one of the forms that name a member (`invite-guest`,
/// `reassign-requester`): the ticket page asked with `?find={action}&q={words}`, a plain
/// GET form, so the search works without JavaScript.
#[derive(Debug, Default)]
pub(crate) struct Find {
    /// The form the search is for.
    pub(crate) action: String,
    /// The words typed.
    pub(crate) q: String,
}

/// The forms a name search may be for.
pub(crate) const FINDS: [&str; 2] = ["invite-guest", "reassign-requester"];

/// The most members a name search shows.
const FOUND_AT_MOST: u32 = 20;

/// A name search and the members it found, by name.
#[derive(Debug)]
struct Found {
    action: String,
    q: String,
    members: Vec<Member>,
}

impl Kept {
    /// The value typed in `field` of form `action`, empty for any other form.
    fn get(&self, action: &str, field: &str) -> &str {
        if self.action == action {
            self.values.get(field).map_or("", String::as_str)
        } else {
            ""
        }
    }

    /// Whether the form `action` is the one kept (so it is shown open).
    fn is(&self, action: &str) -> bool {
        self.action == action
    }
}

/// What the page needs beside the ticket: its tenant and the lists its forms choose
/// from, each loaded only when the viewer may read it (an empty list otherwise).
struct Lists {
    tenant: Option<Tenant>,
    categories: Vec<Category>,
    products: Vec<Product>,
    groups: Vec<Group>,
    staff: Vec<Staff>,
}

impl Lists {
    async fn load(viewer: &Viewer, view: &TicketView) -> Lists {
        let service = &viewer.service;
        let actor = &viewer.actor;
        let tenant_id = view.ticket.tenant;
        let tenant = match &viewer.tenant {
            Some(t) if t.id == tenant_id => Some(t.clone()),
            _ => service.tenant(actor, tenant_id).await.ok(),
        };
        let admin = is_tenant_admin(actor);
        let staff_like = actor.is_staff() || admin;
        let wants_staff = view.actions.contains(&CommandName::Assign);
        Lists {
            tenant,
            categories: service
                .categories(actor, tenant_id)
                .await
                .unwrap_or_default(),
            products: service.products(actor, tenant_id).await.unwrap_or_default(),
            groups: if staff_like {
                service.groups(actor).await.unwrap_or_default()
            } else {
                vec![]
            },
            staff: if wants_staff {
                service
                    .staff_list(actor)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|s| s.active && s.serves(tenant_id))
                    .collect()
            } else {
                vec![]
            },
        }
    }

    fn category_path(&self, id: helpdesk_core::CategoryId) -> Option<String> {
        let mut names = Vec::new();
        let mut next = Some(id);
        // A tree, but guard against a cycle all the same.
        while let Some(current) = next {
            if names.len() > 16 {
                break;
            }
            let category = self.categories.iter().find(|c| c.id == current)?;
            names.push(category.name.as_str());
            next = category.parent;
        }
        names.reverse();
        Some(names.join(" / "))
    }

    fn group_name(&self, id: helpdesk_core::GroupId) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.name.as_str())
    }

    fn product_name(&self, id: helpdesk_core::ProductId) -> Option<&str> {
        self.products
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.as_str())
    }

    fn questionnaire(&self) -> QuestionnaireDefinition {
        self.tenant
            .as_ref()
            .map(|t| t.settings.questionnaire.clone())
            .unwrap_or_default()
    }
}

fn is_tenant_admin(actor: &Actor) -> bool {
    matches!(actor, Actor::Member(m) if m.role == MemberRole::TenantAdmin)
}

/// The ticket page, with a notice and the kept text of a form that was not taken.
pub(crate) async fn show(
    viewer: &Viewer,
    id: TicketId,
    notice: Option<Notice>,
    kept: &Kept,
) -> Result<Response, PageError> {
    show_found(viewer, id, notice, kept, None).await
}

/// [`show`], with the members a name search finds for one of its forms (as far as the
/// viewer may find members: see `HelpdeskService::find_members`).
pub(crate) async fn show_found(
    viewer: &Viewer,
    id: TicketId,
    notice: Option<Notice>,
    kept: &Kept,
    find: Option<Find>,
) -> Result<Response, PageError> {
    let view = viewer
        .service
        .ticket(&viewer.actor, id)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    let lists = Lists::load(viewer, &view).await;
    let owner = owner::load(viewer, &view).await;
    let watchers = watchers::load(viewer, &view).await;
    let found = match find {
        Some(find) if FINDS.contains(&find.action.as_str()) => Some(Found {
            members: viewer
                .service
                .find_members(&viewer.actor, view.ticket.tenant, &find.q, FOUND_AT_MOST)
                .await
                .map_err(|e| PageError::domain(&viewer.site, e))?,
            action: find.action,
            q: find.q,
        }),
        _ => None,
    };
    let found = found.as_ref();
    let site = &viewer.site;
    let title = format!(
        "{}{} — {}",
        site.t(Msg::TicketTitle),
        view.ticket.number,
        view.ticket.subject
    );
    let page = Page {
        viewer,
        view: &view,
        lists: &lists,
        kept,
        found,
        owner: owner.as_ref(),
        watchers: &watchers,
    };
    let status = notice.as_ref().map_or(StatusCode::OK, |n| n.status);
    let content = html! {
        @if let Some(notice) = &notice {
            section class="hd-error" role="alert" {
                h2 { (site.t(Msg::ErrorTitle)) }
                p { (site.t(notice.message)) }
                @if let Some(detail) = &notice.detail { p { (detail) } }
            }
        }
        (page.header(&title))
        (page.sections_nav())
        div class="hd-ticket-body" {
            (page.history())
            (page.actions())
            (page.properties())
            (page.files())
            (page.guests())
            (page.watchers())
            (page.owner_tickets())
        }
    };
    Ok(layout::page_with_status(
        site,
        status,
        layout::nav(viewer),
        &title,
        content,
    ))
}

/// One rendering of the page.
struct Page<'a> {
    viewer: &'a Viewer,
    view: &'a TicketView,
    lists: &'a Lists,
    kept: &'a Kept,
    found: Option<&'a Found>,
    /// The requester's latest tickets, for staff.
    owner: Option<&'a helpdesk_core::TicketList>,
    /// Who is told about the ticket.
    watchers: &'a [helpdesk_core::Watcher],
}

impl Page<'_> {
    fn site(&self) -> &Site {
        &self.viewer.site
    }

    fn t(&self, msg: Msg) -> &'static str {
        self.viewer.site.t(msg)
    }

    fn lang(&self) -> Lang {
        self.viewer.site.lang
    }

    /// The colon between a label and its value: spaced in French, not in English.
    fn colon(&self) -> &'static str {
        self.lang().colon()
    }

    fn may(&self, action: CommandName) -> bool {
        self.view.actions.contains(&action)
    }

    fn name_of(&self, id: impl ToString) -> String {
        self.view
            .names
            .get(&id.to_string())
            .cloned()
            .unwrap_or_else(|| self.t(Msg::NotSet).to_owned())
    }

    fn author(&self, author: ActorRef) -> String {
        match author {
            ActorRef::Member(m) => self.name_of(m),
            ActorRef::Staff(s) => self.name_of(s),
            ActorRef::System => self.t(Msg::SystemAuthor).to_owned(),
        }
    }

    fn status(&self, status: helpdesk_core::Status) -> String {
        self.viewer.status_label(self.lists.tenant.as_ref(), status)
    }

    /// The group's name, "—" for none: from the groups the viewer may list, else from
    /// the names the ticket view carries (requesters may not list groups).
    fn group_shown(&self, group: Option<helpdesk_core::GroupId>) -> Option<&str> {
        match group {
            None => Some(self.t(Msg::NotSet)),
            Some(g) => self
                .lists
                .group_name(g)
                .or_else(|| self.view.names.get(&g.to_string()).map(String::as_str)),
        }
    }

    /// The custom fields to show: each one the tenant defines, in its order, with its
    /// label in the viewer's language ("—" when the ticket has no value), then the keys
    /// it does not define, as they are.
    fn custom_fields(&self) -> Vec<(&str, &str)> {
        let values = &self.view.ticket.custom_fields;
        let settings = self.lists.tenant.as_ref().map(|t| &t.settings);
        let definitions = settings.map_or(&[][..], |s| s.custom_fields.as_slice());
        let lang = self.lang();
        let mut shown: Vec<(&str, &str)> = definitions
            .iter()
            .map(|d| {
                let value = values
                    .get(&d.key)
                    .map_or(self.t(Msg::NotSet), String::as_str);
                (crate::custom_fields::label(settings, lang, &d.key), value)
            })
            .collect();
        shown.extend(
            values
                .iter()
                .filter(|(key, _)| !definitions.iter().any(|d| &d.key == *key))
                .map(|(key, value)| (key.as_str(), value.as_str())),
        );
        shown
    }

    fn href(&self, path: &str) -> String {
        self.site()
            .href(&format!("/tickets/{}{path}", self.view.ticket.id))
    }

    fn header(&self, title: &str) -> Markup {
        let ticket = &self.view.ticket;
        let lang = self.lang();
        let not_set = self.t(Msg::NotSet);
        html! {
            header class="hd-ticket-header" {
                h1 { (title) }
                p {
                    span class="hd-badge" { (self.status(ticket.status())) }
                    " "
                    span class="hd-badge" { (self.t(Msg::Priority)) (self.colon()) (lang.priority(ticket.priority)) }
                }
                dl {
                    (item(self.t(Msg::Number), &ticket.number.to_string()))
                    (item(self.t(Msg::Status), &self.status(ticket.status())))
                    (item(self.t(Msg::Priority), lang.priority(ticket.priority)))
                    (item(self.t(Msg::Requester), &self.name_of(ticket.requester)))
                    (item(self.t(Msg::Assignee), &ticket.assignee.map_or_else(|| self.t(Msg::Unassigned).to_owned(), |a| self.name_of(a))))
                    @if let Some(group) = self.group_shown(ticket.group) {
                        (item(self.t(Msg::Group), group))
                    }
                    (item(self.t(Msg::Category), &ticket.category.and_then(|c| self.lists.category_path(c)).unwrap_or_else(|| not_set.to_owned())))
                    (item(self.t(Msg::Product), ticket.product.and_then(|p| self.lists.product_name(p)).unwrap_or(not_set)))
                    (item_html(self.t(Msg::Opened), lang.time(ticket.created_at)))
                    (item_html(self.t(Msg::Updated), lang.time(ticket.updated_at)))
                    @if let Some(at) = self.view.archived_at {
                        @let label = if at <= self.viewer.service.now() { Msg::ArchivedOn } else { Msg::ArchivesOn };
                        (item_html(self.t(label), lang.time(at)))
                    }
                    @for (label, target) in [
                        (Msg::SlaFirstResponse, self.view.service_level.first_response),
                        (Msg::SlaResolution, self.view.service_level.resolution),
                    ] {
                        @if let Some(target) = target {
                            (item_html(self.t(label), html! {
                                (lang.time(target.due)) " · "
                                span class=(format!("hd-sla hd-sla-{}", sla_class(target.status))) {
                                    (self.t(sla_words(target.status)))
                                }
                            }))
                        }
                    }
                    (item(self.t(Msg::Phone), ticket.contact_phone.as_deref().unwrap_or(not_set)))
                    (item(self.t(Msg::Asset), ticket.asset.as_deref().unwrap_or(not_set)))
                    @for (label, value) in self.custom_fields() {
                        (item(label, value))
                    }
                }
            }
        }
    }

    fn sections_nav(&self) -> Markup {
        html! {
            nav class="hd-ticket-sections" aria-label=(self.t(Msg::TicketSections)) {
                ul {
                    li { a href="#history" { (self.t(Msg::History)) } }
                    @if !self.view.actions.is_empty() {
                        li { a href="#actions" { (self.t(Msg::Actions)) } }
                    }
                    li { a href="#properties" { (self.t(Msg::Properties)) } }
                    li { a href="#files" { (self.t(Msg::Files)) " (" (self.view.attachments.len()) ")" } }
                    li { a href="#guests" { (self.t(Msg::Guests)) " (" (self.view.ticket.guests.len()) ")" } }
                    li { a href="#watchers" { (self.t(Msg::Watchers)) " (" (self.watchers.len()) ")" } }
                    @if self.has_owner_tickets() {
                        li { a href="#owner-tickets" { (self.t(Msg::OwnerTickets)) } }
                    }
                }
            }
        }
    }

    fn properties(&self) -> Markup {
        let ticket = &self.view.ticket;
        html! {
            section id="properties" class="hd-ticket-section" {
                h2 { (self.t(Msg::Properties)) }
                dl class="hd-properties" {
                    (item(self.t(Msg::OpenedBy), &self.author(ticket.opened_by)))
                    (item_html(self.t(Msg::Opened), self.lang().time(ticket.created_at)))
                    (item_html(self.t(Msg::Updated), self.lang().time(ticket.updated_at)))
                }
                @let custom = self.custom_fields();
                @if !custom.is_empty() {
                    h3 { (self.t(Msg::CustomFields)) }
                    dl class="hd-properties" {
                        @for (label, value) in custom { (item(label, value)) }
                    }
                }
                @if let Some(answers) = ticket.closure_answers() {
                    h3 { (self.t(Msg::ClosureAnswers)) }
                    (self.answers(answers))
                }
            }
        }
    }

    fn files(&self) -> Markup {
        html! {
            section id="files" class="hd-ticket-section" {
                h2 { (self.t(Msg::Files)) }
                @if self.view.attachments.is_empty() {
                    p class="hd-muted" { (self.t(Msg::NoFiles)) }
                } @else {
                    ul class="hd-files" {
                        @for file in &self.view.attachments {
                            li {
                                a href=(self.href(&format!("/files/{}", file.id))) download { (file.file_name) }
                                " — " (file.size) " " (self.t(Msg::Bytes))
                                " · " (self.author(file.uploaded_by))
                                " · " (self.lang().time(file.created_at))
                            }
                        }
                    }
                }
            }
        }
    }

    fn guests(&self) -> Markup {
        let guests = &self.view.ticket.guests;
        html! {
            section id="guests" class="hd-ticket-section" {
                h2 { (self.t(Msg::Guests)) }
                @if guests.is_empty() {
                    p class="hd-muted" { (self.t(Msg::NoGuests)) }
                } @else {
                    ul { @for guest in guests { li { (self.name_of(guest)) } } }
                }
                @if self.may(CommandName::InviteGuest) {
                    (self.block("invite-guest", Msg::ActionInviteGuest, self.member_forms("invite-guest", "login", Msg::Login)))
                }
            }
        }
    }
}

fn item(label: &str, value: &str) -> Markup {
    item_html(label, html! { (value) })
}

/// The words for where a service-level target stands.
pub(crate) fn sla_words(status: helpdesk_core::service_level::SlaStatus) -> Msg {
    use helpdesk_core::service_level::SlaStatus as S;
    match status {
        S::OnTime => Msg::SlaOnTime,
        S::DueSoon => Msg::SlaDueSoon,
        S::Paused => Msg::SlaPaused,
        S::Breached => Msg::SlaBreached,
        S::Met => Msg::SlaMet,
    }
}

/// The CSS class suffix for where a service-level target stands.
fn sla_class(status: helpdesk_core::service_level::SlaStatus) -> &'static str {
    use helpdesk_core::service_level::SlaStatus as S;
    match status {
        S::OnTime => "on-time",
        S::DueSoon => "due-soon",
        S::Paused => "paused",
        S::Breached => "breached",
        S::Met => "met",
    }
}

/// A label and its value, the value already marked up (a date).
fn item_html(label: &str, value: Markup) -> Markup {
    html! {
        div class="hd-item" {
            dt { (label) }
            dd { (value) }
        }
    }
}

/// A question's label: ours, translated, when it is the default questionnaire's;
/// the tenant's own words otherwise.
pub(crate) fn question_label(lang: Lang, question: &Question) -> String {
    let default = QuestionnaireDefinition::default();
    let is_default = default
        .questions
        .iter()
        .any(|d| d.key == question.key && d.label == question.label);
    let msg = match question.key.as_str() {
        _ if !is_default => None,
        "overall" => Some(Msg::QuestionOverall),
        "processing_time" => Some(Msg::QuestionProcessingTime),
        "follow_up" => Some(Msg::QuestionFollowUp),
        "solution" => Some(Msg::QuestionSolution),
        "regulatory" => Some(Msg::QuestionRegulatory),
        "technical" => Some(Msg::QuestionTechnical),
        "human" => Some(Msg::QuestionHuman),
        "comment" => Some(Msg::Comment),
        _ => None,
    };
    msg.map_or_else(|| question.label.clone(), |m| lang.t(m).to_owned())
}

/// The words of the default questionnaire's options.
pub(crate) fn option_words(lang: Lang, option: &str) -> Option<&'static str> {
    let msg = match option {
        "very_satisfied" => Msg::VerySatisfied,
        "satisfied" => Msg::Satisfied,
        "dissatisfied" => Msg::Dissatisfied,
        _ => return None,
    };
    Some(lang.t(msg))
}
