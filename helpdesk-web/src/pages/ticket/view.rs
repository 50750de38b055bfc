//! Rendering the ticket page: the header, the sections (history, properties, files,
//! guests) and the forms of the actions the viewer may take.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use helpdesk_core::{
    Actor, ActorRef, Answer, Answers, Category, CommandName, EventKind, FieldChange, Group, Member,
    MemberRole, Product, Question, QuestionKind, QuestionnaireDefinition, Staff, StaffRole, Tenant,
    TicketId, TicketView, TimelineEvent, Visibility,
};
use maud::{Markup, PreEscaped, html};

use super::Notice;
use crate::error::PageError;
use crate::i18n::{Lang, Msg};
use crate::layout;
use crate::site::{Site, Viewer};

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
        match self.lang() {
            Lang::Fr => " : ",
            Lang::En => ": ",
        }
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
                    (item(self.t(Msg::Opened), &lang.datetime(ticket.created_at)))
                    (item(self.t(Msg::Updated), &lang.datetime(ticket.updated_at)))
                    (item(self.t(Msg::Phone), ticket.contact_phone.as_deref().unwrap_or(not_set)))
                    (item(self.t(Msg::Asset), ticket.asset.as_deref().unwrap_or(not_set)))
                    @for (key, value) in &ticket.custom_fields {
                        (item(key, value))
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
                }
            }
        }
    }

    fn history(&self) -> Markup {
        html! {
            section id="history" class="hd-ticket-section" {
                h2 { (self.t(Msg::History)) }
                ol class="hd-timeline" {
                    @for event in &self.view.timeline {
                        (self.event(event))
                    }
                }
            }
        }
    }

    fn event(&self, event: &TimelineEvent) -> Markup {
        let internal = event.visibility() == Visibility::Internal;
        let class = if internal {
            "hd-event hd-event-internal"
        } else {
            "hd-event"
        };
        let files: Vec<_> = self
            .view
            .attachments
            .iter()
            .filter(|a| a.event == event.id)
            .collect();
        html! {
            li class=(class) id=(format!("event-{}", event.id)) {
                @if internal {
                    p class="hd-internal-mark" { (self.t(Msg::InternalNote)) }
                }
                p class="hd-event-meta" {
                    strong { (self.t(event_words(&event.kind))) }
                    " — " (self.t(Msg::ByAuthor)) " " (self.author(event.author))
                    " · " time datetime=(event.at.to_rfc3339()) { (self.lang().datetime(event.at)) }
                }
                @if let Some(change) = event.status_change {
                    p class="hd-event-status" {
                        (self.t(Msg::StatusChanged)) (self.colon()) (self.status(change.from)) " " (self.t(Msg::FromTo)) " " (self.status(change.to))
                    }
                }
                (self.event_details(&event.kind))
                @if matches!(event.kind, EventKind::Opened) {
                    // The description as it stands now (edits are events of their own).
                    div class="hd-rich" { (PreEscaped(self.view.ticket.description.as_html())) }
                }
                @if let Some(body) = event.body() {
                    div class="hd-rich" { (PreEscaped(body.as_html())) }
                }
                @if !files.is_empty() {
                    ul class="hd-event-files" {
                        @for file in files {
                            li { a href=(self.href(&format!("/files/{}", file.id))) download { (file.file_name) } }
                        }
                    }
                }
            }
        }
    }

    fn event_details(&self, kind: &EventKind) -> Markup {
        let not_set = self.t(Msg::NotSet);
        match kind {
            EventKind::Assigned { assignee, group } => html! {
                dl class="hd-event-details" {
                    (item(self.t(Msg::Assignee), &assignee.map_or_else(|| self.t(Msg::Unassigned).to_owned(), |a| self.name_of(a))))
                    @if let Some(name) = group.and_then(|g| self.group_shown(Some(g))) {
                        (item(self.t(Msg::Group), name))
                    }
                }
            },
            EventKind::FieldEdited { change } => {
                let (label, from, to) = self.field_change(change);
                html! {
                    p class="hd-event-details" {
                        (label)
                        @if let (Some(from), Some(to)) = (from, to) {
                            (self.colon()) (from) " " (self.t(Msg::FromTo)) " " (to)
                        }
                    }
                }
            }
            EventKind::CategoryMoved { to, .. } => html! {
                p class="hd-event-details" {
                    (self.t(Msg::Category)) (self.colon()) (self.lists.category_path(*to).unwrap_or_else(|| not_set.to_owned()))
                }
            },
            EventKind::RequesterReassigned { from, to } => html! {
                p class="hd-event-details" {
                    (self.t(Msg::Requester)) (self.colon()) (self.name_of(from)) " " (self.t(Msg::FromTo)) " " (self.name_of(to))
                }
            },
            EventKind::GuestInvited { guest } => html! {
                p class="hd-event-details" { (self.t(Msg::Guests)) (self.colon()) (self.name_of(guest)) }
            },
            EventKind::ClosureApproved { answers } => self.answers(answers),
            _ => html! {},
        }
    }

    /// A field's label, and its values before and after when they are short.
    fn field_change(&self, change: &FieldChange) -> (String, Option<String>, Option<String>) {
        let lang = self.lang();
        let not_set = self.t(Msg::NotSet);
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| not_set.to_owned());
        match change {
            FieldChange::Subject { from, to } => (
                self.t(Msg::Subject).to_owned(),
                Some(from.clone()),
                Some(to.clone()),
            ),
            FieldChange::Description { .. } => (self.t(Msg::Description).to_owned(), None, None),
            FieldChange::Priority { from, to } => (
                self.t(Msg::Priority).to_owned(),
                Some(lang.priority(*from).to_owned()),
                Some(lang.priority(*to).to_owned()),
            ),
            FieldChange::Product { from, to } => {
                let name = |p: &Option<helpdesk_core::ProductId>| {
                    p.and_then(|p| self.lists.product_name(p))
                        .unwrap_or(not_set)
                        .to_owned()
                };
                (
                    self.t(Msg::Product).to_owned(),
                    Some(name(from)),
                    Some(name(to)),
                )
            }
            FieldChange::ContactPhone { from, to } => (
                self.t(Msg::Phone).to_owned(),
                Some(opt(from)),
                Some(opt(to)),
            ),
            FieldChange::Asset { from, to } => (
                self.t(Msg::Asset).to_owned(),
                Some(opt(from)),
                Some(opt(to)),
            ),
            FieldChange::CustomField { key, from, to } => {
                (key.clone(), Some(opt(from)), Some(opt(to)))
            }
        }
    }

    fn answers(&self, answers: &Answers) -> Markup {
        let questionnaire = self.lists.questionnaire();
        html! {
            dl class="hd-event-details hd-answers" {
                @for (key, answer) in answers {
                    @let question = questionnaire.questions.iter().find(|q| &q.key == key);
                    @let label = question.map_or_else(|| key.clone(), |q| question_label(self.lang(), q));
                    @let value = match answer {
                        Answer::Score(score) => {
                            let max = match question.map(|q| &q.kind) {
                                Some(QuestionKind::Score { max, .. }) => *max,
                                _ => 10,
                            };
                            format!("{score} / {max}")
                        }
                        Answer::Text(text) => option_words(self.lang(), text).unwrap_or(text).to_owned(),
                    };
                    (item(&label, &value))
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
                    (item(self.t(Msg::Opened), &self.lang().datetime(ticket.created_at)))
                    (item(self.t(Msg::Updated), &self.lang().datetime(ticket.updated_at)))
                }
                @if !ticket.custom_fields.is_empty() {
                    h3 { (self.t(Msg::CustomFields)) }
                    dl class="hd-properties" {
                        @for (key, value) in &ticket.custom_fields { (item(key, value)) }
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
                                " · " (self.lang().datetime(file.created_at))
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

    /// A form posting to `/tickets/{id}/{action}` with the token and the version seen.
    fn form(&self, action: &str, multipart: bool, fields: Markup) -> Markup {
        let site = self.site();
        html! {
            form class="hd-form" method="post" action=(self.href(&format!("/{action}")))
                enctype=[multipart.then_some("multipart/form-data")] data-guard {
                (layout::token_field(site))
                input type="hidden" name="version" value=(self.view.ticket.version);
                (fields)
            }
        }
    }

    /// An action folded under its name, open when its form is the one kept.
    fn block(&self, action: &str, title: Msg, form: Markup) -> Markup {
        html! {
            details class="hd-action" id=(format!("act-{action}")) open[self.kept.is(action) || self.found_for(action).is_some()] {
                summary { (self.t(title)) }
                (form)
            }
        }
    }

    /// A rich-text field of a form, with what was typed kept.
    fn textarea(&self, action: &str, name: &str, label: Msg, required: bool) -> Markup {
        let id = format!("{action}-{name}");
        html! {
            div class="hd-field" {
                label for=(id) { (self.t(label)) @if required { " (" (self.t(Msg::Required)) ")" } }
                textarea id=(id) name=(name) required[required] { (self.kept.get(action, name)) }
            }
        }
    }

    fn submit(&self, label: Msg) -> Markup {
        html! { div class="hd-actions" { button type="submit" { (self.t(label)) } } }
    }

    fn actions(&self) -> Markup {
        if self.view.actions.is_empty() {
            return html! {
                p class="hd-muted hd-read-only" { (self.t(Msg::ReadOnlyTicket)) }
            };
        }
        html! {
            section id="actions" class="hd-ticket-section" {
                h2 { (self.t(Msg::Actions)) }
                @if self.may(CommandName::Reply) {
                    (self.message_form("reply", Msg::Reply, false))
                }
                @if self.may(CommandName::AddNote) {
                    (self.message_form("note", Msg::AddNote, true))
                }
                div class="hd-panels" {
                    @if self.may(CommandName::Assign) { (self.assign()) }
                    @if self.may(CommandName::RequestInformation) {
                        (self.block("request-information", Msg::ActionRequestInformation, self.form("request-information", false, html! {
                            (self.textarea("request-information", "message", Msg::Message, true))
                            (self.submit(Msg::Send))
                        })))
                    }
                    @if self.may(CommandName::ProposeClosure) {
                        (self.block("propose-closure", Msg::ActionProposeClosure, self.form("propose-closure", false, html! {
                            (self.textarea("propose-closure", "solution", Msg::Solution, true))
                            (self.submit(Msg::ActionProposeClosure))
                        })))
                    }
                    @if self.may(CommandName::ApproveClosure) { (self.approve()) }
                    @if self.may(CommandName::RefuseClosure) {
                        (self.block("refuse-closure", Msg::ActionRefuseClosure, self.form("refuse-closure", false, html! {
                            (self.textarea("refuse-closure", "justification", Msg::Justification, true))
                            (self.submit(Msg::ActionRefuseClosure))
                        })))
                    }
                    @if self.may(CommandName::Edit) { (self.edit()) }
                    @if self.may(CommandName::MoveCategory) && !self.lists.categories.is_empty() { (self.move_category()) }
                    @if self.may(CommandName::ReassignRequester) { (self.reassign()) }
                    @if self.may(CommandName::Reopen) {
                        (self.block("reopen", Msg::ActionReopen, self.form("reopen", false, html! {
                            (self.textarea("reopen", "reason", Msg::Reason, false))
                            (self.submit(Msg::ActionReopen))
                        })))
                    }
                    @if self.may(CommandName::Cancel) {
                        (self.block("cancel", Msg::ActionCancel, self.form("cancel", false, html! {
                            (self.textarea("cancel", "reason", Msg::Reason, false))
                            div class="hd-actions" { button type="submit" class="hd-danger" { (self.t(Msg::ActionCancel)) } }
                        })))
                    }
                }
            }
        }
    }

    /// The reply form, or the internal-note form (marked as such), both with files.
    fn message_form(&self, action: &str, title: Msg, internal: bool) -> Markup {
        let file_id = format!("{action}-file");
        let class = if internal {
            "hd-message-form hd-event-internal"
        } else {
            "hd-message-form"
        };
        html! {
            section id=(action) class=(class) aria-labelledby=(format!("{action}-title")) {
                h3 id=(format!("{action}-title")) { (self.t(title)) }
                @if internal {
                    p class="hd-internal-mark" { (self.t(Msg::InternalNote)) " — " (self.t(Msg::InternalNoteHint)) }
                }
                (self.form(action, true, html! {
                    div class="hd-field" {
                        label for=(format!("{action}-body")) { (self.t(Msg::Message)) }
                        textarea id=(format!("{action}-body")) name="body" data-paste-files="file" { (self.kept.get(action, "body")) }
                    }
                    div class="hd-field" {
                        label for=(file_id) { (self.t(Msg::AttachFiles)) }
                        input id=(file_id) type="file" name="file" multiple;
                    }
                    (self.submit(Msg::Send))
                }))
            }
        }
    }

    fn assign(&self) -> Markup {
        let me = self.viewer.actor.as_staff();
        let agent = me.is_some_and(|s| s.role == StaffRole::Agent);
        let ticket = &self.view.ticket;
        let taken_by_me = me.is_some_and(|s| ticket.assignee == Some(s.id));
        let kept_assignee = self.kept.get("assign", "assignee");
        html! {
            @if let Some(me) = me {
                @if !taken_by_me {
                    (self.form("assign", false, html! {
                        input type="hidden" name="assignee" value=(me.id);
                        div class="hd-actions" { button type="submit" { (self.t(Msg::ActionTakeIt)) } }
                    }))
                }
            }
            @if !agent {
                (self.block("assign", Msg::ActionAssign, self.form("assign", false, html! {
                    div class="hd-field" {
                        label for="assign-assignee" { (self.t(Msg::Assignee)) }
                        select id="assign-assignee" name="assignee" {
                            option value="" { (self.t(Msg::Nobody)) }
                            @for staff in &self.lists.staff {
                                @let id = staff.id.to_string();
                                @let selected = if kept_assignee.is_empty() { ticket.assignee == Some(staff.id) } else { kept_assignee == id };
                                option value=(id) selected[selected] { (staff.display_name) }
                            }
                        }
                    }
                    @if !self.lists.groups.is_empty() {
                        div class="hd-field" {
                            label for="assign-group" { (self.t(Msg::Group)) }
                            select id="assign-group" name="group" {
                                option value="" { (self.t(Msg::KeepGroup)) }
                                @for group in &self.lists.groups {
                                    @let id = group.id.to_string();
                                    option value=(id) selected[self.kept.get("assign", "group") == id] { (group.name) }
                                }
                            }
                        }
                    }
                    (self.submit(Msg::ActionAssign))
                })))
            }
        }
    }

    fn approve(&self) -> Markup {
        let questionnaire = self.lists.questionnaire();
        html! {
            (self.block("approve-closure", Msg::ActionApproveClosure, self.form("approve-closure", false, html! {
                h3 { (self.t(Msg::Questionnaire)) }
                @for question in &questionnaire.questions {
                    (self.question(question))
                }
                (self.submit(Msg::ActionApproveClosure))
            })))
        }
    }

    fn question(&self, question: &Question) -> Markup {
        let lang = self.lang();
        let name = format!("q_{}", question.key);
        let base = format!("approve-q-{}", question.key);
        let kept = self.kept.get("approve-closure", &name);
        let label = question_label(lang, question);
        let required = question.required;
        match &question.kind {
            QuestionKind::Score { min, max } => html! {
                fieldset class="hd-question" {
                    legend { (label) @if required { " (" (self.t(Msg::Required)) ")" } }
                    div class="hd-checks hd-score" {
                        @for score in *min..=*max {
                            @let id = format!("{base}-{score}");
                            label for=(id) {
                                input id=(id) type="radio" name=(name) value=(score) required[required] checked[kept == score.to_string()];
                                (score)
                            }
                        }
                    }
                }
            },
            QuestionKind::Choice { options } => html! {
                fieldset class="hd-question" {
                    legend { (label) @if required { " (" (self.t(Msg::Required)) ")" } }
                    div class="hd-checks" {
                        @if !required {
                            @let id = format!("{base}-none");
                            label for=(id) {
                                input id=(id) type="radio" name=(name) value="" checked[kept.is_empty()];
                                (self.t(Msg::NoAnswer))
                            }
                        }
                        @for (i, option) in options.iter().enumerate() {
                            @let id = format!("{base}-{i}");
                            label for=(id) {
                                input id=(id) type="radio" name=(name) value=(option) required[required] checked[kept == option];
                                (option_words(lang, option).unwrap_or(option))
                            }
                        }
                    }
                }
            },
            QuestionKind::Text => html! {
                div class="hd-field" {
                    label for=(base) { (label) @if required { " (" (self.t(Msg::Required)) ")" } }
                    textarea id=(base) name=(name) required[required] { (kept) }
                }
            },
        }
    }

    fn edit(&self) -> Markup {
        let ticket = &self.view.ticket;
        let kept = |field: &str, current: &str| -> String {
            if self.kept.is("edit") {
                self.kept.get("edit", field).to_owned()
            } else {
                current.to_owned()
            }
        };
        let priority = kept("priority", ticket.priority.as_str());
        let product = kept(
            "product",
            &ticket.product.map(|p| p.to_string()).unwrap_or_default(),
        );
        html! {
            (self.block("edit", Msg::ActionEdit, self.form("edit", false, html! {
                div class="hd-field" {
                    label for="edit-subject" { (self.t(Msg::Subject)) }
                    input id="edit-subject" type="text" name="subject" required maxlength="250" value=(kept("subject", &ticket.subject));
                }
                div class="hd-field" {
                    label for="edit-priority" { (self.t(Msg::Priority)) }
                    select id="edit-priority" name="priority" {
                        @for p in helpdesk_core::Priority::ALL {
                            option value=(p.as_str()) selected[priority == p.as_str()] { (self.lang().priority(p)) }
                        }
                    }
                }
                @if !self.lists.products.is_empty() {
                    div class="hd-field" {
                        label for="edit-product" { (self.t(Msg::Product)) }
                        select id="edit-product" name="product" {
                            option value="" { (self.t(Msg::NotSet)) }
                            @for p in self.lists.products.iter().filter(|p| p.active || Some(p.id) == ticket.product) {
                                @let id = p.id.to_string();
                                option value=(id) selected[product == id] { (p.name) }
                            }
                        }
                    }
                }
                div class="hd-field" {
                    label for="edit-phone" { (self.t(Msg::Phone)) }
                    input id="edit-phone" type="tel" name="contact_phone" maxlength="100" value=(kept("contact_phone", ticket.contact_phone.as_deref().unwrap_or("")));
                }
                div class="hd-field" {
                    label for="edit-asset" { (self.t(Msg::Asset)) }
                    input id="edit-asset" type="text" name="asset" maxlength="100" value=(kept("asset", ticket.asset.as_deref().unwrap_or("")));
                }
                (self.submit(Msg::Save))
            })))
        }
    }

    fn move_category(&self) -> Markup {
        let current = self.view.ticket.category;
        let mut choices: Vec<(String, String)> = self
            .lists
            .categories
            .iter()
            .filter(|c| c.active && Some(c.id) != current)
            .filter_map(|c| Some((c.id.to_string(), self.lists.category_path(c.id)?)))
            .collect();
        choices.sort_by(|a, b| a.1.cmp(&b.1));
        if choices.is_empty() {
            return html! {};
        }
        let kept = self.kept.get("move-category", "category");
        html! {
            (self.block("move-category", Msg::ActionMoveCategory, self.form("move-category", false, html! {
                div class="hd-field" {
                    label for="move-category-category" { (self.t(Msg::Category)) }
                    select id="move-category-category" name="category" required {
                        @for (id, path) in &choices {
                            option value=(id) selected[kept == id] { (path) }
                        }
                    }
                }
                (self.submit(Msg::ActionMoveCategory))
            })))
        }
    }

    fn reassign(&self) -> Markup {
        self.block(
            "reassign-requester",
            Msg::ActionReassignRequester,
            self.member_forms("reassign-requester", "member", Msg::NewRequester),
        )
    }

    /// The name search of `action`, if the page was asked for one.
    fn found_for(&self, action: &str) -> Option<&Found> {
        self.found.filter(|f| f.action == action)
    }

    /// The forms naming a member for `action`: a name search (a GET back to this page),
    /// its results to choose from, and the member's login typed whole.
    fn member_forms(&self, action: &str, name: &str, label: Msg) -> Markup {
        let site = self.site();
        let found = self.found_for(action);
        let search_id = format!("{action}-q");
        let results_id = format!("{action}-results");
        let ticket = &self.view.ticket;
        let choices: Vec<&Member> = found
            .map(|f| {
                f.members
                    .iter()
                    .filter(|m| {
                        !m.blocked && m.id != ticket.requester && !ticket.guests.contains(&m.id)
                    })
                    .collect()
            })
            .unwrap_or_default();
        html! {
            form class="hd-form hd-member-search" method="get" role="search"
                action=(format!("{}#act-{action}", site.href(&format!("/tickets/{}", ticket.id)))) {
                @if let Some(slug) = &site.tenant_slug {
                    input type="hidden" name="tenant" value=(slug);
                }
                input type="hidden" name="find" value=(action);
                div class="hd-field" {
                    label for=(search_id) { (self.t(Msg::FindMember)) }
                    input id=(search_id) type="search" name="q" autocomplete="off"
                        aria-describedby=(format!("{search_id}-help"))
                        value=(found.map_or("", |f| f.q.as_str()));
                    p id=(format!("{search_id}-help")) class="hd-muted" { (self.t(Msg::FindMemberHelp)) }
                }
                div class="hd-actions" { button type="submit" class="hd-secondary" { (self.t(Msg::Search)) } }
            }
            @if let Some(found) = found {
                @if choices.is_empty() {
                    p class="hd-muted" role="status" { (self.t(Msg::NoMemberFound)) " « " (found.q) " »" }
                } @else {
                    (self.form(action, false, html! {
                        fieldset {
                            legend id=(results_id) { (self.t(label)) }
                            div class="hd-checks" {
                                @for (i, m) in choices.iter().enumerate() {
                                    label {
                                        input type="radio" name=(name) value=(m.id) required checked[i == 0];
                                        span { (m.display_name) " (" (m.user.as_str()) ")" }
                                    }
                                }
                            }
                        }
                        (self.submit(Msg::Send))
                    }))
                }
            }
            (self.form(action, false, html! {
                div class="hd-field" {
                    @let id = format!("{action}-{name}");
                    label for=(id) { (self.t(label)) " — " (self.t(Msg::ByLogin)) }
                    input id=(id) type="text" name=(name) required autocomplete="off"
                        value=(self.kept.get(action, name));
                }
                (self.submit(Msg::Send))
            }))
        }
    }
}

fn item(label: &str, value: &str) -> Markup {
    html! {
        div class="hd-item" {
            dt { (label) }
            dd { (value) }
        }
    }
}

/// The words of an event's kind.
fn event_words(kind: &EventKind) -> Msg {
    match kind {
        EventKind::Opened => Msg::EventOpened,
        EventKind::Replied { .. } => Msg::EventReplied,
        EventKind::NoteAdded { .. } => Msg::InternalNote,
        EventKind::Assigned { .. } => Msg::EventAssigned,
        EventKind::InformationRequested { .. } => Msg::EventInformationRequested,
        EventKind::ClosureProposed { .. } => Msg::EventClosureProposed,
        EventKind::ClosedDirectly { .. } => Msg::EventClosedDirectly,
        EventKind::ClosureApproved { .. } => Msg::EventClosureApproved,
        EventKind::ClosureRefused { .. } => Msg::EventClosureRefused,
        EventKind::ClosureAutoApproved => Msg::EventClosureAutoApproved,
        EventKind::Cancelled { .. } => Msg::EventCancelled,
        EventKind::Reopened { .. } => Msg::EventReopened,
        EventKind::FieldEdited { .. } => Msg::EventFieldEdited,
        EventKind::CategoryMoved { .. } => Msg::EventCategoryMoved,
        EventKind::RequesterReassigned { .. } => Msg::EventRequesterReassigned,
        EventKind::GuestInvited { .. } => Msg::EventGuestInvited,
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
