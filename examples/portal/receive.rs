//! `portal receive-mail`: one mail read on stdin becomes a reply on its ticket, for an
//! MTA's pipe transport. The exit code tells the MTA what to do with the mail
//! (sysexits.h): see [`Subcommand::ReceiveMail`](crate::Subcommand::ReceiveMail).

use std::io::Read as _;
use std::sync::Arc;

use helpdesk_core::{AttachmentLimits, HelpdeskService, Store};
use helpdesk_mail::DEFAULT_MAX_MESSAGE_BYTES;
use helpdesk_sqlx::{FsBlobStore, PostgresStore, SqliteStore};

use crate::{Fallible, Options};

const EX_OK: i32 = 0;
const EX_NOUSER: i32 = 67;
const EX_IOERR: i32 = 74;
const EX_TEMPFAIL: i32 = 75;
const EX_NOPERM: i32 = 77;
const EX_CONFIG: i32 = 78;

/// Reads stdin, processes the mail, and says how it ended as a sysexits code.
pub(crate) async fn receive_mail(options: &Options) -> i32 {
    let mut raw = Vec::new();
    let limit = u64::try_from(DEFAULT_MAX_MESSAGE_BYTES).unwrap_or(u64::MAX);
    // One byte past the limit is enough for the intake to refuse it as too large.
    if let Err(e) = std::io::stdin()
        .take(limit.saturating_add(1))
        .read_to_end(&mut raw)
    {
        tracing::error!(error = %e, "reading the mail on stdin failed");
        return EX_IOERR;
    }
    let service = match open(options).await {
        Ok(service) => service,
        Err(e) => {
            tracing::error!(error = %e, "the database is unreachable: the mail stays with the MTA");
            return EX_TEMPFAIL;
        }
    };
    let intake = match crate::mail::intake(&options.mail, service) {
        Ok(Some(intake)) => intake,
        Ok(None) => {
            tracing::error!(
                "receive-mail needs --reply-secret (HELPDESK_REPLY_SECRET), the notifier's"
            );
            return EX_CONFIG;
        }
        Err(e) => {
            tracing::error!(error = %e, "the reply-by-mail configuration is refused");
            return EX_CONFIG;
        }
    };
    match intake.accept(&raw).await {
        Ok(accepted) => {
            tracing::info!(
                ticket = %accepted.ticket,
                attachments = accepted.attachments,
                "the mail became a reply"
            );
            EX_OK
        }
        Err(refused) => {
            let code = exit_code(&refused);
            if code == EX_OK {
                tracing::info!(
                    reason = refused.code(),
                    "mail dropped: {}",
                    refused.message()
                );
            } else {
                tracing::warn!(
                    reason = refused.code(),
                    "mail refused: {}",
                    refused.message()
                );
            }
            code
        }
    }
}

/// The exit code of a refusal: a temporary failure is retried by the MTA; automatic
/// mail and a message already processed are dropped quietly (a bounce would start a
/// loop, or repeat a reply); the rest bounce.
fn exit_code(refused: &helpdesk_mail::Refused) -> i32 {
    if refused.is_temporary() {
        return EX_TEMPFAIL;
    }
    match refused.code() {
        "auto_reply" | "bounce" | "own_mail" | "already_processed" => EX_OK,
        "no_token" | "unknown_person" => EX_NOUSER,
        _ => EX_NOPERM,
    }
}

/// The service on `--database-url` (migrated) and `--files`, without the demo data the
/// server seeds.
async fn open(options: &Options) -> Fallible<HelpdeskService> {
    let url = options.database_url.as_str();
    let store: Arc<dyn Store> =
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let store = PostgresStore::connect(url).await?;
            store.migrate().await?;
            Arc::new(store)
        } else {
            let store = SqliteStore::connect(url).await?;
            store.migrate().await?;
            Arc::new(store)
        };
    Ok(HelpdeskService::new(store)
        .with_blobs(Arc::new(FsBlobStore::new(&options.files)))
        .with_attachment_limits(AttachmentLimits::default()))
}
