//! Text from outside (server error messages, queue and script names, file names) made safe to
//! print: a server must not be able to retitle, clear or scroll the analyst's terminal.
//!
//! Control characters (C0 but tab, DEL, C1) and bidirectional overrides are removed, so an
//! escape sequence loses its `ESC` and prints as harmless text. Written by hand: it is one
//! filter, and the crates that strip ANSI keep other control characters.

use std::borrow::Cow;

/// Whether `c` can change how a terminal shows what follows it.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` without control characters and bidi overrides; a tab becomes a space. Borrows when
/// nothing had to go.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) || c == '\t') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter(|&c| !is_unsafe(c))
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect(),
    )
}

/// [`clean`], but line breaks survive (a multi-line error report).
pub fn clean_lines(s: &str) -> String {
    s.split('\n')
        .map(|l| clean(l.trim_end_matches('\r')).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text pasted into a one-line field: line breaks dropped, control characters stripped.
pub fn pasted_line(s: &str) -> String {
    clean(&s.replace(['\r', '\n'], "")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_lose_their_escape() {
        let hostile = "Sales\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\r\nend";
        assert_eq!(clean(hostile), "Sales]0;pwned[2J31mend");
        assert_eq!(clean("a\u{202E}b\u{2066}c\u{7f}"), "abc");
        assert_eq!(clean("tab\there"), "tab here");
    }

    #[test]
    fn clean_text_is_borrowed_and_unicode_survives() {
        assert!(matches!(clean("Bündel Support ☎"), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_keep_their_breaks_and_pastes_lose_them() {
        assert_eq!(clean_lines("one\u{1b}[1m\r\ntwo"), "one[1m\ntwo");
        assert_eq!(pasted_line("x\nsy\r\n\u{1b}[A"), "xsy[A");
    }
}
