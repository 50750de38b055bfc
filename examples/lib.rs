//! Reference deployments.
