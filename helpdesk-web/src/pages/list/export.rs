//! The list's tickets as a CSV file: the filtered ones, or those ticked.

use axum::body::Body;
use axum::extract::RawQuery;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use helpdesk_core::{CsvFormat, TicketNumber};
use maud::{Markup, html};
use serde::Deserialize;

use super::ListForm;
use crate::error::PageError;
use crate::i18n::Msg;
use crate::site::Viewer;

/// The export's own fields, beside the list's criteria.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExportForm {
    numbers: Vec<String>,
    format: String,
}

/// Whether the viewer may export: tenant admins and platform admins, as the core says.
pub(super) fn allowed(viewer: &Viewer) -> bool {
    match &viewer.actor {
        helpdesk_core::Actor::Member(m) => m.role == helpdesk_core::MemberRole::TenantAdmin,
        helpdesk_core::Actor::Staff(s) => s.role == helpdesk_core::StaffRole::PlatformAdmin,
        helpdesk_core::Actor::System => false,
    }
}

/// The export form: the current criteria, the file format, and the ticked rows (the
/// table's boxes belong to this form through their `form` attribute).
pub(super) fn form(viewer: &Viewer, query: &str) -> Markup {
    let site = &viewer.site;
    html! {
        form id="hd-export" class="hd-actions" method="get" action=(site.href("/tickets/export.csv")) {
            // The tenant shown, which the form's own fields would otherwise drop.
            @if let Some(slug) = &site.tenant_slug {
                input type="hidden" name="tenant" value=(slug);
            }
            @for (name, value) in serde_html_form::from_str::<Vec<(String, String)>>(query).unwrap_or_default() {
                @if name != "after" && name != "limit" {
                    input type="hidden" name=(name) value=(value);
                }
            }
            label for="hd-export-format" { (site.t(Msg::FileFormat)) }
            select id="hd-export-format" name="format" {
                option value="csv" { "CSV" }
                option value="excel-fr" selected[site.lang == crate::i18n::Lang::Fr] { (site.t(Msg::FormatExcelFr)) }
            }
            button type="submit" class="hd-secondary" { (site.t(Msg::ExportCsv)) }
        }
    }
}

/// `GET /tickets/export.csv`: the file, streamed a page of tickets at a time.
pub(crate) async fn export(
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let query = query.unwrap_or_default();
    let list: ListForm = serde_html_form::from_str(&query)
        .map_err(|e| super::invalid(&viewer, "query", &e.to_string()))?;
    let extra: ExportForm = serde_html_form::from_str(&query)
        .map_err(|e| super::invalid(&viewer, "query", &e.to_string()))?;
    let criteria = list.criteria(&viewer)?;
    let numbers: Vec<TicketNumber> = super::parsed(&viewer, "numbers", &extra.numbers)?;
    let format = if extra.format.is_empty() {
        CsvFormat::default()
    } else {
        extra
            .format
            .parse()
            .map_err(|_| super::invalid(&viewer, "format", &extra.format))?
    };
    let export = viewer
        .service
        .csv_export(&viewer.actor, criteria, &numbers, format)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    let chunks = futures_util::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(export))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "export cut short");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    });
    let mut response = (StatusCode::OK, Body::from_stream(chunks)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"tickets.csv\""),
    );
    Ok(response)
}
