//! Where the portal's notifications go: by mail through `--smtp-url`, with links to
//! `--public-url`, from `--mail-from`, replies signed with `--reply-secret`.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Duration;
use helpdesk_core::Notifier;
use helpdesk_mail::{MailIntake, MailNotifier, ReplySigner, SmtpConfig};

/// The mail flags (each also read from the environment variable beside it).
#[derive(Debug, clap::Args)]
pub(crate) struct MailOptions {
    /// The SMTP server notifications are mailed through: `smtps://host[:port]` (TLS),
    /// `smtp://host[:port]` (STARTTLS required), `smtp://host:port?tls=none` (a local relay
    /// or test server). User and password in the URL, or in HELPDESK_SMTP_USER and
    /// HELPDESK_SMTP_PASSWORD. Without it, no mail is sent.
    #[arg(long, env = "HELPDESK_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The From of every mail: `Support <help@example.com>`, or a bare address (each
    /// mail then comes from the tenant's name).
    #[arg(
        long,
        env = "HELPDESK_MAIL_FROM",
        default_value = "Portail d'assistance <helpdesk@localhost>"
    )]
    mail_from: String,
    /// The address readers open the pages at, for the link in each mail (default
    /// `http://<addr>`): set it when the portal is behind a proxy or a public name.
    #[arg(long, env = "HELPDESK_PUBLIC_URL")]
    public_url: Option<String>,
    /// The secret signing the Reply-To tokens: 32 characters or more, the same on every
    /// instance; prefer the environment variable to the flag (a flag shows in `ps`).
    /// Without it, a random one for this run.
    #[arg(long, env = "HELPDESK_REPLY_SECRET", hide_env_values = true)]
    reply_secret: Option<String>,
    /// The address replies go to, a `+token` added to it (default: `support@` the From
    /// address's domain).
    #[arg(long, env = "HELPDESK_REPLY_ADDRESS")]
    reply_address: Option<String>,
    /// The secret an MTA sends as `Authorization: Bearer <secret>` to `POST
    /// /mail/inbound` to hand over a reply by mail (16 characters or more; prefer the
    /// environment variable). The route is mounted only with it and `--reply-secret`.
    #[arg(long, env = "HELPDESK_INBOUND_SECRET", hide_env_values = true)]
    inbound_secret: Option<String>,
}

/// How long a Reply-To token stays valid.
const REPLY_VALIDITY_DAYS: i64 = 90;

/// `support@` the From address's domain, unless `--reply-address` says otherwise.
fn reply_address(options: &MailOptions) -> String {
    options.reply_address.clone().unwrap_or_else(|| {
        let domain = options
            .mail_from
            .rsplit_once('@')
            .map(|(_, d)| d.trim().trim_end_matches('>'))
            .unwrap_or("localhost");
        format!("support@{domain}")
    })
}

/// What reads replies by mail: only with `--reply-secret` (a random secret of one run
/// would verify nothing sent before a restart).
pub(crate) fn intake(
    options: &MailOptions,
    service: helpdesk_core::HelpdeskService,
) -> Fallible<Option<MailIntake>> {
    let Some(secret) = options.reply_secret.as_deref() else {
        return Ok(None);
    };
    let signer = ReplySigner::new(
        secret.as_bytes(),
        &reply_address(options),
        Duration::days(REPLY_VALIDITY_DAYS),
    )?;
    Ok(Some(
        MailIntake::new(service, signer).with_own_address(&options.mail_from),
    ))
}

/// `POST /mail/inbound` when `--inbound-secret` and `--reply-secret` are given, and a
/// line for the banner.
pub(crate) fn inbound_route<S>(
    options: &MailOptions,
    service: helpdesk_core::HelpdeskService,
) -> Fallible<(Option<axum::Router<S>>, String)>
where
    S: Clone + Send + Sync + 'static,
{
    let Some(secret) = options.inbound_secret.as_deref() else {
        return Ok((None, "off (no --inbound-secret)".to_owned()));
    };
    let Some(intake) = intake(options, service)? else {
        return Ok((
            None,
            "off (--inbound-secret needs --reply-secret to verify reply addresses)".to_owned(),
        ));
    };
    let router = axum::Router::new().nest("/mail", helpdesk_mail::inbound_router(intake, secret)?);
    Ok((
        Some(router),
        format!(
            "POST /mail/inbound (Bearer secret) or `portal receive-mail`, for replies to {}",
            reply_address(options)
        ),
    ))
}

/// The notifier the portal delivers to, and a line saying where mail goes.
pub(crate) struct Mail {
    /// What delivers notifications.
    pub(crate) notifier: Arc<dyn Notifier>,
    /// Where mail goes, for the start-up banner: never a password or the secret.
    pub(crate) description: String,
}

type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The mail notifier when `--smtp-url` is set, or the portal's notifier without mail.
/// `addr` is where the portal listens, the default public URL.
pub(crate) fn notifier(options: &MailOptions, addr: SocketAddr) -> Fallible<Mail> {
    let Some(url) = options.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) else {
        return Ok(Mail {
            notifier: Arc::new(crate::notifier::LogNotifier),
            description:
                "not mailed (no --smtp-url): each notification is written to the log and stdout"
                    .to_owned(),
        });
    };
    let mut smtp = SmtpConfig::from_url(url)?;
    if let Ok(user) = std::env::var("HELPDESK_SMTP_USER") {
        let password = std::env::var("HELPDESK_SMTP_PASSWORD").unwrap_or_default();
        smtp = smtp.with_credentials(&user, &password);
    }
    let public_url = options
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let notifier = MailNotifier::new(smtp, &options.mail_from, &public_url)?;
    let from = notifier.from_address();
    let reply_address = reply_address(options);
    let secret = match options.reply_secret.as_deref() {
        Some(secret) => secret.to_owned(),
        None => {
            tracing::warn!(
                "no --reply-secret (HELPDESK_REPLY_SECRET): Reply-To tokens are signed with a \
                 random secret for this run only; set one, the same on every instance, so \
                 tokens still verify after a restart or on another instance"
            );
            format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            )
        }
    };
    let signer = ReplySigner::new(
        secret.as_bytes(),
        &reply_address,
        Duration::days(REPLY_VALIDITY_DAYS),
    )?;
    let description = format!(
        "{} from {from}, links to {public_url}/tickets/<id>, replies to {reply_address}",
        notifier.smtp()
    );
    Ok(Mail {
        notifier: Arc::new(notifier.with_reply_to(signer)),
        description,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Flags {
        #[command(flatten)]
        mail: MailOptions,
    }

    fn mail(args: &[&str]) -> Fallible<Mail> {
        let flags = Flags::try_parse_from(std::iter::once("portal").chain(args.iter().copied()))?;
        notifier(&flags.mail, "127.0.0.1:8080".parse()?)
    }

    #[test]
    fn without_an_smtp_url_notifications_go_to_the_log_and_the_banner_says_so() {
        let Ok(off) = mail(&[]) else {
            panic!("the portal starts without mail");
        };
        assert!(
            off.description.starts_with("not mailed") && off.description.contains("log"),
            "{}",
            off.description
        );
    }

    #[test]
    fn with_an_smtp_url_the_banner_says_where_mail_goes_and_never_the_secrets() {
        let on = mail(&[
            "--smtp-url",
            "smtps://mailer:hunter2@smtp.example.com",
            "--reply-secret",
            "a secret of thirty-two characters or more",
        ])
        .unwrap();
        assert_eq!(
            on.description,
            "smtps://smtp.example.com:465 (TLS, as mailer) from Portail d'assistance \
             <helpdesk@localhost>, links to http://127.0.0.1:8080/tickets/<id>, replies to \
             support@localhost"
        );
        assert!(!on.description.contains("hunter2"));
    }

    #[test]
    fn bad_mail_settings_stop_the_start_with_a_reason() {
        for (args, reason) in [
            (&["--smtp-url", "http://smtp.example.com"][..], "smtp://"),
            (
                &[
                    "--smtp-url",
                    "smtp://smtp.example.com",
                    "--mail-from",
                    "nobody",
                ][..],
                "From",
            ),
            (
                &[
                    "--smtp-url",
                    "smtp://smtp.example.com",
                    "--reply-secret",
                    "short",
                ][..],
                "32 bytes",
            ),
            (
                &[
                    "--smtp-url",
                    "smtp://smtp.example.com",
                    "--public-url",
                    "help.example.com",
                ][..],
                "public URL",
            ),
        ] {
            let error = mail(args).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(error.contains(reason), "{args:?}: {error}");
        }
    }
}
