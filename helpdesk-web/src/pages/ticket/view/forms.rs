//! The forms of the actions the viewer may take, each posting to its route.

use helpdesk_core::{CommandName, Member, Question, QuestionKind, StaffRole};
use maud::{Markup, html};

use super::{Found, Page, option_words, question_label};
use crate::i18n::Msg;
use crate::layout;

impl Page<'_> {
    /// A form posting to `/tickets/{id}/{action}` with the token and the version seen.
    pub(super) fn form(&self, action: &str, multipart: bool, fields: Markup) -> Markup {
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
    pub(super) fn block(&self, action: &str, title: Msg, form: Markup) -> Markup {
        html! {
            details class="hd-action" id=(format!("act-{action}")) open[self.kept.is(action) || self.found_for(action).is_some()] {
                summary { (self.t(title)) }
                (form)
            }
        }
    }

    /// A rich-text field of a form, with what was typed kept.
    pub(super) fn textarea(&self, action: &str, name: &str, label: Msg, required: bool) -> Markup {
        let id = format!("{action}-{name}");
        html! {
            div class="hd-field" {
                label for=(id) { (self.t(label)) @if required { " (" (self.t(Msg::Required)) ")" } }
                textarea id=(id) name=(name) required[required] { (self.kept.get(action, name)) }
            }
        }
    }

    /// A rich-text field of form `action` as it was sent, if that form was kept.
    fn kept_rich(&self, action: &str, name: &str) -> crate::rich::Seed {
        let format = crate::rich::Format::of(self.kept.get(action, crate::rich::FORMAT_FIELD));
        crate::rich::Seed::kept(format, self.kept.get(action, name))
    }

    /// The description in the edit form: as sent when the form is kept, else as stored.
    fn description_field(&self) -> Markup {
        let seed = if self.kept.is("edit") {
            self.kept_rich("edit", "description")
        } else {
            crate::rich::Seed::stored(&self.view.ticket.description)
        };
        html! {
            div class="hd-field" {
                label for="edit-description" { (self.t(Msg::Description)) }
                span id="edit-description-hint" class="hd-hint" { (self.t(Msg::EditDescriptionHint)) }
                textarea id="edit-description" name="description" required rows="8"
                    aria-describedby="edit-description-hint"
                    data-rich data-rich-unchanged="skip" data-rich-html=[seed.html] { (seed.text) }
                (crate::rich::toolbar(self.site()))
            }
        }
    }

    pub(super) fn submit(&self, label: Msg) -> Markup {
        html! { div class="hd-actions" { button type="submit" { (self.t(label)) } } }
    }

    pub(super) fn actions(&self) -> Markup {
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
    pub(super) fn message_form(&self, action: &str, title: Msg, internal: bool) -> Markup {
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
                        @let seed = self.kept_rich(action, "body");
                        label for=(format!("{action}-body")) { (self.t(Msg::Message)) }
                        textarea id=(format!("{action}-body")) name="body" rows="6" data-paste-files="file"
                            data-rich data-rich-html=[seed.html] { (seed.text) }
                        (crate::rich::toolbar(self.site()))
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

    pub(super) fn assign(&self) -> Markup {
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

    pub(super) fn approve(&self) -> Markup {
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

    pub(super) fn question(&self, question: &Question) -> Markup {
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

    pub(super) fn edit(&self) -> Markup {
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
                (self.description_field())
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
                (self.edit_custom_fields())
                (self.submit(Msg::Save))
            })))
        }
    }

    /// The custom fields in the edit form: each one the tenant defines (required ones
    /// marked so), then the keys the ticket has that it does not define; emptied, an
    /// optional field is removed.
    fn edit_custom_fields(&self) -> Markup {
        let ticket = &self.view.ticket;
        let settings = self.lists.tenant.as_ref().map(|t| &t.settings);
        let definitions = settings.map_or(&[][..], |s| s.custom_fields.as_slice());
        let undefined = ticket
            .custom_fields
            .keys()
            .filter(|k| !definitions.iter().any(|d| &d.key == *k));
        let fields: Vec<(&str, bool)> = definitions
            .iter()
            .map(|d| (d.key.as_str(), d.required))
            .chain(undefined.map(|k| (k.as_str(), false)))
            .collect();
        html! {
            @for (key, required) in fields {
                @let name = crate::custom_fields::input_name(key);
                @let id = crate::custom_fields::input_id("edit", key);
                @let current = ticket.custom_fields.get(key).map_or("", String::as_str);
                @let value = if self.kept.is("edit") { self.kept.get("edit", &name) } else { current };
                div class="hd-field" {
                    label for=(id) { (crate::custom_fields::label(settings, self.lang(), key)) }
                    input id=(id) type="text" name=(name) maxlength="1000" required[required] value=(value);
                }
            }
        }
    }

    pub(super) fn move_category(&self) -> Markup {
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

    pub(super) fn reassign(&self) -> Markup {
        self.block(
            "reassign-requester",
            Msg::ActionReassignRequester,
            self.member_forms("reassign-requester", "member", Msg::NewRequester),
        )
    }

    /// The name search of `action`, if the page was asked for one.
    pub(super) fn found_for(&self, action: &str) -> Option<&Found> {
        self.found.filter(|f| f.action == action)
    }

    /// The forms naming a member for `action`: a name search (a GET back to this page),
    /// its results to choose from, and the member's login typed whole.
    pub(super) fn member_forms(&self, action: &str, name: &str, label: Msg) -> Markup {
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
