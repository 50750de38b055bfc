//! Home: one tile per status with its count, tickets opened per month, satisfaction.

use axum::response::Response;
use helpdesk_core::{Dashboard, Status};
use maud::{Markup, html};

use crate::chart;
use crate::error::PageError;
use crate::i18n::Msg;
use crate::layout;
use crate::pages::ticket::{option_words, question_label};
use crate::site::Viewer;

/// Months shown on the home chart.
const MONTHS: u32 = 12;

/// `GET /`: the viewer's dashboard.
pub(crate) async fn home(viewer: Viewer) -> Result<Response, PageError> {
    let tenant = viewer.tenant.as_ref().map(|t| t.id);
    let dashboard = viewer
        .service
        .dashboard(&viewer.actor, tenant, None, MONTHS)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    let site = &viewer.site;
    let content = html! {
        h1 { (site.t(Msg::Dashboard)) }
        (tiles(&viewer, &dashboard))
        div class="hd-columns" {
            section aria-labelledby="hd-opened" {
                h2 id="hd-opened" { (site.t(Msg::OpenedPerMonth)) }
                (opened_chart(&viewer, &dashboard))
            }
            section aria-labelledby="hd-satisfaction" {
                h2 id="hd-satisfaction" { (site.t(Msg::Satisfaction)) }
                (satisfaction(&viewer, &dashboard))
            }
        }
    };
    Ok(layout::page(
        site,
        layout::nav(&viewer),
        site.t(Msg::Dashboard),
        content,
    ))
}

fn tiles(viewer: &Viewer, dashboard: &Dashboard) -> Markup {
    let site = &viewer.site;
    html! {
        ul class="hd-tiles" {
            @for status in Status::ALL {
                @let count = dashboard.by_status.get(&status).copied().unwrap_or(0);
                li class=(format!("hd-tile hd-status-{}", status.as_str())) {
                    a href=(site.href(&format!("/tickets?status={}", status.as_str())))
                        title=(site.t(Msg::TicketsWithStatus)) {
                        span class="hd-tile-count" { (count) }
                        span class="hd-tile-label" { (viewer.status_label(None, status)) }
                    }
                }
            }
        }
    }
}

fn opened_chart(viewer: &Viewer, dashboard: &Dashboard) -> Markup {
    let lang = viewer.site.lang;
    let bars: Vec<(String, u64)> = dashboard
        .opened_per_month
        .iter()
        .map(|m| {
            (
                format!("{} {}", lang.month(m.month.month), m.month.year % 100),
                m.opened,
            )
        })
        .collect();
    chart::bars(lang.t(Msg::OpenedPerMonth), &bars)
}

fn satisfaction(viewer: &Viewer, dashboard: &Dashboard) -> Markup {
    let site = &viewer.site;
    let s = &dashboard.satisfaction;
    html! {
        @match s.average_score {
            Some(average) => {
                p class="hd-score" {
                    span class="hd-score-value" { (format!("{average:.1}")) }
                    " " (site.t(Msg::OutOfTen))
                }
                p { (site.t(Msg::Answers)) " : " (s.answered) }
                @for (criterion, choices) in &s.choices {
                    h3 { (criterion_words(viewer, criterion)) }
                    ul class="hd-choices" {
                        @for (choice, count) in choices {
                            li { (option_words(site.lang, choice).unwrap_or(choice)) " : " (count) }
                        }
                    }
                }
            }
            None => p class="hd-muted" { (site.t(Msg::NoAnswerYet)) },
        }
    }
}

/// A criterion's words: its question's label in the tenant's questionnaire (ours,
/// translated, for the default one), else its key.
fn criterion_words(viewer: &Viewer, key: &str) -> String {
    let questionnaire = viewer
        .tenant
        .as_ref()
        .map(|t| t.settings.questionnaire.clone())
        .unwrap_or_default();
    questionnaire
        .questions
        .iter()
        .find(|q| q.key == key)
        .map_or_else(|| key.to_owned(), |q| question_label(viewer.site.lang, q))
}
