//! Colours and modifiers. `NO_COLOR` gets a theme of modifiers only, because crossterm writes
//! `ESC[;m` for colours under `NO_COLOR`, which would also wipe bold and reverse.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;

/// The characters that mark things in the chart and its legend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyphs {
    pub history: char,
    pub forecast: char,
    pub band: char,
    /// Fills empty cells of window columns (a space when a background shade does it).
    pub window: char,
    /// Fills empty cells of the focused window's columns.
    pub focus: char,
    /// The staffing row: staffed agents, required at the mean and at the upper band, spare.
    pub staffed: char,
    pub required: char,
    pub required_upper: char,
    pub spare: char,
}

/// Every style the draw functions use, so no draw code picks colours itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub colour: bool,
    pub base: Style,
    pub dim: Style,
    pub title: Style,
    pub selected: Style,
    pub history: Style,
    pub forecast: Style,
    pub band: Style,
    pub band_marker: Marker,
    /// The forecast line's marker: braille like the history in colour, dots without colour
    /// so the two lines differ by glyph.
    pub forecast_marker: Marker,
    /// Legend glyphs of history, forecast, band and windows; all different without colour.
    pub glyphs: Glyphs,
    /// Windows in the plot: a background shade in colour, a dotted fill without.
    pub window_shade: Style,
    /// The window the table's cursor is on, in the plot.
    pub window_focus: Style,
    pub window: Style,
    /// The staffing row's lines and the spare capacity between them.
    pub staffed: Style,
    pub required: Style,
    pub spare: Style,
    pub cursor: Style,
    pub error: Style,
    pub ok: Style,
    pub sandbox: Style,
    pub key: Style,
}

impl Theme {
    /// 256-colour indexed palette: safe over SSH where `COLORTERM` is rarely forwarded.
    pub fn indexed() -> Self {
        let fg = |i: u8| Style::new().fg(Color::Indexed(i));
        Self {
            colour: true,
            base: Style::new(),
            dim: fg(244),
            title: Style::new().add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            history: fg(75),
            forecast: fg(214),
            band: fg(238),
            band_marker: Marker::Block,
            forecast_marker: Marker::Braille,
            glyphs: Glyphs {
                history: '━',
                forecast: '━',
                band: '█',
                window: ' ',
                focus: ' ',
                staffed: '━',
                required: '━',
                required_upper: '┈',
                spare: '█',
            },
            window_shade: Style::new().bg(Color::Indexed(236)),
            window_focus: Style::new().bg(Color::Indexed(23)),
            window: fg(42).add_modifier(Modifier::BOLD),
            staffed: fg(42),
            required: fg(209),
            spare: fg(22),
            cursor: fg(252),
            error: fg(203).add_modifier(Modifier::BOLD),
            ok: fg(42).add_modifier(Modifier::BOLD),
            sandbox: Style::new()
                .fg(Color::Indexed(16))
                .bg(Color::Indexed(214))
                .add_modifier(Modifier::BOLD),
            key: fg(117).add_modifier(Modifier::BOLD),
        }
    }

    /// Modifiers only: every mark stays visible without colour.
    pub fn monochrome() -> Self {
        let m = |m: Modifier| Style::new().add_modifier(m);
        Self {
            colour: false,
            base: Style::new(),
            dim: m(Modifier::DIM),
            title: m(Modifier::BOLD),
            selected: m(Modifier::REVERSED),
            history: Style::new(),
            forecast: m(Modifier::BOLD),
            band: m(Modifier::DIM),
            band_marker: Marker::Custom('░'),
            forecast_marker: Marker::Dot,
            glyphs: Glyphs {
                history: '⣀',
                forecast: '•',
                band: '░',
                window: '·',
                focus: ':',
                staffed: '⣀',
                required: '•',
                required_upper: '┈',
                spare: '▒',
            },
            window_shade: m(Modifier::DIM),
            window_focus: m(Modifier::BOLD),
            window: m(Modifier::BOLD),
            staffed: m(Modifier::BOLD),
            required: Style::new(),
            spare: m(Modifier::DIM),
            cursor: Style::new(),
            error: m(Modifier::BOLD | Modifier::UNDERLINED),
            ok: m(Modifier::BOLD),
            sandbox: m(Modifier::REVERSED | Modifier::BOLD),
            key: m(Modifier::BOLD),
        }
    }

    /// The theme's legend glyphs are all different when there is no colour to tell them apart.
    pub fn glyphs_distinct(&self) -> bool {
        let g = self.glyphs;
        let all = [g.history, g.forecast, g.band, g.window];
        all.iter()
            .enumerate()
            .all(|(i, a)| all[i + 1..].iter().all(|b| a != b))
    }

    /// Picks by the `NO_COLOR` convention (set and non-empty = no colour).
    pub fn from_env() -> Self {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Self::monochrome(),
            _ => Self::indexed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_colour_history_forecast_band_and_windows_differ_by_glyph() {
        let t = Theme::monochrome();
        assert!(t.glyphs_distinct(), "{:?}", t.glyphs);
        assert_ne!(t.forecast_marker, Marker::Braille, "history is braille");
        assert_ne!(t.glyphs.focus, t.glyphs.window);
        let g = t.glyphs;
        let staffing = [g.staffed, g.required, g.required_upper, g.spare, g.window];
        for (i, a) in staffing.iter().enumerate() {
            assert!(!staffing[i + 1..].contains(a), "{staffing:?}");
        }
        assert!(
            !Theme::indexed().glyphs_distinct(),
            "colour tells them apart there"
        );
    }
}
