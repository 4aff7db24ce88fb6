//! The per-field rules: find capitalised sequences (with connectors such as `of`, glued
//! hyphens and initials), strip titles, sentence-initial common words and determiners, then
//! type each piece from the gazetteer, organisation/place keywords, name lists and context
//! cues. What one field cannot decide is left open (`kind: None`) for the article-level pass
//! in `mod.rs`, which knows the other mentions.

use super::gazetteer::{self, FastMap, Gazetteer};
use super::token::{Kind, Token, tokenize_into};
use super::words::*;
use crate::model::EntityKind;
use std::cell::{Cell, RefCell};

/// A candidate mention inside one field, before aliases are merged.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub start: usize,
    pub end: usize,
    /// `None`: undecided, settled by the article-level pass.
    pub kind: Option<EntityKind>,
    /// The gazetteer's canonical name when the surface is listed.
    pub canonical: Option<&'static str>,
    pub demonym: bool,
    /// How sure the kind is: 3 gazetteer, 2 keyword, 1 context cue, 0 guess.
    pub strength: u8,
    /// Words in the surface (names with several words anchor short forms).
    pub words: usize,
    /// A title, role word or speech verb stood next to it.
    pub person_cue: bool,
    /// An everyday word in capitals (`Trump`, `Macron`, `Tusk`: `trump`, `macron` and `tusk`
    /// are English words) kept only in case the article names a person in full whose
    /// surname it is (or, with `person_cue`, whose first word: `Xi said`); the article-level
    /// pass drops it otherwise.
    pub surname_only: bool,
}

fn is_acronym(w: &str) -> bool {
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    (2..=8).contains(&letters)
        && w.chars()
            .all(|c| c.is_uppercase() || c == '.' || c == '&' || c.is_ascii_digit())
}

/// A month that is no name as well (`May` is Theresa May's): a dateline's date follows a
/// place straight on (`Beijing, China February 4, 2024`), and ends no name.
fn is_month(w: &str) -> bool {
    matches!(
        w,
        "January"
            | "February"
            | "March"
            | "April"
            | "June"
            | "July"
            | "August"
            | "September"
            | "October"
            | "November"
            | "December"
    )
}

/// One capital and its dot: `W.`, `G.`.
fn is_initial(w: &str) -> bool {
    let mut cs = w.chars();
    matches!((cs.next(), cs.next(), cs.next()), (Some(c), Some('.'), None) if c.is_uppercase())
}

/// Whether a field reads as a headline in Title Case, where capitals say nothing.
fn title_case(s: &str, toks: &[Token]) -> bool {
    // Headlines are short and carry no full stop; a sentence full of names is still a
    // sentence.
    if s.trim_end().ends_with('.') {
        return false;
    }
    let mut words = 0;
    let mut long = 0;
    let mut caps = 0;
    for t in toks.iter().filter(|t| t.kind == Kind::Word) {
        words += 1;
        let w = t.text(s);
        // Short function words (`and`, `amid`, `with`) stay lower case in Title Case.
        if w.len() >= 5 {
            long += 1;
            if t.cap {
                caps += 1;
            }
        }
    }
    words <= 20 && long >= 3 && caps == long
}

/// The surface as gazetteer keys spell it: straight apostrophes, single spaces.
fn key(s: &str) -> std::borrow::Cow<'_, str> {
    if needs_key(s) {
        std::borrow::Cow::Owned(super::norm_key(s))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Whether [`key`] must rewrite `s`: a curly apostrophe, a double space or a line break.
/// One pass over the bytes; it runs for every span the gazetteer is asked about.
fn needs_key(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'\n' => true,
        b' ' => b.get(i + 1) == Some(&b' '),
        // U+2019 RIGHT SINGLE QUOTATION MARK in UTF-8.
        0xE2 => b[i + 1..].starts_with(&[0x80, 0x99]),
        _ => false,
    })
}

/// Bits of [`Field::facts`]: each answer is kept with a bit saying it has been asked.
const COMMON_KNOWN: u8 = 1;
const COMMON: u8 = 2;
const NAMES_KNOWN: u8 = 4;
const GIVEN: u8 = 8;
const SURNAME: u8 = 16;
const LISTED_KNOWN: u8 = 32;
const LISTED: u8 = 64;

/// A remembered longest-match answer for one start word: the longest entry within the
/// first `limit` words, if any.
#[derive(Clone, Copy)]
struct GazMemo {
    limit: usize,
    found: Option<(usize, gazetteer::Entry)>,
}

struct Field<'a> {
    s: &'a str,
    toks: Vec<Token>,
    titlecase: bool,
    g: &'static Gazetteer,
    /// Per token: the word-list and name-list answers for its word, filled in when first
    /// asked; the rules ask about the same word many times.
    facts: Vec<Cell<u8>>,
    /// Longest-match answers of the current capitalised run, by start token less the run's
    /// first token (`.0`). `chunk` and `piece` search from the same start several times.
    gaz_memo: RefCell<(usize, Vec<Option<GazMemo>>)>,
    /// The same facts by word, kept on the thread from field to field: the same words
    /// (`The`, `Minister`, a story's names) are asked about over and over, and this table,
    /// of the words seen lately, stays in cache where the word lists' large ones do not.
    word_facts: RefCell<FastMap<Box<str>, u8>>,
}

impl Field<'_> {
    fn w(&self, i: usize) -> &str {
        self.toks[i].text(self.s)
    }

    fn is_word(&self, i: usize) -> bool {
        i < self.toks.len() && self.toks[i].kind == Kind::Word
    }

    /// The token right after `i`, if it is a word.
    fn next_word(&self, i: usize) -> Option<&str> {
        self.is_word(i + 1).then(|| self.w(i + 1))
    }

    fn cap(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.cap)
    }

    /// A capital that carries no information: first word of a sentence or a headline word.
    fn weak_cap(&self, i: usize) -> bool {
        self.titlecase || self.toks[i].sent_start
    }

    /// The word facts of token `i`, with the bits `known` set once `ask` has filled them in.
    fn fact(&self, i: usize, known: u8, ask: impl FnOnce(&str) -> u8) -> u8 {
        let cell = &self.facts[i];
        let mut v = cell.get();
        if v & known == 0 {
            let w = self.w(i);
            let mut memo = self.word_facts.borrow_mut();
            let by_word = memo.get(w).copied().unwrap_or(0);
            if by_word & known != 0 {
                v |= by_word;
            } else {
                let answer = known | ask(w);
                v |= by_word | answer;
                if memo.len() >= WORD_FACTS_LIMIT {
                    memo.clear();
                }
                memo.insert(w.into(), by_word | answer);
            }
            cell.set(v);
        }
        v
    }

    /// [`Gazetteer::is_common`] of word `i`.
    fn common(&self, i: usize) -> bool {
        self.fact(i, COMMON_KNOWN, |w| {
            if self.g.is_common(w) { COMMON } else { 0 }
        }) & COMMON
            != 0
    }

    /// Word `i` is the plural of an English noun (`Democrats`, `Angels`), not a surname.
    fn plural_noun(&self, i: usize) -> bool {
        let w = self.w(i);
        w.len() > 3
            && w.ends_with('s')
            && !w.ends_with("ss")
            && self.common(i)
            && !self.surname(i)
            && self.has_common_singular(w)
    }

    /// Whether `w` (ending in `s`) is the plural of a common word: `Series` and `Physics`
    /// end in `s` but are no plural of anything.
    fn has_common_singular(&self, w: &str) -> bool {
        let stem = &w[..w.len() - 1];
        if self.g.is_common(stem) {
            return true;
        }
        if let Some(stem) = stem.strip_suffix('e') {
            if self.g.is_common(stem) {
                return true;
            }
            // Parties, allies.
            if let Some(stem) = stem.strip_suffix('i') {
                return self.g.is_common(&format!("{stem}y"));
            }
        }
        false
    }

    /// [`Gazetteer::is_given_name`] of word `i`.
    fn given(&self, i: usize) -> bool {
        self.names(i) & GIVEN != 0
    }

    /// [`Gazetteer::is_surname`] of word `i`.
    fn surname(&self, i: usize) -> bool {
        self.names(i) & SURNAME != 0
    }

    fn names(&self, i: usize) -> u8 {
        self.fact(i, NAMES_KNOWN, |w| {
            let (given, surname) = self.g.name_kinds(w);
            (u8::from(given) * GIVEN) | (u8::from(surname) * SURNAME)
        })
    }

    /// Whether word `i` as it stands is a gazetteer surface.
    fn listed(&self, i: usize) -> bool {
        self.fact(i, LISTED_KNOWN, |w| {
            if self.g.lookup(w).is_some() {
                LISTED
            } else {
                0
            }
        }) & LISTED
            != 0
    }

    /// Starts a new capitalised run at token `first`, `len` tokens long: forgets the
    /// longest-match answers of the previous one.
    fn begin_run(&self, first: usize, len: usize) {
        let mut m = self.gaz_memo.borrow_mut();
        m.0 = first;
        m.1.clear();
        m.1.resize(len, None);
    }

    /// Longest gazetteer entry starting at word `words[p]`, as a count of chunk words.
    ///
    /// `words` is always a stretch of one run's words, so the `n`-th word from a start is
    /// the same token whatever stretch is asked about, and only the limit differs: answers
    /// are remembered per start token and reused when the limit allows.
    fn gaz_at(&self, words: &[usize], p: usize) -> Option<(usize, gazetteer::Entry)> {
        let mut max = self.g.max_words.min(words.len().saturating_sub(p));
        if max == 0 {
            return None;
        }
        // A possessive inside the span would hide a word boundary: spans end at the first.
        if let Some(k) = words[p..p + max]
            .iter()
            .position(|&i| self.toks[i].possessive)
        {
            max = max.min(k + 1);
        }
        let slot = words[p].checked_sub(self.gaz_memo.borrow().0);
        let memo = slot.and_then(|k| self.gaz_memo.borrow().1.get(k).copied().flatten());
        // Nothing longer than `found` matched up to `limit`, so for any limit between the
        // two the answer is the same; above `limit` only the new lengths need trying.
        let (found, from) = match memo {
            Some(m) if max <= m.limit && m.found.is_none_or(|(n, _)| n <= max) => {
                return m.found;
            }
            Some(m) if max > m.limit => (m.found, m.limit + 1),
            _ => (None, 1),
        };
        let found = self.gaz_longest(words, p, from, max).or(found);
        if let Some(k) = slot
            && let Some(cell) = self.gaz_memo.borrow_mut().1.get_mut(k)
        {
            *cell = Some(GazMemo { limit: max, found });
        }
        found
    }

    /// The longest entry of `from..=max` words starting at `words[p]`.
    fn gaz_longest(
        &self,
        words: &[usize],
        p: usize,
        from: usize,
        max: usize,
    ) -> Option<(usize, gazetteer::Entry)> {
        let a = self.toks[words[p]].start;
        for n in (from..=max).rev() {
            let b = self.toks[words[p + n - 1]].end;
            if let Some(e) = self.g.lookup(&key(&self.s[a..b])) {
                return Some((n, *e));
            }
        }
        None
    }

    /// A listed name that goes on past the lower-case word `b` of the run starting at `i`
    /// (`Intergovernmental Panel on Climate Change`, `… Co-operation and Development`):
    /// the end of the name, if the gazetteer has the whole of it.
    fn listed_across(&self, i: usize, b: usize) -> Option<usize> {
        let w = self.w(b);
        if w.len() > 4 || !w.bytes().all(|c| c.is_ascii_lowercase()) || !self.cap(b + 1) {
            return None;
        }
        let mut e = b + 1;
        while e < self.toks.len() && self.cap(e) {
            e += 1;
        }
        let end = self.toks[e - 1].end;
        // From the run's first word, or its second after a sentence's `The`.
        let listed = |a: usize| {
            self.g
                .lookup(&key(&self.s[self.toks[a].start..end]))
                .is_some()
        };
        (listed(i) || (self.w(i) == "The" && i + 1 < b && listed(i + 1))).then_some(e)
    }

    /// End (exclusive token index) of the capitalised run starting at `i`.
    fn chunk_end(&self, i: usize) -> usize {
        let n = self.toks.len();
        let mut b = i + 1;
        loop {
            if self.toks[b - 1].possessive || b >= n {
                return b;
            }
            let t = self.toks[b];
            // `Image: NASA` in a caption: a credit label, not part of the name before it.
            if self.cap(b)
                && matches!(self.w(b), "Image" | "Photo" | "Credit" | "Picture")
                && self
                    .toks
                    .get(b + 1)
                    .is_some_and(|x| x.kind == Kind::Punct(':'))
            {
                return b;
            }
            if self.cap(b)
                || (t.kind == Kind::Word && t.glued && self.toks[b - 1].kind == Kind::Word)
            {
                b += 1;
                continue;
            }
            // Glued hyphen between words: Bailey-Ross, EU-Japan, al-Qaeda.
            if t.kind == Kind::Punct('-') && t.glued && b + 1 < n && self.toks[b + 1].glued {
                let nx = self.w(b + 1);
                // A lower-case tail that is no English word belongs to the name
                // (Leung Che-cheung); `ICBM-class` and `Russia-backed` stay apart.
                // `Co-operation`, `Co-ordination` inside a name (`… Economic Co-operation
                // and Development`).
                if self.is_word(b + 1)
                    && (self.cap(b + 1)
                        || (self.w(b - 1) == "Co"
                            && (nx.starts_with("operat") || nx.starts_with("ordinat")))
                        || nx.chars().all(|c| c.is_ascii_digit())
                        || (nx.len() <= 5
                            && !HYPHEN_MODIFIERS_SET.contains(nx)
                            && !is_acronym(self.w(b - 1))
                            && !self.listed(b - 1)))
                {
                    b += 2;
                    continue;
                }
                return b;
            }
            // A number ending a name: Internet Explorer 6, Apollo 11.
            if t.kind == Kind::Word
                && self.w(b).chars().all(|c| c.is_ascii_digit())
                && self.w(b).len() <= 2
                && !self.cap(b + 1)
            {
                return b;
            }
            // A web address as a name: `CBC.ca`, `Secunia.com`.
            if t.kind == Kind::Punct('.')
                && t.glued
                && self.is_word(b + 1)
                && self.toks[b + 1].glued
                && matches!(self.w(b + 1), "com" | "org" | "net" | "ca")
            {
                b += 2;
                continue;
            }
            // `St. Louis`, `Mt. Everest`: an abbreviation's dot inside a place name.
            if t.kind == Kind::Punct('.')
                && t.glued
                && matches!(self.w(b - 1), "St" | "Mt" | "Ft")
                && self.cap(b + 1)
            {
                b += 2;
                continue;
            }
            if t.kind == Kind::Punct('&') && self.cap(b + 1) {
                b += 2;
                continue;
            }
            if t.kind == Kind::Word {
                let w = self.w(b);
                if let Some(e) = self.listed_across(i, b) {
                    b = e;
                    continue;
                }
                let prev = self.w(b - 1);
                let org_so_far =
                    (i..b).any(|k| self.is_word(k) && ORG_WORDS_SET.contains(self.w(k)));
                // `of`/`for` only inside an organisation or place name (Ministry of Defence,
                // Centre for Control of …); other connectors inside personal names.
                // One `of` per name: `University of Sheffield | of the UK`.
                let had_of = (i..b).any(|k| self.is_word(k) && self.w(k) == "of");
                let ok = match w {
                    "of" if had_of => false,
                    "of" => {
                        org_so_far
                            || PLACE_WORDS_SET.contains(prev)
                            || matches!(prev, "Republic" | "Kingdom" | "Isle" | "House")
                    }
                    "for" => org_so_far,
                    _ => CONNECTORS_SET.contains(w),
                };
                if ok && self.cap(b + 1) {
                    b += 2;
                    continue;
                }
                if ok && matches!(w, "of" | "for") && self.w(b + 1) == "the" && self.cap(b + 2) {
                    b += 3;
                    continue;
                }
                if w == "and" && self.cap(b + 1) && !self.toks[b - 1].possessive {
                    // `and` joins only when the whole reads as one organisation:
                    // Security and Defence Partnership, Food and Drug Administration.
                    let mut e = b + 1;
                    while e < n && self.cap(e) && !self.toks[e].possessive {
                        e += 1;
                    }
                    let last = self.w(e - 1);
                    // …but not two complete names: `Institute of Technology and Colorado
                    // State University` stays two.
                    let left_named = (i + 1..b).any(|k| {
                        self.is_word(k)
                            && (ORG_WORDS_SET.contains(self.w(k))
                                || PLACE_WORDS_SET.contains(self.w(k)))
                    });
                    if !left_named
                        && (ORG_WORDS_SET.contains(last)
                            || PLACE_WORDS_SET.contains(last)
                            || matches!(last, "Partnership" | "Agreement"))
                        && e - (b + 1) >= 1
                        && !self.listed(b - 1)
                    {
                        b = e;
                        continue;
                    }
                }
            }
            return b;
        }
    }
}

/// A person cue in the words around `a..b` (token indices).
fn context_cue(f: &Field, a: usize, b: usize) -> bool {
    let mut i = a;
    while i > 0 {
        i -= 1;
        if f.toks[i].kind == Kind::Word {
            let w = f.w(i);
            if gazetteer::with_lowercase(w, |l| PERSON_CUES_BEFORE_SET.contains(l)) {
                return true;
            }
            break;
        }
        if !matches!(f.toks[i].kind, Kind::Punct(',')) {
            break;
        }
    }
    // A speech verb after a long or joined name says little (`the … Partnership said`).
    if b - a > 5 || (a..b).any(|k| matches!(f.w(k), "and" | "of" | "for")) {
        return false;
    }
    let mut j = b;
    while j < f.toks.len() {
        if f.toks[j].kind == Kind::Word {
            return PERSON_CUES_AFTER_SET.contains(f.w(j));
        }
        if !matches!(f.toks[j].kind, Kind::Punct(',')) {
            return false;
        }
        j += 1;
    }
    false
}

/// A thread's buffers for [`scan`], kept from field to field: an article is scanned a field
/// (a paragraph) at a time, and allocating them afresh for each was a tenth of extraction.
#[derive(Default)]
struct Scratch {
    toks: Vec<Token>,
    facts: Vec<Cell<u8>>,
    memo: Vec<Option<GazMemo>>,
    words: Vec<usize>,
    word_facts: FastMap<Box<str>, u8>,
}

/// Past this many words the thread's word facts are dropped and gathered again.
const WORD_FACTS_LIMIT: usize = 1 << 15;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Finds the candidate mentions of one field.
pub fn scan(s: &str) -> Vec<Candidate> {
    let mut scratch = SCRATCH.with(|c| c.take());
    tokenize_into(s, &mut scratch.toks);
    let titlecase = title_case(s, &scratch.toks);
    scratch.facts.clear();
    scratch.facts.resize(scratch.toks.len(), Cell::new(0));
    let f = Field {
        s,
        facts: std::mem::take(&mut scratch.facts),
        toks: std::mem::take(&mut scratch.toks),
        titlecase,
        g: gazetteer::get(),
        gaz_memo: RefCell::new((0, std::mem::take(&mut scratch.memo))),
        word_facts: RefCell::new(std::mem::take(&mut scratch.word_facts)),
    };
    // One buffer for every run's words.
    let mut words = std::mem::take(&mut scratch.words);
    let out = scan_runs(&f, &mut words);
    scratch.toks = f.toks;
    scratch.facts = f.facts;
    scratch.memo = f.gaz_memo.into_inner().1;
    scratch.word_facts = f.word_facts.into_inner();
    scratch.words = words;
    SCRATCH.with(|c| c.replace(scratch));
    out
}

/// The candidates of every capitalised run of a field.
fn scan_runs(f: &Field, words: &mut Vec<usize>) -> Vec<Candidate> {
    let mut out = Vec::new();
    let n = f.toks.len();
    let mut i = 0;
    while i < n {
        if !f.cap(i) {
            i += 1;
            continue;
        }
        if let Some(b) = inverted_name(f, i, &mut out) {
            i = b;
            continue;
        }
        let b = f.chunk_end(i);
        // An ALL-CAPS stretch is an editor's note or a shouted line, not names.
        if is_shouting(f, i) {
            i = b;
            continue;
        }
        words.clear();
        words.extend((i..b).filter(|&k| f.is_word(k)));
        f.begin_run(i, b - i);
        chunk(f, words, &mut out);
        i = b;
    }
    out
}

/// A bibliography-style inverted name opening a sentence or following `and`:
/// `Austen, Jane.`, `Marx, Karl and Engels, Friedrich.` Returns the token after it.
fn inverted_name(f: &Field, i: usize, out: &mut Vec<Candidate>) -> Option<usize> {
    let opens = f.toks[i].sent_start || (i > 0 && f.is_word(i - 1) && f.w(i - 1) == "and");
    if !opens || f.toks.get(i + 1)?.kind != Kind::Punct(',') || !f.cap(i + 2) {
        return None;
    }
    if f.listed(i) || f.common(i) || !f.given(i + 2) {
        return None;
    }
    let mut e = i + 3;
    while e < f.toks.len() && f.cap(e) && e < i + 5 {
        e += 1;
    }
    let next = f.toks.get(e);
    let closes = next
        .is_none_or(|t| t.kind == Kind::Punct('.') || (t.kind == Kind::Word && f.w(e) == "and"));
    if !closes {
        return None;
    }
    out.push(Candidate {
        start: f.toks[i].start,
        end: f.toks[e - 1].end,
        kind: Some(EntityKind::Person),
        canonical: None,
        demonym: false,
        strength: 2,
        words: e - i - 1,
        person_cue: true,
        surname_only: false,
    });
    Some(e)
}

/// Several consecutive words in capitals, at least one of them a common word.
fn is_shouting(f: &Field, i: usize) -> bool {
    let mut run = 0;
    let mut common = 0;
    let mut k = i;
    while k < f.toks.len() && run < 6 {
        if f.toks[k].kind == Kind::Word {
            let w = f.w(k);
            if !(w.len() > 1 && w.chars().all(|c| !c.is_lowercase())) {
                break;
            }
            run += 1;
            if w.len() > 1 && f.common(k) && !f.listed(k) {
                common += 1;
            }
        }
        k += 1;
    }
    run >= 2 && common >= 1
}

fn is_title_word(w: &str) -> bool {
    TITLES_SET.contains(w)
}

/// Splits a capitalised run at titles and types each piece.
fn chunk(f: &Field, words: &[usize], out: &mut Vec<Candidate>) {
    let mut p = 0;
    // The piece being gathered is `words[from..p]`.
    let mut from = 0;
    let mut cue = false;
    let mut took_title = false;
    while p < words.len() {
        let w = f.w(words[p]);
        // A weekday ends a name: `Prime Minister's Questions Wednesday`.
        if is_weekday(w) {
            piece(f, &words[from..p], cue, out);
            cue = false;
            p += 1;
            from = p;
            continue;
        }
        // A run of title modifiers ending in a title word: Foreign Minister, Prime Minister.
        let mut q = p;
        while q < words.len() && TITLE_MODIFIERS_SET.contains(f.w(words[q])) {
            q += 1;
        }
        let is_title = q < words.len() && is_title_word(f.w(words[q]));
        // A bare abbreviation (Gen, Col) after another title is a given name (Gen Nakatani).
        let abbrev_name = is_title
            && took_title
            && q == p
            && matches!(w, "Gen" | "Col" | "Sen" | "Rep" | "Lt" | "Capt")
            && !f.s[f.toks[words[q]].end..].starts_with('.');
        let listed_longer = f
            .gaz_at(words, p)
            .is_some_and(|(len, e)| e.kind.is_some() && len > q - p);
        // A listed name the title word is inside: `United Nations High Commissioner for
        // Refugees`.
        let start = from + usize::from(from + 1 < p && f.w(words[from]) == "The");
        let listed_around = is_title
            && start < p
            && f.gaz_at(words, start)
                .is_some_and(|(len, e)| e.kind.is_some() && start + len > q);
        if is_title && !abbrev_name && !listed_longer && !listed_around {
            piece(f, &words[from..p], cue, out);
            p = q + 1;
            // A second title word straight after (Chief Executive, Minister President).
            while p + 1 < words.len()
                && is_title_word(f.w(words[p]))
                && !matches!(f.w(words[p]), "Gen" | "Col" | "Sen" | "Rep" | "Lt" | "Capt")
            {
                p += 1;
            }
            from = p;
            cue = true;
            took_title = true;
            continue;
        }
        p += 1;
    }
    piece(f, &words[from..p], cue, out);
}

fn is_weekday(w: &str) -> bool {
    matches!(
        w,
        "Monday" | "Tuesday" | "Wednesday" | "Thursday" | "Friday" | "Saturday" | "Sunday"
    )
}

/// Compass words that name part of a place after it: `Kowloon East`, `Pacific Northwest`.
fn is_direction(w: &str) -> bool {
    matches!(
        w,
        "North"
            | "South"
            | "East"
            | "West"
            | "Northeast"
            | "Northwest"
            | "Southeast"
            | "Southwest"
            | "Central"
    )
}

fn never(w: &str) -> bool {
    // Negative contractions open sentences (`Don't`, `Won’t`) and are never names.
    NEVER_SET.contains(w) || w.ends_with("n't") || w.ends_with("n’t")
}

/// Types one title-free piece of a capitalised run.
fn piece(f: &Field, words: &[usize], after_title: bool, out: &mut Vec<Candidate>) {
    let mut a = 0;
    let mut b = words.len();
    // Leading determiners, pronouns and weak-capital common words are not part of a name.
    while a < b {
        let i = words[a];
        let w = f.w(i);
        // Names are kept without a leading article (`the Guardian`, `The Hague` → Hague).
        if CONNECTORS_SET.contains(w) || matches!(w, "and" | "the" | "The") {
            a += 1;
            continue;
        }
        // After a title, a portfolio word before a given name is part of the role:
        // Minister of Education Stefania Giannini.
        if after_title
            && f.common(i)
            && !f.given(i)
            && (words[a + 1..b].iter().any(|&k| f.given(k))
                || (b - a == 3 && words[a + 1..b].iter().all(|&k| !f.common(k))))
            && f.gaz_at(&words[..b], a).is_none()
        {
            a += 1;
            continue;
        }
        if let Some((len, e)) = f.gaz_at(&words[..b], a) {
            // `Time is running out`: a listed name that is also an everyday word is that
            // word when it opens a sentence, unless a word like `magazine` or `said` follows.
            let cue_after = f.next_word(i).is_some_and(|next| {
                ORG_CUES_AFTER_SET.contains(next) || PERSON_CUES_AFTER_SET.contains(next)
            });
            if len == 1 && e.word && f.weak_cap(i) && !cue_after {
                a += 1;
                continue;
            }
            break;
        }
        // A follower's word before a personal name: `Scientologist Tom Cruise`.
        if (w.ends_with("ist") || w.ends_with("ists"))
            && !f.given(i)
            && a + 1 < b
            && f.given(words[a + 1])
        {
            a += 1;
            continue;
        }
        if never(w) && (f.weak_cap(i) || b - a == 1 || matches!(w, "The" | "A" | "An")) {
            a += 1;
            continue;
        }
        if f.weak_cap(i) && f.common(i) && !f.given(i) && !is_acronym(w) {
            // Alone, and a speech verb or a possessive after it: maybe the surname of a
            // person named in full (`Trump said`, `Macron’s plan`).
            if a + 1 == b
                && (f.toks[i].possessive
                    || f.next_word(i)
                        .is_some_and(|n| PERSON_CUES_AFTER_SET.contains(n)))
            {
                out.push(Candidate {
                    start: f.toks[i].start,
                    end: f.toks[i].end,
                    kind: None,
                    canonical: None,
                    demonym: false,
                    strength: 0,
                    words: 1,
                    // Cued: it may join a name's first word too (`Xi said`, `Xi Jinping`).
                    person_cue: true,
                    surname_only: true,
                });
            }
            a += 1;
            continue;
        }
        break;
    }
    while b > a && {
        let w = f.w(words[b - 1]);
        CONNECTORS_SET.contains(w) || w == "and" || w == "the" || is_month(w)
    } {
        b -= 1;
    }
    if a >= b {
        return;
    }
    let words = &words[a..b];
    let first = f.w(words[0]);
    let last = f.w(words[words.len() - 1]);
    let start = f.toks[words[0]].start;
    let end = f.toks[words[words.len() - 1]].end;
    let cue = after_title || context_cue(f, words[0], words[words.len() - 1] + 1);
    let whole = f.g.lookup(&key(&f.s[start..end])).copied();

    // `Refugee Council Enver Solomon`: an organisation keyword followed by a given name and
    // one or two more words is an organisation and then a person.
    if words.len() >= 3 {
        let k = words.len() - 1;
        for split in [k - 1, k.saturating_sub(2)] {
            if split == 0 {
                continue;
            }
            let head = f.w(words[split - 1]);
            // The name part: a listed given name first, or two words that are neither
            // English words nor listed (Enver Solomon).
            let namey = f.given(words[split])
                || (k + 1 - split == 2
                    && words[split..].iter().all(|&x| !f.common(x) && !f.listed(x)));
            // The head closes an organisation or place: a keyword, a listed place
            // (`University of Texas Arlington | Amneh Jafari`) or, in a run of four words or
            // more, a common word (`Islamic Relations | Alia Salem`).
            let closes = ORG_WORDS_SET.contains(head)
                || PLACE_WORDS_SET.contains(head)
                || (f.listed(words[split - 1])
                    && f.g
                        .lookup(head)
                        .is_some_and(|e| e.kind == Some(EntityKind::Place) && !e.demonym))
                || (words.len() >= 4
                    && f.common(words[split - 1])
                    && !f.given(words[split - 1])
                    && !f.surname(words[split - 1]));
            if closes
                && namey
                && words[split..].iter().all(|&x| {
                    let w = f.w(x);
                    !ORG_WORDS_SET.contains(w)
                        && !PLACE_WORDS_SET.contains(w)
                        && !CONNECTORS_SET.contains(w)
                })
            {
                piece(f, &words[..split], false, out);
                piece(f, &words[split..], true, out);
                return;
            }
        }
    }
    // A given name first makes `Marc Lamont Hill` a person despite its place-like last word.
    let person_first = words.len() <= 3
        && f.given(words[0])
        && !f.listed(words[0])
        && SURNAME_LIKE_PLACE_WORDS.contains(&last)
        && !words.iter().any(|&x| matches!(f.w(x), "of" | "for"));
    // Keyword-typed names: the whole piece is one organisation or place.
    if words.len() >= 2 && whole.is_none() && !person_first {
        let has_of = words.iter().any(|&i| matches!(f.w(i), "of" | "for"));
        // The first keyword followed by `of` decides: Museum of Flight, University of Sydney.
        let head_of = words[..words.len() - 1]
            .iter()
            .enumerate()
            .find(|&(k, &i)| {
                let w = f.w(i);
                (ORG_WORDS_SET.contains(w) || PLACE_WORDS_SET.contains(w))
                    && matches!(f.w(words[k + 1]), "of" | "for")
            })
            .map(|(_, &i)| f.w(i));
        let org_head = head_of.is_some_and(|w| ORG_WORDS_SET.contains(w));
        let place_head = head_of.is_some_and(|w| !ORG_WORDS_SET.contains(w));
        let kind = if ORG_HEADS.contains(&first)
            || (last == "District" && words.len() >= 3 && f.w(words[words.len() - 2]) == "School")
        {
            // `Team Estonia`, `Irving Independent School District`.
            Some(EntityKind::Organization)
        } else if THING_HEADS_SET.contains(first) && !f.given(words[0]) && !has_of {
            Some(EntityKind::Other)
        } else if place_head {
            Some(EntityKind::Place)
        } else if OTHER_WORDS_SET.contains(last) {
            Some(EntityKind::Other)
        } else if (PLACE_HEADS_SET.contains(first) || FACILITY_ORG_WORDS_SET.contains(last))
            && !has_of
        {
            Some(EntityKind::Place)
        } else if ORG_WORDS_SET.contains(last) || org_head {
            Some(EntityKind::Organization)
        } else if PLACE_WORDS_SET.contains(last) {
            Some(EntityKind::Place)
        } else {
            None
        };
        if let Some(kind) = kind {
            out.push(Candidate {
                start,
                end,
                kind: Some(kind),
                canonical: None,
                demonym: false,
                strength: 2,
                words: words.len(),
                person_cue: false,
                surname_only: false,
            });
            return;
        }
    }

    // Gazetteer segmentation, unknown stretches collected in between.
    let mut p = 0;
    // The unlisted stretch so far is `words[from..p]`.
    let mut from = 0;
    while p < words.len() {
        if let Some((len, e)) = f.gaz_at(words, p) {
            // `Victoria Beckham`: a listed place that is also a given name, followed by an
            // unlisted capitalised word, is a person's name.
            let given_first = len == 1
                && e.kind == Some(EntityKind::Place)
                && !e.demonym
                && f.given(words[p])
                && p + 1 < words.len()
                && f.gaz_at(words, p + 1).is_none();
            // `Barack Obama`: a town name right after an unlisted capitalised word is a surname.
            let town_surname = len == 1 && e.town && from < p;
            // `Ama Hansen`: a town name before a listed surname that is no place is a given name.
            let town_given = len == 1
                && e.town
                && p + 1 < words.len()
                && f.surname(words[p + 1])
                && !f.common(words[p + 1])
                && f.gaz_at(words, p + 1).is_none();
            // `Pedro Gao`, `Michael Jordan`: any other listed place right after a given name
            // (one that is no English word) is a surname too.
            let given_before = len == 1
                && e.kind == Some(EntityKind::Place)
                && !e.demonym
                && from + 1 == p
                && f.given(words[p - 1])
                && !f.common(words[p - 1]);
            let given_first = given_first || town_surname || given_before || town_given;
            if !given_first {
                unknown_run(f, &words[from..p], cue, out);
                let a = f.toks[words[p]].start;
                let b = f.toks[words[p + len - 1]].end;
                // A listed place and a compass word that ends the piece name one district
                // or region: `Kowloon East`, `New Territories West`, `Pacific Northwest`.
                if e.kind == Some(EntityKind::Place)
                    && !e.demonym
                    && p + len + 1 == words.len()
                    && is_direction(f.w(words[p + len]))
                {
                    out.push(Candidate {
                        start: a,
                        end: f.toks[words[p + len]].end,
                        kind: e.kind,
                        canonical: None,
                        demonym: false,
                        strength: 2,
                        words: len + 1,
                        person_cue: false,
                        surname_only: false,
                    });
                    p += len + 1;
                    from = p;
                    continue;
                }
                if e.kind.is_some() {
                    out.push(Candidate {
                        start: a,
                        end: b,
                        kind: e.kind,
                        canonical: Some(e.canonical),
                        demonym: e.demonym,
                        strength: if e.town { 1 } else { 3 },
                        words: len,
                        person_cue: false,
                        surname_only: false,
                    });
                }
                p += len;
                from = p;
                continue;
            }
        }
        p += 1;
    }
    unknown_run(f, &words[from..p], cue, out);
}

/// Whether word `i` follows a word that says where and is followed by `, <listed place>`
/// that ends a clause (a full stop, a comma, the end of the field): `in Cambridge,
/// Massachusetts.`
fn in_region(f: &Field, i: usize) -> bool {
    if f.toks.get(i + 1).map(|t| t.kind) != Some(Kind::Punct(',')) || !f.cap(i + 2) {
        return false;
    }
    // After a word that says where (`in Cambridge, Massachusetts`), or opening the field as
    // a dateline does (`Preston, Victoria, Australia —`): a list of names (`Smith, Jordan,
    // and Lee`) or results (`Kipchoge, Kenya, 2:01:09`) are not places.
    let after_where = i == 0
        || f.is_word(i - 1)
            && matches!(
                f.w(i - 1),
                "in" | "at"
                    | "from"
                    | "near"
                    | "to"
                    | "of"
                    | "into"
                    | "outside"
                    | "around"
                    | "across"
                    | "toward"
                    | "towards"
                    | "through"
            );
    if !after_where {
        return false;
    }
    // The longest listed place of up to three words after the comma.
    let mut end = i + 2;
    while end < f.toks.len() && end < i + 5 && f.cap(end) && !f.toks[end].possessive {
        end += 1;
    }
    (i + 3..=end).rev().any(|e| {
        let closes = f
            .toks
            .get(e)
            .is_none_or(|t| matches!(t.kind, Kind::Punct('.' | ',' | ';' | ')')));
        let span = &f.s[f.toks[i + 2].start..f.toks[e - 1].end];
        closes
            && !f.toks[e - 1].possessive
            && f.g
                .lookup(&key(span))
                .is_some_and(|en| en.kind == Some(EntityKind::Place) && !en.demonym && !en.town)
    })
}

/// A stretch of capitalised words no list knows.
fn unknown_run(f: &Field, words: &[usize], cue: bool, out: &mut Vec<Candidate>) {
    let mut a = 0;
    while a < words.len() {
        let i = words[a];
        let w = f.w(i);
        let drop = CONNECTORS_SET.contains(w)
            || w == "and"
            || never(w)
            || (f.weak_cap(i) && f.common(i) && !f.given(i));
        if !drop {
            break;
        }
        a += 1;
    }
    let mut b = words.len();
    // A trailing `The`, too: `by G. The technical term` reads the initial's dot as no
    // sentence end. (Other never-words can close a name: James To, Wilson Or, Serie A.)
    while b > a && {
        let w = f.w(words[b - 1]);
        CONNECTORS_SET.contains(w) || matches!(w, "and" | "&" | "The") || is_month(w)
    } {
        b -= 1;
    }
    if a >= b {
        return;
    }
    let words = &words[a..b];
    let start = f.toks[words[0]].start;
    let end = f.toks[words[words.len() - 1]].end;
    let text = &f.s[start..end];
    let cue = cue || context_cue(f, words[0], words[words.len() - 1] + 1);
    let mut cand = Candidate {
        start,
        end,
        kind: None,
        canonical: None,
        demonym: false,
        strength: 0,
        words: words.len(),
        person_cue: cue,
        surname_only: false,
    };
    if words.len() == 1 {
        // A lone initial (`G.`) names no one by itself.
        if never(text) || f.listed(words[0]) || is_initial(text) {
            return;
        }
        // A shouted common word (HUGE, UNLESS) is emphasis, not an acronym.
        if is_acronym(text) && text.len() > 3 && f.common(words[0]) {
            return;
        }
        if is_acronym(text) {
            cand.kind = Some(EntityKind::Organization);
            out.push(cand);
            return;
        }
        // Word shape: LibriVox, MicroMega, Cloud9, Politics1 are brands and sites.
        let inner_cap =
            text.chars().skip(1).any(char::is_uppercase) && text.chars().any(char::is_lowercase);
        if (inner_cap
            && !text.starts_with("Mc")
            && !text.starts_with("Mac")
            && !text.contains('\''))
            || text.chars().any(|c| c.is_ascii_digit())
        {
            cand.kind = Some(EntityKind::Organization);
            cand.strength = 1;
            out.push(cand);
            return;
        }
        // Adjectives (Islamic, Hellenic, Paralympic) are not names.
        if ["ic", "ian", "ese", "ish"]
            .iter()
            .any(|s| text.ends_with(s))
            && !cue
        {
            return;
        }
        // `the Council`, `the Church`, `the South`: a capitalised keyword after `the`
        // mid-sentence names a body or region already named in full or known to the reader.
        // (`The Commission said` opens a sentence with the same body.)
        let after_the = words[0] > 0
            && f.is_word(words[0] - 1)
            && matches!(f.w(words[0] - 1), "the" | "The")
            && !f.weak_cap(words[0]);
        if after_the
            && matches!(
                text,
                "Church"
                    | "Council"
                    | "Court"
                    | "Administration"
                    | "Academy"
                    | "Police"
                    | "Senate"
                    | "Parliament"
                    | "Commission"
                    | "Committee"
                    | "Ministry"
                    | "Department"
                    | "Agency"
                    | "Bureau"
                    | "Cabinet"
                    | "Assembly"
                    | "Board"
                    | "Times"
                    | "Post"
                    | "Crown"
                    | "House"
            )
        {
            cand.kind = Some(EntityKind::Organization);
            cand.strength = 1;
            out.push(cand);
            return;
        }
        if after_the && matches!(text, "North" | "South" | "East" | "West" | "Midwest") {
            cand.kind = Some(EntityKind::Place);
            cand.strength = 1;
            out.push(cand);
            return;
        }
        // `Cambridge, Massachusetts`, `Paris, Texas`: a name followed by the region or
        // country it is in, closing the clause, is a place.
        if in_region(f, words[0]) {
            cand.kind = Some(EntityKind::Place);
            cand.strength = 2;
            out.push(cand);
            return;
        }
        // A lone capitalised common word mid-sentence (the Internet) is rarely a name unless
        // something marks it as a person, or it is the surname of a person the article names
        // in full (`and Trump left` after `Donald Trump`).
        if f.common(words[0]) && !cue {
            // Not after an article, where it is the word: `the Trump card`, `a Truss bridge`.
            let after_article = words[0] > 0
                && f.is_word(words[0] - 1)
                && matches!(f.w(words[0] - 1), "the" | "The" | "a" | "A" | "an" | "An");
            if !after_article {
                cand.surname_only = true;
                out.push(cand);
            }
            return;
        }
        if text.chars().count() < 2 {
            return;
        }
        let next_word = f.next_word(words[0]);
        // `Conservatives said`, `Democrats said`: a plural common noun that speaks is a
        // party or a group, not a person.
        if next_word.is_some_and(|w| ORG_CUES_AFTER_SET.contains(w))
            || (cue && f.plural_noun(words[0]))
        {
            cand.kind = Some(EntityKind::Organization);
            cand.strength = 1;
        } else if cue {
            // A title inside a longer name is no title: `Squadron Officer School` puts no one
            // called School there, nor `Warhol's Prince Series` one called Series. Only the
            // head word of an organisation, a place or a work is dropped so: after a title
            // any other word is a name (`President Xi`, `Prime Minister Tusk`, `Foreign
            // Minister Musk`: English words, on no name list).
            let w = f.w(words[0]);
            let t = words[0].wrapping_sub(1);
            // `Squadron Officer …`, `the Prince …`: a title no one bears.
            let inside_a_name = words[0] >= 2
                && f.is_word(t)
                && f.cap(t)
                && f.is_word(t - 1)
                && (f.cap(t - 1) || f.w(t - 1) == "the");
            if inside_a_name
                && (ORG_WORDS_SET.contains(w)
                    || PLACE_WORDS_SET.contains(w)
                    || OTHER_WORDS_SET.contains(w))
                && !f.given(words[0])
                && !f.surname(words[0])
            {
                return;
            }
            cand.kind = Some(EntityKind::Person);
            cand.strength = 1;
        }
        out.push(cand);
        return;
    }
    let all_common = words.iter().all(|&i| f.common(i));
    // A plural common noun last (`Hells Angels`, `Neo Democrats`) names a group.
    let plural_group = !all_common && f.plural_noun(words[words.len() - 1]);
    let given = f.given(words[0]);
    if cue || given {
        cand.kind = Some(EntityKind::Person);
        cand.strength = 1;
    } else if plural_group {
        cand.kind = Some(EntityKind::Organization);
        cand.strength = 1;
    } else if all_common {
        // Works, events and programmes (Free Culture, Secret Agent).
        cand.kind = Some(EntityKind::Other);
        cand.strength = 1;
    }
    out.push(cand);
}

#[cfg(test)]
mod tests {
    use super::scan;

    /// What a scan found, comparable.
    fn found(s: &str) -> Vec<String> {
        scan(s)
            .iter()
            .map(|c| format!("{} {c:?}", &s[c.start..c.end]))
            .collect()
    }

    #[test]
    fn a_scan_owes_nothing_to_the_fields_scanned_before_on_its_thread() {
        // Paragraphs of real articles, each scanned on a thread of its own, then all in a
        // row on one thread, whose buffers each scan reuses.
        let text = [
            include_str!("../../assets/articles/00-japan-eu-security-partnership.txt"),
            include_str!("../../assets/articles/01-news-stampede.txt"),
            include_str!("../../assets/articles/04-interview-mcguire.txt"),
        ]
        .concat();
        let fields: Vec<String> = text
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string)
            .collect();
        assert!(fields.len() > 20);
        let fresh: Vec<Vec<String>> = fields
            .iter()
            .map(|f| {
                let f = f.clone();
                std::thread::spawn(move || found(&f)).join().unwrap()
            })
            .collect();
        assert!(fresh.iter().filter(|f| !f.is_empty()).count() > 10);
        let in_a_row: Vec<Vec<String>> = fields.iter().map(|f| found(f)).collect();
        assert_eq!(in_a_row, fresh);
        // Again after the thread's word facts have filled up and been dropped.
        let many: String = (0..super::WORD_FACTS_LIMIT + 10)
            .map(|i| format!("Then Qx{i:05} and "))
            .collect();
        assert!(!found(&many).is_empty());
        let after: Vec<Vec<String>> = fields.iter().map(|f| found(f)).collect();
        assert_eq!(after, fresh);
    }
}
