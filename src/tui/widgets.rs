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

/// `text` in lines of at most `width` characters, broken between words where it can and
/// inside a word (an id, a URI) only when the word alone is too long.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
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
    fn wrap_breaks_between_words_and_inside_only_a_too_long_word() {
        assert_eq!(wrap("none: it stays off", 10), ["none: it", "stays off"]);
        assert_eq!(
            wrap("/api/v2/outbound/campaigns/abc", 12),
            ["/api/v2/outb", "ound/campaig", "ns/abc"]
        );
        assert_eq!(wrap("id c1", 40), ["id c1"]);
        let long = "x".repeat(25);
        for line in wrap(&format!("a {long} b"), 10) {
            assert!(line.chars().count() <= 10, "{line}");
        }
    }
}
