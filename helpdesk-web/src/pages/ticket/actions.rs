//! The forms of the workflow's commands: each one `POST /tickets/{id}/{action}`, taken
//! with the version the user saw, answered by a 303 back to the ticket.

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use helpdesk_core::{
    Answer, Answers, CategoryId, Error, GroupId, MemberId, Priority, ProductId, QuestionKind,
    StaffId, TicketEdit, TicketId, UserId,
};

use super::{Kept, Notice, finish, ticket_id};
use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::Msg;
use crate::site::Viewer;

/// The fields of a form, as sent.
pub(super) struct Fields {
    action: &'static str,
    values: BTreeMap<String, String>,
}

impl Fields {
    pub(super) fn new(action: &'static str, pairs: Vec<(String, String)>) -> Fields {
        let mut values = BTreeMap::new();
        for (key, value) in pairs {
            if key != crate::forms::TOKEN_FIELD {
                values.insert(key, value);
            }
        }
        Fields { action, values }
    }

    pub(super) fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The message (`body`) as the HTML the core takes: the editor's HTML when the
    /// form says `format=html` (the core sanitises it), else the text converted.
    pub(super) fn body(&self) -> String {
        self.rich("body")
    }

    /// A rich-text field as the HTML the core takes, by the form's `format`.
    fn rich(&self, name: &str) -> String {
        crate::rich::Format::of(self.get(crate::rich::FORMAT_FIELD)).to_core(self.get(name))
    }

    /// A field left blank is no value.
    pub(super) fn optional(&self, name: &str) -> Option<&str> {
        Some(self.get(name)).filter(|v| !v.trim().is_empty())
    }

    /// The version of the ticket the user saw: every form carries it.
    pub(super) fn version(&self, viewer: &Viewer) -> Result<u64, PageError> {
        self.get("version")
            .trim()
            .parse()
            .map_err(|_| invalid(viewer, "version", "the form has no valid version"))
    }

    /// A field that must parse as `T` when not blank.
    fn parsed<T: std::str::FromStr>(
        &self,
        viewer: &Viewer,
        name: &str,
    ) -> Result<Option<T>, PageError> {
        self.optional(name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| invalid(viewer, name, "is not one of the choices"))
            })
            .transpose()
    }

    /// What the user typed, to show again if the command is not taken.
    pub(super) fn kept(self) -> Kept {
        Kept {
            action: self.action.to_owned(),
            values: self.values,
        }
    }
}

fn invalid(viewer: &Viewer, field: &str, detail: &str) -> PageError {
    PageError::refused(
        &viewer.site,
        StatusCode::UNPROCESSABLE_ENTITY,
        Msg::InvalidInput,
        Some(crate::error::field_detail(
            viewer.site.lang,
            Some(field),
            detail,
        )),
    )
}

type Form = WebForm<Vec<(String, String)>>;

/// `POST /tickets/{id}/assign`: an assignee and/or a group (a "take it" button sends
/// the viewer's own id).
pub(crate) async fn assign(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("assign", pairs);
    let version = fields.version(&viewer)?;
    let assignee: Option<StaffId> = fields.parsed(&viewer, "assignee")?;
    let group: Option<GroupId> = fields.parsed(&viewer, "group")?;
    let result = viewer
        .service
        .assign(&viewer.actor, id, Some(version), assignee, group)
        .await;
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// `POST /tickets/{id}/request-information`.
pub(crate) async fn request_information(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("request-information", pairs);
    let version = fields.version(&viewer)?;
    let result = viewer
        .service
        .request_information(&viewer.actor, id, Some(version), fields.get("message"))
        .await;
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// `POST /tickets/{id}/propose-closure`.
pub(crate) async fn propose_closure(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("propose-closure", pairs);
    let version = fields.version(&viewer)?;
    let result = viewer
        .service
        .propose_closure(&viewer.actor, id, Some(version), fields.get("solution"))
        .await;
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// `POST /tickets/{id}/approve-closure`: the questionnaire's answers, `q_{key}` each.
pub(crate) async fn approve_closure(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("approve-closure", pairs);
    let version = fields.version(&viewer)?;
    let view = viewer
        .service
        .ticket(&viewer.actor, id)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    let questionnaire = viewer
        .service
        .tenant(&viewer.actor, view.ticket.tenant)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?
        .settings
        .questionnaire;
    let mut answers = Answers::new();
    let mut missing = None;
    for question in &questionnaire.questions {
        let Some(value) = fields.optional(&format!("q_{}", question.key)) else {
            if question.required && missing.is_none() {
                missing = Some(question);
            }
            continue;
        };
        let answer = match (&question.kind, value.trim().parse::<u8>()) {
            (QuestionKind::Score { .. }, Ok(score)) => Answer::Score(score),
            _ => Answer::Text(value.to_owned()),
        };
        answers.insert(question.key.clone(), answer);
    }
    let lang = viewer.site.lang;
    let said = |question: &helpdesk_core::Question, reason: &str| Notice {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: Msg::InvalidInput,
        detail: Some(format!(
            "{} — {reason}",
            super::view::question_label(lang, question)
        )),
    };
    if let Some(question) = missing {
        let notice = said(question, lang.t(Msg::AnswerRequired));
        return super::view::show(&viewer, id, Some(notice), &fields.kept()).await;
    }
    let result = viewer
        .service
        .approve_closure(&viewer.actor, id, Some(version), answers)
        .await;
    // An answer the questionnaire refuses is said with its question's label.
    if let Err(Error::Validation(v)) = &result
        && let Some(question) = v
            .field
            .strip_prefix("answers.")
            .and_then(|key| questionnaire.questions.iter().find(|q| q.key == key))
    {
        let notice = said(question, &crate::error::reason_text(lang, v));
        return super::view::show(&viewer, id, Some(notice), &fields.kept()).await;
    }
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// `POST /tickets/{id}/refuse-closure`: a justification is required.
pub(crate) async fn refuse_closure(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("refuse-closure", pairs);
    let version = fields.version(&viewer)?;
    let result = viewer
        .service
        .refuse_closure(
            &viewer.actor,
            id,
            Some(version),
            fields.get("justification"),
        )
        .await;
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// `POST /tickets/{id}/cancel`: with a reason, if given.
pub(crate) async fn cancel(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("cancel", pairs);
    let version = fields.version(&viewer)?;
    let result = viewer
        .service
        .cancel(&viewer.actor, id, Some(version), fields.optional("reason"))
        .await;
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// `POST /tickets/{id}/reopen`: with a reason, if given.
pub(crate) async fn reopen(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("reopen", pairs);
    let version = fields.version(&viewer)?;
    let result = viewer
        .service
        .reopen(&viewer.actor, id, Some(version), fields.optional("reason"))
        .await;
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// `POST /tickets/{id}/edit`: subject, description, priority, product, phone, asset and
/// custom fields (`custom_fields.<key>`); a field left blank is cleared (the description
/// is required by the core; a required custom field is refused, naming it by its label).
pub(crate) async fn edit(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("edit", pairs);
    let version = fields.version(&viewer)?;
    let priority: Option<Priority> = fields.parsed(&viewer, "priority")?;
    let description = match edited_description(&viewer, id, &fields).await {
        Ok(description) => description,
        Err(e) => return super::refused(&viewer, id, e, fields.kept()).await,
    };
    let edit = TicketEdit {
        description,
        subject: fields
            .values
            .contains_key("subject")
            .then(|| fields.get("subject").to_owned()),
        priority,
        product: if fields.values.contains_key("product") {
            Some(fields.parsed::<ProductId>(&viewer, "product")?)
        } else {
            None
        },
        contact_phone: fields
            .values
            .contains_key("contact_phone")
            .then(|| fields.optional("contact_phone").map(str::to_owned)),
        asset: fields
            .values
            .contains_key("asset")
            .then(|| fields.optional("asset").map(str::to_owned)),
        custom_fields: fields
            .values
            .keys()
            .filter_map(|name| crate::custom_fields::key_of(name).map(|key| (name, key)))
            .map(|(name, key)| (key.to_owned(), fields.optional(name).map(str::to_owned)))
            .collect(),
    };
    let result = viewer
        .service
        .edit(&viewer.actor, id, Some(version), edit)
        .await;
    // A custom field the core refuses is said with its label.
    if let Err(Error::Validation(v)) = &result
        && crate::custom_fields::key_of(&v.field).is_some()
    {
        let notice = Notice {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: Msg::InvalidInput,
            detail: crate::custom_fields::refusal(
                ticket_settings(&viewer, id).await.as_ref(),
                viewer.site.lang,
                v,
            ),
        };
        return super::view::show(&viewer, id, Some(notice), &fields.kept()).await;
    }
    finish(&viewer, id, result, fields.kept(), "properties").await
}

/// The description an edit form asks for, if it changes it: the editor's HTML as sent
/// (the script sends none when it was not touched), or the text typed when it differs
/// from the text the form showed (so an edit of other fields keeps the formatting).
async fn edited_description(
    viewer: &Viewer,
    id: TicketId,
    fields: &Fields,
) -> Result<Option<String>, Error> {
    if !fields.values.contains_key("description") {
        return Ok(None);
    }
    let format = crate::rich::Format::of(fields.get(crate::rich::FORMAT_FIELD));
    if format == crate::rich::Format::Text {
        let view = viewer.service.ticket(&viewer.actor, id).await?;
        let shown = crate::rich::to_text(view.ticket.description.as_html());
        let typed = fields.get("description").replace("\r\n", "\n");
        if typed.trim() == shown.trim() {
            return Ok(None);
        }
    }
    Ok(Some(fields.rich("description")))
}

/// The settings of the ticket's tenant, when the viewer may read them.
async fn ticket_settings(viewer: &Viewer, id: TicketId) -> Option<helpdesk_core::TenantSettings> {
    let view = viewer.service.ticket(&viewer.actor, id).await.ok()?;
    let tenant = viewer
        .service
        .tenant(&viewer.actor, view.ticket.tenant)
        .await
        .ok()?;
    Some(tenant.settings)
}

/// `POST /tickets/{id}/move-category`.
pub(crate) async fn move_category(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("move-category", pairs);
    let version = fields.version(&viewer)?;
    let Some(category) = fields.parsed::<CategoryId>(&viewer, "category")? else {
        return Err(invalid(&viewer, "category", "choose a category"));
    };
    let result = viewer
        .service
        .move_category(&viewer.actor, id, Some(version), category)
        .await;
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// The member a form names: by id (a list's choice) or by the host's login. A login
/// nobody has is refused as the field's error, so the page keeps what was typed.
async fn member(
    viewer: &Viewer,
    id: TicketId,
    field: &str,
    value: &str,
) -> Result<MemberId, Error> {
    let value = value.trim();
    if let Ok(member) = value.parse::<MemberId>() {
        return Ok(member);
    }
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let view = viewer.service.ticket(&viewer.actor, id).await?;
    let user = UserId::new(value).map_err(|e| Error::invalid(field, e.to_string()))?;
    match viewer
        .service
        .member_by_user(&viewer.actor, view.ticket.tenant, &user)
        .await
    {
        Ok(member) => Ok(member.id),
        Err(Error::NotFound(_)) => Err(Error::invalid(field, UNKNOWN_LOGIN)),
        Err(e) => Err(e),
    }
}

/// The reason of a login nobody in the tenant has (shown in the reader's language).
const UNKNOWN_LOGIN: &str = "unknown login";

/// The page for a member the form named that could not be found: the ticket again,
/// the field said in the reader's language, the typed login kept.
async fn member_refused(
    viewer: &Viewer,
    id: TicketId,
    error: Error,
    label: Msg,
    kept: Kept,
) -> Result<Response, PageError> {
    match error {
        Error::Validation(v) if v.reason == UNKNOWN_LOGIN => {
            let site = &viewer.site;
            let notice = Notice {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: Msg::InvalidInput,
                detail: Some(format!("{} — {}", site.t(label), site.t(Msg::UnknownLogin))),
            };
            super::view::show(viewer, id, Some(notice), &kept).await
        }
        other => super::refused(viewer, id, other, kept).await,
    }
}

/// `POST /tickets/{id}/invite-guest`: a member by login.
pub(crate) async fn invite_guest(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("invite-guest", pairs);
    let version = fields.version(&viewer)?;
    let guest = match member(&viewer, id, "login", fields.get("login")).await {
        Ok(guest) => guest,
        Err(e) => return member_refused(&viewer, id, e, Msg::Login, fields.kept()).await,
    };
    let result = viewer
        .service
        .invite_guest(&viewer.actor, id, Some(version), guest)
        .await;
    finish(&viewer, id, result, fields.kept(), "guests").await
}

/// `POST /tickets/{id}/reassign-requester`: a member by id or login.
pub(crate) async fn reassign_requester(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(pairs): Form,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let fields = Fields::new("reassign-requester", pairs);
    let version = fields.version(&viewer)?;
    let to = match member(&viewer, id, "member", fields.get("member")).await {
        Ok(to) => to,
        Err(e) => return member_refused(&viewer, id, e, Msg::NewRequester, fields.kept()).await,
    };
    let result = viewer
        .service
        .reassign_requester(&viewer.actor, id, Some(version), to)
        .await;
    finish(&viewer, id, result, fields.kept(), "history").await
}
