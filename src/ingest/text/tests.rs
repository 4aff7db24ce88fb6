use super::*;

const SEED: &str = include_str!("../../../assets/articles/00-japan-eu-security-partnership.txt");

fn parse(text: &str) -> Article {
    parse_article(text, "test.txt")
}

fn paragraphs(a: &Article) -> Vec<&str> {
    a.blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Paragraph)
        .map(|b| b.text.as_str())
        .collect()
}

fn captions(a: &Article) -> Vec<&Block> {
    a.blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Caption)
        .collect()
}

#[test]
fn seed_layout_parses_to_the_expected_structure() {
    let a = parse(SEED);
    assert_eq!(a.section.as_deref(), Some("World"));
    assert_eq!(
        a.title,
        "Japan and EU announce security partnership amid growing regional tensions"
    );
    assert_eq!(
        a.standfirst.as_deref(),
        Some(
            "EU and Japan to enhance military ties through joint exercises and defence industry exchanges against regional threats."
        )
    );
    assert_eq!(a.published.as_deref(), Some("2024-11-01"));
    let paras = paragraphs(&a);
    assert_eq!(paras.len(), 15);
    assert!(paras[0].starts_with("Japan and the European Union have announced"));
    assert!(paras[14].starts_with("“We reaffirmed the need for strengthened EU-Japan cooperation"));
    let caps = captions(&a);
    assert_eq!(caps.len(), 2);
    for c in &caps {
        let credit = c.credit.as_deref().unwrap_or("");
        assert!(
            credit.contains("Kyodo") && credit.contains("Reuters"),
            "{credit}"
        );
    }
    assert!(
        caps[0].text.ends_with("in this photo taken by Kyodo."),
        "{}",
        caps[0].text
    );
    for bad in [
        "Source link",
        "MANDATORY CREDIT",
        "ATTENTION EDITORS",
        "JAPAN OUT",
        "Mandatory credit",
    ] {
        assert!(!a.title.contains(bad));
        for b in &a.blocks {
            assert!(!b.text.contains(bad), "{bad} in {:?}", b.text);
        }
    }
}

#[test]
fn missing_section_and_standfirst() {
    let text = "Storm closes ports along the coast\n\nHeavy rain closed three ports on Tuesday, officials said.\n\nShipping resumed by evening.\n";
    let a = parse(text);
    assert_eq!(a.section, None);
    assert_eq!(a.title, "Storm closes ports along the coast");
    assert_eq!(a.standfirst, None);
    assert_eq!(paragraphs(&a).len(), 2);
}

#[test]
fn standfirst_is_only_taken_when_set_apart() {
    let text = "Business\n\nBank raises rates\n\n\nThe central bank raised its main rate by a quarter point to fight inflation.\n\nThe decision was unanimous.\n\nMarkets rose.\n";
    let a = parse(text);
    assert_eq!(a.section.as_deref(), Some("Business"));
    assert!(
        a.standfirst
            .as_deref()
            .unwrap()
            .starts_with("The central bank raised")
    );
    assert_eq!(
        paragraphs(&a),
        ["The decision was unanimous.", "Markets rose."]
    );
}

#[test]
fn a_credit_in_capitals_keeps_its_acronyms() {
    let text = "Aid arrives\n\nTrucks crossed at dawn.\n\nTrucks wait at the border [EPA-EFE]\n\nA driver rests, in this photo taken by KYODO-NEWS.\n\nMore to come.\n";
    let a = parse(text);
    let caps = captions(&a);
    assert_eq!(caps.len(), 2, "{:#?}", a.blocks);
    assert_eq!(caps[0].credit.as_deref(), Some("EPA-EFE"));
    // Each half of a hyphenated credit on its own: an acronym stays, a name reads as one.
    assert_eq!(caps[1].credit.as_deref(), Some("Kyodo-News"));
}

#[test]
fn wire_captions_in_other_shapes() {
    let text = "Flood waters rise in the capital\n\nRescuers worked through the night.\n\nResidents wade through a flooded street in Jakarta, Indonesia, March 3, 2025. REUTERS/Willy Kurniawan\n\nA man carries a child (AP Photo/Dita Alangkara)\n\nVolunteers hand out food [Bay Ismoyo/AFP]\n\nMore rain is expected.\n\nRead more\n";
    let a = parse(text);
    let caps = captions(&a);
    assert_eq!(caps.len(), 3, "{:#?}", a.blocks);
    assert_eq!(caps[0].credit.as_deref(), Some("Reuters/Willy Kurniawan"));
    assert!(caps[0].text.ends_with("March 3, 2025."));
    assert_eq!(caps[1].credit.as_deref(), Some("AP Photo/Dita Alangkara"));
    assert_eq!(caps[1].text, "A man carries a child");
    assert_eq!(caps[2].credit.as_deref(), Some("Bay Ismoyo/AFP"));
    assert_eq!(a.published.as_deref(), Some("2025-03-03"));
    assert_eq!(
        paragraphs(&a),
        [
            "Rescuers worked through the night.",
            "More rain is expected."
        ]
    );
}

#[test]
fn trailing_source_line_gives_the_link() {
    let text = "Title here\n\nBody text.\n\nSource: https://example.com/story\n";
    let a = parse(text);
    assert_eq!(a.link.as_deref(), Some("https://example.com/story"));
    assert_eq!(paragraphs(&a), ["Body text."]);
}

#[test]
fn hard_wrapped_paragraphs_are_joined() {
    let text =
        "A title\n\nThis paragraph was wrapped\nat a narrow width by\nan editor.\n\nSecond.\n";
    assert_eq!(
        paragraphs(&parse(text)),
        [
            "This paragraph was wrapped at a narrow width by an editor.",
            "Second."
        ]
    );
}

#[test]
fn front_matter_article() {
    let text = "---\ntitle: \"Council approves budget\"\ndate: 2024-03-05\nurl: https://news.example/budget\nsection: Local\nauthor: Ana Ruiz\n---\n\nThe council approved the **budget** on [Monday](https://x.example).\n\n## Reaction\n\n- Unions welcomed it\n- Landlords did not\n\n> It is a fair budget.\n";
    let a = parse(text);
    assert_eq!(a.title, "Council approves budget");
    assert_eq!(a.published.as_deref(), Some("2024-03-05"));
    assert_eq!(a.link.as_deref(), Some("https://news.example/budget"));
    assert_eq!(a.section.as_deref(), Some("Local"));
    assert_eq!(a.byline.as_deref(), Some("Ana Ruiz"));
    let kinds: Vec<BlockKind> = a.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            BlockKind::Paragraph,
            BlockKind::Heading,
            BlockKind::ListItem,
            BlockKind::ListItem,
            BlockKind::Quote
        ]
    );
    assert_eq!(
        a.blocks[0].text,
        "The council approved the budget on Monday."
    );
    assert_eq!(a.blocks[4].text, "It is a fair budget.");
}

#[test]
fn markdown_article() {
    let text = "# Rover finds ice\n\nThe rover found ice near the pole.\n\n![The rover at dawn](rover.jpg)\n";
    let a = parse(text);
    assert_eq!(a.title, "Rover finds ice");
    assert_eq!(a.blocks.len(), 2);
    assert_eq!(a.blocks[1].kind, BlockKind::Caption);
    assert_eq!(a.blocks[1].text, "The rover at dawn");
}

#[test]
fn header_layout_with_interview_turns() {
    let text = "Title: Interview with a poet\nDate: 2007-10-03\nSource: https://en.wikinews.org/wiki/Poet\nKind: interview\nCredit: Wikinews contributors. License: CC BY 2.5.\n\n[Caption] The poet at a reading.\n\nWikinews: Why poetry?\n\nJane Roe: Because it matters.\n\nIt always has.\n\nEd.: See the catalogue.\n\n## Books\n\n- First book\n";
    let a = parse(text);
    assert_eq!(a.title, "Interview with a poet");
    assert_eq!(a.published.as_deref(), Some("2007-10-03"));
    assert_eq!(a.link.as_deref(), Some("https://en.wikinews.org/wiki/Poet"));
    assert_eq!(a.section.as_deref(), Some("Interview"));
    assert_eq!(a.byline.as_deref(), Some("Wikinews contributors"));
    assert_eq!(a.blocks[0].kind, BlockKind::Caption);
    assert_eq!(a.blocks[1].speaker.as_deref(), Some("Wikinews"));
    assert_eq!(a.blocks[1].text, "Why poetry?");
    assert_eq!(a.blocks[2].speaker.as_deref(), Some("Jane Roe"));
    assert_eq!(a.blocks[3].speaker, None);
    assert_eq!(a.blocks[4].speaker, None, "Ed. is a note, not a speaker");
    assert_eq!(a.blocks[5].kind, BlockKind::Heading);
    assert_eq!(a.blocks[6].kind, BlockKind::ListItem);
    assert!(
        !a.blocks.iter().any(|b| b.text.contains("CC BY")),
        "credit is metadata"
    );
}

#[test]
fn a_label_in_news_is_not_a_speaker_unless_it_recurs() {
    let a = parse("Headline\n\nWarning signs: rivers are rising.\n\nPolice Chief: stay home.\n");
    assert!(a.blocks.iter().all(|b| b.speaker.is_none()));
    let t = parse("Headline\n\nAnna Berg: Hello.\n\nTom Lee: Hi.\n\nAnna Berg: Bye.\n");
    assert_eq!(t.blocks[0].speaker.as_deref(), Some("Anna Berg"));
    assert_eq!(t.blocks[1].speaker, None);
}

#[test]
fn odd_inputs_never_panic() {
    for text in [
        "x",
        "---",
        "---\ntitle: a",
        "# ",
        "[Caption]",
        "a\n\n[",
        "]\n\n[x]",
        "Title:",
        "- ",
        "\n\n\n",
        "ü: ü",
        "# T\n\n![](",
        "[a](b",
    ] {
        let _ = parse(text);
    }
}

/// The bundled Wikinews articles against the typed blocks published beside them.
#[test]
fn wikinews_layout_matches_reference_blocks() {
    let jsonl =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/wikinews/articles.jsonl");
    let Ok(reference) = std::fs::read_to_string(&jsonl) else {
        eprintln!(
            "skipping: {} not found (../shared is not beside this clone)",
            jsonl.display()
        );
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/articles");
    let mut checked = 0;
    for line in reference.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let slug = r["id"].as_str().unwrap().trim_start_matches("wikinews-");
        let file = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .ends_with(&format!("-{slug}.txt"))
            })
            .unwrap_or_else(|| panic!("no file for {slug}"));
        let text = std::fs::read_to_string(file.path()).unwrap();
        let a = parse(&text);
        assert_eq!(a.title, r["title"].as_str().unwrap(), "{slug}");
        assert_eq!(a.published.as_deref(), r["date"].as_str(), "{slug}");
        assert_eq!(a.link.as_deref(), r["source_url"].as_str(), "{slug}");
        let mut previous_speaker = None;
        let want: Vec<(BlockKind, &str, Option<&str>)> = r["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| {
                let kind = match b["type"].as_str().unwrap() {
                    "p" | "turn" | "verse" => BlockKind::Paragraph,
                    "caption" => BlockKind::Caption,
                    "subhead" => BlockKind::Heading,
                    "item" => BlockKind::ListItem,
                    _ => return None,
                };
                // The reference tags every paragraph of a turn; we tag the one that opens it.
                let speaker = b["speaker"].as_str();
                let opens_turn = speaker.is_some() && speaker != previous_speaker;
                previous_speaker = speaker;
                Some((
                    kind,
                    b["text"].as_str().unwrap(),
                    speaker.filter(|_| opens_turn),
                ))
            })
            .collect();
        let got: Vec<(BlockKind, &str, Option<&str>)> = a
            .blocks
            .iter()
            .map(|b| (b.kind, b.text.as_str(), b.speaker.as_deref()))
            .collect();
        assert_eq!(got.len(), want.len(), "{slug}: block count");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.0, w.0, "{slug}: kind of {:?}", w.1);
            assert_eq!(g.2, w.2, "{slug}: speaker of {:?}", w.1);
            assert_eq!(g.1, w.1, "{slug}");
        }
        checked += 1;
    }
    assert_eq!(checked, 40);
}
