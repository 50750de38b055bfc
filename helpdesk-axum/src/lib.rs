//! Drop-in axum routes for the helpdesk (work in progress: see the HTTP issue).
