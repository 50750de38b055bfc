//! Home: one tile per status with its count, tickets opened per month, satisfaction;
//! for platform admins and supervisors, the notifications given up on; for staff, the counts and satisfaction per agent and per group.

use axum::response::Response;
use helpdesk_core::{Breakdown, Dashboard, LineCounts, Status};
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
    // Staff see the dashboard per agent and per group (an agent, their own line).
    let breakdown = if viewer.actor.is_staff() {
        Some(
            viewer
                .service
                .dashboard_breakdown(&viewer.actor, tenant)
                .await
                .map_err(|e| PageError::domain(&viewer.site, e))?,
        )
    } else {
        None
    };
    let site = &viewer.site;
    let content = html! {
        h1 { (site.t(Msg::Dashboard)) }
        (tiles(&viewer, &dashboard))
        @if let Some(count) = dashboard.dead_letters {
            (dead_letters(&viewer, count))
        }
        @if viewer.actor.is_staff() {
            (service_levels(&viewer, &dashboard))
        }
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
        @if let Some(breakdown) = &breakdown {
            (breakdown_tables(&viewer, breakdown))
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

/// For platform admins and supervisors: how many notifications were given up on.
fn dead_letters(viewer: &Viewer, count: u64) -> Markup {
    let site = &viewer.site;
    html! {
        section class="hd-dead-letters" aria-labelledby="hd-dead-letters" {
            h2 id="hd-dead-letters" { (site.t(Msg::DeadLetters)) }
            p {
                span class="hd-dead-letters-count" { (count) }
                " "
                @if count == 0 {
                    (site.t(Msg::NoDeadLetters))
                } @else {
                    (site.t(Msg::DeadLettersWaiting))
                }
            }
        }
    }
}

/// For staff: open tickets due soon and overdue (each a link to the filtered list),
/// and compliance per target.
fn service_levels(viewer: &Viewer, dashboard: &Dashboard) -> Markup {
    let site = &viewer.site;
    let figures = &dashboard.service_levels;
    let compliance = |c: &helpdesk_core::Compliance| match c.percent {
        Some(percent) => format!("{percent:.0} % ({}/{})", c.on_time, c.met),
        None => site.t(Msg::SlaNothingMet).to_owned(),
    };
    html! {
        section class="hd-service-levels" aria-labelledby="hd-service-levels" {
            h2 id="hd-service-levels" { (site.t(Msg::SlaFilterLabel)) }
            ul class="hd-tiles" {
                li class="hd-tile hd-sla-due-soon" {
                    a href=(site.href("/tickets?sla=due_soon")) {
                        span class="hd-tile-count" { (figures.due_soon) }
                        span class="hd-tile-label" { (site.t(Msg::SlaDueSoonTickets)) }
                    }
                }
                li class="hd-tile hd-sla-breached" {
                    a href=(site.href("/tickets?sla=breached")) {
                        span class="hd-tile-count" { (figures.breached) }
                        span class="hd-tile-label" { (site.t(Msg::SlaBreachedTickets)) }
                    }
                }
            }
            h3 { (site.t(Msg::SlaCompliance)) }
            dl {
                dt { (site.t(Msg::SlaFirstResponseTarget)) }
                dd { (compliance(&figures.first_response)) }
                dt { (site.t(Msg::SlaResolutionTarget)) }
                dd { (compliance(&figures.resolution)) }
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
    chart::bars(lang, lang.t(Msg::OpenedPerMonth), &bars)
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
                p { (site.t(Msg::Answers)) (site.lang.colon()) (s.answered) }
                @for (criterion, choices) in &s.choices {
                    h3 { (criterion_words(viewer, criterion)) }
                    ul class="hd-choices" {
                        @for (choice, count) in choices {
                            li { (option_words(site.lang, choice).unwrap_or(choice)) (site.lang.colon()) (count) }
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

/// The per-agent and per-group tables: one row per line, a column per status, then the
/// answered closures and their average score.
fn breakdown_tables(viewer: &Viewer, breakdown: &Breakdown) -> Markup {
    let site = &viewer.site;
    let agents: Vec<(&str, &LineCounts)> = breakdown
        .by_agent
        .iter()
        .map(|l| {
            let name = if l.agent.is_none() || l.name.is_empty() {
                site.t(Msg::Unassigned)
            } else {
                l.name.as_str()
            };
            (name, &l.counts)
        })
        .collect();
    let groups: Vec<(&str, &LineCounts)> = breakdown
        .by_group
        .iter()
        .map(|l| {
            let name = if l.group.is_none() || l.name.is_empty() {
                site.t(Msg::NoGroup)
            } else {
                l.name.as_str()
            };
            (name, &l.counts)
        })
        .collect();
    html! {
        section aria-labelledby="hd-by-agent" {
            h2 id="hd-by-agent" { (site.t(Msg::ByAgent)) }
            (lines_table(viewer, "hd-by-agent-table", Msg::Assignee, &agents))
        }
        section aria-labelledby="hd-by-group" {
            h2 id="hd-by-group" { (site.t(Msg::ByGroup)) }
            (lines_table(viewer, "hd-by-group-table", Msg::Group, &groups))
        }
    }
}

fn lines_table(viewer: &Viewer, id: &str, first: Msg, lines: &[(&str, &LineCounts)]) -> Markup {
    let site = &viewer.site;
    if lines.is_empty() {
        return html! { p class="hd-muted" { (site.t(Msg::NoTickets)) } };
    }
    html! {
        div class="hd-table-wrap" {
            table class="hd-table" id=(id) {
                thead {
                    tr {
                        th scope="col" { (site.t(first)) }
                        @for status in Status::ALL {
                            th scope="col" { (viewer.status_label(None, status)) }
                        }
                        th scope="col" { (site.t(Msg::Answers)) }
                        th scope="col" { (site.t(Msg::AverageScore)) }
                    }
                }
                tbody {
                    @for (name, counts) in lines {
                        tr {
                            th scope="row" { (name) }
                            @for status in Status::ALL {
                                td data-label=(viewer.status_label(None, status)) {
                                    (counts.by_status.get(&status).copied().unwrap_or(0))
                                }
                            }
                            td data-label=(site.t(Msg::Answers)) { (counts.answered) }
                            td data-label=(site.t(Msg::AverageScore)) {
                                @match counts.average_score {
                                    Some(average) => (format!("{average:.1}")),
                                    None => "–",
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
