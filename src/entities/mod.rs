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
use rules::Candidate;
use std::collections::HashMap;

pub use gazetteer::is_demonym;

struct Found<'a> {
    field: Field,
    /// The field's whole text, for context look-ups.
    src: &'a str,
    cand: Candidate,
    key: String,
}

impl Found<'_> {
    fn text(&self) -> &str {
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

fn norm_key(s: &str) -> String {
    s.replace('’', "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Initials of a multi-word name, skipping connectors: World Health Organisation → WHO.
fn initials(name: &str) -> String {
    name.split([' ', '-'])
        .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
        .collect()
}

/// Extracts the entities of one article, most mentioned first.
pub fn extract(article: &Article) -> Vec<Entity> {
    let mut found: Vec<Found> = Vec::new();
    for (field, src) in fields(article) {
        for cand in rules::scan(src) {
            let key = match cand.canonical {
                Some(c) => c.to_string(),
                None => norm_key(&src[cand.start..cand.end]),
            };
            found.push(Found {
                field,
                src,
                cand,
                key,
            });
        }
    }
    resolve(&mut found);
    build(found)
}

fn resolve(found: &mut [Found]) {
    // Long form followed by its acronym in brackets: `World Health Organisation (WHO)`.
    let mut acronyms: HashMap<String, String> = HashMap::new();
    for f in found.iter() {
        let rest = &f.src[f.cand.end..];
        if let Some(inner) = rest.strip_prefix(" (")
            && let Some(close) = inner.find(')')
        {
            let acr = &inner[..close];
            if f.cand.words >= 2
                && (2..=8).contains(&acr.len())
                && acr.chars().all(|c| c.is_uppercase() || c == '.')
            {
                acronyms.insert(acr.to_string(), f.key.clone());
            }
        }
    }
    // Multi-word organisation names whose initials spell an acronym seen alone.
    for f in found.iter() {
        if f.cand.words >= 2
            && f.cand.kind == Some(EntityKind::Organization)
            && f.cand.canonical.is_none()
        {
            let ini = initials(&f.key);
            if ini.len() >= 2 {
                acronyms.entry(ini).or_insert_with(|| f.key.clone());
            }
        }
    }
    for f in found.iter_mut() {
        if f.cand.words == 1
            && f.cand.strength < 3
            && let Some(long) = acronyms.get(f.text())
        {
            f.key = long.clone();
            f.cand.kind = Some(EntityKind::Organization);
        }
    }

    // Full personal names anchor their short forms.
    let is_personish = |f: &Found| {
        f.cand.words >= 2
            && f.cand.canonical.is_none()
            && (f.cand.kind == Some(EntityKind::Person) || f.cand.kind.is_none())
    };
    let mut anchors: HashMap<String, Vec<String>> = HashMap::new();
    let mut person_count: HashMap<String, usize> = HashMap::new();
    for f in found.iter().filter(|f| is_personish(f)) {
        *person_count.entry(f.key.clone()).or_default() += 1;
        let parts: Vec<&str> = f.key.split(' ').collect();
        for (k, p) in parts.iter().enumerate() {
            // Last name first in priority: recorded for every word, last word wins below.
            let tag = if k + 1 == parts.len() { "L:" } else { "F:" };
            let e = anchors.entry(format!("{tag}{p}")).or_default();
            if !e.contains(&f.key) {
                e.push(f.key.clone());
            }
        }
    }
    for f in found.iter_mut() {
        // Weak guesses only: unlisted words and towns (a lone `Obama` after `Barack Obama`).
        if f.cand.strength >= 2 || f.cand.words != 1 {
            continue;
        }
        if f.cand.kind.is_some_and(|k| k != EntityKind::Person) && f.cand.canonical.is_none() {
            continue;
        }
        let t = f.key.clone();
        let pick = anchors
            .get(&format!("L:{t}"))
            .or_else(|| anchors.get(&format!("F:{t}")))
            .and_then(|v| {
                v.iter()
                    .max_by_key(|k| person_count.get(*k).copied().unwrap_or(0))
            });
        if let Some(full) = pick {
            f.key = full.clone();
            f.cand.person_cue = true;
            f.cand.kind = Some(EntityKind::Person);
            f.cand.canonical = None;
        }
    }

    // A lone word that is part of an organisation's longer name is that organisation's
    // short name or brand (`Scientology` after `Church of Scientology`).
    let mut org_words: std::collections::HashSet<String> = Default::default();
    for f in found.iter() {
        if f.cand.words >= 2 && f.cand.kind == Some(EntityKind::Organization) {
            for w in f.key.split(' ') {
                if w.chars().next().is_some_and(char::is_uppercase) {
                    org_words.insert(w.to_string());
                }
            }
        }
    }
    for f in found.iter_mut() {
        if f.cand.words == 1
            && f.cand.strength == 0
            && f.cand.kind.is_none()
            && !f.cand.person_cue
            && org_words.contains(&f.key)
        {
            f.cand.kind = Some(EntityKind::Organization);
        }
    }

    national_teams(found);

    // A lone compass word (`the North’s troop deployment`) is the article's place of that
    // name when there is one (North Korea); otherwise it stays a region.
    let compass: Vec<String> = found
        .iter()
        .filter(|f| f.cand.kind == Some(EntityKind::Place) && f.cand.words >= 2)
        .map(|f| f.key.clone())
        .collect();
    for f in found.iter_mut() {
        if f.cand.words == 1
            && f.cand.canonical.is_none()
            && matches!(f.key.as_str(), "North" | "South" | "East" | "West")
        {
            let prefix = format!("{} ", f.key);
            let mut full: Vec<&String> =
                compass.iter().filter(|k| k.starts_with(&prefix)).collect();
            full.sort();
            full.dedup();
            if full.len() == 1 {
                f.key = full[0].clone();
                f.cand.kind = Some(EntityKind::Place);
            }
        }
    }

    // Settle kinds per key: the strongest evidence wins, then the most votes.
    let mut votes: HashMap<String, [u32; 4]> = HashMap::new();
    let mut cue: HashMap<String, bool> = HashMap::new();
    for f in found.iter() {
        if let Some(k) = f.cand.kind {
            let v = votes.entry(f.key.clone()).or_default();
            let ix = EntityKind::ALL.iter().position(|x| *x == k).unwrap_or(3);
            v[ix] += 1 + 10 * u32::from(f.cand.strength);
        }
        if f.cand.person_cue {
            cue.insert(f.key.clone(), true);
        }
    }
    let g = gazetteer::get();
    for f in found.iter_mut() {
        let kind = match votes.get(&f.key) {
            Some(v) if v.iter().any(|&x| x > 0) => {
                let (ix, _) = v
                    .iter()
                    .enumerate()
                    .max_by_key(|(_, x)| **x)
                    .unwrap_or((3, &0));
                EntityKind::ALL[ix]
            }
            _ => {
                if cue.get(&f.key).copied().unwrap_or(false) {
                    EntityKind::Person
                } else if f.key.contains(' ') {
                    let ws: Vec<&str> = f.key.split(' ').collect();
                    // Two or three words with at least one that is no English word read as
                    // a personal name (Lam Cheuk-ting, Cyd Ho).
                    if ws.len() <= 3 && !ws.iter().all(|w| g.is_common(w)) {
                        EntityKind::Person
                    } else {
                        EntityKind::Organization
                    }
                } else if g.is_surname(&f.key) || g.is_given_name(&f.key) {
                    EntityKind::Person
                } else {
                    // A lone unlisted word with no cue and no fuller name in the article is as
                    // often a firm, town or creed as a person: kept, but as `other`.
                    EntityKind::Other
                }
            }
        };
        f.cand.kind = Some(kind);
    }
}

/// Whether the article is a match report: a named competition and the vocabulary of play.
fn is_match_report(found: &[Found]) -> bool {
    // The competition is itself a candidate name, so only names are searched here; the
    // texts are scanned only in the rare article that names one.
    let competition = found.iter().any(|f| {
        [
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
        ]
        .iter()
        .any(|c| f.key.contains(c))
    });
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
        for w in [
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
        ] {
            play += f.src.matches(w).count();
        }
    }
    play >= 5
}

/// In a match report, countries that play are national teams, which are organisations
/// (`Sweden defeated South Korea 1 – 0`), unless a mention reads as a venue (`in Russia`).
fn national_teams(found: &mut [Found]) {
    let g = gazetteer::get();
    let team = |f: &Found| {
        f.cand.kind == Some(EntityKind::Place)
            && (g.is_nation(&f.key) || (f.key.ends_with(" Republic") && f.cand.words == 2))
    };
    if !found.iter().any(team) || !is_match_report(found) {
        return;
    }
    let mut venues: std::collections::HashSet<String> = Default::default();
    for f in found.iter().filter(|f| team(f) && !f.cand.demonym) {
        let before = f.src[..f.cand.start].trim_end();
        if ["in", "at", "from", "of"]
            .iter()
            .any(|p| before.ends_with(&format!(" {p}")) || before == *p)
        {
            venues.insert(f.key.clone());
        }
    }
    for f in found.iter_mut() {
        if team(f) && !venues.contains(&f.key) {
            f.cand.kind = Some(EntityKind::Organization);
        }
    }
}

fn build(found: Vec<Found>) -> Vec<Entity> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Entity> = HashMap::new();
    for f in found {
        let text = f.text().to_string();
        let kind = f.cand.kind.unwrap_or(EntityKind::Other);
        let e = groups.entry(f.key.clone()).or_insert_with(|| {
            order.push(f.key.clone());
            Entity {
                name: f.key.clone(),
                kind,
                aliases: Vec::new(),
                mentions: Vec::new(),
            }
        });
        if text != e.name && norm_key(&text) != e.name && !e.aliases.contains(&text) {
            e.aliases.push(text.clone());
        }
        e.mentions.push(Mention {
            field: f.field,
            start: f.cand.start,
            end: f.cand.end,
            text,
        });
    }
    let mut out: Vec<Entity> = order
        .into_iter()
        .filter_map(|k| groups.remove(&k))
        .collect();
    for e in &mut out {
        e.mentions.sort_by_key(|m| (m.field, m.start));
    }
    // Stable sort: ties keep first-appearance order.
    out.sort_by_key(|e| std::cmp::Reverse(e.count()));
    out
}
