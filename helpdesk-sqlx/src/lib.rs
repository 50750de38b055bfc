//! The helpdesk storage ports of `helpdesk-core` on SQLite and PostgreSQL (work in progress: see the storage issue).
