//! The closure questionnaire: the questions asked when a requester approves a closure,
//! each with its key, wording, whether it is required, and its kind (a score with its
//! range, a choice with its options, a free comment).

use axum::Router;
use axum::extract::{FromRef, RawQuery};
use axum::response::Response;
use axum::routing::get;
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{Question, QuestionKind, QuestionnaireDefinition};
use maud::{Markup, html};
use serde::Deserialize;

use super::{
    Problem, admin_page, banners, done, problem, require_admin, see_other, status_of,
    tenant_or_choice,
};
use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::Msg;
use crate::site::Viewer;

const PATH: &str = "/admin/questionnaire";

pub(super) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new().route(PATH, get(show).post(save))
}

/// The questionnaire form, as typed: one entry per row in each list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct QuestionsForm {
    key: Vec<String>,
    label: Vec<String>,
    required: Vec<String>,
    kind: Vec<String>,
    min: Vec<String>,
    max: Vec<String>,
    options: Vec<String>,
}

/// One row of the form.
#[derive(Debug, Default, Clone)]
struct Row {
    key: String,
    label: String,
    required: bool,
    kind: String,
    min: String,
    max: String,
    options: String,
}

impl QuestionsForm {
    fn rows(&self) -> Vec<Row> {
        let at = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
        (0..self.key.len().max(self.label.len()))
            .map(|i| Row {
                key: at(&self.key, i),
                label: at(&self.label, i),
                required: at(&self.required, i) == "1",
                kind: at(&self.kind, i),
                min: at(&self.min, i),
                max: at(&self.max, i),
                options: at(&self.options, i),
            })
            .collect()
    }
}

fn rows_of(definition: &QuestionnaireDefinition) -> Vec<Row> {
    definition
        .questions
        .iter()
        .map(|q| {
            let mut row = Row {
                key: q.key.clone(),
                label: q.label.clone(),
                required: q.required,
                ..Row::default()
            };
            match &q.kind {
                QuestionKind::Score { min, max } => {
                    row.kind = "score".into();
                    row.min = min.to_string();
                    row.max = max.to_string();
                }
                QuestionKind::Choice { options } => {
                    row.kind = "choice".into();
                    row.options = options.join(", ");
                }
                QuestionKind::Text => row.kind = "text".into(),
            }
            row
        })
        .collect()
}

async fn show(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    render(viewer, done(&query), None, None).await
}

async fn render(
    viewer: Viewer,
    done: bool,
    rows: Option<Vec<Row>>,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = &viewer.site;
    if !can.administer {
        return Err(PageError::domain(
            site,
            helpdesk_core::Error::Forbidden(helpdesk_core::Forbidden::RoleRequired),
        ));
    }
    let mut rows = rows.unwrap_or_else(|| rows_of(&tenant.settings.questionnaire));
    if rows
        .last()
        .is_none_or(|r| !r.key.is_empty() || !r.label.is_empty())
    {
        rows.push(Row {
            kind: "text".into(),
            ..Row::default()
        });
    }
    let content = html! {
        (banners(site, done, problem.as_ref()))
        p class="hd-muted" { (site.t(Msg::AdmQuestionnaireIntro)) }
        form class="hd-form" method="post" action=(site.href(PATH)) {
            (crate::layout::token_field(site))
            @for (i, row) in rows.iter().enumerate() {
                (question(site, i, row))
            }
            p class="hd-muted" { (site.t(Msg::AdmQuestionRemoveHelp)) }
            div class="hd-actions" { button type="submit" { (site.t(Msg::AdmSave)) } }
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmQuestionnaire,
        content,
    ))
}

/// One question's fields; `i` numbers them.
fn question(site: &crate::site::Site, i: usize, row: &Row) -> Markup {
    html! {
        fieldset class="hd-admin-question" {
            legend { (site.t(Msg::AdmQuestion)) " " (i + 1) }
            div class="hd-field" {
                label for=(format!("q{i}-key")) { (site.t(Msg::AdmKey)) }
                input id=(format!("q{i}-key")) type="text" name="key" value=(row.key) maxlength="64";
            }
            div class="hd-field" {
                label for=(format!("q{i}-label")) { (site.t(Msg::AdmWording)) }
                input id=(format!("q{i}-label")) type="text" name="label" value=(row.label) maxlength="500";
            }
            div class="hd-field" {
                label for=(format!("q{i}-required")) { (site.t(Msg::AdmRequired)) }
                select id=(format!("q{i}-required")) name="required" {
                    option value="0" selected[!row.required] { (site.t(Msg::AdmNo)) }
                    option value="1" selected[row.required] { (site.t(Msg::AdmYes)) }
                }
            }
            div class="hd-field" {
                label for=(format!("q{i}-kind")) { (site.t(Msg::AdmKind)) }
                select id=(format!("q{i}-kind")) name="kind" {
                    option value="score" selected[row.kind == "score"] { (site.t(Msg::AdmKindScore)) }
                    option value="choice" selected[row.kind == "choice"] { (site.t(Msg::AdmKindChoice)) }
                    option value="text" selected[row.kind == "text"] { (site.t(Msg::AdmKindText)) }
                }
            }
            div class="hd-admin-pair" {
                div class="hd-field" {
                    label for=(format!("q{i}-min")) { (site.t(Msg::AdmMin)) }
                    input id=(format!("q{i}-min")) type="number" name="min" min="0" max="255" value=(row.min);
                }
                div class="hd-field" {
                    label for=(format!("q{i}-max")) { (site.t(Msg::AdmMax)) }
                    input id=(format!("q{i}-max")) type="number" name="max" min="0" max="255" value=(row.max);
                }
            }
            div class="hd-field" {
                label for=(format!("q{i}-options")) { (site.t(Msg::AdmOptions)) }
                input id=(format!("q{i}-options")) type="text" name="options" value=(row.options) aria-describedby=(format!("q{i}-options-help"));
                p id=(format!("q{i}-options-help")) class="hd-muted" { (site.t(Msg::AdmOptionsHelp)) }
            }
        }
    }
}

fn definition_of(
    lang: crate::i18n::Lang,
    rows: &[Row],
) -> Result<QuestionnaireDefinition, Problem> {
    let mut questions = Vec::new();
    for row in rows {
        if row.key.trim().is_empty() && row.label.trim().is_empty() {
            continue;
        }
        let index = questions.len();
        let field = format!("questions[{index}].kind");
        let kind = match row.kind.as_str() {
            "score" => {
                let bound = |v: &str| {
                    v.trim()
                        .parse::<u8>()
                        .map_err(|_| Problem::field(lang, &field, "0 – 255"))
                };
                QuestionKind::Score {
                    min: bound(&row.min)?,
                    max: bound(&row.max)?,
                }
            }
            "choice" => QuestionKind::Choice {
                options: row
                    .options
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            "text" => QuestionKind::Text,
            _ => return Err(Problem::field(lang, &field, "?")),
        };
        questions.push(Question {
            key: row.key.trim().to_owned(),
            label: row.label.trim().to_owned(),
            required: row.required,
            kind,
        });
    }
    Ok(QuestionnaireDefinition { questions })
}

async fn save(
    viewer: Viewer,
    WebForm(form): WebForm<QuestionsForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = viewer.site.clone();
    let rows = form.rows();
    let definition = match definition_of(site.lang, &rows) {
        Ok(d) => d,
        Err(p) => return render(viewer, false, Some(rows), Some(p)).await,
    };
    match viewer
        .service
        .set_questionnaire(&viewer.actor, tenant.id, definition)
        .await
    {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            render(viewer, false, Some(rows), Some(p)).await
        }
    }
}
