//! Behaviour of the extractor's rules on small made-up texts, and a property test that every
//! mention is an exact slice of its field whatever the input.

use dateline::entities::extract;
use dateline::model::{Article, Block, Entity, EntityKind, Field};
use proptest::prelude::*;

fn article(title: &str, paragraphs: &[&str]) -> Article {
    let blocks = paragraphs.iter().map(|p| Block::paragraph(*p)).collect();
    Article::new(title.to_string(), None, "test".to_string(), blocks)
}

fn ents(paragraphs: &[&str]) -> Vec<Entity> {
    extract(&article("Notes", paragraphs))
}

fn named<'a>(es: &'a [Entity], s: &str) -> Option<&'a Entity> {
    es.iter()
        .find(|e| e.name == s || e.aliases.iter().any(|a| a == s))
}

fn kind_of(es: &[Entity], s: &str) -> Option<EntityKind> {
    named(es, s).map(|e| e.kind)
}

/// How many mentions the entity named `s` has, if found.
fn count_of(es: &[Entity], s: &str) -> Option<usize> {
    named(es, s).map(|e| e.count())
}

/// Each of `names` is found, as `kind`.
#[track_caller]
fn assert_kinds(es: &[Entity], names: &[&str], kind: EntityKind) {
    for name in names {
        let e = named(es, name).unwrap_or_else(|| panic!("{name} in {es:?}"));
        assert_eq!(e.kind, kind, "{name}");
    }
}

/// No person among `es`: the text names things and places only.
#[track_caller]
fn assert_nobody(es: &[Entity]) {
    assert!(
        !es.iter().any(|e| e.kind == EntityKind::Person),
        "no one is named here: {es:?}"
    );
}

fn field_text(a: &Article, f: Field) -> &str {
    match f {
        Field::Title => &a.title,
        Field::Standfirst => a.standfirst.as_deref().unwrap_or(""),
        Field::Block(i) => &a.blocks[i].text,
        Field::Credit(i) => a.blocks[i].credit.as_deref().unwrap_or(""),
    }
}

fn check_slices(a: &Article) {
    for e in extract(a) {
        for m in &e.mentions {
            assert_eq!(
                field_text(a, m.field).get(m.start..m.end),
                Some(m.text.as_str())
            );
        }
    }
}

#[test]
fn possessives_curly_and_straight() {
    let es = ents(&["Talks in Vienna ended. Germany’s envoy and France's envoy left."]);
    for name in ["Germany", "France"] {
        let e = named(&es, name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(e.kind, EntityKind::Place);
        assert!(
            e.mentions.iter().all(|m| m.text == name),
            "{:?}",
            e.mentions
        );
    }
    let es = ents(&["Analysts at Reuters' desk agreed with Reuters."]);
    let r = named(&es, "Reuters").expect("Reuters");
    assert_eq!(r.count(), 2);
}

#[test]
fn sentence_initial_words_are_not_names() {
    let es =
        ents(&["Earlier, officials met. Officials said little. Pregnant women waited in Paris."]);
    for bad in ["Earlier", "Officials", "Pregnant", "Pregnant women"] {
        assert!(named(&es, bad).is_none(), "{bad} in {es:?}");
    }
    assert!(named(&es, "Paris").is_some());
}

#[test]
fn months_weekdays_and_quote_openers() {
    let es = ents(&[
        "On Friday in November the minister spoke. “We will act,” he said. “It is time.” \
         Monday was quiet in March.",
    ]);
    for bad in ["Friday", "November", "We", "It", "Monday", "March", "On"] {
        assert!(named(&es, bad).is_none(), "{bad} in {es:?}");
    }
}

#[test]
fn all_caps_editorial_notes_are_skipped() {
    let es = ents(&[
        "Officials met in Rome. ATTENTION EDITORS - THIS IMAGE HAS BEEN SUPPLIED BY A THIRD \
         PARTY. MANDATORY CREDIT. ITALY OUT.",
    ]);
    for bad in [
        "ATTENTION EDITORS",
        "MANDATORY CREDIT",
        "ITALY OUT",
        "THIRD PARTY",
    ] {
        assert!(named(&es, bad).is_none(), "{bad} in {es:?}");
    }
    assert!(named(&es, "Rome").is_some());
}

#[test]
fn acronyms_merge_with_long_forms() {
    let es = ents(&[
        "The World Health Organisation (WHO) warned on Tuesday. WHO said more. \
         The UK and the United Kingdom are one; the US and the United States too; \
         the EU and the European Union as well.",
    ]);
    let who = named(&es, "WHO").expect("WHO");
    assert!(who.name.contains("World Health"));
    assert_eq!(who.kind, EntityKind::Organization);
    for (short, long) in [
        ("UK", "United Kingdom"),
        ("US", "United States"),
        ("EU", "European Union"),
    ] {
        assert_eq!(named(&es, short).map(|e| &e.name), Some(&long.to_string()));
    }
    // An acronym the article defines itself.
    let es =
        ents(&["The Coastal Monitoring Agency (CMA) issued a warning. Later the CMA lifted it."]);
    let cma = named(&es, "CMA").expect("CMA");
    assert_eq!(cma.name, "Coastal Monitoring Agency");
    // The long form, the bracketed acronym and the later acronym.
    assert_eq!(cma.count(), 3);
}

#[test]
fn surnames_corefer_with_full_names() {
    let es = ents(&[
        "Foreign Minister Anneliese Varga met chief Tomas Brenner in Prague.",
        "Varga said the talks went well. Brenner agreed, and Varga left.",
    ]);
    let v = named(&es, "Anneliese Varga").expect("Varga");
    assert_eq!(v.kind, EntityKind::Person);
    assert_eq!(v.count(), 3);
    assert!(v.aliases.contains(&"Varga".to_string()));
    let b = named(&es, "Brenner").expect("Brenner");
    assert_eq!(b.name, "Tomas Brenner");
    assert!(named(&es, "Foreign Minister Anneliese Varga").is_none());
}

#[test]
fn a_place_name_after_a_given_name_is_a_surname() {
    // Gao and Rivera are listed places (a city in Mali, towns in the Americas).
    let es = ents(&[
        "“The salt was late,” said Pedro Gao, an adviser at Amazon, in Lima.",
        "Gao said talks would go on. Valentina Rivera agreed; Rivera and Gao left.",
    ]);
    let gao = named(&es, "Pedro Gao").expect("Pedro Gao");
    assert_eq!(gao.kind, EntityKind::Person);
    assert_eq!(gao.count(), 3);
    assert!(gao.aliases.contains(&"Gao".to_string()));
    let rivera = named(&es, "Valentina Rivera").expect("Valentina Rivera");
    assert_eq!((rivera.kind, rivera.count()), (EntityKind::Person, 2));
    assert!(named(&es, "Pedro").is_none_or(|e| e.name == "Pedro Gao"));
    assert!(named(&es, "Lima").is_some_and(|e| e.kind == EntityKind::Place));

    // Without a full name beside it, a listed place is a place; a given name that is also
    // an English word (`Will`) makes no surname of one.
    let es = ents(&["The convoy reached Gao at dawn. Will Mali agree to more talks?"]);
    assert_kinds(&es, &["Gao", "Mali"], EntityKind::Place);
    // Nor does a country take a person's name: `Israel` after `Steve Israel` is the country.
    let es = ents(&["Congressman Steve Israel spoke. Israel said talks would resume."]);
    let country = es
        .iter()
        .find(|e| e.kind == EntityKind::Place && e.name == "Israel")
        .unwrap_or_else(|| panic!("{es:#?}"));
    assert_eq!(country.count(), 1);
    // And a first name never takes a place's mentions: `Georgia` after `Georgia Vance`.
    let es = ents(&["Georgia Vance flew to Tbilisi. Georgia signed the deal with Armenia."]);
    let georgia = es.iter().find(|e| {
        e.mentions
            .iter()
            .any(|m| m.text == "Georgia" && m.start > 20)
    });
    assert_eq!(georgia.map(|e| e.kind), Some(EntityKind::Place), "{es:#?}");
}

#[test]
fn contractions_are_not_names() {
    let es = ents(&["Don't Steven and Isn't it odd? Wasn't it? Steven said so."]);
    let steven = named(&es, "Steven").expect("Steven");
    assert_eq!((steven.name.as_str(), steven.count()), ("Steven", 2));
    for c in ["Don't", "Isn't", "Wasn't"] {
        assert!(es.iter().all(|e| !e.name.contains(c)), "{c}: {es:#?}");
    }
    // Nor are the interjections that open an interview's turns.
    let es = ents(&["Hmm. Nah, I doubt it. Ooh, look! Yeah, Steven came."]);
    for c in ["Hmm", "Nah", "Ooh", "Yeah"] {
        assert!(es.iter().all(|e| !e.name.contains(c)), "{c}: {es:#?}");
    }
}

#[test]
fn listed_names_run_across_lower_case_words() {
    let es = ents(&[
        "The Organisation for Economic Co-operation and Development said growth slowed.",
        "An adviser at the Intergovernmental Panel on Climate Change agreed.",
        "The European Commission met. The Commission said it would act.",
        "The United Nations High Commissioner for Refugees warned; the UNHCR said so twice.",
    ]);
    let oecd = named(
        &es,
        "Organisation for Economic Co-operation and Development",
    )
    .expect("OECD");
    assert_eq!(oecd.kind, EntityKind::Organization);
    let ipcc = named(&es, "Intergovernmental Panel on Climate Change").expect("IPCC");
    assert_eq!(ipcc.kind, EntityKind::Organization);
    // A title inside a listed name does not split it.
    let unhcr = named(&es, "United Nations High Commissioner for Refugees").expect("UNHCR");
    assert_eq!((unhcr.kind, unhcr.count()), (EntityKind::Organization, 2));
    assert!(named(&es, "Refugees").is_none(), "{es:#?}");
    // `The Commission` opening a sentence is the body, not a person who said something.
    let commission = named(&es, "Commission").expect("Commission");
    assert_eq!(commission.kind, EntityKind::Organization);
    for junk in ["Development", "Climate Change", "Co"] {
        assert!(named(&es, junk).is_none(), "{junk}: {es:#?}");
    }
}

#[test]
fn bodies_and_parties_that_speak_are_organisations() {
    let es = ents(&["The bill passed. The House said it would meet; later Democrats said no."]);
    assert_kinds(&es, &["House", "Democrats"], EntityKind::Organization);
}

#[test]
fn a_word_the_article_also_writes_in_lower_case_is_no_name() {
    let es = ents(&[
        "Attendees cheered. Quartiles were drawn. Later the attendees left.",
        "The quartiles told a story. Quantcast measured it (see quantcast.com).",
    ]);
    for word in ["Attendees", "Quartiles"] {
        assert!(named(&es, word).is_none(), "{word}: {es:#?}");
    }
    // A web address in lower case is not the word in prose.
    assert!(named(&es, "Quantcast").is_some(), "{es:#?}");
    // British spellings are English words too.
    let es = ents(&["Reports came in. Defence spending rose. Colour returned to the market."]);
    for word in ["Defence", "Colour"] {
        assert!(named(&es, word).is_none(), "{word}: {es:#?}");
    }
}

#[test]
fn a_name_followed_by_its_region_is_a_place() {
    // Cambridge and Eugene are also a surname and a given name, so no list has the towns.
    let es = ents(&[
        "He spoke at his office in Cambridge, Massachusetts. She grew up in Eugene, Oregon.",
    ]);
    for place in ["Cambridge", "Eugene"] {
        assert_eq!(
            kind_of(&es, place),
            Some(EntityKind::Place),
            "{place}: {es:#?}"
        );
    }
    // A dateline opens its field with the place.
    let es = ents(&["Preston, Victoria, Australia. On Saturday the team met."]);
    assert_eq!(kind_of(&es, "Preston"), Some(EntityKind::Place));
    // A list of names is no list of places.
    let es = ents(&["Speakers included Okafor, Jordan, and Lee."]);
    assert!(
        named(&es, "Okafor").is_none_or(|e| e.kind != EntityKind::Place),
        "{es:#?}"
    );
    // `Oregon's governor` goes on: the name is not in a region, it holds an office there.
    let es = ents(&["Asked again, Ms Cambridge, Oregon's governor, disagreed."]);
    assert_eq!(
        kind_of(&es, "Cambridge"),
        Some(EntityKind::Person),
        "{es:#?}"
    );
}

#[test]
fn places_by_their_english_spelling() {
    let es = ents(&[
        "Officials told reporters in Montreal and in The Hague; Montréal agreed.",
        "Ama Hansen, a lawyer in Frankfurt, flew on.",
    ]);
    let montreal = named(&es, "Montreal").expect("Montreal");
    assert_eq!((montreal.kind, montreal.count()), (EntityKind::Place, 2));
    assert!(named(&es, "Montréal").is_some_and(|e| e.name == "Montreal"));
    let hague = named(&es, "Hague").expect("The Hague");
    assert_eq!(
        (hague.name.as_str(), hague.kind),
        ("The Hague", EntityKind::Place)
    );
    assert_eq!(kind_of(&es, "Frankfurt"), Some(EntityKind::Place));
    // Ama is a town in Japan; before a surname it is a given name.
    assert_eq!(kind_of(&es, "Ama Hansen"), Some(EntityKind::Person));
}

#[test]
fn titles_are_stripped_and_cue_people() {
    let es = ents(&["President Okonkwo and Dr Halvorsen met Mr. Quist at the Central Bank."]);
    for n in ["Okonkwo", "Halvorsen", "Quist"] {
        assert_eq!(kind_of(&es, n), Some(EntityKind::Person), "{n}");
    }
    assert_eq!(kind_of(&es, "Central Bank"), Some(EntityKind::Organization));
}

#[test]
fn organisation_heads_and_tails() {
    let es = ents(&[
        "The Ministry of Fisheries and the Harbour Board spoke to Nordvik Shipping Inc and the \
         Green Valley Party.",
    ]);
    for n in [
        "Ministry of Fisheries",
        "Harbour Board",
        "Green Valley Party",
    ] {
        assert_eq!(
            kind_of(&es, n),
            Some(EntityKind::Organization),
            "{n} in {es:?}"
        );
    }
}

#[test]
fn demonyms_count_for_their_place() {
    let es = ents(&["Japanese officials visited Japan, and Japan’s minister agreed."]);
    let j = named(&es, "Japan").expect("Japan");
    assert_eq!(j.count(), 3);
    assert!(dateline::entities::is_demonym("Japanese"));
    assert!(!dateline::entities::is_demonym("Japan"));
}

#[test]
fn most_mentioned_first() {
    let es = ents(&["Chile and Peru. Peru again. Peru once more, and Chile."]);
    assert_eq!(es[0].name, "Peru");
}

#[test]
fn a_common_word_after_a_title_is_a_person_only_when_the_name_lists_know_it() {
    let es = ents(&[
        "She came from the Academy, Squadron Officer School and ROTC to attend.",
        "Officer Brown said no. \"It was fine\", Water said.",
        "Biden met President Xi, and Prime Minister Tusk met the Prince Series' owner.",
    ]);
    assert!(named(&es, "School").is_none(), "{es:?}");
    assert!(named(&es, "Series").is_none(), "{es:?}");
    // English words on no name list, but after a title they are names.
    assert_kinds(&es, &["Brown", "Water", "Xi", "Tusk"], EntityKind::Person);
}

#[test]
fn demonyms_and_regions_the_country_lists_lack_are_places() {
    let es = ents(&[
        "The Argentine State seized YPF. Farmers in Lombardy and Catalonia protested.",
        // Cities the generated list leaves out because their names are also English words.
        "A farmer in Shanghai said so, as did one in Bologna.",
        // The lists give the people of a place in the singular only.
        "Later Canadians, Iraqis, Indians and New Zealanders met.",
        "He sat on the UNESCO Slovenian National Commission.",
    ]);
    let argentina = named(&es, "Argentina").expect("Argentina");
    assert_eq!(argentina.kind, EntityKind::Place);
    assert!(argentina.aliases.iter().any(|a| a == "Argentine"));
    for place in [
        "Lombardy",
        "Catalonia",
        "Shanghai",
        "Bologna",
        "Canada",
        "Iraq",
        // Not the British Indian Ocean Territory, which the country data gives.
        "India",
        "New Zealand",
    ] {
        assert_eq!(kind_of(&es, place), Some(EntityKind::Place), "{place}");
    }
    assert_nobody(&es);
}

#[test]
fn a_captions_date_ends_the_place_before_it() {
    let es = ents(&[
        "A man gestures in Beijing, China February 4, 2024, in this photo.",
        "Theresa May spoke in Paris, France March 3, 2023.",
    ]);
    for place in ["China", "France", "Beijing", "Paris"] {
        assert_eq!(
            kind_of(&es, place),
            Some(EntityKind::Place),
            "{place} in {es:?}"
        );
    }
    assert!(
        !es.iter()
            .any(|e| e.name.contains("February") || e.name.contains("March")),
        "{es:?}"
    );
    // `May` is a name as well as a month.
    assert!(named(&es, "Theresa May").is_some(), "{es:?}");
}

#[test]
fn a_listed_name_that_is_an_everyday_word_opening_a_sentence_is_that_word() {
    let es = ents(&["Time is running out, he said. Orange rose."]);
    assert!(es.is_empty(), "{es:?}");
    // Mid-sentence, before `magazine`, or saying something, it is the name.
    let es = ents(&[
        "Time magazine named her. Total said profits fell.",
        "Later the Time editors and Orange met.",
    ]);
    for org in ["Time", "Total", "Orange"] {
        assert_eq!(
            kind_of(&es, org),
            Some(EntityKind::Organization),
            "{org} in {es:?}"
        );
    }
    assert_eq!(count_of(&es, "Time"), Some(2), "{es:?}");
}

#[test]
fn leagues_and_big_clubs_are_organisations() {
    let es = ents(&[
        "Napoli lead Serie A, while Real Madrid top La Liga.",
        "The Premier League and Formula One resumed.",
    ]);
    for org in [
        "Serie A",
        "Real Madrid",
        "La Liga",
        "Premier League",
        "Formula One",
    ] {
        assert_eq!(
            kind_of(&es, org),
            Some(EntityKind::Organization),
            "{org} in {es:?}"
        );
    }
    // `Premier` is also a title: the league is no person called League.
    assert!(named(&es, "League").is_none(), "{es:?}");
}

#[test]
fn a_word_ending_in_s_that_is_no_plural_is_no_group() {
    let es = ents(&["Warhol's Prince Series hangs there. Later the Democrats said no."]);
    assert!(named(&es, "Series").is_none(), "{es:?}");
    assert_eq!(kind_of(&es, "Democrats"), Some(EntityKind::Organization));
}

#[test]
fn names_shaped_like_things_are_no_people() {
    let es = ents(&[
        "Later, Space Shuttle Columbia flew and Windows XP crashed.",
        "Then Hurricane Katrina hit, Operation Barbarossa began and HMS Belfast sailed.",
        "Later PlayStation VR sold well, and Emmanuel MACRON spoke.",
        "She played the WTA Tour and saw the Jeff McBride Experience at the Midwest Magic Jubilee.",
        "Then Cyd Ho and AS Heagle met Lam Cheuk-ting and T C Phailin.",
        "Later, Mitt Romney, Newt Gingrich, General Mere Kowalski and Xi Jinping spoke.",
    ]);
    assert_kinds(
        &es,
        &[
            "Space Shuttle Columbia",
            "Windows XP",
            "Hurricane Katrina",
            "Operation Barbarossa",
            "HMS Belfast",
            "PlayStation VR",
            "WTA Tour",
            "Jeff McBride Experience",
            "Midwest Magic Jubilee",
        ],
        EntityKind::Other,
    );
    // One English word before a surname is a given name as often as not.
    assert_kinds(
        &es,
        &[
            "Cyd Ho",
            "AS Heagle",
            "Lam Cheuk-ting",
            "T C Phailin",
            "Mitt Romney",
            "Newt Gingrich",
            "Xi Jinping",
            "General Mere Kowalski",
            "Emmanuel MACRON",
        ],
        EntityKind::Person,
    );
}

#[test]
fn a_things_last_word_alone_does_not_make_it_a_person() {
    let es = ents(&["Later, Space Shuttle Atlantis flew, and Atlantis landed in Florida."]);
    let shuttle = named(&es, "Space Shuttle Atlantis").expect("the shuttle");
    // The lone `Atlantis` (a town in the lists) is the shuttle too.
    assert_eq!(
        (shuttle.kind, shuttle.count()),
        (EntityKind::Other, 2),
        "{es:?}"
    );
    assert_nobody(&es);
    // A given name alone after a storm's name is the storm.
    let es =
        ents(&["Later Hurricane Katrina hit. Katrina killed many, and Katrina's damage was vast."]);
    let storm = named(&es, "Hurricane Katrina").expect("the storm");
    assert_eq!(
        (storm.kind, storm.count()),
        (EntityKind::Other, 3),
        "{es:?}"
    );
    assert_nobody(&es);
}

#[test]
fn an_initial_before_a_sentence_opening_article_is_no_name() {
    let es = ents(&["A repetition of the statement by G. The technical term is repair."]);
    assert!(es.is_empty(), "{es:?}");
    // An `A` can close a name.
    let es = ents(&["Napoli are top of Serie A this year."]);
    assert!(named(&es, "Serie A").is_some(), "{es:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mentions_are_exact_slices(
        paras in prop::collection::vec(
            "([A-Z][a-z]{0,7}|[a-z]{1,6}|[A-Z]{2,4}|Japan’s|U\\.S\\.|EU|[’'“”\"(),.:;!?&-]|\\s|é|ß|日本){0,40}",
            1..4,
        ),
        title in "[A-Za-z’' .-]{0,30}",
    ) {
        let refs: Vec<&str> = paras.iter().map(String::as_str).collect();
        let a = article(&title, &refs);
        check_slices(&a);
    }
}

#[test]
fn a_surname_that_is_an_everyday_word_joins_the_person_named_in_full() {
    // `trump`, `macron` and `xi` are English words: alone they were dropped as such, so
    // `Trump said` counted nothing for Donald Trump.
    let es = ents(&[
        "Donald Trump met Emmanuel Macron and Xi Jinping in Paris on Monday.",
        "Trump said the talks went well, and Macron agreed. Xi said little.",
        "Later, officials said Trump left early. Macron’s plan was praised.",
    ]);
    assert_eq!(count_of(&es, "Donald Trump"), Some(3), "{es:?}");
    assert_eq!(count_of(&es, "Emmanuel Macron"), Some(3), "{es:?}");
    assert_eq!(count_of(&es, "Xi Jinping"), Some(2), "{es:?}");
    assert_eq!(kind_of(&es, "Trump"), Some(EntityKind::Person));
    // Nobody is `Trump` or `Macron` on their own.
    assert!(!es.iter().any(|e| e.name == "Trump" || e.name == "Macron"));
}

#[test]
fn an_everyday_word_in_capitals_names_no_one_without_a_full_name_to_join() {
    let es = ents(&[
        "Trump said nothing about the Internet, and the Bridge stayed shut.",
        "Then the Poet stood up. Tusk said more; Will the talks go on?",
    ]);
    assert_nobody(&es);
    for word in ["Trump", "Internet", "Bridge", "Poet", "Tusk", "Will"] {
        assert!(named(&es, word).is_none(), "{word}: {es:?}");
    }
}

#[test]
fn an_everyday_word_joins_no_name_as_a_word_or_without_a_cue_for_a_first_name() {
    let es = ents(&[
        "Donald Trump met Liz Truss, Summer Walker and Hope Hicks in Washington.",
        "He played the Trump card on a Truss bridge. In the Summer, Hope was fading.",
    ]);
    // `the Trump card`, `a Truss bridge`: the words; `Summer`, `Hope`: first names, uncued.
    assert_eq!(count_of(&es, "Donald Trump"), Some(1), "{es:?}");
    assert_eq!(count_of(&es, "Liz Truss"), Some(1), "{es:?}");
    assert_eq!(count_of(&es, "Summer Walker"), Some(1), "{es:?}");
    assert_eq!(count_of(&es, "Hope Hicks"), Some(1), "{es:?}");
}
