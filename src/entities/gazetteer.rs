//! The compiled-in gazetteer: places, organisations, regions and demonyms keyed by their
//! surface form, plus word lists (given names, surnames, common English words). The files
//! under `assets/gazetteer/` are embedded with `include_str!` and indexed once, lazily, on
//! first use. Every list is hashed: the rules ask about the same capitalised words many
//! times, and a sorted-list search spent most of its time comparing strings.

use crate::model::EntityKind;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// A small multiplicative hasher (the FxHash scheme): the keys are short trusted words, so
/// SipHash's flood resistance buys nothing and costs a third of the lookup time.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        // The tail in one step rather than a byte at a time: most keys are shorter than 8.
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        // The table picks a bucket by the low bits, and the low bits of a product depend
        // only on the low bits of what was multiplied: the first bytes of a short key. The
        // rotation brings the well-mixed high bits down (as rustc-hash 2 does); without it,
        // words with the same first letters shared buckets (1,000 keys `Mar0000`… fell
        // into 32 of 4,096), and extraction ran 4 % slower.
        self.0.rotate_left(26)
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// A bit filter over words keyed by their first and last two bytes and their length, with
/// `2^BITS` bits. A clear bit proves a word absent without hashing it; most words the rules
/// ask about are in no list, and most spans the longest-match search tries are not gazetteer
/// keys.
struct Filter<const BITS: u32> {
    bits: Vec<u64>,
}

impl<const BITS: u32> Filter<BITS> {
    fn new() -> Self {
        Filter {
            bits: vec![0; 1 << (BITS - 6)],
        }
    }

    fn slot(w: &str) -> usize {
        let b = w.as_bytes();
        let at = |i: usize| u64::from(b.get(i).copied().unwrap_or(0));
        let n = b.len();
        // The first two and the last two bytes: first and last alone are shared by too
        // many words (`S…s`) to tell much.
        let ends = at(0) | at(1) << 8 | at(n.wrapping_sub(2)) << 16 | at(n.wrapping_sub(1)) << 24;
        let h = (ends | (n as u64) << 32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - BITS)) as usize
    }

    fn insert(&mut self, w: &str) {
        let s = Self::slot(w);
        self.bits[s >> 6] |= 1 << (s & 63);
    }

    fn may_contain(&self, w: &str) -> bool {
        let s = Self::slot(w);
        self.bits[s >> 6] & (1 << (s & 63)) != 0
    }
}

/// A fixed word list for the rules' `contains` checks.
pub struct WordSet {
    filter: Filter<12>,
    words: FastSet<&'static str>,
}

impl WordSet {
    pub fn contains(&self, w: &str) -> bool {
        self.filter.may_contain(w) && self.words.contains(w)
    }
}

pub fn word_set(words: &[&'static str]) -> WordSet {
    let mut filter = Filter::new();
    for w in words {
        filter.insert(w);
    }
    WordSet {
        filter,
        words: words.iter().copied().collect(),
    }
}

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
    /// A town or smaller city: weak evidence, yields to a personal name around it.
    pub town: bool,
    /// Also an everyday word (`Time`, `Orange`): opening a sentence, it is that word.
    pub word: bool,
}

pub struct Gazetteer {
    entries: FastMap<&'static str, Entry>,
    entry_filter: Filter<20>,
    /// The most words any surface form has, bounding the longest-match search.
    pub max_words: usize,
    /// Given names and surnames in one table, as `GIVEN_BIT` and `SURNAME_BIT` flags.
    names: FastMap<&'static str, u8>,
    /// Hashed: it is asked about every capitalised word.
    common: FastSet<&'static str>,
    /// Canonical places with a demonym row: countries and nations (`Sweden`, `England`).
    nations: FastSet<&'static str>,
}

const GIVEN_BIT: u8 = 1;
const SURNAME_BIT: u8 = 2;

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::load);

/// The shared gazetteer, built on first use.
pub fn get() -> &'static Gazetteer {
    &GAZETTEER
}

/// The words of a list, skipping blank lines and comments.
fn word_lines(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

impl Gazetteer {
    fn load() -> Self {
        let mut entries = FastMap::default();
        entries.reserve(30_000);
        let mut max_words = 1;
        let mut nations = FastSet::default();
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
            let entry = Entry {
                kind,
                canonical: canonical.filter(|c| !c.is_empty()).unwrap_or(surface),
                demonym: flags.is_some_and(|f| f.contains('D')),
                town: flags.is_some_and(|f| f.contains('C')),
                word: flags.is_some_and(|f| f.contains('W')),
            };
            if entry.demonym && entry.kind == Some(EntityKind::Place) {
                nations.insert(entry.canonical);
            }
            entries.insert(surface, entry);
        }
        // The people of a place in the plural (`Canadians`, `Iraqis`, `New Zealanders`): the
        // lists give the singular. Made once for the life of the process, so leaked.
        let plurals: Vec<(&'static str, Entry)> = entries
            .iter()
            .filter(|(surface, e)| {
                e.demonym
                    && !surface.contains([',', '/'])
                    && ["an", "i", "er", "ek", "ot", "o", "ene"]
                        .iter()
                        .any(|end| surface.ends_with(end))
            })
            .map(|(surface, e)| (*surface, *e))
            .collect();
        for (surface, e) in plurals {
            let plural: &'static str = Box::leak(format!("{surface}s").into_boxed_str());
            entries.entry(plural).or_insert(e);
        }
        let mut entry_filter = Filter::new();
        for k in entries.keys() {
            entry_filter.insert(k);
        }
        let mut names: FastMap<&'static str, u8> = FastMap::default();
        for (list, bit) in [(GIVEN, GIVEN_BIT), (SURNAMES, SURNAME_BIT)] {
            for w in word_lines(list) {
                *names.entry(w).or_default() |= bit;
            }
        }
        Gazetteer {
            entries,
            entry_filter,
            max_words,
            names,
            common: word_lines(COMMON).into_iter().collect(),
            nations,
        }
    }

    /// Whether a canonical place name is a country or nation (it has a demonym).
    pub fn is_nation(&self, canonical: &str) -> bool {
        self.nations.contains(canonical)
    }

    /// The entry for an exact surface form (whitespace already single spaces, apostrophes
    /// straight).
    pub fn lookup(&self, surface: &str) -> Option<&Entry> {
        if !self.entry_filter.may_contain(surface) {
            return None;
        }
        self.entries.get(surface)
    }

    pub fn is_given_name(&self, word: &str) -> bool {
        self.name_kinds(word).0
    }

    /// Whether `word` is a listed given name and whether a listed surname, in one look-up.
    pub fn name_kinds(&self, word: &str) -> (bool, bool) {
        let b = self.names.get(word).copied().unwrap_or(0);
        (b & GIVEN_BIT != 0, b & SURNAME_BIT != 0)
    }

    pub fn is_surname(&self, word: &str) -> bool {
        self.name_kinds(word).1
    }

    /// Whether the lower-case form of `word` is an ordinary English word.
    pub fn is_common(&self, word: &str) -> bool {
        with_lowercase(word, |w| self.common.contains(w))
    }
}

/// Calls `f` with the lower-case form of `word`; short ASCII words are lowered on the stack,
/// without an allocation (this runs for every capitalised word).
pub fn with_lowercase<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 32];
    if word.len() <= buf.len() && word.is_ascii() {
        let b = &mut buf[..word.len()];
        b.copy_from_slice(word.as_bytes());
        b.make_ascii_lowercase();
        if let Ok(lower) = std::str::from_utf8(b) {
            return f(lower);
        }
    }
    f(&word.to_lowercase())
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
    fn keys_with_the_same_first_letters_spread_over_the_buckets() {
        use std::hash::BuildHasher;
        // Short names alike in their first bytes, as many are: Mar…, Mac…
        let keys: Vec<String> = (0..1000).map(|i| format!("Mar{i:04}")).collect();
        let build = BuildHasherDefault::<FxHasher>::default();
        // The bucket of a table of 4,096 is the hash's low 12 bits.
        let buckets: FastSet<u64> = keys.iter().map(|k| build.hash_one(k) & 0xfff).collect();
        assert!(
            buckets.len() > 600,
            "{} buckets for 1,000 keys",
            buckets.len()
        );
    }

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

    /// The hand-written list is edited by hand: every row is whole, and no surface is
    /// listed twice (the second row would silently win).
    #[test]
    fn curated_rows_are_whole_and_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for line in CURATED
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 4, "four tab-separated columns: {line:?}");
            assert!(
                cols[1] == "none" || EntityKind::parse(cols[1]).is_some(),
                "a known kind: {line:?}"
            );
            assert!(
                cols[3].chars().all(|c| matches!(c, 'D' | 'C' | 'W')),
                "flags: {line:?}"
            );
            assert!(seen.insert(cols[0]), "listed twice: {:?}", cols[0]);
        }
    }

    #[test]
    fn name_lists_answer_for_every_listed_word() {
        let g = get();
        assert!(word_lines(GIVEN).into_iter().all(|w| g.is_given_name(w)));
        assert!(word_lines(SURNAMES).into_iter().all(|w| g.is_surname(w)));
        // And no other word: a word on one list only is not on the other, and an ordinary
        // word is on neither.
        let given: std::collections::HashSet<&str> = word_lines(GIVEN).into_iter().collect();
        let surnames: std::collections::HashSet<&str> = word_lines(SURNAMES).into_iter().collect();
        let only_surname = surnames
            .iter()
            .find(|w| !given.contains(*w))
            .expect("a surname");
        let only_given = given
            .iter()
            .find(|w| !surnames.contains(*w))
            .expect("a given name");
        assert!(!g.is_given_name(only_surname), "{only_surname}");
        assert!(!g.is_surname(only_given), "{only_given}");
        assert_eq!(g.name_kinds("Breakfast"), (false, false));
    }
}
