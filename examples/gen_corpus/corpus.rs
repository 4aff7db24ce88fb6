//! The generator behind `gen_corpus`: articles, their plain-text files, Atom feeds, an OPML
//! list and a newsboat url file. Kept apart from the command line so the integration test can
//! compile it in and run it on a small corpus.
//!
//! Every article is drawn from its own random stream, seeded from the corpus seed and the
//! article's number, so output does not depend on the order or the thread that wrote it.

use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// What to generate and where.
pub struct Options {
    pub articles: usize,
    pub feeds: usize,
    pub seed: u64,
    pub out: PathBuf,
    /// Replace the generator's own outputs in `out` if a previous run left them.
    pub force: bool,
}

/// What was written.
#[derive(Debug, PartialEq, Eq)]
pub struct Summary {
    pub articles: usize,
    pub feeds: usize,
    /// Bytes of the plain-text articles.
    pub text_bytes: u64,
    pub files: usize,
}

/// Writes the corpus described by `opts`.
pub fn generate(opts: &Options) -> Result<Summary> {
    if opts.articles == 0 {
        bail!("--articles must be at least 1");
    }
    // An empty feed is of no use as benchmark input, so never write more feeds than articles.
    let feeds = opts.feeds.clamp(1, opts.articles);
    let out = &opts.out;
    prepare_out(out, opts.force)?;
    let out = fs::canonicalize(out).with_context(|| format!("cannot resolve {}", out.display()))?;
    let text_dir = out.join("text");
    let feed_dir = out.join("feeds");
    fs::create_dir_all(&feed_dir)
        .with_context(|| format!("cannot create {}", feed_dir.display()))?;
    fs::create_dir_all(&text_dir)
        .with_context(|| format!("cannot create {}", text_dir.display()))?;
    let sharded = opts.articles > SHARD;
    if sharded {
        for s in 0..opts.articles.div_ceil(SHARD) {
            let d = text_dir.join(format!("{s:03}"));
            fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
        }
    }

    let data = Data::load(opts.seed);
    let generator = Generator {
        data: &data,
        seed: opts.seed,
        articles: opts.articles,
        feeds,
        text_dir: &text_dir,
        feed_dir: &feed_dir,
        sharded,
    };
    // Feeds are independent, so split them between threads; each article is generated once,
    // by the thread that owns its feed.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(feeds);
    let text_bytes = std::thread::scope(|scope| -> Result<u64> {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let generator = &generator;
                scope.spawn(move || -> Result<u64> {
                    let mut bytes = 0;
                    for feed in (t..feeds).step_by(threads) {
                        bytes += generator.write_feed(feed)?;
                    }
                    Ok(bytes)
                })
            })
            .collect();
        let mut total = 0;
        for h in handles {
            total += h
                .join()
                .map_err(|_| anyhow::anyhow!("a generator thread panicked"))??;
        }
        Ok(total)
    })?;

    write_lists(&out, &feed_dir, &data, feeds, opts)?;
    Ok(Summary {
        articles: opts.articles,
        feeds,
        text_bytes,
        files: opts.articles + feeds + 2,
    })
}

/// Articles per text subfolder once a corpus is too big for one folder to list comfortably.
const SHARD: usize = 1000;
/// People the corpus can mention; a Zipf draw makes a few of them famous.
const PEOPLE: usize = 50_000;
/// First publication time (2024-01-01T00:00:00Z) and the mean gap between articles.
const EPOCH: i64 = 1_704_067_200;
const STEP: i64 = 600;

fn prepare_out(out: &Path, force: bool) -> Result<()> {
    const OWNED: [&str; 4] = ["text", "feeds", "feeds.opml", "urls.txt"];
    let existing: Vec<PathBuf> = OWNED
        .iter()
        .map(|n| out.join(n))
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() {
        if !force {
            bail!(
                "{} already holds a corpus ({}); pass --force to replace it",
                out.display(),
                existing[0].display()
            );
        }
        // Only the generator's own outputs go, so a stale larger run leaves no extra files.
        for p in existing {
            let r = if p.is_dir() {
                fs::remove_dir_all(&p)
            } else {
                fs::remove_file(&p)
            };
            r.with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))
}

fn write_lists(
    out: &Path,
    feed_dir: &Path,
    data: &Data,
    feeds: usize,
    opts: &Options,
) -> Result<()> {
    let mut opml = String::new();
    let mut urls = String::new();
    let _ = write!(
        opml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>dateline benchmark corpus: {} articles, seed {}</title>\n  </head>\n  <body>\n",
        opts.articles, opts.seed
    );
    for k in 0..feeds {
        let url = file_url(&feed_dir.join(feed_file_name(k)));
        let title = xml(&data.feed_title(k));
        let _ = writeln!(
            opml,
            "    <outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\"/>",
            xml(&url)
        );
        urls.push_str(&url);
        urls.push('\n');
    }
    opml.push_str("  </body>\n</opml>\n");
    for (name, body) in [("feeds.opml", opml), ("urls.txt", urls)] {
        let p = out.join(name);
        fs::write(&p, body).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(())
}

fn feed_file_name(k: usize) -> String {
    format!("feed-{k:03}.xml")
}

/// `file://` URL of an absolute path, percent-encoding what a URL may not hold.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for &b in path.to_string_lossy().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// splitmix64's finaliser: a good 64-bit mix, used both to seed streams and to derive fixed
/// per-item choices (a person's name) without keeping state.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn mix3(a: u64, b: u64, c: u64) -> u64 {
    mix(a ^ mix(b.wrapping_add(0x9e37_79b9_7f4a_7c15) ^ mix(c)))
}

/// splitmix64: tiny, fast and good enough for text that only has to look varied.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64, salt: u64) -> Self {
        Rng(mix3(seed, stream, salt))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is far below what text can show).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A Zipf distribution over ranks `0..n`: rank r drawn with weight 1 / (r + 1)^s.
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Self {
        let mut acc = 0.0;
        let cdf = (0..n)
            .map(|r| {
                acc += 1.0 / ((r + 1) as f64).powf(s);
                acc
            })
            .collect();
        Zipf { cdf }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cdf[self.cdf.len() - 1];
        let u = rng.unit() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }
}

// ---------------------------------------------------------------------------------------------
// Word and name lists

const WORDS: &str = include_str!("words.txt");
const GIVEN: &str = include_str!("given_names.txt");
const SURNAMES: &str = include_str!("surnames.txt");
const PLACES: &str = include_str!("places.txt");
const ORGS: &str = include_str!("organisations.txt");

fn list(s: &'static str) -> Vec<&'static str> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

const SECTIONS: &[&str] = &[
    "World",
    "News",
    "Politics",
    "Business",
    "Economy",
    "Europe",
    "Asia",
    "Middle East",
    "Africa",
    "Americas",
    "Technology",
    "Science",
    "Health",
    "Climate",
    "Sport",
    "Culture",
];

const OFFICIAL_TITLES: &[&str] = &[
    "President",
    "Prime Minister",
    "Foreign Minister",
    "Defence Minister",
    "Finance Minister",
    "Interior Minister",
    "Health Minister",
    "Trade Minister",
    "Energy Minister",
    "Justice Minister",
    "Economy Minister",
    "Vice President",
    "Deputy Prime Minister",
    "Chancellor",
    "Ambassador",
    "Senator",
    "Governor",
    "Mayor",
    "General",
    "Admiral",
    "Opposition leader",
    "Speaker",
];

const EXECUTIVE_TITLES: &[&str] = &[
    "chief executive",
    "chairman",
    "chairwoman",
    "president",
    "secretary-general",
    "director-general",
    "chief economist",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "head",
    "chief financial officer",
];

const EXPERT_ROLES: &[&str] = &[
    "an analyst",
    "a senior analyst",
    "a researcher",
    "a professor",
    "an economist",
    "a senior fellow",
    "a lawyer",
    "a former official",
    "a director",
    "an adviser",
];

const LOCAL_ROLES: &[&str] = &[
    "a resident",
    "a teacher",
    "a shopkeeper",
    "a farmer",
    "a nurse",
    "a doctor",
    "a student",
    "a driver",
    "a volunteer",
    "an engineer",
    "a fisherman",
    "a retired soldier",
];

const CAPTION_ACTIONS: &[&str] = &[
    "speaks to media",
    "attends a meeting",
    "arrives for talks",
    "gestures during a news conference",
    "looks on",
    "walks past security officers",
    "shakes hands with officials",
    "delivers a speech",
    "attends a summit",
    "leaves a hotel",
];

/// Agencies whose credit a partner agency carries: `... Mandatory credit Kyodo/via REUTERS`.
const HANDOUT_AGENCIES: &[&str] = &["Kyodo", "Yonhap", "Sputnik", "Handout", "Anadolu", "Xinhua"];
/// Credits set in brackets after a short caption: `... [Kyodo via Reuters]`.
const BRACKET_CREDITS: &[&str] = &[
    "Reuters",
    "AFP",
    "AP Photo",
    "EPA-EFE",
    "Getty Images",
    "Anadolu",
    "Bloomberg",
    "Kyodo via Reuters",
    "Yonhap via Reuters",
    "Handout via Reuters",
];

const PUBLICATIONS: &[&str] = &[
    "Herald",
    "Courier",
    "Times",
    "Post",
    "Gazette",
    "Chronicle",
    "Observer",
    "Ledger",
    "Dispatch",
    "Tribune",
    "Wire",
    "Record",
    "Monitor",
    "Journal",
    "Sentinel",
];

const WEEKDAYS: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[derive(Clone, Copy)]
struct Place {
    name: &'static str,
    /// Set for a city.
    country: Option<&'static str>,
}

struct Org {
    name: &'static str,
    short: Option<&'static str>,
}

enum Role {
    Official { title: &'static str, country: usize },
    Executive { title: &'static str, org: usize },
    Expert { role: &'static str, org: usize },
    Local { role: &'static str, place: usize },
}

struct Person {
    given: &'static str,
    surname: &'static str,
    role: Role,
}

/// The lists, parsed once, with the distributions drawn from them.
struct Data {
    seed: u64,
    words: Vec<&'static str>,
    word_zipf: Zipf,
    given: Vec<&'static str>,
    surnames: Vec<&'static str>,
    places: Vec<Place>,
    place_zipf: Zipf,
    countries: Vec<usize>,
    cities: Vec<usize>,
    orgs: Vec<Org>,
    org_zipf: Zipf,
    person_zipf: Zipf,
    /// Multiplier that maps person numbers one-to-one onto (given, surname) pairs, so no two
    /// people share a full name while many share a surname, as in real news.
    name_step: usize,
}

impl Data {
    fn load(seed: u64) -> Self {
        let words = list(WORDS);
        let given = list(GIVEN);
        let surnames = list(SURNAMES);
        let places: Vec<Place> = list(PLACES)
            .into_iter()
            .map(|l| match l.split_once('|') {
                Some((name, country)) => Place {
                    name,
                    country: Some(country),
                },
                None => Place {
                    name: l,
                    country: None,
                },
            })
            .collect();
        let orgs: Vec<Org> = list(ORGS)
            .into_iter()
            .map(|l| match l.split_once('|') {
                Some((name, short)) => Org {
                    name,
                    short: Some(short),
                },
                None => Org {
                    name: l,
                    short: None,
                },
            })
            .collect();
        let countries = (0..places.len())
            .filter(|&i| places[i].country.is_none())
            .collect();
        let cities = (0..places.len())
            .filter(|&i| places[i].country.is_some())
            .collect();
        let names = given.len() * surnames.len();
        let people = PEOPLE.min(names);
        let name_step = [7919, 7927, 7933, 7937, 104_729, 1]
            .into_iter()
            .find(|&p| gcd(p, names) == 1)
            .unwrap_or(1);
        Data {
            seed,
            word_zipf: Zipf::new(words.len(), 1.0),
            words,
            given,
            surnames,
            place_zipf: Zipf::new(places.len(), 1.1),
            places,
            countries,
            cities,
            org_zipf: Zipf::new(orgs.len(), 1.0),
            orgs,
            person_zipf: Zipf::new(people, 1.0),
            name_step,
        }
    }

    /// Person number `p`, always the same name and role for a given seed.
    fn person(&self, p: usize) -> Person {
        let names = self.given.len() * self.surnames.len();
        let idx = (p * self.name_step + (self.seed % names as u64) as usize) % names;
        let h = mix3(self.seed, p as u64, 0x9e0);
        let pick = |n: usize, shift: u32| ((h >> shift) % n as u64) as usize;
        let role = match h % 10 {
            0..=2 => Role::Official {
                title: OFFICIAL_TITLES[pick(OFFICIAL_TITLES.len(), 8)],
                country: self.countries[pick(self.countries.len(), 20).min(pick(40, 28))],
            },
            3..=5 => Role::Executive {
                title: EXECUTIVE_TITLES[pick(EXECUTIVE_TITLES.len(), 8)],
                org: pick(self.orgs.len(), 20),
            },
            6..=7 => Role::Expert {
                role: EXPERT_ROLES[pick(EXPERT_ROLES.len(), 8)],
                org: pick(self.orgs.len(), 20),
            },
            _ => Role::Local {
                role: LOCAL_ROLES[pick(LOCAL_ROLES.len(), 8)],
                place: self.cities[pick(self.cities.len(), 20)],
            },
        };
        Person {
            given: self.given[idx % self.given.len()],
            surname: self.surnames[idx / self.given.len()],
            role,
        }
    }

    fn feed_title(&self, k: usize) -> String {
        let city = self.places[self.cities[(k + self.seed as usize) % self.cities.len()]].name;
        let paper = PUBLICATIONS[(k / self.cities.len()) % PUBLICATIONS.len()];
        let round = k / (self.cities.len() * PUBLICATIONS.len());
        if round == 0 {
            format!("The {city} {paper}")
        } else {
            format!("The {city} {paper} {}", round + 1)
        }
    }

    fn reporter(&self, feed: usize, n: usize) -> String {
        let h = mix3(self.seed, feed as u64, 0x7e9 + n as u64);
        format!(
            "{} {}",
            self.given[(h % self.given.len() as u64) as usize],
            self.surnames[((h >> 32) % self.surnames.len() as u64) as usize]
        )
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

// ---------------------------------------------------------------------------------------------
// Articles

/// One part of an article body.
enum Piece {
    Paragraph(String),
    /// The lines of one photo caption, each with its credit, as wire copy sets them.
    Caption(Vec<String>),
}

struct Article {
    number: usize,
    section: &'static str,
    headline: String,
    standfirst: String,
    pieces: Vec<Piece>,
    published: i64,
    updated: i64,
    author: String,
    link: String,
}

/// The people, organisations and places one article is about, and which have been
/// introduced (full name and title first, surname or short form after).
struct Cast {
    people: Vec<(usize, Person)>,
    people_named: Vec<bool>,
    orgs: Vec<usize>,
    orgs_named: Vec<bool>,
    places: Vec<usize>,
}

struct Writer<'a> {
    data: &'a Data,
    rng: Rng,
    cast: Cast,
}

fn publication_time(seed: u64, i: usize) -> i64 {
    EPOCH + i as i64 * STEP + (mix3(seed, i as u64, 0xda7e) % STEP as u64) as i64
}

impl<'a> Writer<'a> {
    fn new(data: &'a Data, seed: u64, i: usize) -> Self {
        let mut rng = Rng::new(seed, i as u64, 0xa57);
        let mut people: Vec<(usize, Person)> = Vec::new();
        for _ in 0..rng.range(2, 5) {
            let p = data.person_zipf.sample(&mut rng);
            if !people.iter().any(|(q, _)| *q == p) {
                people.push((p, data.person(p)));
            }
        }
        let mut orgs = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let o = data.org_zipf.sample(&mut rng);
            if !orgs.contains(&o) {
                orgs.push(o);
            }
        }
        let mut places = Vec::new();
        for _ in 0..rng.range(2, 4) {
            let p = data.place_zipf.sample(&mut rng);
            if !places.contains(&p) {
                places.push(p);
            }
        }
        let cast = Cast {
            people_named: vec![false; people.len()],
            people,
            orgs_named: vec![false; orgs.len()],
            orgs,
            places,
        };
        Writer { data, rng, cast }
    }

    /// `n` words drawn by frequency, with the odd comma; never the same word twice running.
    fn words(&mut self, n: usize, out: &mut String) {
        let mut last = usize::MAX;
        for k in 0..n {
            let mut w = self.data.word_zipf.sample(&mut self.rng);
            if w == last {
                w = self.data.word_zipf.sample(&mut self.rng);
            }
            last = w;
            if k > 0 {
                if k + 1 < n && self.rng.chance(0.06) {
                    out.push(',');
                }
                out.push(' ');
            }
            out.push_str(self.data.words[w]);
            if self.rng.chance(0.015) {
                // Numbers matter to a search index and are common in news.
                let _ = match self.rng.below(4) {
                    0 => write!(out, " {}", self.rng.range(2, 99)),
                    1 => write!(out, " {} percent", self.rng.range(1, 95)),
                    2 => write!(out, " in {}", self.rng.range(1990, 2025)),
                    _ => write!(
                        out,
                        " {},{:03}",
                        self.rng.range(1, 950),
                        self.rng.below(1000)
                    ),
                };
            }
        }
    }

    fn clause(&mut self, lo: usize, hi: usize, out: &mut String) {
        let n = self.rng.range(lo, hi);
        self.words(n, out);
    }

    fn place(&mut self) -> &'static str {
        let i = *self.rng.pick(&self.cast.places);
        self.data.places[i].name
    }

    /// A city for a dateline or caption, from the cast when it names one.
    fn city(&mut self) -> Place {
        let data = self.data;
        let from_cast: Vec<usize> = self
            .cast
            .places
            .iter()
            .copied()
            .filter(|&p| data.places[p].country.is_some())
            .collect();
        let i = if from_cast.is_empty() {
            *self.rng.pick(&data.cities)
        } else {
            *self.rng.pick(&from_cast)
        };
        data.places[i]
    }

    /// An organisation: its full name the first time, often its short form after.
    fn org(&mut self) -> String {
        let k = self.rng.below(self.cast.orgs.len());
        let org = &self.data.orgs[self.cast.orgs[k]];
        let name = if self.cast.orgs_named[k] && self.rng.chance(0.7) {
            org.short.unwrap_or(org.name)
        } else {
            org.name
        };
        self.cast.orgs_named[k] = true;
        name.to_string()
    }

    /// A person: name with title or description the first time, surname after. The flag says
    /// the mention ends in an appositive (`Anna Kowalski, an analyst at Chatham House`), which
    /// needs a closing comma when the sentence goes on.
    fn person(&mut self) -> (String, bool) {
        let k = self.rng.below(self.cast.people.len());
        let (_, p) = &self.cast.people[k];
        if self.cast.people_named[k] {
            return (p.surname.to_string(), false);
        }
        self.cast.people_named[k] = true;
        let d = self.data;
        let full = format!("{} {}", p.given, p.surname);
        let style = self.rng.below(2);
        match &p.role {
            Role::Official { title, country } => {
                let country = d.places[*country].name;
                if style == 0 && !country.starts_with("the ") {
                    (format!("{country}’s {title} {full}"), false)
                } else {
                    (format!("{title} {full}"), false)
                }
            }
            Role::Executive { title, org } => {
                let org = &d.orgs[*org];
                if style == 0 {
                    (format!("{full}, the {title} of {}", org.name), true)
                } else {
                    let short = org.short.unwrap_or(org.name);
                    (format!("{short} {title} {full}"), false)
                }
            }
            Role::Expert { role, org } => {
                (format!("{full}, {role} at {}", d.orgs[*org].name), true)
            }
            Role::Local { role, place } => {
                (format!("{full}, {role} in {}", d.places[*place].name), true)
            }
        }
    }

    /// A subject that says things: a person, or now and then an organisation.
    fn speaker(&mut self) -> (String, bool) {
        if self.rng.chance(0.8) {
            self.person()
        } else {
            (self.org(), false)
        }
    }

    fn sentence(&mut self, weekday: &str, out: &mut String) {
        let start = out.len();
        match self.rng.below(12) {
            0 | 1 => {
                let (who, appositive) = self.speaker();
                out.push_str(&who);
                out.push_str(if appositive { ", said " } else { " said " });
                self.clause(6, 16, out);
                out.push('.');
            }
            2 | 3 => {
                out.push('“');
                self.clause(6, 18, out);
                out.push_str(",” ");
                let (who, appositive) = self.speaker();
                if appositive || who.contains(' ') {
                    out.push_str("said ");
                    out.push_str(&who);
                } else {
                    out.push_str(&who);
                    out.push_str(" said");
                }
                out.push('.');
            }
            4 => {
                self.clause(4, 10, out);
                out.push_str(" in ");
                let place = self.place();
                out.push_str(place);
                out.push_str(", ");
                self.clause(4, 10, out);
                out.push('.');
            }
            5 => {
                let org = self.org();
                let _ = write!(out, "{org} said on {weekday} that ");
                self.clause(6, 14, out);
                out.push('.');
            }
            6 => {
                out.push_str("According to ");
                let (who, _) = self.speaker();
                out.push_str(&who);
                out.push_str(", ");
                self.clause(6, 14, out);
                out.push('.');
            }
            7 => {
                self.clause(6, 14, out);
                out.push_str(", ");
                let (who, appositive) = self.person();
                out.push_str(&who);
                let city = self.city().name;
                let _ = write!(
                    out,
                    "{} told reporters in {city}.",
                    if appositive { "," } else { "" }
                );
            }
            8 => {
                self.clause(4, 10, out);
                let (a, b) = (self.place(), self.place());
                if a == b {
                    let _ = write!(out, " across {a}.");
                } else {
                    let _ = write!(out, " between {a} and {b}.");
                }
            }
            9 => {
                let _ = write!(out, "In {}, ", self.rng.range(1990, 2024));
                self.clause(6, 14, out);
                out.push('.');
            }
            _ => {
                self.clause(8, 20, out);
                out.push('.');
            }
        }
        capitalise_at(out, start);
    }

    fn caption(&mut self, date: &str) -> Vec<String> {
        let city = self.city();
        let country = city.country.unwrap_or("").trim_start_matches("the ");
        let k = self.rng.below(self.cast.people.len());
        let (_, p) = &self.cast.people[k];
        let full = format!("{} {}", p.given, p.surname);
        let surname = p.surname;
        let action = *self.rng.pick(CAPTION_ACTIONS);
        match self.rng.below(4) {
            0 => {
                let agency = *self.rng.pick(HANDOUT_AGENCIES);
                vec![
                    format!(
                        "{full} {action} in {}, {country} {date}, in this photo taken by {agency}. Mandatory credit {agency}/via REUTERS ATTENTION EDITORS - THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY.",
                        city.name
                    ),
                    format!("{surname} in {} [{agency} via Reuters]", city.name),
                ]
            }
            1 => {
                let photographer = self.data.reporter(self.rng.below(1000), 0);
                vec![format!(
                    "{full} {action} in {}, {country}, {date}. REUTERS/{photographer}",
                    city.name
                )]
            }
            2 => {
                let photographer = self.data.reporter(self.rng.below(1000), 1);
                vec![format!(
                    "{full} {action} in {}, {date}. (AP Photo/{photographer})",
                    city.name
                )]
            }
            _ => {
                let credit = *self.rng.pick(BRACKET_CREDITS);
                let mut text = String::new();
                self.clause(3, 8, &mut text);
                capitalise_at(&mut text, 0);
                vec![format!("{text} in {} [{credit}]", city.name)]
            }
        }
    }
}

/// Capitalises the first letter from byte `at`, looking past an opening quote mark.
fn capitalise_at(s: &mut String, at: usize) {
    let at = at + s[at..].len() - s[at..].trim_start_matches(['“', '‘', '"']).len();
    if let Some(c) = s[at..].chars().next()
        && c.is_lowercase()
    {
        let upper: String = c.to_uppercase().collect();
        s.replace_range(at..at + c.len_utf8(), &upper);
    }
}

/// Civil date (year, month 1–12, day) of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, usize, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as usize, d)
}

fn rfc3339(t: i64) -> String {
    let (y, m, d) = civil(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn written_date(t: i64) -> String {
    let (y, m, d) = civil(t.div_euclid(86_400));
    format!("{} {d}, {y}", MONTHS[m - 1])
}

fn slug(headline: &str, number: usize) -> String {
    let mut s = String::new();
    for w in headline.split_whitespace().take(8) {
        let w: String = w
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if !w.is_empty() {
            s.push_str(&w);
            s.push('-');
        }
    }
    let _ = write!(s, "{number:06}");
    s
}

fn article(data: &Data, seed: u64, feed: usize, i: usize) -> Article {
    let published = publication_time(seed, i);
    let mut w = Writer::new(data, seed, i);
    let weekday = WEEKDAYS[published.div_euclid(86_400).rem_euclid(7) as usize];
    let date = written_date(published);

    let section = *w.rng.pick(SECTIONS);
    // Headline: sentence case, names as the lead, no closing full stop.
    let mut headline = String::new();
    match w.rng.below(3) {
        0 => {
            let (a, b) = (w.place(), w.org());
            let _ = write!(headline, "{a} and {b} ");
        }
        1 => {
            let org = w.org();
            headline.push_str(&org);
            headline.push(' ');
        }
        _ => {
            let place = w.place();
            headline.push_str(place);
            headline.push(' ');
        }
    }
    w.clause(4, 9, &mut headline);
    // Headlines carry no commas from the word draw (and no full stop).
    headline.retain(|c| c != ',');
    capitalise_at(&mut headline, 0);
    // The headline introduced nobody: the body names them in full first.
    w.cast.orgs_named.iter_mut().for_each(|n| *n = false);

    let mut standfirst = String::new();
    let place = w.place();
    w.clause(6, 14, &mut standfirst);
    let _ = write!(standfirst, " in {place} ");
    w.clause(4, 10, &mut standfirst);
    standfirst.push('.');
    capitalise_at(&mut standfirst, 0);

    let paragraphs = w.rng.range(8, 20);
    let total_words = w.rng.range(300, 600);
    let captions = w.rng.range(1, 2);
    let caption_at = [paragraphs * 2 / 5, paragraphs * 3 / 4];
    let mut pieces = Vec::with_capacity(paragraphs + 2);
    // Paragraph lengths vary, but each aims at an even share of the words still to write, so
    // the article lands near its total.
    let mut remaining = total_words;
    for n in 0..paragraphs {
        if (0..captions).any(|c| caption_at[c] == n) {
            pieces.push(Piece::Caption(w.caption(&date)));
        }
        let per = remaining / (paragraphs - n);
        let target = w.rng.range(per * 2 / 3, per * 4 / 3).max(8);
        let mut p = String::new();
        let mut count = 0;
        // Stop half a sentence short: the last sentence overshoots by about that much.
        while count == 0 || count + 6 < target {
            if !p.is_empty() {
                p.push(' ');
            }
            let start = p.len();
            w.sentence(weekday, &mut p);
            count += p[start..].split_whitespace().count();
        }
        remaining = remaining.saturating_sub(count);
        pieces.push(Piece::Paragraph(p));
    }
    let updated = if w.rng.chance(0.2) {
        published + w.rng.range(300, 7200) as i64
    } else {
        published
    };
    let author = data.reporter(feed, w.rng.below(6));
    Article {
        number: i,
        section,
        link: format!("https://news.example/{}", slug(&headline, i)),
        headline,
        standfirst,
        pieces,
        published,
        updated,
        author,
    }
}

impl Article {
    /// The plain-text layout of wire copy saved from a web page (see the sample article).
    fn text(&self) -> String {
        let mut s = String::with_capacity(4096);
        let _ = write!(
            s,
            "{}\n\n{}\n\n\n{}\n\nPublished on {}\n",
            self.section,
            self.headline,
            self.standfirst,
            written_date(self.published)
        );
        for piece in &self.pieces {
            s.push('\n');
            match piece {
                Piece::Paragraph(p) => s.push_str(p),
                Piece::Caption(lines) => s.push_str(&lines.join("\n")),
            }
            s.push('\n');
        }
        let _ = write!(s, "\n\nSource: {}\n", self.link);
        s
    }

    fn atom_entry(&self, out: &mut String) {
        let mut html = String::with_capacity(4096);
        for piece in &self.pieces {
            match piece {
                Piece::Paragraph(p) => {
                    html.push_str("<p>");
                    html.push_str(&xml(p));
                    html.push_str("</p>");
                }
                Piece::Caption(lines) => {
                    for l in lines {
                        html.push_str("<figure><figcaption>");
                        html.push_str(&xml(l));
                        html.push_str("</figcaption></figure>");
                    }
                }
            }
        }
        let date = rfc3339(self.published);
        let _ = write!(
            out,
            "  <entry>\n    <id>tag:news.example,{}:{:06}</id>\n    <title>{}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <published>{date}</published>\n    <updated>{}</updated>\n    <author><name>{}</name></author>\n    <category term=\"{}\"/>\n    <summary>{}</summary>\n    <content type=\"html\">{}</content>\n  </entry>\n",
            &date[..10],
            self.number,
            xml(&self.headline),
            xml(&self.link),
            rfc3339(self.updated),
            xml(&self.author),
            xml(self.section),
            xml(&self.standfirst),
            xml(&html),
        );
    }
}

/// Escapes text for XML content and attribute values (and for HTML, which needs the same).
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

struct Generator<'a> {
    data: &'a Data,
    seed: u64,
    articles: usize,
    feeds: usize,
    text_dir: &'a Path,
    feed_dir: &'a Path,
    sharded: bool,
}

impl Generator<'_> {
    fn text_path(&self, i: usize) -> PathBuf {
        if self.sharded {
            self.text_dir
                .join(format!("{:03}", i / SHARD))
                .join(format!("{i:06}.txt"))
        } else {
            self.text_dir.join(format!("{i:06}.txt"))
        }
    }

    /// Writes feed `k` (articles k, k + feeds, …, newest first) and the text file of each of
    /// its articles; returns the bytes of text written.
    fn write_feed(&self, k: usize) -> Result<u64> {
        let path = self.feed_dir.join(feed_file_name(k));
        let file =
            fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut feed = BufWriter::with_capacity(1 << 16, file);
        let newest = k + (self.articles - 1 - k) / self.feeds * self.feeds;
        let mut head = String::with_capacity(512);
        let _ = write!(
            head,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>tag:news.example,2024:feed-{k:03}</id>\n  <title>{}</title>\n  <subtitle>Generated news for benchmarks (seed {})</subtitle>\n  <link rel=\"alternate\" type=\"text/html\" href=\"https://news.example/feeds/{k:03}\"/>\n  <updated>{}</updated>\n  <generator>dateline gen_corpus</generator>\n",
            xml(&self.data.feed_title(k)),
            self.seed,
            rfc3339(publication_time(self.seed, newest)),
        );
        feed.write_all(head.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut bytes = 0;
        let mut entry = String::with_capacity(8192);
        let mut i = newest as isize;
        while i >= k as isize {
            let a = article(self.data, self.seed, k, i as usize);
            let text = a.text();
            let tp = self.text_path(i as usize);
            fs::write(&tp, &text).with_context(|| format!("cannot write {}", tp.display()))?;
            bytes += text.len() as u64;
            entry.clear();
            a.atom_entry(&mut entry);
            feed.write_all(entry.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            i -= self.feeds as isize;
        }
        feed.write_all(b"</feed>\n")?;
        feed.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(bytes)
    }
}
