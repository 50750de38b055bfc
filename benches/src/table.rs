//! Markdown tables, printed as they are pasted into BENCHMARKS.md.

use std::time::Duration;

/// A markdown table: a header row and rows of cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        Self {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// The table as markdown, columns padded to line up.
    pub fn render(&self) -> String {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.headers.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![3; columns];
        for line in std::iter::once(&self.headers).chain(&self.rows) {
            for (i, cell) in line.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let format_line = |cells: &[String]| {
            let mut out = String::from("|");
            for (i, width) in widths.iter().enumerate() {
                let cell = cells.get(i).map_or("", String::as_str);
                out.push_str(&format!(" {cell:<width$} |"));
            }
            out.push('\n');
            out
        };
        let mut out = format_line(&self.headers);
        out.push('|');
        for width in &widths {
            out.push_str(&format!("{}|", "-".repeat(width + 2)));
        }
        out.push('\n');
        for row in &self.rows {
            out.push_str(&format_line(row));
        }
        out
    }

    /// Prints the table under a title.
    pub fn print(&self, title: &str) {
        println!("\n### {title}\n\n{}", self.render());
    }
}

/// A duration with a unit that keeps three significant digits or so: `812 ns`,
/// `41.3 µs`, `2.07 ms`, `1.25 s`.
pub fn duration(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    if value < 10.0 {
        format!("{value:.2} {unit}")
    } else if value < 100.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// `a / b` as a ratio: `×3.2`, `×0.87`, `×140`; `-` when `b` is zero.
pub fn ratio(a: Duration, b: Duration) -> String {
    if b.is_zero() {
        return "-".to_owned();
    }
    let r = a.as_secs_f64() / b.as_secs_f64();
    if r < 10.0 {
        format!("×{r:.2}")
    } else if r < 100.0 {
        format!("×{r:.1}")
    } else {
        format!("×{r:.0}")
    }
}

/// A rate with a thousands separator: `12,345/s`.
pub fn rate(per_second: f64) -> String {
    let whole = per_second.round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str("/s");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(duration(Duration::from_nanos(812)), "812 ns");
        assert_eq!(duration(Duration::from_nanos(41_300)), "41.3 µs");
        assert_eq!(duration(Duration::from_micros(2_070)), "2.07 ms");
        assert_eq!(
            ratio(Duration::from_millis(3), Duration::from_millis(1)),
            "×3.00"
        );
        assert_eq!(rate(12_345.4), "12,345/s");
        let mut table = Table::new(["a", "bb"]);
        table.row(["1", "2"]);
        assert_eq!(
            table.render(),
            "| a   | bb  |\n|-----|-----|\n| 1   | 2   |\n"
        );
    }
}
