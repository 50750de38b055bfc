//! Where mail goes: an SMTP server given as a URL.

use std::fmt;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use url::Url;

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Security {
    /// TLS from the first byte (`smtps://`, port 465 by default).
    Tls,
    /// A plain connection upgraded with STARTTLS, which the server must offer; nothing
    /// is sent before the upgrade (`smtp://`, port 587 by default).
    StartTls,
    /// No encryption (`smtp://…?tls=none`, port 25 by default): only for a relay on the
    /// same machine or a test server.
    None,
}

/// Why the mail configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The SMTP URL does not parse, or is not `smtp://` / `smtps://` with a host.
    #[error("invalid SMTP URL: {0}")]
    SmtpUrl(String),
    /// The From address is not a mailbox (`Help <help@example.com>`).
    #[error("invalid From address `{0}`")]
    From(String),
    /// The public URL is not an `http` or `https` URL.
    #[error("invalid public URL `{0}`: give the pages' address, like https://help.example.com")]
    PublicUrl(String),
    /// The TLS settings could not be built.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

/// An SMTP server to send through, read from a URL:
///
/// - `smtps://user:password@smtp.example.com` — TLS (port 465 unless given);
/// - `smtp://user:password@smtp.example.com` — STARTTLS required (port 587 unless given);
/// - `smtp://127.0.0.1:2525?tls=none` — no encryption, for a local relay or tests.
///
/// User and password in the URL are percent-decoded; a host that keeps them out of the
/// URL passes them to [`with_credentials`](Self::with_credentials) (the portal reads
/// `HELPDESK_SMTP_USER` and `HELPDESK_SMTP_PASSWORD`). [`Display`](fmt::Display) never
/// shows the password.
///
/// ```
/// use helpdesk_mail::{Security, SmtpConfig};
///
/// let smtp = SmtpConfig::from_url("smtp://mailer:s%40cret@smtp.example.com")?;
/// assert_eq!((smtp.host(), smtp.port(), smtp.security()), ("smtp.example.com", 587, Security::StartTls));
/// assert_eq!(smtp.to_string(), "smtp://smtp.example.com:587 (STARTTLS, as mailer)");
/// # Ok::<(), helpdesk_mail::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct SmtpConfig {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<(String, String)>,
    timeout: Duration,
}

impl SmtpConfig {
    /// Reads `smtp://` or `smtps://` URLs as described on the type.
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        let bad = |why: &str| ConfigError::SmtpUrl(why.to_owned());
        let parsed = Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
        let mut security = match parsed.scheme() {
            "smtps" => Security::Tls,
            "smtp" => Security::StartTls,
            _ => return Err(bad("the scheme must be smtp:// or smtps://")),
        };
        for (key, value) in parsed.query_pairs() {
            match (key.as_ref(), value.as_ref(), security) {
                ("tls", "none", Security::StartTls) => security = Security::None,
                ("tls", "starttls", Security::StartTls) => {}
                _ => {
                    return Err(bad(
                        "the only option is tls=none or tls=starttls, on smtp:// URLs",
                    ));
                }
            }
        }
        if !matches!(parsed.path(), "" | "/") || parsed.fragment().is_some() {
            return Err(bad("an SMTP URL has no path"));
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("the URL has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = parsed.port().unwrap_or(match security {
            Security::Tls => 465,
            Security::StartTls => 587,
            Security::None => 25,
        });
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let credentials = (!parsed.username().is_empty()).then(|| {
            (
                decode(parsed.username()),
                decode(parsed.password().unwrap_or_default()),
            )
        });
        Ok(Self {
            host,
            port,
            security,
            credentials,
            timeout: Duration::from_secs(30),
        })
    }

    /// The same server, logging in as `user` with `password`.
    pub fn with_credentials(mut self, user: &str, password: &str) -> Self {
        self.credentials = Some((user.to_owned(), password.to_owned()));
        self
    }

    /// The same server, giving up on a command after `timeout` (30 s by default).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The server's host name or address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How the connection is protected.
    pub fn security(&self) -> Security {
        self.security
    }

    /// The user it logs in as, if any.
    pub fn user(&self) -> Option<&str> {
        self.credentials.as_ref().map(|(user, _)| user.as_str())
    }

    /// The lettre transport, greeting the server as `hello` (the sending domain).
    pub(crate) fn transport(
        &self,
        hello: &str,
    ) -> Result<AsyncSmtpTransport<Tokio1Executor>, ConfigError> {
        let tls =
            || TlsParameters::new(self.host.clone()).map_err(|e| ConfigError::Tls(e.to_string()));
        let tls = match self.security {
            Security::Tls => Tls::Wrapper(tls()?),
            Security::StartTls => Tls::Required(tls()?),
            Security::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(self.timeout))
            .hello_name(ClientId::Domain(hello.to_owned()));
        if let Some((user, password)) = &self.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }
}

impl fmt::Display for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (scheme, security) = match self.security {
            Security::Tls => ("smtps", "TLS"),
            Security::StartTls => ("smtp", "STARTTLS"),
            Security::None => ("smtp", "no encryption"),
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(f, "{scheme}://{host}:{} ({security}", self.port)?;
        if let Some(user) = self.user() {
            write!(f, ", as {user}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpConfig({self})")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn each_scheme_has_its_security_and_default_port() {
        let smtps = SmtpConfig::from_url("smtps://smtp.example.com").unwrap();
        assert_eq!((smtps.security(), smtps.port()), (Security::Tls, 465));
        let smtp = SmtpConfig::from_url("smtp://smtp.example.com").unwrap();
        assert_eq!((smtp.security(), smtp.port()), (Security::StartTls, 587));
        let plain = SmtpConfig::from_url("smtp://127.0.0.1:2525?tls=none").unwrap();
        assert_eq!(
            (plain.security(), plain.port(), plain.host()),
            (Security::None, 2525, "127.0.0.1")
        );
        let v6 = SmtpConfig::from_url("smtp://[::1]:2525?tls=none").unwrap();
        assert_eq!(v6.host(), "::1");
        assert_eq!(v6.to_string(), "smtp://[::1]:2525 (no encryption)");
    }

    #[test]
    fn credentials_come_from_the_url_decoded_and_never_show() {
        let smtp =
            SmtpConfig::from_url("smtps://me%40corp:p%2Bss+w@smtp.example.com:2465").unwrap();
        assert_eq!(
            smtp.credentials,
            Some(("me@corp".to_owned(), "p+ss+w".to_owned()))
        );
        assert_eq!(
            smtp.to_string(),
            "smtps://smtp.example.com:2465 (TLS, as me@corp)"
        );
        assert!(!format!("{smtp:?}").contains("p+ss"));
        let smtp = smtp.with_credentials("other", "secret");
        assert_eq!(smtp.user(), Some("other"));
        assert!(!smtp.to_string().contains("secret"));
    }

    #[test]
    fn other_urls_are_refused_with_a_reason() {
        for url in [
            "http://smtp.example.com",
            "smtp://",
            "smtps://smtp.example.com?tls=none",
            "smtp://smtp.example.com?tls=maybe",
            "smtp://smtp.example.com/inbox",
            "not a url",
        ] {
            assert!(
                matches!(SmtpConfig::from_url(url), Err(ConfigError::SmtpUrl(_))),
                "{url}"
            );
        }
    }
}
