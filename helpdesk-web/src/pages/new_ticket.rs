//! The new-ticket form: category tree with its filter, FAQ suggestions, rich text with pasted screenshots, attachments; staff open on a member's behalf.

use axum::Router;
use axum::extract::FromRef;
use helpdesk_axum::HelpdeskState;

/// This screen's routes, merged into [`crate::pages`].
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
}
