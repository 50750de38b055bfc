//! The markup of the new-ticket screen: the form, the category tree, the FAQ
//! suggestions, the client chooser.

use std::collections::{HashMap, HashSet};

use axum::response::Response;
use helpdesk_core::{
    Article, Category, CategoryId, MAX_SHORT_FIELD_CHARS, MAX_SUBJECT_CHARS, Priority, Tenant,
};
use maud::{Markup, PreEscaped, html};

use super::receive::FILES_FIELD;
use super::{Choices, Draft, Problem, size};
use crate::forms::field_label;
use crate::i18n::Msg;
use crate::layout;
use crate::site::{Site, Viewer, encode};

/// The id of the element that holds the suggestions.
const SUGGESTIONS_ID: &str = "nt-suggestions";
/// The id of the category tree.
const TREE_ID: &str = "nt-tree";
/// The id of the refusal at the top of the form.
pub(super) const PROBLEM_ID: &str = "nt-problem";
/// How many characters of an article's text are shown under its title.
const EXCERPT_CHARS: usize = 200;
/// How deep the category tree is drawn (a guard against a parent loop).
const MAX_DEPTH: usize = 12;

/// The id of a form field's control, for labels and for links from a refusal.
fn control_id(field: &str) -> String {
    match field {
        "category" => "nt-cat-none".to_owned(),
        other => format!("nt-{}", other.replace('_', "-")),
    }
}

/// The whole page: the form, with what was typed and, after a refusal, why.
pub(crate) fn page(
    viewer: &Viewer,
    choices: &Choices,
    draft: &Draft,
    articles: Option<&[Article]>,
    problem: Option<&Problem>,
) -> Response {
    let site = &viewer.site;
    let content = html! {
        h1 { (site.t(Msg::NewTicket)) }
        @if let Some(problem) = problem {
            (problem_box(site, Some(&choices.tenant), problem))
        }
        @if viewer.is_staff() {
            p class="hd-muted" { (site.t(Msg::Tenant)) (site.lang.colon()) strong { (choices.tenant.name) } }
        }
        p { (site.t(Msg::NtIntro)) }
        (form(viewer, choices, draft, articles, problem))
    };
    let status = problem.map_or(axum::http::StatusCode::OK, |p| p.status);
    layout::page_with_status(
        site,
        status,
        layout::nav(viewer),
        site.t(Msg::NewTicket),
        content,
    )
}

/// The refusal at the top of the form, with a link to the field concerned.
fn problem_box(site: &Site, tenant: Option<&Tenant>, problem: &Problem) -> Markup {
    html! {
        div id=(PROBLEM_ID) class="hd-error nt-problem" role="alert" tabindex="-1" {
            h2 { (site.t(Msg::ErrorTitle)) }
            p { (site.t(problem.message)) }
            @if let Some(detail) = &problem.detail {
                p { (detail) }
            }
            @if let Some(field) = problem.field {
                p {
                    a href=(format!("#{}", control_id(field))) {
                        (site.t(Msg::NtGoToField)) (site.lang.colon())
                        (field_name(site, field))
                    }
                }
            }
            @if let Some(key) = &problem.custom_field {
                p {
                    a href=(format!("#{}", super::fields::control_id(key))) {
                        (site.t(Msg::NtGoToField)) " : "
                        (super::fields::field_label(site, tenant, key))
                    }
                }
            }
            @if !problem.files.is_empty() {
                p { (site.t(Msg::NtFilesNotKept)) }
                ul {
                    @for name in &problem.files {
                        li { (name) }
                    }
                }
            }
        }
    }
}

/// The label of a form field, in the page's language.
fn field_name(site: &Site, field: &str) -> &'static str {
    match field {
        "description" => site.t(Msg::NtDescription),
        "attachments" => site.t(Msg::NtAttachments),
        "requester" => site.t(Msg::NtOnBehalfOf),
        other => field_label(site.lang, other).unwrap_or_else(|| site.t(Msg::InvalidInput)),
    }
}

/// The attributes of a control the refusal is about.
struct Marks {
    invalid: Option<&'static str>,
    described_by: String,
}

fn marks(problem: Option<&Problem>, field: &str, hint: Option<&str>) -> Marks {
    let concerned = problem.is_some_and(|p| p.field == Some(field));
    let mut ids: Vec<String> = Vec::new();
    if concerned {
        ids.push(PROBLEM_ID.to_owned());
    }
    if let Some(hint) = hint {
        ids.push(hint.to_owned());
    }
    Marks {
        invalid: concerned.then_some("true"),
        described_by: ids.join(" "),
    }
}

fn form(
    viewer: &Viewer,
    choices: &Choices,
    draft: &Draft,
    articles: Option<&[Article]>,
    problem: Option<&Problem>,
) -> Markup {
    let site = &viewer.site;
    let limits = viewer.service.attachment_limits();
    // A host without a blob store takes no attachment: no file field, no pasting.
    let blobs = viewer.service.has_blobs();
    let description = marks(problem, "description", Some("nt-description-hint"));
    let files = marks(problem, "attachments", Some("nt-attachments-hint"));
    html! {
        form class="hd-form nt-form" method="post" action=(site.href("/tickets"))
            enctype="multipart/form-data" data-guard {
            // The token first: the page reads nothing of the form before it.
            (layout::token_field(site))
            input type="hidden" name="idempotency_key" value=(draft.idempotency_key);
            // The form's default button, first, so that Enter in a field sends the
            // ticket (not the "see the FAQ articles" button below); the visible one
            // closes the form.
            button type="submit" class="hd-visually-hidden" tabindex="-1" aria-hidden="true" {
                (site.t(Msg::NtSubmit))
            }
            @if choices.unread {
                @for (name, value) in [("requester", &draft.requester), ("category", &draft.category), ("product", &draft.product)] {
                    @if !value.is_empty() {
                        input type="hidden" name=(name) value=(value);
                    }
                }
            }
            @if let Some(members) = &choices.members {
                (requester_field(viewer, members, draft, problem))
            }
            (category_field(site, &choices.categories, draft, problem))
            (subject_field(site, draft, problem))
            section id=(SUGGESTIONS_ID) class="nt-suggestions" aria-live="polite" {
                (suggestions(site, articles))
            }
            div class="hd-field" {
                label for="nt-description" { (site.t(Msg::NtDescription)) }
                span id="nt-description-hint" class="hd-hint" { (site.t(Msg::NtDescriptionHint)) }
                @let seed = crate::rich::Seed::kept(crate::rich::Format::of(&draft.format), &draft.description);
                textarea id="nt-description" name="description" required rows="10"
                    aria-invalid=[description.invalid]
                    aria-describedby=(description.described_by)
                    data-rich data-rich-html=[seed.html] data-rich-hint=(site.t(Msg::RichHint))
                    data-paste-files=[blobs.then_some(FILES_FIELD)] { (seed.text) }
                (crate::rich::toolbar(site))
            }
            (product_field(site, choices, draft, problem))
            (priority_field(site, draft, problem))
            (phone_and_asset(site, draft, problem))
            (super::fields::inputs(site, &choices.tenant, draft, problem))
            // The files last: the fields above are read before any file arrives, so a
            // file refused midway still leaves them to show again.
            @if blobs { div class="hd-field" {
                label for="nt-attachments" { (site.t(Msg::NtAttachments)) }
                span id="nt-attachments-hint" class="hd-hint" {
                    (limits.max_files) " " (site.t(Msg::NtFilesAtMost)) ", "
                    (size(viewer, limits.max_bytes)) " " (site.t(Msg::NtEachAtMost)) ". "
                    (site.t(Msg::NtPasteHint))
                }
                input type="file" id="nt-attachments" name=(FILES_FIELD) multiple
                    aria-invalid=[files.invalid] aria-describedby=(files.described_by);
            } }
            div class="hd-actions" {
                button type="submit" { (site.t(Msg::NtSubmit)) }
            }
        }
    }
}

/// The subject, with the button that shows the FAQ articles for it without a script.
fn subject_field(site: &crate::site::Site, draft: &Draft, problem: Option<&Problem>) -> Markup {
    let subject = marks(problem, "subject", Some("nt-subject-hint"));
    html! {
    div class="hd-field" {
        label for="nt-subject" { (site.t(Msg::Subject)) }
        span id="nt-subject-hint" class="hd-hint" { (site.t(Msg::NtSubjectHint)) }
        input type="text" id="nt-subject" name="subject" required
            maxlength=(MAX_SUBJECT_CHARS) autocomplete="off"
            value=(draft.subject)
            aria-invalid=[subject.invalid]
            aria-describedby=(subject.described_by)
            data-suggest=(site.href("/tickets/new/suggestions"))
            data-suggest-target=(SUGGESTIONS_ID);
        div class="hd-actions" {
            button type="submit" class="hd-secondary"
                formaction=(site.href("/tickets/new")) formmethod="post"
                formenctype="application/x-www-form-urlencoded" formnovalidate {
                (site.t(Msg::NtSeeSuggestions))
            }
        }
    }
    }
}

/// The contact phone and the asset concerned.
fn phone_and_asset(site: &crate::site::Site, draft: &Draft, problem: Option<&Problem>) -> Markup {
    let phone = marks(problem, "contact_phone", Some("nt-contact-phone-hint"));
    let asset = marks(problem, "asset", Some("nt-asset-hint"));
    html! {
    div class="hd-field" {
        label for="nt-contact-phone" { (site.t(Msg::Phone)) }
        span id="nt-contact-phone-hint" class="hd-hint" { (site.t(Msg::NtPhoneHint)) }
        input type="tel" id="nt-contact-phone" name="contact_phone" autocomplete="tel"
            maxlength=(MAX_SHORT_FIELD_CHARS) value=(draft.contact_phone)
            aria-invalid=[phone.invalid] aria-describedby=(phone.described_by);
    }
    div class="hd-field" {
        label for="nt-asset" { (site.t(Msg::Asset)) }
        span id="nt-asset-hint" class="hd-hint" { (site.t(Msg::NtAssetHint)) }
        input type="text" id="nt-asset" name="asset"
            maxlength=(MAX_SHORT_FIELD_CHARS) value=(draft.asset)
            aria-invalid=[asset.invalid] aria-describedby=(asset.described_by);
    }
    }
}

/// Staff (and tenant admins) say whose ticket it is.
fn requester_field(
    viewer: &Viewer,
    members: &[helpdesk_core::Member],
    draft: &Draft,
    problem: Option<&Problem>,
) -> Markup {
    let site = &viewer.site;
    let staff = viewer.is_staff();
    let m = marks(problem, "requester", None);
    html! {
        div class="hd-field" {
            label for="nt-requester" { (site.t(Msg::NtOnBehalfOf)) }
            select id="nt-requester" name="requester" required[staff]
                aria-invalid=[m.invalid]
                aria-describedby=[(!m.described_by.is_empty()).then_some(&m.described_by)] {
                @if staff {
                    option value="" { (site.t(Msg::NtChooseMember)) }
                } @else {
                    option value="" { (site.t(Msg::NtMyself)) }
                }
                @for member in members {
                    @let id = member.id.to_string();
                    option value=(id) selected[draft.requester == id] {
                        (member.display_name)
                        @if let Some(email) = &member.email {
                            " (" (email) ")"
                        }
                    }
                }
            }
        }
    }
}

/// The category tree: radio buttons in nested lists, with a filter for the script.
fn category_field(
    site: &Site,
    categories: &[Category],
    draft: &Draft,
    problem: Option<&Problem>,
) -> Markup {
    let m = marks(problem, "category", None);
    let known: HashSet<CategoryId> = categories.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<CategoryId>, Vec<&Category>> = HashMap::new();
    for category in categories.iter().filter(|c| c.active) {
        // A category whose parent is unknown is shown at the top.
        let parent = category.parent.filter(|p| known.contains(p));
        children.entry(parent).or_default().push(category);
    }
    for list in children.values_mut() {
        list.sort_by_key(|c| c.name.to_lowercase());
    }
    let chosen = draft.category.trim();
    html! {
        fieldset class="nt-categories" aria-describedby=[m.invalid.map(|_| PROBLEM_ID)] {
            legend { (site.t(Msg::Category)) }
            @if children.contains_key(&None) {
                div class="hd-field" {
                    label for="nt-tree-filter" { (site.t(Msg::NtFilterCategories)) }
                    input type="search" id="nt-tree-filter" data-tree-filter=(TREE_ID) autocomplete="off";
                }
            }
            div class="nt-tree-none" {
                input type="radio" id="nt-cat-none" name="category" value=""
                    checked[chosen.is_empty()] aria-invalid=[m.invalid];
                label for="nt-cat-none" { (site.t(Msg::NtNoCategory)) }
            }
            @if let Some(roots) = children.get(&None) {
                ul id=(TREE_ID) class="hd-tree" {
                    (branch(roots, &children, chosen, 0))
                }
            }
        }
    }
}

fn branch(
    items: &[&Category],
    children: &HashMap<Option<CategoryId>, Vec<&Category>>,
    chosen: &str,
    depth: usize,
) -> Markup {
    html! {
        @for category in items {
            @let id = category.id.to_string();
            @let control = format!("nt-cat-{id}");
            li {
                input type="radio" id=(control) name="category" value=(id) checked[chosen == id];
                label for=(control) { (category.name) }
                @if depth < MAX_DEPTH {
                    @if let Some(below) = children.get(&Some(category.id)) {
                        ul { (branch(below, children, chosen, depth + 1)) }
                    }
                }
            }
        }
    }
}

fn product_field(
    site: &Site,
    choices: &Choices,
    draft: &Draft,
    problem: Option<&Problem>,
) -> Markup {
    let products: Vec<_> = choices.products.iter().filter(|p| p.active).collect();
    let m = marks(problem, "product", None);
    html! {
        @if !products.is_empty() {
            div class="hd-field" {
                label for="nt-product" { (site.t(Msg::Product)) }
                select id="nt-product" name="product" aria-invalid=[m.invalid]
                    aria-describedby=[(!m.described_by.is_empty()).then_some(&m.described_by)] {
                    option value="" { (site.t(Msg::NtNoProduct)) }
                    @for product in products {
                        @let id = product.id.to_string();
                        option value=(id) selected[draft.product == id] {
                            @if let Some(code) = &product.code {
                                (code) " — "
                            }
                            (product.name)
                        }
                    }
                }
            }
        }
    }
}

fn priority_field(site: &Site, draft: &Draft, problem: Option<&Problem>) -> Markup {
    let m = marks(problem, "priority", None);
    let chosen = draft.priority.trim();
    html! {
        div class="hd-field" {
            label for="nt-priority" { (site.t(Msg::Priority)) }
            select id="nt-priority" name="priority" aria-invalid=[m.invalid]
                aria-describedby=[(!m.described_by.is_empty()).then_some(&m.described_by)] {
                @for priority in Priority::ALL {
                    @let selected = if chosen.is_empty() {
                        priority == Priority::Normal
                    } else {
                        chosen == priority.as_str()
                    };
                    option value=(priority.as_str()) selected[selected] { (site.lang.priority(priority)) }
                }
            }
        }
    }
}

/// The FAQ articles for the subject typed: nothing before a subject is typed, a line
/// saying none matches, or each article's title, the start of its text and the whole
/// article to unfold. Also the fragment the script fetches.
pub(crate) fn suggestions(site: &Site, articles: Option<&[Article]>) -> Markup {
    html! {
        @match articles {
            None => {}
            Some([]) => p class="hd-muted" { (site.t(Msg::NtNoSuggestion)) },
            Some(articles) => {
                h2 { (site.t(Msg::NtSuggestionsTitle)) }
                ul class="nt-articles" {
                    @for article in articles {
                        li class="nt-article" {
                            p class="nt-article-title" { strong { (article.title) } }
                            p class="hd-muted" { (excerpt(article)) }
                            details {
                                summary { (site.t(Msg::NtReadArticle)) }
                                // The core's sanitised HTML.
                                div class="hd-rich" { (PreEscaped(article.body.as_html())) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The start of an article's text.
fn excerpt(article: &Article) -> String {
    let text = article.body.to_plain_text();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(EXCERPT_CHARS).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    cut.push('…');
    cut
}

/// Staff serving several clients, with none named: the clients, each opening the form.
pub(crate) fn tenant_chooser(viewer: &Viewer, tenants: &[Tenant]) -> Response {
    let site = &viewer.site;
    let content = html! {
        h1 { (site.t(Msg::NewTicket)) }
        @if tenants.is_empty() {
            p class="hd-muted" { (site.t(Msg::NtNoTenant)) }
        } @else {
            h2 { (site.t(Msg::NtChooseTenant)) }
            ul class="nt-tenants" {
                @for tenant in tenants {
                    li {
                        a href=(site.href(&format!("/tickets/new?tenant={}", encode(&tenant.slug)))) {
                            (tenant.name)
                        }
                    }
                }
            }
        }
    };
    layout::page(site, layout::nav(viewer), site.t(Msg::NewTicket), content)
}
