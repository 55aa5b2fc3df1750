//! Colours and modifiers. `NO_COLOR` gets a theme of modifiers only, because crossterm writes
//! `ESC[;m` for colours under `NO_COLOR`, which would also wipe bold and reverse.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;

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
    pub window: Style,
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
            window: fg(42).add_modifier(Modifier::BOLD),
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
            window: m(Modifier::BOLD),
            cursor: Style::new(),
            error: m(Modifier::BOLD | Modifier::UNDERLINED),
            ok: m(Modifier::BOLD),
            sandbox: m(Modifier::REVERSED | Modifier::BOLD),
            key: m(Modifier::BOLD),
        }
    }

    /// Picks by the `NO_COLOR` convention (set and non-empty = no colour).
    pub fn from_env() -> Self {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Self::monochrome(),
            _ => Self::indexed(),
        }
    }
}
