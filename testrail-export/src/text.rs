//! Text as it goes to TestRail: terminal escape sequences and control characters removed,
//! and long texts cut to a budget at a character boundary (a whole grapheme cluster, so no
//! UTF-8 sequence and no emoji is ever broken), with a note saying how much was cut.
//!
//! The note has a fixed form, `[testrail-rs cut C of T bytes here …]`: cutting a text that
//! already ends with one keeps counting from the original size `T`, so a result cut again
//! after a 413 still says how much of the original text is missing.

use std::borrow::Cow;

use unicode_segmentation::GraphemeCursor;

/// The comment budget when `comment_budget` is not set: 64 KiB per comment and per step
/// text.
pub const DEFAULT_COMMENT_BUDGET: usize = 64 * 1024;

/// The smallest budget accepted: room for the cut note, the session line and some text.
pub const MIN_COMMENT_BUDGET: usize = 1024;

/// How every cut note starts.
const NOTE_PREFIX: &str = "[testrail-rs cut ";

/// `text` without terminal escape sequences (CSI such as colours, OSC such as hyperlinks
/// and titles, other `ESC` sequences and a lone `ESC`) and without control characters other
/// than newline and tab (`\r`, NUL, bell, backspace, DEL, C1 controls).
///
/// ```
/// use testrail_export::text::clean;
/// assert_eq!(clean("\x1b[31mred\x1b[0m\r\n\tok\x07"), "red\n\tok");
/// ```
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unwanted) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for printable in anstream::adapter::strip_str(text) {
        out.extend(printable.chars().filter(|c| !is_unwanted(*c)));
    }
    Cow::Owned(out)
}

/// Characters that never reach TestRail: control characters but newline and tab (ESC
/// included, which is how escape sequences are found).
fn is_unwanted(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The largest index `<= at` where `text` can be cut without splitting a grapheme cluster
/// (and therefore never inside a UTF-8 sequence).
pub fn grapheme_floor(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let mut at = at;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut cursor = GraphemeCursor::new(at, text.len(), true);
    match cursor.is_boundary(text, 0) {
        Ok(true) => at,
        _ => cursor.prev_boundary(text, 0).ok().flatten().unwrap_or(0),
    }
}

/// The note that replaces the end of a text cut from `total` to `kept` bytes.
fn note(cut: usize, total: usize, budget: usize) -> String {
    format!(
        "\n{NOTE_PREFIX}{cut} of {total} bytes here to keep this text within {budget} bytes; \
         the full text is in the spool file]"
    )
}

/// The text before a cut note at its end (trailing whitespace aside), and the size the text
/// had before that cut: what is left of it plus the bytes the note says were cut.
fn before_note(text: &str) -> Option<(&str, usize)> {
    let text = text.trim_end();
    let start = text.rfind(&format!("\n{NOTE_PREFIX}"))?;
    let rest = &text[start + 1 + NOTE_PREFIX.len()..];
    if rest.contains('\n') || !rest.ends_with(']') {
        return None;
    }
    let cut: usize = rest.split(' ').next()?.parse().ok()?;
    Some((&text[..start], start + cut))
}

/// `text` in at most `budget` bytes: unchanged when it fits, else cut at a grapheme
/// boundary and ended with a note saying how many bytes of the original were cut and that
/// the full text is in the spool. A text that already ends with a cut note is cut further,
/// its note counting from the original size. A budget too small for the note itself gives
/// the text cut to `budget` bytes without a note.
pub fn cut(text: &str, budget: usize) -> Cow<'_, str> {
    if text.len() <= budget {
        return Cow::Borrowed(text);
    }
    let (base, total) = before_note(text).unwrap_or((text, text.len()));
    // The note's length depends on the figures; the longest form bounds it.
    let room = budget.saturating_sub(note(total, total, budget).len());
    if room == 0 {
        return Cow::Owned(text[..grapheme_floor(text, budget)].to_owned());
    }
    let kept = grapheme_floor(base, room);
    let mut out = String::with_capacity(budget);
    out.push_str(&base[..kept]);
    out.push_str(&note(total - kept, total, budget));
    Cow::Owned(out)
}

/// `comment` in at most `budget` bytes, its last line kept whole: it carries the session
/// marker by which a resumed export recognises the results it stored.
pub fn cut_keeping_last_line(comment: &str, budget: usize) -> Cow<'_, str> {
    if comment.len() <= budget {
        return Cow::Borrowed(comment);
    }
    let Some(split) = comment.rfind('\n') else {
        return cut(comment, budget);
    };
    let (body, last) = comment.split_at(split);
    let body = cut(body, budget.saturating_sub(last.len()));
    Cow::Owned(format!("{body}{last}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_hyperlinks_titles_and_controls_are_stripped() {
        let cases = [
            ("\x1b[1;31merror\x1b[0m: left", "error: left"),
            // 256 colours and true colour, as `colored` and `pretty_assertions` write.
            ("\x1b[38;5;9m<\x1b[48;2;10;20;30mx\x1b[m", "<x"),
            // OSC 8 hyperlink ended by ST, OSC 0 title ended by BEL.
            (
                "\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\ \x1b]0;title\x07done",
                "link done",
            ),
            ("a\x1bb", "a"),
            ("end\x1b", "end"),
            ("nul\0bell\x07bs\x08del\x7f", "nulbellbsdel"),
            ("crlf\r\nline\tcol\r", "crlf\nline\tcol"),
            ("c1 \u{9b}31m", "c1 31m"),
            ("plain ✓ 🦀 ünïcödé", "plain ✓ 🦀 ünïcödé"),
        ];
        for (input, expected) in cases {
            assert_eq!(clean(input), expected, "{input:?}");
        }
        assert!(matches!(clean("no escapes\n\there"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_text_that_fits_is_unchanged() {
        assert!(matches!(cut("short", 1024), Cow::Borrowed("short")));
        let exact = "é".repeat(512);
        assert_eq!(cut(&exact, 1024), exact);
    }

    #[test]
    fn cuts_never_split_a_character_or_an_emoji() {
        let family = "👨\u{200d}👩\u{200d}👧"; // one grapheme, 18 bytes
        let flag = "🇫🇷"; // two regional indicators, one grapheme
        let texts = [
            "é".repeat(5000),
            "日本語のテキスト".repeat(700),
            family.repeat(500),
            flag.repeat(1500),
            format!("a{}", "e\u{301}".repeat(3000)), // e + combining acute
            "🦀x".repeat(3000),
        ];
        for text in &texts {
            for budget in [1024, 1025, 1026, 1027, 1500, 2047, 4096] {
                let out = cut(text, budget);
                assert!(out.len() <= budget, "{} > {budget}", out.len());
                let (kept, note) = out.split_once("\n[testrail-rs cut ").unwrap();
                assert!(text.starts_with(kept));
                // The kept part ends on a grapheme boundary of the original.
                assert_eq!(grapheme_floor(text, kept.len()), kept.len());
                let cut_bytes = text.len() - kept.len();
                assert!(
                    note.starts_with(&format!("{cut_bytes} of {} bytes", text.len())),
                    "{note}"
                );
                assert!(note.contains("the full text is in the spool"), "{note}");
            }
        }
        // The family emoji is never split: the kept part is whole families.
        let out = cut(&texts[2], 1100);
        let kept = out.split_once('\n').unwrap().0;
        assert_eq!(kept.len() % family.len(), 0);
        assert_eq!(kept.chars().last(), Some('👧'));
    }

    #[test]
    fn cutting_again_counts_from_the_original_size() {
        let text = "ü".repeat(100_000); // 200 000 bytes
        let once = cut(&text, 64 * 1024).into_owned();
        let twice = cut(&once, 2048).into_owned();
        assert!(twice.len() <= 2048);
        let (kept, note) = twice.split_once("\n[testrail-rs cut ").unwrap();
        assert!(text.starts_with(kept));
        assert_eq!(twice.matches(NOTE_PREFIX).count(), 1, "{twice}");
        assert!(
            note.starts_with(&format!("{} of 200000 bytes", 200_000 - kept.len())),
            "{note}"
        );
    }

    #[test]
    fn the_last_line_survives_a_cut() {
        let comment = format!(
            "{}\n_testrail-rs session `s` · from a.json_",
            "x".repeat(10_000)
        );
        let out = cut_keeping_last_line(&comment, 2048);
        assert!(out.len() <= 2048);
        assert!(out.ends_with("\n_testrail-rs session `s` · from a.json_"));
        assert!(out.contains("[testrail-rs cut "));
    }

    #[test]
    fn a_budget_below_the_note_still_holds() {
        let out = cut("ééééééééééé", 5);
        assert_eq!(out, "éé");
    }
}
