//! The browser tests' tools: the portal as a real process, Debian's Chromium driven
//! through its WebDriver, axe-core run in each page, a screenshot of each screen.
//!
//! They read `HELPDESK_TEST_CHROMEDRIVER` and `HELPDESK_TEST_AXE` (what
//! `.ci/browser-deps` prints). Without them the tests say loudly that they skipped; under
//! `CI=true` that is a failure.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// What the browser tests need from the machine.
pub struct Tools {
    pub chromedriver: String,
    pub chromium: Option<String>,
    pub axe: String,
}

impl Tools {
    /// The tools, or `None` (with a loud message) when they are not installed outside CI.
    pub fn find(test: &str) -> Option<Tools> {
        let driver = std::env::var("HELPDESK_TEST_CHROMEDRIVER").ok();
        let axe = std::env::var("HELPDESK_TEST_AXE").ok();
        match (driver, axe) {
            (Some(chromedriver), Some(axe)) if !chromedriver.is_empty() && !axe.is_empty() => {
                Some(Tools {
                    chromedriver,
                    chromium: std::env::var("HELPDESK_TEST_CHROMIUM").ok(),
                    axe,
                })
            }
            _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
                "{test}: HELPDESK_TEST_CHROMEDRIVER and HELPDESK_TEST_AXE must be set under CI (run .ci/browser-deps)"
            ),
            _ => {
                eprintln!(
                    "\n*** SKIPPED {test}: no browser; run `eval \"$(bash .ci/browser-deps)\"` with those variables exported to run it ***\n"
                );
                None
            }
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// A child process killed when dropped.
pub struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The reference portal, started on a fresh SQLite database.
pub struct Portal {
    _process: Process,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Portal {
    pub fn start() -> Portal {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let db = format!("sqlite://{}", dir.path().join("portal.db").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["--addr", "127.0.0.1:0", "--database-url", &db, "--files"])
            .arg(dir.path().join("files"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("portal: {e}"));
        let stdout = child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("portal stdout"));
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next()
            .unwrap_or_else(|| panic!("the portal printed nothing"))
            .unwrap_or_else(|e| panic!("portal output: {e}"));
        let addr = crate::support::listening_addr(&first);
        std::thread::spawn(move || for _ in lines {});
        Portal {
            _process: Process(child),
            base: format!("http://{addr}"),
            _dir: dir,
        }
    }
}

/// One headless Chromium session, in a language, at a window size.
pub struct Browser {
    pub client: Client,
    /// The language the browser asks for (`fr`, `en`): screen names carry it.
    pub lang: String,
    width: u32,
    _driver: Process,
    axe_source: String,
    base: String,
    shots: PathBuf,
}

/// The time zone of every browser of the tests (`TZ`): UTC+05:30, no summer time.
pub const BROWSER_TIME_ZONE: &str = "Asia/Kolkata";

/// How far ahead of UTC the browsers' clocks are, in minutes.
pub const BROWSER_UTC_OFFSET_MINUTES: i64 = 5 * 60 + 30;

impl Browser {
    /// A browser that asks for `lang` (`fr`, `en`) and has a `width` × 900 window.
    pub async fn open(tools: &Tools, portal: &Portal, lang: &str, width: u32) -> Browser {
        let port = free_port();
        let mut driver = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            // Chromium inherits the driver's time zone: one away from UTC (by five and a
            // half hours, all year), so the pages' script visibly moves every date.
            .env("TZ", BROWSER_TIME_ZONE)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver: {e}"));
        // It says when it listens: read until then, then let its output drain.
        let stdout = driver
            .stdout
            .take()
            .unwrap_or_else(|| panic!("chromedriver stdout"));
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.contains("started successfully") => break,
                Some(Ok(_)) => continue,
                _ => panic!("chromedriver stopped before it listened"),
            }
        }
        std::thread::spawn(move || for _ in lines {});
        let driver = Process(driver);
        let mut chrome = json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                format!("--window-size={width},900"), format!("--lang={lang}"),
            ],
            "prefs": { "intl.accept_languages": lang },
        });
        if let Some(binary) = &tools.chromium {
            chrome["binary"] = json!(binary);
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), chrome);
        let url = format!("http://127.0.0.1:{port}");
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver session on {url}: {e}"));
        let axe_source = std::fs::read_to_string(&tools.axe)
            .unwrap_or_else(|e| panic!("axe-core at {}: {e}", tools.axe));
        let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        std::fs::create_dir_all(&shots).unwrap_or_else(|e| panic!("screenshots dir: {e}"));
        Browser {
            client,
            lang: lang.to_owned(),
            width,
            _driver: driver,
            axe_source,
            base: portal.base.clone(),
            shots,
        }
    }

    /// The French or the English words, as the browser's language asks.
    pub fn tr<'a>(&self, fr: &'a str, en: &'a str) -> &'a str {
        if self.lang == "fr" { fr } else { en }
    }

    /// A tenant's default label of a state (`new`, `in_progress`...), in the
    /// browser's language.
    pub fn label(&self, state: &str) -> &'static str {
        let (fr, en) = match state {
            "new" => ("À traiter", "New"),
            "in_progress" => ("En cours", "In progress"),
            "waiting_on_requester" => ("En attente de votre réponse", "Waiting on you"),
            "pending_closure" => ("Clôture à valider", "Closure to approve"),
            "closed" => ("Clôturée", "Closed"),
            "cancelled" => ("Annulée", "Cancelled"),
            other => panic!("no state {other}"),
        };
        self.tr(fr, en)
    }

    /// A screen's stable name: `<screen>-<lang>`.
    pub fn screen(&self, screen: &str) -> String {
        format!("{screen}-{}", self.lang)
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{}", self.base, path))
            .await
            .unwrap_or_else(|e| panic!("goto {path}: {e}"));
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Types `text` into the field at `css`, as a person would: into the rich-text
    /// editor when the script put one over that textarea.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        let field = match self.editor_of(&field).await {
            Some(editor) => editor,
            None => field,
        };
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// The rich-text editor the script put over `field` (a textarea), if any.
    pub async fn editor_of(&self, field: &Element) -> Option<Element> {
        let id = self
            .client
            .execute(
                "const f = arguments[0];
                 return f.tagName === 'TEXTAREA' && f.hidden && document.getElementById(f.id + '-editor')
                     ? f.id + '-editor' : null;",
                vec![serde_json::to_value(field).unwrap_or(Value::Null)],
            )
            .await
            .ok()?;
        let id = id.as_str()?;
        self.client.find(Locator::Id(id)).await.ok()
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// The visible text of the page's main content.
    pub async fn text(&self) -> String {
        self.find("main")
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text: {e}"))
    }

    pub async fn path(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .unwrap_or_else(|e| panic!("url: {e}"));
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// A browser of its own for `login` (the portal lets a login try only a few times
    /// in a row, so each person of a scenario keeps their session), logged in.
    pub async fn person(tools: &Tools, portal: &Portal, lang: &str, login: &str) -> Browser {
        let browser = Browser::open(tools, portal, lang, 1280).await;
        browser.login(login).await;
        browser
    }

    /// Logs in through the portal's login form.
    pub async fn login(&self, login: &str) {
        self.goto("/login").await;
        self.fill("input[name=login]", login).await;
        self.fill("input[name=password]", "demo").await;
        self.click("form button[type=submit]").await;
        self.wait_path(|p| !p.starts_with("/login"), &format!("{login} logged in"))
            .await;
        self.find("main").await;
    }

    /// Polls until `ok` holds for the current path (with its query), or panics after
    /// ten seconds saying what was awaited.
    pub async fn wait_path(&self, ok: impl Fn(&str) -> bool, what: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let path = self.path().await;
            if ok(&path) {
                return path;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waited for {what}; still at {path}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Polls until the page's main content shows `text`, or panics after ten seconds
    /// with what it shows.
    pub async fn wait_text(&self, text: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let shown = match self.client.find(Locator::Css("main")).await {
                Ok(main) => main.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown.contains(text) {
                return shown;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waited for {text:?} on {}; the page shows:\n{shown}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The text of the first element matching `css`.
    pub async fn text_of(&self, css: &str) -> String {
        self.find(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// Chooses the option of the `<select>` at `css` whose visible text is `label`.
    pub async fn select(&self, css: &str, label: &str) {
        self.find(css)
            .await
            .select_by_label(label)
            .await
            .unwrap_or_else(|e| panic!("choose {label:?} in {css}: {e}"));
    }

    /// Chooses the option of the `<select>` at `css` whose value is `value`.
    pub async fn select_value(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value:?} in {css}: {e}"));
    }

    /// Chooses the option of the `<select>` at `css` whose visible text contains
    /// `words` (names shown with an e-mail after them).
    pub async fn select_containing(&self, css: &str, words: &str) {
        let select = self.find(css).await;
        let options = select
            .find_all(Locator::Css("option"))
            .await
            .unwrap_or_else(|e| panic!("options of {css}: {e}"));
        for option in options {
            if option.text().await.unwrap_or_default().contains(words) {
                option
                    .click()
                    .await
                    .unwrap_or_else(|e| panic!("choose {words:?} in {css}: {e}"));
                return;
            }
        }
        panic!("no option containing {words:?} in {css}");
    }

    /// Clicks the `<label>` whose whole text is `text` (a radio of the category tree).
    pub async fn click_label(&self, text: &str) {
        let xpath = format!("//label[normalize-space()='{text}']");
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no label {text:?}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click label {text:?}: {e}"));
    }

    /// Clicks the link whose whole text is `text`.
    pub async fn click_link(&self, text: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::LinkText(text))
            .await
            .unwrap_or_else(|e| panic!("no link {text:?}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click link {text:?}: {e}"));
    }

    /// Polls until the element at `css` shows `text`.
    pub async fn wait_text_in(&self, css: &str, text: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let shown = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown.contains(text) {
                return shown;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waited for {text:?} in {css}; it shows:\n{shown}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Attaches the file at `path` to the file input at `css`, as a person picking it.
    pub async fn attach(&self, css: &str, path: &std::path::Path) {
        let path = path
            .canonicalize()
            .unwrap_or_else(|e| panic!("file {}: {e}", path.display()));
        self.find(css)
            .await
            .send_keys(&path.display().to_string())
            .await
            .unwrap_or_else(|e| panic!("attach {} to {css}: {e}", path.display()));
    }

    /// Clicks the submit button of the form holding `css`, then waits for the answer:
    /// the page after it has no element `css` of this form any more (a new document).
    pub async fn submit(&self, button_css: &str) {
        let button = self.find(button_css).await;
        let old = self
            .client
            .find(Locator::Css("html"))
            .await
            .unwrap_or_else(|e| panic!("html: {e}"));
        button
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {button_css}: {e}"));
        // The old document goes stale once the browser shows the answer.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while old.tag_name().await.is_ok() {
            assert!(
                std::time::Instant::now() < deadline,
                "the form of {button_css} brought no new page"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.find("main").await;
    }

    /// Unfolds the action block `details#act-<action>` of a ticket page (if folded).
    pub async fn open_action(&self, action: &str) {
        let details = self.find(&format!("details#act-{action}")).await;
        let open = details
            .attr("open")
            .await
            .unwrap_or_else(|e| panic!("details {action}: {e}"));
        if open.is_none() {
            self.click(&format!("details#act-{action} > summary")).await;
        }
    }

    /// Sends the action block `act-<action>` after typing `text` into its `field`.
    pub async fn act(&self, action: &str, field: &str, text: &str) {
        self.open_action(action).await;
        self.fill(&format!("#{action}-{field}"), text).await;
        // The button of the form that holds the field (an action may have several
        // forms, such as a member search beside the invitation).
        self.submit(&format!(
            "details#act-{action} form:has(#{action}-{field}) button[type=submit]"
        ))
        .await;
    }

    /// A public reply (or, with `note`, an internal note) from the ticket page.
    pub async fn message(&self, form: &str, text: &str) {
        self.fill(&format!("#{form}-body"), text).await;
        self.submit(&format!("section#{form} button[type=submit]"))
            .await;
    }

    /// The id of the ticket whose page is shown (`/tickets/{id}`).
    pub async fn ticket_id(&self) -> String {
        let path = self.path().await;
        let id = path
            .strip_prefix("/tickets/")
            .map(|rest| rest.split(['?', '#', '/']).next().unwrap_or_default())
            .unwrap_or_default();
        assert!(
            id.len() == 36 && id.contains('-'),
            "not on a ticket page: {path}"
        );
        id.to_owned()
    }

    /// The ticket's status as its badge says it.
    pub async fn status(&self) -> String {
        self.text_of(".hd-ticket-header .hd-badge").await
    }

    /// Saves a screenshot as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot: {e}"));
        std::fs::write(self.shots.join(format!("{name}.png")), png)
            .unwrap_or_else(|e| panic!("write screenshot {name}: {e}"));
    }

    /// Runs axe-core in the page; panics listing every serious or critical violation.
    pub async fn assert_accessible(&self, screen: &str) {
        self.client
            .execute(&self.axe_source, vec![])
            .await
            .unwrap_or_else(|e| panic!("inject axe: {e}"));
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))))
                    .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("run axe: {e}"));
        let serious: Vec<&Value> = result
            .as_array()
            .map(|v| {
                v.iter()
                    .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            serious.is_empty(),
            "{screen}: axe-core found serious or critical violations: {}",
            serde_json::to_string_pretty(&serious).unwrap_or_default()
        );
    }

    /// The screen's checks in one: accessible, then a screenshot.
    pub async fn check_screen(&self, name: &str) {
        self.assert_accessible(name).await;
        self.screenshot(name).await;
    }

    /// The screen's checks at the window's width, then again on a 360 px wide phone
    /// (`<name>-360`).
    pub async fn check_screen_and_phone(&self, name: &str) {
        self.check_screen(name).await;
        self.resize(360).await;
        self.check_screen(&format!("{name}-360")).await;
        self.assert_fits_the_width(&format!("{name}-360")).await;
        self.resize(self.width).await;
    }

    /// Panics when the page is wider than the window (a phone user would have to scroll
    /// sideways), naming the innermost elements that stick out.
    async fn assert_fits_the_width(&self, screen: &str) {
        let sticking_out = self
            .client
            .execute(
                "const width = document.documentElement.clientWidth;
                 if (document.documentElement.scrollWidth <= width) { return []; }
                 const out = [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > width + 1)
                    .filter(e => e.getClientRects().length > 0);
                 return out.filter(e => !out.some(o => o !== e && e.contains(o)))
                    .slice(0, 8)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                        + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                        + ' right=' + Math.round(e.getBoundingClientRect().right) + ' of ' + width);",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("measure the page: {e}"));
        let sticking_out = sticking_out.as_array().cloned().unwrap_or_default();
        assert!(
            sticking_out.is_empty(),
            "{screen}: the page is wider than a 360 px phone; sticking out: {sticking_out:?}"
        );
    }

    async fn resize(&self, width: u32) {
        self.client
            .set_window_size(width, 900)
            .await
            .unwrap_or_else(|e| panic!("window at {width} px: {e}"));
    }

    pub async fn quit(self) {
        let _ = self.client.close().await;
    }
}
