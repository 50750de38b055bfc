//! Charts drawn on the server as SVG: no script, readable by screen readers through the
//! table that goes with each.

use maud::{Markup, html};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 220;
const MARGIN_BOTTOM: u32 = 28;
const MARGIN_TOP: u32 = 18;

/// A bar chart of labelled counts, with `caption` as its accessible name and the same
/// figures in a visually hidden table.
pub(crate) fn bars(lang: crate::i18n::Lang, caption: &str, bars: &[(String, u64)]) -> Markup {
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let count = u32::try_from(bars.len()).unwrap_or(u32::MAX).max(1);
    let slot = WIDTH / count;
    let bar_width = (slot * 7 / 10).max(2);
    let plot = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP;
    html! {
        figure class="hd-chart" {
            svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(caption)
                xmlns="http://www.w3.org/2000/svg" {
                line class="hd-chart-axis" x1="0" y1=(HEIGHT - MARGIN_BOTTOM) x2=(WIDTH) y2=(HEIGHT - MARGIN_BOTTOM) {}
                @for (i, (label, value)) in bars.iter().enumerate() {
                    @let i = u32::try_from(i).unwrap_or(0);
                    @let h = scaled(*value, max, plot);
                    @let x = i * slot + (slot - bar_width) / 2;
                    @let y = HEIGHT - MARGIN_BOTTOM - h;
                    rect class="hd-chart-bar" x=(x) y=(y) width=(bar_width) height=(h) {
                        title { (lang.labelled(label, &value.to_string())) }
                    }
                    @if *value > 0 {
                        text class="hd-chart-value" x=(x + bar_width / 2) y=(y.saturating_sub(4)) text-anchor="middle" { (value) }
                    }
                    text class="hd-chart-label" x=(x + bar_width / 2) y=(HEIGHT - 8) text-anchor="middle" { (label) }
                }
            }
            figcaption { (caption) }
            table class="hd-visually-hidden" {
                caption { (caption) }
                tbody {
                    @for (label, value) in bars {
                        tr { th scope="row" { (label) } td { (value) } }
                    }
                }
            }
        }
    }
}

fn scaled(value: u64, max: u64, plot: u32) -> u32 {
    let h = value.saturating_mul(u64::from(plot)) / max;
    u32::try_from(h).unwrap_or(plot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tallest_bar_fills_the_plot_and_zero_has_no_height() {
        let chart = bars(
            crate::i18n::Lang::En,
            "opened",
            &[("Jan".into(), 0), ("Feb".into(), 10), ("Mar".into(), 5)],
        )
        .into_string();
        assert!(chart.contains(r#"height="174""#), "{chart}");
        assert!(chart.contains(r#"height="87""#), "{chart}");
        assert!(chart.contains(r#"height="0""#), "{chart}");
        assert!(chart.contains("<caption>opened</caption>"));
        assert!(chart.contains("<th scope=\"row\">Feb</th><td>10</td>"));
        assert!(chart.contains("<title>Feb: 10</title>"), "{chart}");
        let fr = bars(crate::i18n::Lang::Fr, "ouvertes", &[("févr.".into(), 10)]).into_string();
        assert!(fr.contains("<title>févr.\u{a0}: 10</title>"), "{fr}");
    }
}
