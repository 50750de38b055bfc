//! Query-string parameters: read by name, each refusal naming its parameter.

use std::collections::BTreeMap;
use std::str::FromStr;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_core::{Error, PageRequest, SearchCriteria, Sort};

use crate::problem::ApiError;

/// The query string as named parameters; a parameter may repeat.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(BTreeMap<String, Vec<String>>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest {
                field: None,
                detail: e.body_text(),
            })?;
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, value) in pairs {
            map.entry(key).or_default().push(value);
        }
        Ok(Params(map))
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> ApiError {
    ApiError::Domain(Error::invalid(field, reason))
}

impl Params {
    /// Refuses any parameter not in `known`, so a typo does not silently widen a search.
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(unknown) => Err(invalid(unknown, "unknown query parameter")),
            None => Ok(()),
        }
    }

    /// The last value of `name`, if present and not blank.
    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(|v| v.last())
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The last value of `name` for a typed parameter: absent is none, a blank value is
    /// refused (as the OpenAPI document's formats say).
    fn typed(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match (self.0.contains_key(name), self.one(name)) {
            (true, None) => Err(invalid(name, "must not be blank: leave it out instead")),
            (_, value) => Ok(value),
        }
    }

    /// `name` parsed as `T`.
    pub(crate) fn parse<T: FromStr>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.typed(name)?
            .map(|v| {
                v.parse()
                    .map_err(|_| invalid(name, format!("`{v}` is not valid here")))
            })
            .transpose()
    }

    /// Every value of `name`, comma-separated values split, each parsed as `T`.
    pub(crate) fn list<T: FromStr>(&self, name: &str) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        for value in self.0.get(name).into_iter().flatten() {
            if value.trim().is_empty() {
                return Err(invalid(name, "must not be blank: leave it out instead"));
            }
            for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                out.push(
                    item.parse()
                        .map_err(|_| invalid(name, format!("`{item}` is not valid here")))?,
                );
            }
        }
        Ok(out)
    }

    /// `name` as a boolean: `true`/`false`/`1`/`0`; absent is false.
    pub(crate) fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.typed(name)? {
            None | Some("false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(_) => Err(invalid(name, "must be true or false")),
        }
    }

    /// `name` as an instant: RFC 3339, or a date (midnight UTC).
    pub(crate) fn instant(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        let Some(value) = self.typed(name)? else {
            return Ok(None);
        };
        if let Ok(at) = DateTime::parse_from_rfc3339(value) {
            return Ok(Some(at.with_timezone(&Utc)));
        }
        NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| Some(d.and_utc()))
            .ok_or_else(|| invalid(name, "must be a date (2026-01-31) or an RFC 3339 instant"))
    }

    /// The search criteria these parameters describe.
    pub(crate) fn criteria(&self) -> Result<SearchCriteria, ApiError> {
        Ok(SearchCriteria {
            tenant: None,
            number: self.parse("number")?,
            statuses: self.list("status")?,
            priorities: self.list("priority")?,
            categories: self.list("category")?,
            products: self.list("product")?,
            requester: self.parse("requester")?,
            assignee: self.parse("assignee")?,
            group: self.parse("group")?,
            opened_from: self.instant("opened_from")?,
            opened_to: self.instant("opened_to")?,
            updated_from: self.instant("updated_from")?,
            updated_to: self.instant("updated_to")?,
            contains: self.one("contains").map(str::to_owned),
            include_closed: self.flag("include_closed")?,
            include_archived: self.flag("include_archived")?,
            sla: self.sort_part("sla")?,
            sort: Sort {
                key: self.sort_part("sort")?.unwrap_or_default(),
                order: self.sort_part("order")?.unwrap_or_default(),
            },
        })
    }

    /// `sort`, `order` or `sla`, refused with the core's reason (which names the
    /// accepted values).
    fn sort_part<T: FromStr<Err = helpdesk_core::ValidationError>>(
        &self,
        name: &str,
    ) -> Result<Option<T>, ApiError> {
        self.typed(name)?
            .map(|v| {
                v.parse()
                    .map_err(|e: helpdesk_core::ValidationError| invalid(name, e.reason))
            })
            .transpose()
    }

    /// The page these parameters ask for.
    pub(crate) fn page(&self) -> Result<PageRequest, ApiError> {
        Ok(PageRequest {
            limit: self
                .parse("limit")?
                .unwrap_or(helpdesk_core::search::DEFAULT_PAGE_SIZE),
            after: self.parse("cursor")?,
        })
    }
}

/// The parameters [`Params::criteria`] reads.
pub(crate) const CRITERIA: [&str; 19] = [
    "number",
    "status",
    "priority",
    "category",
    "product",
    "requester",
    "assignee",
    "group",
    "opened_from",
    "opened_to",
    "updated_from",
    "updated_to",
    "contains",
    "include_closed",
    "include_archived",
    "sort",
    "order",
    "tenant",
    "sla",
];
