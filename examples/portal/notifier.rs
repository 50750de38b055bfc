//! Where the portal's notifications go. Without a mail server, [`LogNotifier`] writes
//! each one to the log and to stdout, so nothing is dropped unseen.

use async_trait::async_trait;
use helpdesk_core::{Notification, Notifier, NotifyError};

/// Writes each notification (who, which ticket, what happened) to the log and to
/// stdout, and reports it delivered.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let line = describe(notification);
        tracing::info!(
            notification = %notification.id,
            ticket = notification.number.get(),
            event = notification.event.kind.name(),
            "{line}"
        );
        println!("{line}");
        Ok(())
    }
}

/// One line: `notification to Alice <alice@acme.example>: ticket n°12 "Printer" (replied)`.
pub(crate) fn describe(n: &Notification) -> String {
    let to: Vec<String> = n
        .contacts
        .iter()
        .map(|c| match &c.email {
            Some(email) => format!("{} <{email}>", c.display_name),
            None => format!("{} (no email)", c.display_name),
        })
        .collect();
    format!(
        "notification to {}: ticket n°{} {:?} ({})",
        to.join(", "),
        n.number.get(),
        n.subject,
        n.event.kind.name()
    )
}
