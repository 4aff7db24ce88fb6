//! Properties that must hold for any input: the sanitiser is idempotent and leaves no control
//! character; the parser never panics and never lets one through; the query translator always
//! yields something SQLite accepts.

use dateline::ingest::{parse_bytes, text::parse_article};
use dateline::sanitize::{clean_line, clean_text, is_clean};
use dateline::store::Store;
use proptest::prelude::*;

/// Text rich in what attackers and broken files contain: escapes, C1 controls, bidi
/// controls, CR, NUL, combining marks, wide characters, and article-like structure.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\x1b[31m".to_string()),
        Just("\x1b]0;title\x07".to_string()),
        Just("\x1b]52;c;ZXZpbA==\x1b\\".to_string()),
        Just("\u{9b}2J".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{2066}".to_string()),
        Just("\r\n".to_string()),
        Just("\n\n".to_string()),
        Just("\0".to_string()),
        Just("\x7f".to_string()),
        Just("e\u{301}\u{301}".to_string()),
        Just("日本語".to_string()),
        Just("👩\u{200d}👩\u{200d}👧".to_string()),
        Just("[Caption] ".to_string()),
        Just("Title: ".to_string()),
        Just("---\n".to_string()),
        Just("# ".to_string()),
        Just("[Kyodo via Reuters]".to_string()),
        Just("Mandatory credit ".to_string()),
        "[a-zA-Z ,.:]{0,20}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn sanitiser_is_idempotent_and_clean(s in hostile_text()) {
        let once = clean_text(&s).into_owned();
        prop_assert!(is_clean(&once));
        prop_assert_eq!(clean_text(&once).into_owned(), once.clone());
        let line = clean_line(&s);
        prop_assert!(is_clean(&line) && !line.contains('\n'));
    }

    #[test]
    fn parser_never_panics_and_never_passes_controls(s in hostile_text()) {
        if let Ok(parsed) = parse_bytes(s.as_bytes(), "prop.txt") {
            let a = parsed.article;
            prop_assert!(is_clean(&a.title) && !a.title.contains('\n'));
            for b in &a.blocks {
                prop_assert!(is_clean(&b.text) && !b.text.contains('\n'));
            }
        }
        // The parser on its own must survive unsanitised text too.
        let _ = parse_article(&s, "raw.txt");
    }

    #[test]
    fn any_query_is_accepted(q in "\\PC{0,30}") {
        let store = Store::open_in_memory().unwrap();
        prop_assert!(store.search(&q, 5).is_ok());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_bytes(&bytes, "bytes.bin");
    }
}
