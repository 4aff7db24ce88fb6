//! The compiled-in gazetteer: places, organisations, regions and demonyms keyed by their
//! surface form, plus sorted word lists (given names, surnames, common English words). The
//! files under `assets/gazetteer/` are embedded with `include_str!` and indexed once, lazily,
//! on first use; the word lists are binary-searched in place, so loading costs about a
//! millisecond.

use crate::model::EntityKind;
use std::collections::HashMap;
use std::sync::LazyLock;

const PLACES: &str = include_str!("../../assets/gazetteer/places.tsv");
const CURATED: &str = include_str!("../../assets/gazetteer/curated.tsv");
const GIVEN: &str = include_str!("../../assets/gazetteer/given.txt");
const SURNAMES: &str = include_str!("../../assets/gazetteer/surnames.txt");
const COMMON: &str = include_str!("../../assets/gazetteer/common.txt");

/// What the gazetteer knows about one surface form.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// `None` marks a capitalised word that is never a name (`ICBM`, `Christmas`).
    pub kind: Option<EntityKind>,
    pub canonical: &'static str,
    /// An adjective or people word for the canonical place (`Japanese` for Japan).
    pub demonym: bool,
}

pub struct Gazetteer {
    entries: HashMap<&'static str, Entry>,
    /// The most words any surface form has, bounding the longest-match search.
    pub max_words: usize,
    given: Vec<&'static str>,
    surnames: Vec<&'static str>,
    common: Vec<&'static str>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::load);

/// The shared gazetteer, built on first use.
pub fn get() -> &'static Gazetteer {
    &GAZETTEER
}

fn sorted_lines(text: &'static str) -> Vec<&'static str> {
    let mut v: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    // The generator sorts already; sorting an already sorted list is linear and keeps
    // binary search correct if someone edits a file by hand.
    v.sort_unstable();
    v
}

impl Gazetteer {
    fn load() -> Self {
        let mut entries = HashMap::with_capacity(10_000);
        let mut max_words = 1;
        // Curated rows come last so they override generated ones.
        for line in PLACES.lines().chain(CURATED.lines()) {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(surface), Some(kind), canonical, flags) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let kind = match kind {
                "none" => None,
                k => match EntityKind::parse(k) {
                    Some(k) => Some(k),
                    None => continue,
                },
            };
            let words = surface.split([' ', '-']).count();
            max_words = max_words.max(words);
            entries.insert(
                surface,
                Entry {
                    kind,
                    canonical: canonical.filter(|c| !c.is_empty()).unwrap_or(surface),
                    demonym: flags.is_some_and(|f| f.contains('D')),
                },
            );
        }
        Gazetteer {
            entries,
            max_words,
            given: sorted_lines(GIVEN),
            surnames: sorted_lines(SURNAMES),
            common: sorted_lines(COMMON),
        }
    }

    /// The entry for an exact surface form (whitespace already single spaces, apostrophes
    /// straight).
    pub fn lookup(&self, surface: &str) -> Option<&Entry> {
        self.entries.get(surface)
    }

    pub fn is_given_name(&self, word: &str) -> bool {
        self.given.binary_search(&word).is_ok()
    }

    pub fn is_surname(&self, word: &str) -> bool {
        self.surnames.binary_search(&word).is_ok()
    }

    /// Whether the lower-case form of `word` is an ordinary English word.
    pub fn is_common(&self, word: &str) -> bool {
        if word.bytes().all(|b| b.is_ascii_lowercase()) {
            return self.common.binary_search(&word).is_ok();
        }
        let lower = word.to_lowercase();
        self.common.binary_search(&lower.as_str()).is_ok()
    }
}

/// Whether `text` is a demonym or adjective form of a place (`Japanese`, `British`): the
/// app counts it as a mention of the place, but it is not itself a name.
pub fn is_demonym(text: &str) -> bool {
    get().lookup(text).is_some_and(|e| e.demonym)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_and_answers() {
        let g = get();
        assert_eq!(g.lookup("Japan").map(|e| e.canonical), Some("Japan"));
        assert!(g.lookup("Japanese").is_some_and(|e| e.demonym));
        assert_eq!(g.lookup("EU").map(|e| e.canonical), Some("European Union"));
        assert!(g.lookup("ICBM").is_some_and(|e| e.kind.is_none()));
        assert!(g.is_common("Earlier"));
        assert!(!g.is_common("Borrell"));
        assert!(g.is_given_name("John"));
    }
}
