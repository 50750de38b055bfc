//! The history section: each event of the timeline in words.

use helpdesk_core::{
    Answer, Answers, EventKind, FieldChange, QuestionKind, TimelineEvent, Visibility,
};
use maud::{Markup, PreEscaped, html};

use super::{Page, item, option_words, question_label};
use crate::i18n::Msg;

impl Page<'_> {
    pub(super) fn history(&self) -> Markup {
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

    pub(super) fn event(&self, event: &TimelineEvent) -> Markup {
        let internal = event.visibility() == Visibility::Internal;
        let class = if internal {
            "hd-event hd-event-internal"
        } else {
            "hd-event"
        };
        let (images, files): (Vec<_>, Vec<_>) = self
            .view
            .attachments
            .iter()
            .filter(|a| a.event == event.id)
            .partition(|a| is_inline_image(&a.content_type));
        html! {
            li class=(class) id=(format!("event-{}", event.id)) {
                @if internal {
                    p class="hd-internal-mark" { (self.t(Msg::InternalNote)) }
                }
                p class="hd-event-meta" {
                    strong { (self.t(event_words(&event.kind))) }
                    " — " (self.t(Msg::ByAuthor)) " " (self.author(event.author))
                    " · " (self.lang().time(event.at))
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
                @for image in images {
                    // Served by the pages' own download route, under the event's
                    // visibility; the browser loads it lazily.
                    @let href = self.href(&format!("/files/{}", image.id));
                    figure class="hd-figure" {
                        a href=(href) download {
                            img src=(href) alt=(image.file_name) loading="lazy" decoding="async";
                        }
                        figcaption { (image.file_name) }
                    }
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

    pub(super) fn event_details(&self, kind: &EventKind) -> Markup {
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
            EventKind::ServiceLevelBreached { target, due } => html! {
                p class="hd-event-details" {
                    (self.t(match target {
                        helpdesk_core::service_level::SlaTarget::FirstResponse => Msg::SlaFirstResponse,
                        helpdesk_core::service_level::SlaTarget::Resolution => Msg::SlaResolution,
                    })) (self.colon()) (self.lang().time(*due))
                }
            },
            _ => html! {},
        }
    }

    /// A field's label, and its values before and after when they are short.
    pub(super) fn field_change(
        &self,
        change: &FieldChange,
    ) -> (String, Option<String>, Option<String>) {
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

    pub(super) fn answers(&self, answers: &Answers) -> Markup {
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
}

/// The content types shown as images under their message: raster formats only (an
/// SVG can carry script, and is served as a download like any other file).
const INLINE_IMAGES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Whether an attachment of this declared type is shown inline.
fn is_inline_image(content_type: &str) -> bool {
    INLINE_IMAGES.contains(&content_type.trim().to_ascii_lowercase().as_str())
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
        EventKind::ServiceLevelBreached { .. } => Msg::EventServiceLevelBreached,
    }
}
