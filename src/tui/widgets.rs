//! Small pieces every screen draws with: the bordered block, a centred popup area, the
//! spinner, local times and cut names.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders};

use crate::tui::app::App;

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// Width of the y-axis labels, fixed so the strip and time labels line up with the graph.
pub const Y_LABEL_WIDTH: u16 = 6;

/// The spinner frame for the App's tick count.
pub fn spinner(app: &App) -> char {
    SPINNER[app.spinner % SPINNER.len()]
}

/// A bordered block in the theme, titled.
pub fn block<'a>(app: &App, title: impl Into<Line<'a>>) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.dim)
        .title(title.into().style(app.theme.title))
}

/// A `w`×`h` area in the middle of `area` (cut to fit).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Seconds since the epoch as wall-clock time in `tz`.
pub fn local(tz: Tz, secs: f64) -> DateTime<Tz> {
    Utc.timestamp_opt(secs as i64, 0)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz)
}

/// Cuts a name to `max` columns with an ellipsis.
pub fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `text` broken at spaces into lines of at most `width` columns. A word longer than a line
/// is split across lines with a `…` at each break, so no word is cut without a mark.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(2);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let (cw, ww) = (cur.chars().count(), word.chars().count());
        if cw > 0 && cw + 1 + ww <= width {
            cur.push(' ');
            cur.push_str(word);
            continue;
        }
        if cw > 0 {
            lines.push(std::mem::take(&mut cur));
        }
        let mut rest: Vec<char> = word.chars().collect();
        while rest.len() > width {
            let head: String = rest[..width - 1].iter().collect();
            lines.push(format!("{head}…"));
            rest.drain(..width - 1);
        }
        cur = rest.into_iter().collect();
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// `text` in lines of at most `width` characters, broken between words where it can and
/// inside a word (an id, a URI) only when the word alone is too long, without a mark: the
/// lines joined give the id back character for character. Prose uses [`wrap`].
pub fn wrap_hard(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let cur_len = cur.chars().count();
        let sep = usize::from(cur_len > 0);
        if cur_len + sep + word.len() <= width {
            if sep == 1 {
                cur.push(' ');
            }
            cur.extend(word);
            continue;
        }
        if cur_len > 0 {
            out.push(std::mem::take(&mut cur));
        }
        while word.len() > width {
            out.push(word.drain(..width).collect());
        }
        cur = word.into_iter().collect();
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_marks_a_split_word() {
        assert_eq!(
            wrap("counted voice, inbound (originatingDirection)", 16),
            ["counted voice,", "inbound", "(originatingDir…", "ection)"]
        );
        assert_eq!(wrap("ok · Wape 8.0% vs 15%", 30), ["ok · Wape 8.0% vs 15%"]);
        assert_eq!(wrap("", 10), [""]);
        for line in wrap("a bb ccc dddd eeeee ffffffffffff", 5) {
            assert!(line.chars().count() <= 5, "{line}");
        }
    }

    #[test]
    fn ellipsize_cuts_to_the_column_count_with_a_mark() {
        assert_eq!(ellipsize("Sales", 5), "Sales");
        assert_eq!(ellipsize("Support", 5), "Supp…");
        assert_eq!(ellipsize("Ünïcödé", 4), "Ünï…");
    }

    #[test]
    fn centered_fits_inside() {
        let a = Rect::new(2, 1, 80, 20);
        assert_eq!(centered(a, 60, 6), Rect::new(12, 8, 60, 6));
        assert_eq!(centered(a, 100, 30), a);
    }

    #[test]
    fn wrap_hard_breaks_between_words_and_inside_only_a_too_long_word_without_a_mark() {
        assert_eq!(
            wrap_hard("none: it stays off", 10),
            ["none: it", "stays off"]
        );
        assert_eq!(
            wrap_hard("/api/v2/outbound/campaigns/abc", 12),
            ["/api/v2/outb", "ound/campaig", "ns/abc"]
        );
        assert_eq!(wrap_hard("id c1", 40), ["id c1"]);
        let uri = "/api/v2/outbound/campaigns/0b3c1e7a-5b7e-4a3c-9f43-a1c2d3e4f5a6";
        assert_eq!(
            wrap_hard(uri, 12).concat(),
            uri,
            "joined lines give the URI back"
        );
        let long = "x".repeat(25);
        for line in wrap_hard(&format!("a {long} b"), 10) {
            assert!(line.chars().count() <= 10, "{line}");
        }
    }
}
