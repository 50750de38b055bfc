//! The viewer's profile: name, email, language.

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
