//! SQL text built at run time from fixed fragments only, with every value bound.
//!
//! [`Sql::push`] takes `&'static str`, so user text can never become SQL: it can only be
//! [bound](Sql::bind). Placeholders are `$1`, `$2`...: PostgreSQL's syntax, which
//! sqlx's SQLite driver reads as the same numbered parameters, so one text serves both.

use std::fmt::Write as _;

use uuid::Uuid;

/// A value bound to a placeholder.
#[derive(Clone, Debug)]
pub enum Arg {
    Uuid(Uuid),
    OptUuid(Option<Uuid>),
    I64(i64),
    OptI64(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
    Json(serde_json::Value),
    /// PostgreSQL only (`text[]`).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    TextArray(Vec<String>),
}

impl From<Uuid> for Arg {
    fn from(v: Uuid) -> Self {
        Arg::Uuid(v)
    }
}
impl From<Option<Uuid>> for Arg {
    fn from(v: Option<Uuid>) -> Self {
        Arg::OptUuid(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I64(v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptI64(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}
impl From<serde_json::Value> for Arg {
    fn from(v: serde_json::Value) -> Self {
        Arg::Json(v)
    }
}

/// A statement: its text and its bound values, in placeholder order.
#[derive(Clone, Debug, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// A statement starting with `fragment`. A fragment may hold its own numbered
    /// placeholders, filled in order by [`arg`](Self::arg).
    pub(crate) fn new(fragment: &'static str) -> Self {
        Self {
            text: fragment.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends a fixed fragment.
    pub(crate) fn push(&mut self, fragment: &'static str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    /// Appends the integer `n` as a literal. For row limits: PostgreSQL plans a `LIMIT`
    /// it can read as a walk that stops early, while under a generic plan a bound
    /// `LIMIT $n` is guessed at a tenth of the rows and a sort of everything wins. An
    /// integer written by the store is never text from a user.
    pub(crate) fn push_integer(&mut self, n: i64) -> &mut Self {
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{n}");
        self
    }

    /// Binds the value of the next placeholder already written in a fragment.
    pub(crate) fn arg(mut self, value: impl Into<Arg>) -> Self {
        self.args.push(value.into());
        self
    }

    /// Appends a placeholder and binds `value` to it.
    pub(crate) fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        // Writing to a String cannot fail.
        let _ = write!(self.text, "${}", self.args.len());
        self
    }

    /// Appends `(placeholder, placeholder...)` for `values`, or `(NULL)` for none, which
    /// matches nothing.
    pub(crate) fn bind_list<A: Into<Arg>>(
        &mut self,
        values: impl IntoIterator<Item = A>,
    ) -> &mut Self {
        self.push("(");
        let mut first = true;
        for v in values {
            if !first {
                self.push(", ");
            }
            first = false;
            self.bind(v);
        }
        if first {
            self.push("NULL");
        }
        self.push(")")
    }

    /// Appends `other`, its placeholders renumbered after the values already bound
    /// here. Its text holds no `$` but its placeholders (every value is bound).
    pub(crate) fn append(&mut self, other: Sql) -> &mut Self {
        let offset = self.args.len();
        let text = other.text.as_bytes();
        let mut i = 0;
        while i < text.len() {
            if text[i] == b'$' {
                let start = i + 1;
                let mut end = start;
                while end < text.len() && text[end].is_ascii_digit() {
                    end += 1;
                }
                if let Ok(n) = other.text[start..end].parse::<usize>() {
                    let _ = write!(self.text, "${}", n + offset);
                    i = end;
                    continue;
                }
            }
            let next = other.text[i..].chars().next().map_or(1, char::len_utf8);
            self.text.push_str(&other.text[i..i + next]);
            i += next;
        }
        self.args.extend(other.args);
        self
    }

    /// How many values are bound.
    pub(crate) fn values(&self) -> usize {
        self.args.len()
    }

    pub(crate) fn into_parts(self) -> (String, Vec<Arg>) {
        (self.text, self.args)
    }

    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_binding_order() {
        let mut sql = Sql::new("SELECT 1 FROM t WHERE a = $1").arg(1_i64);
        sql.push(" AND b IN ")
            .bind_list(["x", "y"])
            .push(" AND c = ")
            .bind(true);
        assert_eq!(
            sql.text(),
            "SELECT 1 FROM t WHERE a = $1 AND b IN ($2, $3) AND c = $4"
        );
        assert_eq!(sql.into_parts().1.len(), 4);
    }

    #[test]
    fn an_empty_list_matches_nothing() {
        let mut sql = Sql::new("x IN ");
        sql.bind_list(Vec::<i64>::new());
        assert_eq!(sql.text(), "x IN (NULL)");
    }
}
