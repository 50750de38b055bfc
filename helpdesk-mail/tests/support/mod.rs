//! A real SMTP server for the tests: `.ci/smtp-server` (aiosmtpd in a venv under
//! target/) started as a process on a free port, killed on drop, each message it
//! receives read back from its directory. Without python3 the tests say loudly that
//! they skipped; under `CI=true` they fail instead.

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use mail_parser::MessageParser;

/// The SMTP server process and the directory it writes to.
pub(crate) struct SmtpServer {
    child: Child,
    dir: tempfile::TempDir,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/smtp-server")
}

impl SmtpServer {
    /// A fresh server, or none after saying loudly that `what` is skipped.
    pub(crate) fn start(what: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let spawned = Command::new("bash")
            .arg(script())
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => return skipped(what, &format!("cannot run bash: {e}")),
        };
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        let read = BufReader::new(stdout).read_line(&mut line);
        match (read, line.trim().parse::<u16>()) {
            (Ok(_), Ok(port)) => Some(Self { child, dir, port }),
            _ => {
                let _ = child.kill();
                let status = child.wait();
                skipped(
                    what,
                    &format!(
                        ".ci/smtp-server did not start ({status:?}): is python3 with venv installed?"
                    ),
                )
            }
        }
    }

    /// The URL the notifier sends to.
    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Every message received since the last call, oldest first; read once.
    pub(crate) fn take(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("the server's directory")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let raw = std::fs::read(&path).expect("a delivered message");
                std::fs::remove_file(&path).expect("removing a read message");
                Mail::parse(raw)
            })
            .collect()
    }
}

/// Says loudly that `what` was skipped, or fails under `CI=true`.
fn skipped<T>(what: &str, why: &str) -> Option<T> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but the SMTP test server is missing: {why}; {what} must run under CI");
    }
    // Straight to the process's stderr: libtest captures `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "\n\
         ****************************************************************\n\
         SKIPPED without an SMTP server: {what}\n\
         {why}\n\
         ****************************************************************\n"
    );
    None
}

/// One delivered message, as its recipient's mail client reads it.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    /// The raw message, as received.
    pub raw: String,
    /// The envelope's recipients (`RCPT TO`), comma-separated.
    pub envelope_to: String,
    /// The `To` addresses.
    pub to: Vec<String>,
    /// The `To` display name.
    pub to_name: String,
    /// The `From` display name and address.
    pub from: (String, String),
    /// The decoded subject.
    pub subject: String,
    /// `Message-ID`, with its angle brackets.
    pub message_id: String,
    /// `In-Reply-To`, with its angle brackets.
    pub in_reply_to: String,
    /// `References`, with their angle brackets.
    pub references: String,
    /// `Auto-Submitted`.
    pub auto_submitted: String,
    /// `Content-Language`.
    pub language: String,
    /// The `Reply-To` address, if any.
    pub reply_to: Option<String>,
    /// The plain-text part, decoded.
    pub text: String,
    /// The HTML part, decoded.
    pub html: String,
}

impl Mail {
    fn parse(raw: Vec<u8>) -> Self {
        let message = MessageParser::default()
            .parse(&raw)
            .expect("a message that parses");
        let header = |name: &str| {
            message
                .header_raw(name)
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        let to = message.to().expect("a To header");
        let from = message
            .from()
            .and_then(|f| f.first())
            .expect("a From header");
        Mail {
            envelope_to: header("X-Envelope-To"),
            to: to
                .iter()
                .filter_map(|a| a.address().map(str::to_owned))
                .collect(),
            to_name: to
                .first()
                .and_then(|a| a.name())
                .unwrap_or_default()
                .to_owned(),
            from: (
                from.name().unwrap_or_default().to_owned(),
                from.address().unwrap_or_default().to_owned(),
            ),
            subject: message.subject().unwrap_or_default().to_owned(),
            message_id: header("Message-ID"),
            in_reply_to: header("In-Reply-To"),
            references: header("References"),
            auto_submitted: header("Auto-Submitted"),
            language: header("Content-Language"),
            reply_to: message
                .reply_to()
                .and_then(|r| r.first())
                .and_then(|a| a.address())
                .map(str::to_owned),
            text: message
                .body_text(0)
                .unwrap_or_default()
                .replace("\r\n", "\n"),
            html: message
                .body_html(0)
                .unwrap_or_default()
                .replace("\r\n", "\n"),
            raw: String::from_utf8_lossy(&raw).into_owned(),
        }
    }
}
