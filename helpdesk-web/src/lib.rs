//! Drop-in web pages for the helpdesk: the screens requesters, agents and administrators
//! use, rendered on the server, nested in the host's own axum `Router` at any prefix.
//!
//! The pages run on the same [`HelpdeskState`] as the JSON routes of `helpdesk-axum`,
//! and so on the same [`HelpdeskService`](helpdesk_core::HelpdeskService) and the
//! host's same [`Identify`](helpdesk_axum::Identify): no second login. They call the
//! service directly, never the JSON API over HTTP.
//!
//! ```
//! use std::sync::Arc;
//! use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError};
//! use helpdesk_core::{HelpdeskService, memory::MemoryStore};
//! use helpdesk_web::{Theme, WebConfig};
//!
//! struct MyLogin;
//! #[helpdesk_axum::async_trait]
//! impl Identify for MyLogin {
//!     async fn identify(
//!         &self,
//!         _parts: &mut axum::http::request::Parts,
//!     ) -> Result<Option<Caller>, IdentifyError> {
//!         Ok(None) // the host's session lookup goes here
//!     }
//! }
//!
//! let service = HelpdeskService::new(Arc::new(MemoryStore::new()));
//! let helpdesk = HelpdeskState::new(service, Arc::new(MyLogin));
//! let pages = WebConfig::new()
//!     .with_theme(Theme { name: "ENT Lycée Jean Moulin".into(), ..Theme::default() })
//!     .with_login_url("/login");
//! let app: axum::Router = axum::Router::new()
//!     .nest("/support", helpdesk_web::pages(pages))
//!     .nest("/support/api", helpdesk_axum::router())
//!     .with_state(helpdesk);
//! ```
//!
//! # Languages
//! French and English. A page speaks the language the logged-in person chose on their
//! profile (stored by the core, `HelpdeskService::set_language`), else the one this
//! browser chose (the `hd_lang` cookie, which also serves visitors), else the browser's
//! `Accept-Language`, else the tenant's default language. Validation refusals are said
//! in that language from their `ReasonCode`, the field named by its label.
//!
//! # Finding people
//! Forms that name a member (inviting a guest, a new requester) and the members page
//! search by name, login or email through the core (`HelpdeskService::find_members`,
//! so a requester finds active colleagues only); the search is a plain `GET` that
//! re-renders the page with the results to choose from.
//!
//! # Why maud
//! The markup is written with [maud](https://maud.lambda.xyz/): pages are Rust
//! functions, checked by the compiler like the rest of the code (a missing field or a
//! misspelt message does not build), every value is HTML-escaped unless marked
//! otherwise, pieces compose as plain function calls (a host's [`Chrome`] receives
//! [`maud::Markup`]), and there are no template files to ship or find at run time.
//! Its macro is small, which keeps builds short.
//!
//! # Without JavaScript
//! Every action is a plain HTML form and works without a script. One small script,
//! served by the crate (`/assets/helpdesk.js`, no inline code, so a strict
//! Content-Security-Policy holds), adds FAQ suggestions while typing, the category
//! filter, pasted screenshots and unsaved-text guards. It also turns the description,
//! reply and note fields into a small rich-text editor (bold, italic, underline, lists,
//! links; the form then says `format=html` and the HTML goes to the core's sanitiser,
//! where without it the text typed becomes paragraphs, lists and links), and shows each
//! date, sent as a `<time>` in UTC, in the browser's own time zone.
//!
//! # Custom fields
//! The questions a tenant adds to its new-ticket form (`TenantSettings::custom_fields`,
//! defined on the settings page) are asked there with their label in the reader's
//! language, shown in the ticket's properties and changed by its edit form; a required
//! one left blank is refused, named by its label.
//!
//! # Security
//! Every form carries a token checked on `POST` (a double-submit cookie of the pages),
//! the `Origin` of writes is checked as for the JSON routes, every page is sent with a
//! strict Content-Security-Policy, and text is escaped by the template engine; rich
//! text is the core's sanitised HTML, without remote images. Image attachments are shown
//! under their message from the pages' own download route, with the message's
//! visibility; any other type (SVG included) is only ever a download.
#![cfg_attr(docsrs, feature(doc_cfg))]
// Functions stay short enough to read at once (tests, scenarios and route tables aside).
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

mod assets;
mod chart;
mod config;
mod csrf;
mod custom_fields;
mod error;
mod forms;
mod i18n;
mod layout;
mod pages;
mod rich;
mod site;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Extension, Router, middleware};
use helpdesk_axum::HelpdeskState;

pub use config::{Chrome, DefaultChrome, PageParts, Theme, WebConfig};
pub use csrf::{COOKIE_NAME as FORM_TOKEN_COOKIE, FormToken};
pub use forms::TOKEN_FIELD;
pub use i18n::{Lang, Msg};
pub use layout::CONTENT_SECURITY_POLICY_VALUE;
pub use maud;

/// The helpdesk's pages, to nest at any prefix of the host's router. Needs a
/// [`HelpdeskState`] reachable from the host's state `S` through `FromRef`, the same one
/// `helpdesk_axum::router()` uses.
pub fn pages<S>(config: WebConfig) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    let secure = config.secure_cookies;
    Router::new()
        .route("/", get(pages::home::home))
        .route("/tickets", get(pages::list::list))
        .route("/tickets/export.csv", get(pages::list::export))
        .route("/tickets/saved", axum::routing::post(pages::list::save))
        .route(
            "/tickets/saved/{id}/delete",
            axum::routing::post(pages::list::forget),
        )
        .route("/assets/helpdesk.css", get(assets::style))
        .route("/assets/helpdesk.js", get(assets::script))
        .route("/assets/theme.css", get(assets::theme))
        .merge(pages::ticket::routes())
        .merge(pages::new_ticket::routes())
        .merge(pages::admin::routes())
        .merge(pages::profile::routes())
        .fallback(pages::not_found)
        .layer(middleware::from_fn(move |request, next| {
            csrf::keep_token(secure, request, next)
        }))
        .layer(Extension(Arc::new(config)))
}
