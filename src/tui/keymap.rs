//! Key bindings: embedded defaults from `keybindings.toml` overlaid by the user's file.
//!
//! Both the key dispatch and the `?` help read the same [`Keymap`], so the help can't drift
//! from what the keys do. Bad user files fail at start-up with file, line and what is wrong.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

/// The defaults, shipped in the binary.
pub const DEFAULT_KEYBINDINGS: &str = include_str!("../../keybindings.toml");

/// Where a key applies. `Global` keys work everywhere except while typing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    /// The queue board (the first screen).
    Board,
    Dashboard,
    Review,
    Confirm,
    Export,
    /// The model tournament popup.
    Models,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::Board,
        Context::Dashboard,
        Context::Review,
        Context::Confirm,
        Context::Export,
        Context::Models,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Board => "board",
            Context::Dashboard => "dashboard",
            Context::Review => "review",
            Context::Confirm => "confirm",
            Context::Export => "export",
            Context::Models => "models",
        }
    }

    /// A section name; `picker` is the board's name before the board replaced the picker,
    /// so existing user files keep working.
    fn from_name(s: &str) -> Option<Self> {
        if s == "picker" {
            return Some(Context::Board);
        }
        Self::ALL.into_iter().find(|c| c.name() == s)
    }

    /// The commands a user may bind in this section.
    pub fn commands(self) -> &'static [Command] {
        use Command::*;
        match self {
            Context::Global => &[Quit, Help, Back],
            Context::Board => &[
                Up,
                Down,
                PageUp,
                PageDown,
                First,
                Last,
                Select,
                Filter,
                Sort,
                SortReverse,
                Retry,
            ],
            // In the order the help lists them: table, cursor, view, actions.
            Context::Dashboard => &[
                Up,
                Down,
                ToggleWindow,
                NextWindow,
                PrevWindow,
                WindowRule,
                WhatIf,
                ClearWhatIf,
                CursorLeft,
                CursorRight,
                CursorDayBack,
                CursorDayForward,
                CursorPageBack,
                CursorPageForward,
                CursorFirst,
                CursorLast,
                PanLeft,
                PanRight,
                ZoomIn,
                ZoomOut,
                ResetView,
                Review,
                Models,
                Export,
                Refresh,
                PickQueue,
            ],
            Context::Review => &[
                Up,
                Down,
                Edit,
                PrevOption,
                NextOption,
                Submit,
                CreateDraft,
                ScrollUp,
                ScrollDown,
            ],
            Context::Confirm => &[Yes, No],
            Context::Export => &[ToggleFormat, Accept],
            Context::Models => &[Up, Down, UseModel, Models],
        }
    }
}

/// What a user can bind a key to: small and stable, unlike the internal messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Quit,
    Help,
    Back,
    Up,
    Down,
    Select,
    PageUp,
    PageDown,
    First,
    Last,
    Filter,
    Sort,
    SortReverse,
    Retry,
    CursorLeft,
    CursorRight,
    CursorDayBack,
    CursorDayForward,
    CursorPageBack,
    CursorPageForward,
    CursorFirst,
    CursorLast,
    PrevWindow,
    NextWindow,
    PanLeft,
    PanRight,
    ZoomIn,
    ZoomOut,
    ResetView,
    ToggleWindow,
    /// Capacity windows ↔ quartile windows.
    WindowRule,
    /// Type a staffed-agents number for the focused window or the whole forecast.
    WhatIf,
    ClearWhatIf,
    Review,
    Export,
    Refresh,
    PickQueue,
    Edit,
    PrevOption,
    NextOption,
    Submit,
    /// Create the campaign without a schedule (a true draft that never dials).
    CreateDraft,
    ScrollUp,
    ScrollDown,
    Yes,
    No,
    ToggleFormat,
    Accept,
    Models,
    UseModel,
}

impl Command {
    /// The name used in `keybindings.toml`.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// One line for the help overlay.
    pub fn describe(self) -> &'static str {
        use Command::*;
        match self {
            Quit => "quit",
            Help => "show or hide this help",
            Back => "back / close",
            Up => "move up",
            Down => "move down",
            Select => "open the selected queue",
            PageUp => "one page up",
            PageDown => "one page down",
            First => "first row",
            Last => "last row",
            Filter => "filter by name (enter keeps, esc clears)",
            Sort => "sort by the next column",
            SortReverse => "reverse the sort",
            Retry => "retry what failed to load",
            CursorLeft => "cursor one bucket left",
            CursorRight => "cursor one bucket right",
            CursorDayBack => "cursor one day back",
            CursorDayForward => "cursor one day forward",
            CursorPageBack => "cursor one screen back",
            CursorPageForward => "cursor one screen forward",
            CursorFirst => "cursor to the first bucket",
            CursorLast => "cursor to the last bucket",
            PrevWindow => "previous window",
            NextWindow => "next window",
            PanLeft => "pan left",
            PanRight => "pan right",
            ZoomIn => "zoom in",
            ZoomOut => "zoom out",
            ResetView => "reset pan and zoom",
            ToggleWindow => "window in / out of campaign",
            WindowRule => "capacity / quartile rule",
            WhatIf => "what-if staffed agents",
            ClearWhatIf => "clear the what-if",
            Review => "review campaign for windows",
            Export => "export forecast (JSON/CSV)",
            Refresh => "re-fetch history, re-fit",
            PickQueue => "back to the queue board",
            Edit => "edit field / open picker",
            PrevOption => "previous option",
            NextOption => "next option",
            Submit => "submit campaign (asks)",
            CreateDraft => "create without schedule (asks)",
            ScrollUp => "scroll preview up",
            ScrollDown => "scroll preview down",
            Yes => "confirm",
            No => "cancel",
            ToggleFormat => "switch JSON / CSV",
            Accept => "write the file",
            Models => "model tournament",
            UseModel => "re-fit with this model",
        }
    }
}

/// A key as written in the file and matched against terminal events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            ctrl: false,
            alt: false,
        }
    }

    /// Normalises a terminal event: Shift is folded into the character (`G`, `?`).
    pub fn from_event(ev: &KeyEvent) -> Self {
        let code = ev.code;
        Self {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses `q`, `G`, `ctrl-c`, `alt-x`, `up`, `pagedown`, `f1`, `space`….
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => {
                if ctrl {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "shift-tab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "pageup" => KeyCode::PageUp,
                "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                f if f.starts_with('f') && f.len() > 1 => match f[1..].parse::<u8>() {
                    Ok(n @ 1..=12) => KeyCode::F(n),
                    _ => return Err(format!("unknown key {s:?}")),
                },
                _ => {
                    return Err(format!(
                        "unknown key {s:?} (use a single character, ctrl-<char>, alt-<char>, up, down, \
                         left, right, enter, esc, tab, backtab, space, backspace, delete, pageup, \
                         pagedown, home, end or f1…f12)"
                    ));
                }
            },
        };
        Ok(Self { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("backtab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::PageUp => f.write_str("pageup"),
            KeyCode::PageDown => f.write_str("pagedown"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A key-binding file that can't be used, phrased for the person who has to fix it.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("cannot read key bindings {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// The loaded bindings, per context, in file order (so help lists them as written).
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Context, Vec<(Command, Vec<Key>)>>,
}

type RawFile =
    BTreeMap<toml::Spanned<String>, BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>>;

impl Keymap {
    /// The embedded defaults alone.
    pub fn defaults() -> Self {
        Self::from_sources(&[(
            DEFAULT_KEYBINDINGS,
            Path::new("<embedded keybindings.toml>"),
        )])
        .expect("embedded keybindings.toml is valid")
    }

    /// Defaults overlaid by the user's file, if it exists.
    pub fn load(user_file: &Path) -> Result<Self, KeymapError> {
        match std::fs::read_to_string(user_file) {
            Ok(text) => Self::from_sources(&[
                (
                    DEFAULT_KEYBINDINGS,
                    Path::new("<embedded keybindings.toml>"),
                ),
                (&text, user_file),
            ]),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::defaults()),
            Err(source) => Err(KeymapError::Read {
                path: user_file.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses each source in order; a later source replaces single actions of an earlier one.
    pub fn from_sources(sources: &[(&str, &Path)]) -> Result<Self, KeymapError> {
        let mut bindings: BTreeMap<Context, Vec<(Command, Vec<Key>)>> = BTreeMap::new();
        // Where each binding came from, for conflict messages.
        let mut origin: BTreeMap<(Context, Command), (usize, PathBuf, usize)> = BTreeMap::new();
        for (idx, (text, path)) in sources.iter().enumerate() {
            let err = |span: std::ops::Range<usize>, message: String| KeymapError::Invalid {
                path: path.to_path_buf(),
                line: line_of(text, span.start),
                message,
            };
            let raw: RawFile = toml::from_str(text).map_err(|e| KeymapError::Invalid {
                path: path.to_path_buf(),
                line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
                message: e.message().trim().to_string(),
            })?;
            for (section, actions) in raw {
                let Some(ctx) = Context::from_name(section.get_ref()) else {
                    return Err(err(
                        section.span(),
                        format!(
                            "unknown section [{}]; use one of {}",
                            section.get_ref(),
                            Context::ALL.map(|c| c.name()).join(", ")
                        ),
                    ));
                };
                for (action, value) in actions {
                    let command =
                        command_named(ctx, action.get_ref()).map_err(|m| err(action.span(), m))?;
                    let span = value.span();
                    let keys = keys_of(value.into_inner(), action.get_ref())
                        .map_err(|m| err(span.clone(), m))?;
                    let list = bindings.entry(ctx).or_default();
                    match list.iter_mut().find(|(c, _)| *c == command) {
                        Some(entry) => entry.1 = keys,
                        None => list.push((command, keys)),
                    }
                    origin.insert(
                        (ctx, command),
                        (idx, path.to_path_buf(), line_of(text, span.start)),
                    );
                }
            }
        }
        let map = Self { bindings };
        map.check_conflicts(&origin)?;
        Ok(map)
    }

    fn check_conflicts(
        &self,
        origin: &BTreeMap<(Context, Command), (usize, PathBuf, usize)>,
    ) -> Result<(), KeymapError> {
        let global = self.bindings.get(&Context::Global);
        for ctx in Context::ALL {
            let mut seen: std::collections::HashMap<Key, (Context, Command)> =
                std::collections::HashMap::new();
            let mut lists = vec![(ctx, self.bindings.get(&ctx))];
            if ctx != Context::Global {
                lists.insert(0, (Context::Global, global));
            }
            for (c, list) in lists {
                for (cmd, keys) in list.into_iter().flatten() {
                    for key in keys {
                        if let Some((other_ctx, other)) = seen.insert(*key, (c, *cmd))
                            && !(other_ctx == c && other == *cmd)
                        {
                            // Blame the binding that came last (the user's file, lower line).
                            let (_, path, line) =
                                [origin.get(&(c, *cmd)), origin.get(&(other_ctx, other))]
                                    .into_iter()
                                    .flatten()
                                    .max()
                                    .cloned()
                                    .unwrap_or_else(|| (0, PathBuf::from("keybindings.toml"), 1));
                            return Err(KeymapError::Invalid {
                                path,
                                line,
                                message: format!(
                                    "key {key} is bound twice: to {} in [{}] and to {} in [{}]; \
                                     rebind one of them",
                                    cmd.name(),
                                    c.name(),
                                    other.name(),
                                    other_ctx.name()
                                ),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The command a key means in `ctx` (context bindings first, then global).
    pub fn lookup(&self, ctx: Context, key: Key) -> Option<Command> {
        let find = |c: Context| {
            self.bindings.get(&c).and_then(|list| {
                list.iter()
                    .find(|(_, keys)| keys.contains(&key))
                    .map(|(cmd, _)| *cmd)
            })
        };
        find(ctx).or_else(|| find(Context::Global))
    }

    /// The keys bound to `cmd` in `ctx`.
    pub fn keys(&self, ctx: Context, cmd: Command) -> &[Key] {
        self.bindings
            .get(&ctx)
            .and_then(|l| l.iter().find(|(c, _)| *c == cmd))
            .map(|(_, k)| k.as_slice())
            .unwrap_or(&[])
    }

    /// Short label of the first key of `cmd`, for status-bar hints.
    pub fn hint(&self, ctx: Context, cmd: Command) -> String {
        self.keys(ctx, cmd)
            .first()
            .map(Key::to_string)
            .unwrap_or_else(|| "(unbound)".into())
    }

    /// All bindings of a context in file order, for the help overlay.
    pub fn entries(&self, ctx: Context) -> &[(Command, Vec<Key>)] {
        self.bindings.get(&ctx).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The command `action` names in `ctx`'s section, or what to write instead.
fn command_named(ctx: Context, action: &str) -> Result<Command, String> {
    ctx.commands()
        .iter()
        .copied()
        .find(|c| c.name() == action)
        .ok_or_else(|| {
            format!(
                "unknown action {action:?} in [{}]; actions there: {}",
                ctx.name(),
                ctx.commands()
                    .iter()
                    .map(|c| c.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// The keys of one binding: a key or a list of keys, each parsed.
fn keys_of(value: toml::Value, action: &str) -> Result<Vec<Key>, String> {
    let specs: Vec<String> = match value {
        toml::Value::String(s) => vec![s],
        toml::Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                toml::Value::String(s) => Ok(s),
                other => Err(format!(
                    "{action}: keys must be strings, found {}",
                    other.type_str()
                )),
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "{action}: expected a key or a list of keys, found {}",
                other.type_str()
            ));
        }
    };
    specs
        .iter()
        .map(|s| Key::parse(s).map_err(|m| format!("{action}: {m}")))
        .collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(text: &str) -> Result<Keymap, KeymapError> {
        Keymap::from_sources(&[
            (DEFAULT_KEYBINDINGS, Path::new("defaults")),
            (text, Path::new("user.toml")),
        ])
    }

    #[test]
    fn defaults_bind_vim_and_arrows() {
        let k = Keymap::defaults();
        let j = Key::plain(KeyCode::Char('j'));
        assert_eq!(k.lookup(Context::Dashboard, j), Some(Command::Down));
        assert_eq!(
            k.lookup(Context::Dashboard, Key::plain(KeyCode::Down)),
            Some(Command::Down)
        );
        assert_eq!(
            k.lookup(Context::Dashboard, Key::plain(KeyCode::Char('q'))),
            Some(Command::Quit)
        );
        let ctrl_c = Key::parse("ctrl-c").unwrap();
        assert_eq!(k.lookup(Context::Review, ctrl_c), Some(Command::Quit));
    }

    #[test]
    fn user_file_overrides_one_binding_only() {
        let k = user("[dashboard]\nrefresh = \"R\"\n").unwrap();
        assert_eq!(
            k.lookup(Context::Dashboard, Key::plain(KeyCode::Char('R'))),
            Some(Command::Refresh)
        );
        assert_eq!(
            k.lookup(Context::Dashboard, Key::plain(KeyCode::Char('r'))),
            None
        );
        assert_eq!(
            k.lookup(Context::Dashboard, Key::plain(KeyCode::Char('e'))),
            Some(Command::Export)
        );
    }

    #[test]
    fn an_older_picker_section_binds_the_board() {
        let k = user("[picker]\nselect = \"o\"\n").unwrap();
        assert_eq!(
            k.lookup(Context::Board, Key::plain(KeyCode::Char('o'))),
            Some(Command::Select)
        );
        assert_eq!(
            k.lookup(Context::Board, Key::plain(KeyCode::Char('/'))),
            Some(Command::Filter)
        );
    }

    #[test]
    fn conflict_names_file_line_and_both_actions() {
        let e = user("[dashboard]\n\nexport = \"r\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("user.toml:3:"), "{e}");
        assert!(e.contains("export") && e.contains("refresh"), "{e}");
    }

    #[test]
    fn unknown_action_and_key_have_lines() {
        let e = user("[review]\nsubmitt = \"s\"\n").unwrap_err().to_string();
        assert!(
            e.starts_with("user.toml:2:") && e.contains("submitt"),
            "{e}"
        );
        let e = user("[global]\nquit = \"ctrl-\"\n\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("user.toml:2:") && e.contains("ctrl-"), "{e}");
    }
}
