//! The form token: every form carries it, every `POST` must bring it back.
//!
//! A double-submit token: a random value in an `HttpOnly`, `SameSite=Strict` cookie of
//! the pages, repeated in a hidden field of each form. Another site can make a browser
//! send the cookie but can neither read it nor guess it, so it cannot fill the field.
//! (The `Origin` check of `helpdesk-axum` runs on the same writes.)

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::middleware::Next;
use axum::response::Response;

/// The cookie that holds the token.
pub const COOKIE_NAME: &str = "hd_form_token";

/// The hidden form field that repeats it.
pub(crate) const FIELD: &str = "form_token";

/// This request's token, put in its extensions by the pages' middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormToken(pub(crate) String);

impl FormToken {
    fn fresh() -> Self {
        Self(format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        ))
    }

    /// The token's value, for a hidden field.
    pub fn value(&self) -> &str {
        &self.0
    }

    /// Whether `sent` (from a form) is this token. Compares every byte, so the time
    /// taken does not tell how much of a guess was right.
    pub fn matches(&self, sent: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), sent.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

fn well_formed(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The token cookie of a request, when it has a well-formed one.
fn from_cookies(request: &Request) -> Option<FormToken> {
    request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && well_formed(value))
        .map(|(_, value)| FormToken(value.to_owned()))
}

/// Middleware: gives every request a token (the cookie's, or a new one it then sets).
pub(crate) async fn keep_token(secure: bool, mut request: Request, next: Next) -> Response {
    let existing = from_cookies(&request);
    let token = existing.clone().unwrap_or_else(FormToken::fresh);
    request.extensions_mut().insert(token.clone());
    let mut response = next.run(request).await;
    if existing.is_none() {
        let cookie = format!(
            "{COOKIE_NAME}={}; Path=/; HttpOnly; SameSite=Strict{}",
            token.0,
            if secure { "; Secure" } else { "" }
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_compared_whole() {
        let a = FormToken::fresh();
        let b = FormToken::fresh();
        assert_ne!(a, b);
        assert!(well_formed(a.value()));
        assert!(a.matches(&a.0.clone()));
        assert!(!a.matches(&a.0[..63]));
        assert!(!a.matches(b.value()));
        assert!(!a.matches(""));
    }
}
