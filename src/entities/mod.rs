//! The entity extractor: people, organisations and places an article mentions, with aliases
//! merged and every mention as an exact byte span of its field. Pure functions over an
//! article; no I/O, no cache, no terminal.
//!
//! Two passes. [`rules::scan`] reads each field on its own: capitalised sequences, titles,
//! the compiled-in [`gazetteer`], keyword and context rules. Then the article-level pass here
//! merges what one field cannot: a later `Borrell` joins the earlier `Josep Borrell`, `WHO`
//! joins `World Health Organisation (WHO)`, gazetteer short forms join their canonical name
//! (`EU`, `Japanese`), and undecided kinds are settled by the other mentions.

pub mod gazetteer;
pub mod rules;
pub mod token;
mod words;

use crate::model::{Article, Entity, EntityKind, Field, Mention};
use aho_corasick::AhoCorasick;
use gazetteer::{FastMap, FastSet};
use rules::Candidate;
use std::borrow::Cow;
use std::sync::LazyLock;

pub use gazetteer::is_demonym;

/// A candidate's key as an index into [`Keys`]: the article pass compares, groups and counts
/// keys many times over, and indices do that without hashing or copying strings.
type KeyId = usize;

/// The distinct keys of one article, each stored once. Keys borrow the article text or the
/// gazetteer where they can; only spellings that need normalising are owned.
#[derive(Default)]
struct Keys<'a> {
    names: Vec<Cow<'a, str>>,
    ids: FastMap<Cow<'a, str>, KeyId>,
}

impl<'a> Keys<'a> {
    fn intern(&mut self, key: Cow<'a, str>) -> KeyId {
        if let Some(&id) = self.ids.get(key.as_ref()) {
            return id;
        }
        let id = self.names.len();
        self.names.push(key.clone());
        self.ids.insert(key, id);
        id
    }

    fn get(&self, id: KeyId) -> &str {
        &self.names[id]
    }

    fn len(&self) -> usize {
        self.names.len()
    }
}

struct Found<'a> {
    field: Field,
    /// The field's whole text, for context look-ups.
    src: &'a str,
    cand: Candidate,
    key: KeyId,
}

impl<'a> Found<'a> {
    fn text(&self) -> &'a str {
        &self.src[self.cand.start..self.cand.end]
    }
}

/// The fields entities are read from, in reading order. The section word is metadata.
fn fields(article: &Article) -> Vec<(Field, &str)> {
    let mut out = vec![(Field::Title, article.title.as_str())];
    if let Some(s) = &article.standfirst {
        out.push((Field::Standfirst, s.as_str()));
    }
    for (i, b) in article.blocks.iter().enumerate() {
        out.push((Field::Block(i), b.text.as_str()));
        if let Some(c) = &b.credit {
            out.push((Field::Credit(i), c.as_str()));
        }
    }
    out
}

/// The surface as gazetteer keys and entity names spell it: straight apostrophes, single
/// spaces.
pub(super) fn norm_key(s: &str) -> String {
    s.replace('’', "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether [`norm_key`] could change `s`. Most surfaces are already single-spaced with
/// straight apostrophes, and checking is cheaper than building the copy.
fn needs_norm(s: &str) -> bool {
    // Leading whitespace is trimmed, so a space is suspect at the start.
    let mut after_space = true;
    for c in s.chars() {
        if c == ' ' {
            if after_space {
                return true;
            }
            after_space = true;
        } else if c == '’' || c.is_whitespace() {
            return true;
        } else {
            after_space = false;
        }
    }
    after_space
}

/// Initials of a multi-word name, skipping connectors: World Health Organisation → WHO.
fn initials(name: &str) -> String {
    name.split([' ', '-'])
        .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
        .collect()
}

/// Extracts the entities of one article, most mentioned first.
pub fn extract(article: &Article) -> Vec<Entity> {
    let mut keys = Keys::default();
    let mut found: Vec<Found> = Vec::new();
    let fields = fields(article);
    for &(field, src) in &fields {
        for cand in rules::scan(src) {
            let text = &src[cand.start..cand.end];
            let key = match cand.canonical {
                Some(c) => Cow::Borrowed(c),
                None if needs_norm(text) => Cow::Owned(norm_key(text)),
                None => Cow::Borrowed(text),
            };
            let key = keys.intern(key);
            found.push(Found {
                field,
                src,
                cand,
                key,
            });
        }
    }
    resolve(&mut found, &keys);
    let mut entities = build(found, &keys);
    entities.retain(|e| !is_a_word_here(e, &fields));
    entities
}

/// A single word of no known kind that the article's `fields` also write in lower case
/// (`Attendees` opening a sentence, `attendees` further on) is a word, not a name.
fn is_a_word_here(e: &Entity, fields: &[(Field, &str)]) -> bool {
    if e.kind != EntityKind::Other || e.name.contains([' ', '-']) {
        return false;
    }
    let lower = e.name.to_lowercase();
    if lower == e.name {
        return false;
    }
    fields.iter().any(|(_, text)| has_word(text, &lower))
}

/// Whether `word` occurs in `text` as a whole word of prose (not part of a web or mail
/// address: `quantcast.com` does not make `Quantcast` a word).
fn has_word(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, word.as_bytes()).any(|at| {
        let before = text[..at].chars().next_back();
        let rest = &text[at + word.len()..];
        let mut after = rest.chars();
        let next = after.next();
        let address = before.is_some_and(|c| matches!(c, '.' | '/' | '@' | '_'))
            || (matches!(next, Some('.' | '@' | '/' | '_'))
                && after.next().is_some_and(char::is_alphanumeric));
        !address
            && !before.is_some_and(char::is_alphanumeric)
            && !next.is_some_and(char::is_alphanumeric)
    })
}

fn resolve(found: &mut Vec<Found>, keys: &Keys) {
    // Long form followed by its acronym in brackets: `World Health Organisation (WHO)`.
    let mut acronyms: FastMap<Cow<str>, KeyId> = FastMap::default();
    for f in found.iter() {
        let rest = &f.src[f.cand.end..];
        // An acronym is at most 8 bytes, so its `)` is among the next 9.
        if let Some(inner) = rest.strip_prefix(" (")
            && let Some(close) = inner.bytes().take(9).position(|b| b == b')')
        {
            let acr = &inner[..close];
            if f.cand.words >= 2
                && (2..=8).contains(&acr.len())
                && acr.chars().all(|c| c.is_uppercase() || c == '.')
            {
                acronyms.insert(Cow::Borrowed(acr), f.key);
            }
        }
    }
    // Multi-word organisation names whose initials spell an acronym seen alone.
    for f in found.iter() {
        if f.cand.words >= 2
            && f.cand.kind == Some(EntityKind::Organization)
            && f.cand.canonical.is_none()
        {
            let ini = initials(keys.get(f.key));
            if ini.len() >= 2 {
                acronyms.entry(Cow::Owned(ini)).or_insert(f.key);
            }
        }
    }
    for f in found.iter_mut() {
        if f.cand.words == 1
            && f.cand.strength < 3
            && !f.cand.surname_only
            && let Some(&long) = acronyms.get(f.text())
        {
            f.key = long;
            f.cand.kind = Some(EntityKind::Organization);
        }
    }

    // Whether a key is `thing_shaped`: asked once per key, not per mention, by the passes
    // below.
    let mut thing: Vec<Option<bool>> = vec![None; keys.len()];
    let mut thing_shaped_key =
        |k: KeyId| *thing[k].get_or_insert_with(|| thing_shaped(keys.get(k)));

    // Full personal names anchor their short forms.
    // Keyed by (is the last word, word).
    let mut anchors: FastMap<(bool, &str), Vec<KeyId>> = FastMap::default();
    let mut person_count = vec![0usize; keys.len()];
    for f in found.iter() {
        let personish = f.cand.words >= 2
            && f.cand.canonical.is_none()
            && match f.cand.kind {
                Some(EntityKind::Person) => true,
                None => !thing_shaped_key(f.key),
                Some(_) => false,
            };
        if !personish {
            continue;
        }
        person_count[f.key] += 1;
        // A repeated name has recorded its words already.
        if person_count[f.key] > 1 {
            continue;
        }
        let key = keys.get(f.key);
        let last = key.split(' ').count() - 1;
        for (k, p) in key.split(' ').enumerate() {
            // Last name first in priority: recorded for every word, last word wins below.
            let e = anchors.entry((k == last, p)).or_default();
            if !e.contains(&f.key) {
                e.push(f.key);
            }
        }
    }
    for f in found.iter_mut() {
        if f.cand.words != 1 {
            continue;
        }
        let t = keys.get(f.key);
        // Weak guesses: unlisted words and towns (a lone `Obama` after `Barack Obama`).
        let weak = f.cand.strength < 2
            && (f.cand.kind.is_none_or(|k| k == EntityKind::Person) || f.cand.canonical.is_some());
        // A listed place that is the surname of a person named in full (`Gao` after
        // `Pedro Gao`): only as a surname, never as a first name.
        let surname = !weak
            && f.cand.kind == Some(EntityKind::Place)
            && !f.cand.demonym
            && !gazetteer::get().is_nation(t)
            && anchors.contains_key(&(true, t));
        if !weak && !surname {
            continue;
        }
        let pick = anchors
            .get(&(true, t))
            // Another word of the name for weak guesses; an everyday word only when cued
            // (`Xi said`: not `In the Summer` after `Summer Walker`).
            .or_else(|| {
                anchors
                    .get(&(false, t))
                    .filter(|_| weak && (!f.cand.surname_only || f.cand.person_cue))
            })
            .and_then(|v| v.iter().max_by_key(|&&k| person_count[k]));
        if let Some(&full) = pick {
            f.key = full;
            f.cand.person_cue = true;
            f.cand.kind = Some(EntityKind::Person);
            f.cand.canonical = None;
            f.cand.surname_only = false;
        }
    }
    // Everyday words kept in case they were a name's (`Xi` of `Xi Jinping` too), and found
    // not to be.
    if found.iter().any(|f| f.cand.surname_only) {
        found.retain(|f| !f.cand.surname_only);
    }

    // A lone word that is part of an organisation's longer name is that organisation's
    // short name or brand (`Scientology` after `Church of Scientology`).
    let mut org_words: FastSet<&str> = FastSet::default();
    for f in found.iter() {
        if f.cand.words >= 2 && f.cand.kind == Some(EntityKind::Organization) {
            for w in keys.get(f.key).split(' ') {
                if w.chars().next().is_some_and(char::is_uppercase) {
                    org_words.insert(w);
                }
            }
        }
    }
    for f in found.iter_mut() {
        if f.cand.words == 1
            && f.cand.strength == 0
            && f.cand.kind.is_none()
            && !f.cand.person_cue
            && org_words.contains(keys.get(f.key))
        {
            f.cand.kind = Some(EntityKind::Organization);
        }
    }

    // A lone word that ends a named thing's name is that thing (`Katrina` after `Hurricane
    // Katrina`, `Stardust` after `Spacecraft Stardust`), unless something marks a person.
    let mut things: FastMap<&str, KeyId> = FastMap::default();
    for f in found.iter() {
        if f.cand.words < 2 || f.cand.canonical.is_some() {
            continue;
        }
        let key = keys.get(f.key);
        // Typed by its first word already, or shaped like a thing's and typed at the end.
        let thing = match f.cand.kind {
            Some(EntityKind::Other) => {
                words::THING_HEADS_SET.contains(key.split(' ').next().unwrap_or_default())
                    || thing_shaped_key(f.key)
            }
            None => thing_shaped_key(f.key),
            Some(_) => false,
        };
        if thing {
            let last = key.rsplit(' ').next().unwrap_or_default();
            things.entry(last).or_insert(f.key);
        }
    }
    if !things.is_empty() {
        for f in found.iter_mut() {
            // Weak guesses only: unlisted words, given names and towns (`Atlantis`).
            if f.cand.words == 1
                && f.cand.strength < 2
                && f.cand.kind != Some(EntityKind::Organization)
                && !f.cand.person_cue
                && let Some(&thing) = things.get(keys.get(f.key))
            {
                f.key = thing;
                f.cand.kind = Some(EntityKind::Other);
                f.cand.canonical = None;
            }
        }
    }

    national_teams(found, keys);

    // A lone compass word (`the North’s troop deployment`) is the article's place of that
    // name when there is one (North Korea); otherwise it stays a region.
    let compass: Vec<KeyId> = found
        .iter()
        .filter(|f| f.cand.kind == Some(EntityKind::Place) && f.cand.words >= 2)
        .map(|f| f.key)
        .collect();
    for f in found.iter_mut() {
        let word = keys.get(f.key);
        if f.cand.words == 1
            && f.cand.canonical.is_none()
            && matches!(word, "North" | "South" | "East" | "West")
        {
            // Equal keys share an id, so distinct ids are distinct names.
            let mut full: Vec<KeyId> = compass
                .iter()
                .copied()
                .filter(|&k| {
                    keys.get(k)
                        .strip_prefix(word)
                        .is_some_and(|r| r.starts_with(' '))
                })
                .collect();
            full.sort_unstable();
            full.dedup();
            if let [only] = full[..] {
                f.key = only;
                f.cand.kind = Some(EntityKind::Place);
            }
        }
    }

    // Settle kinds per key: the strongest evidence wins, then the most votes.
    let mut votes = vec![[0u32; 4]; keys.len()];
    let mut cue = vec![false; keys.len()];
    for f in found.iter() {
        if let Some(k) = f.cand.kind {
            let ix = EntityKind::ALL.iter().position(|x| *x == k).unwrap_or(3);
            votes[f.key][ix] += 1 + 10 * u32::from(f.cand.strength);
        }
        if f.cand.person_cue {
            cue[f.key] = true;
        }
    }
    let g = gazetteer::get();
    // The kind depends on the key alone, so each key is settled once.
    let mut settled: Vec<Option<EntityKind>> = vec![None; keys.len()];
    for f in found.iter_mut() {
        if let Some(kind) = settled[f.key] {
            f.cand.kind = Some(kind);
            continue;
        }
        let key = keys.get(f.key);
        let v = &votes[f.key];
        let kind = if v.iter().any(|&x| x > 0) {
            let (ix, _) = v
                .iter()
                .enumerate()
                .max_by_key(|(_, x)| **x)
                .unwrap_or((3, &0));
            EntityKind::ALL[ix]
        } else if cue[f.key] {
            EntityKind::Person
        } else if key.contains(' ') {
            let ws: Vec<&str> = key.split(' ').collect();
            // Two or three words with at least one that is no English word read as
            // a personal name (Lam Cheuk-ting, Cyd Ho), unless shaped like a thing's.
            if ws.len() > 3 || ws.iter().all(|w| g.is_common(w)) {
                EntityKind::Organization
            } else if thing_shaped_key(f.key) {
                EntityKind::Other
            } else {
                EntityKind::Person
            }
        } else if g.name_kinds(key) != (false, false) {
            EntityKind::Person
        } else {
            // A lone unlisted word with no cue and no fuller name in the article is as
            // often a firm, town or creed as a person: kept, but as `other`.
            EntityKind::Other
        };
        settled[f.key] = Some(kind);
        f.cand.kind = Some(kind);
    }
}

/// Whether the words of an unlisted name read as a thing's rather than a person's: two
/// English words no name list has before a last one (`Space Shuttle Columbia`, `Soft Hold
/// Styler`), or an English word before a code (`Windows XP`, `Appendix S1`). One English
/// word before a surname is often a given name (`Mitt Romney`, `Xi Jinping`).
fn thing_shaped(name: &str) -> bool {
    let g = gazetteer::get();
    // At most three words matter; no vector for them (this runs per candidate).
    let mut words = name.split(' ');
    let mut ws = [""; 3];
    let mut n = 0;
    for w in words.by_ref().take(3) {
        ws[n] = w;
        n += 1;
    }
    if words.next().is_some() {
        return false;
    }
    let ws = &ws[..n];
    // Initials (`T C Phailin`) are a name's.
    let plain_word = |w: &&str| {
        !(w.len() <= 2 && w.bytes().all(|b| b.is_ascii_uppercase()))
            && g.is_common(w)
            && g.name_kinds(w) == (false, false)
    };
    let Some((last, lead)) = ws.split_last() else {
        return false;
    };
    let caps = last.len() >= 2 && last.bytes().all(|b| b.is_ascii_uppercase());
    let code = caps || last.bytes().any(|b| b.is_ascii_digit());
    match lead {
        // A title first is a person's (`General Mere Kowalski`).
        [a, _] if words::TITLES_SET.contains(a) => false,
        [a, b] => plain_word(a) && plain_word(b),
        // A short code after a word no given name list has is a model's (`PlayStation VR`);
        // after a given name it is a surname in capitals (`Emmanuel MACRON`).
        [a] => code && (plain_word(a) || (caps && last.len() <= 3 && !g.is_given_name(a))),
        _ => false,
    }
}

/// Names of competitions whose presence makes an article a possible match report.
static COMPETITIONS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new([
        "World Cup",
        "FIFA",
        "UEFA",
        "Premier League",
        "Champions League",
        "Euro 20",
        "Six Nations",
        "Copa Am",
        "Asian Cup",
        "Nations Cup",
    ])
    .expect("a handful of short literal patterns always builds")
});

/// The vocabulary of play, searched in one pass over each field rather than once a word.
static PLAY: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new([
        " goal",
        " scored",
        " penalty",
        " striker",
        " midfielder",
        "goalkeeper",
        " referee",
        " kick-off",
        " half-time",
        " first half",
        " second half",
        " match",
    ])
    .expect("a handful of short literal patterns always builds")
});

/// Whether the article is a match report: a named competition and the vocabulary of play.
fn is_match_report(found: &[Found], keys: &Keys) -> bool {
    // The competition is itself a candidate name, so only names are searched here, each
    // distinct key once; the texts are scanned only in the rare article that names one.
    let mut seen = vec![false; keys.len()];
    let mut competition = false;
    for f in found {
        if !std::mem::replace(&mut seen[f.key], true) && COMPETITIONS.is_match(keys.get(f.key)) {
            competition = true;
            break;
        }
    }
    if !competition {
        return false;
    }
    let mut last: *const u8 = std::ptr::null();
    let mut play = 0;
    for f in found {
        let p = f.src.as_ptr();
        if p == last {
            continue;
        }
        last = p;
        // No play word overlaps itself, so every occurrence here is one `str::matches`
        // would count; only reaching five matters.
        for _ in PLAY.find_overlapping_iter(f.src) {
            play += 1;
            if play >= 5 {
                return true;
            }
        }
    }
    false
}

/// In a match report, countries that play are national teams, which are organisations
/// (`Sweden defeated South Korea 1 – 0`), unless a mention reads as a venue (`in Russia`).
fn national_teams(found: &mut [Found], keys: &Keys) {
    let g = gazetteer::get();
    let team = |f: &Found| {
        let key = keys.get(f.key);
        f.cand.kind == Some(EntityKind::Place)
            && (g.is_nation(key) || (key.ends_with(" Republic") && f.cand.words == 2))
    };
    if !found.iter().any(team) || !is_match_report(found, keys) {
        return;
    }
    let mut venues: FastSet<KeyId> = FastSet::default();
    for f in found.iter().filter(|f| team(f) && !f.cand.demonym) {
        let before = f.src[..f.cand.start].trim_end();
        if ["in", "at", "from", "of"].iter().any(|p| {
            before
                .strip_suffix(p)
                .is_some_and(|r| r.ends_with(' ') || r.is_empty())
        }) {
            venues.insert(f.key);
        }
    }
    for f in found.iter_mut() {
        if team(f) && !venues.contains(&f.key) {
            f.cand.kind = Some(EntityKind::Organization);
        }
    }
}

fn build(found: Vec<Found>, keys: &Keys) -> Vec<Entity> {
    // Entities in order of first appearance; `slot` maps a key to its entity.
    let mut out: Vec<Entity> = Vec::new();
    let mut slot: Vec<Option<usize>> = vec![None; keys.len()];
    for f in found {
        let text = f.text();
        let ix = match slot[f.key] {
            Some(ix) => ix,
            None => {
                slot[f.key] = Some(out.len());
                out.push(Entity {
                    name: keys.get(f.key).to_string(),
                    kind: f.cand.kind.unwrap_or(EntityKind::Other),
                    aliases: Vec::new(),
                    mentions: Vec::new(),
                });
                out.len() - 1
            }
        };
        let e = &mut out[ix];
        // A text that needs no normalising differs from the name as it stands.
        if text != e.name
            && (!needs_norm(text) || norm_key(text) != e.name)
            && !e.aliases.iter().any(|a| a == text)
        {
            e.aliases.push(text.to_string());
        }
        e.mentions.push(Mention {
            field: f.field,
            start: f.cand.start,
            end: f.cand.end,
            text: text.to_string(),
        });
    }
    for e in &mut out {
        e.mentions.sort_by_key(|m| (m.field, m.start));
    }
    // Stable sort: ties keep first-appearance order.
    out.sort_by_key(|e| std::cmp::Reverse(e.count()));
    out
}
