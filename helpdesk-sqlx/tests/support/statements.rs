//! The SQL statements sqlx runs, read from its own per-statement events (target
//! `sqlx::query`, `BEGIN` and `COMMIT` included) by a global `tracing` subscriber. A
//! test binary that installs it holds one test, so that nothing else runs statements
//! meanwhile (SQLite runs its statements on a worker thread, which a thread-local
//! subscriber would miss).

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The SQL of the statements sqlx reported since the last [`take`](Statements::take),
/// whitespace folded to single spaces.
#[derive(Clone, Default)]
pub struct Statements(Arc<Mutex<Vec<String>>>);

impl Statements {
    /// Installs a new one as the process's subscriber.
    pub fn install() -> Self {
        let statements = Self::default();
        tracing::subscriber::set_global_default(statements.clone()).expect("one subscriber");
        statements
    }

    /// The statements since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

/// A statement's SQL: `db.statement` when sqlx shortened it into `summary`.
#[derive(Default)]
struct Text {
    summary: String,
    statement: Option<String>,
}

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => value.clone_into(&mut self.summary),
            "db.statement" => self.statement = Some(value.to_owned()),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "summary" => self.summary = format!("{value:?}"),
            "db.statement" => self.statement = Some(format!("{value:?}")),
            _ => {}
        }
    }
}

impl Subscriber for Statements {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = Text::default();
        event.record(&mut text);
        let sql = text.statement.unwrap_or(text.summary);
        let folded = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        self.0.lock().expect("not poisoned").push(folded);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
