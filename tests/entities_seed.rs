//! Seed acceptance: the bundled Japan–EU article against its fixture's `entities` block.

use dateline::entities::extract;
use dateline::ingest::text::parse_article;
use dateline::model::{Entity, EntityKind};
use serde_json::Value;

const ARTICLE: &str = include_str!("../assets/articles/00-japan-eu-security-partnership.txt");
const FIXTURE: &str = include_str!("fixtures/japan-eu-security-partnership.expected.json");

fn entities() -> Vec<Entity> {
    extract(&parse_article(ARTICLE, "seed"))
}

fn find<'a>(ents: &'a [Entity], name: &str) -> Option<&'a Entity> {
    ents.iter()
        .find(|e| e.name == name || e.aliases.iter().any(|a| a == name))
}

#[test]
fn must_have_entities_with_kind_and_mentions() {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    let ents = entities();
    for want in fixture["entities"]["must_have"]
        .as_array()
        .expect("must_have")
    {
        let name = want["name"].as_str().expect("name");
        let kind = EntityKind::parse(want["kind"].as_str().expect("kind")).expect("known kind");
        let e = find(&ents, name).unwrap_or_else(|| panic!("missing {name}"));
        assert_eq!(e.kind, kind, "kind of {name}");
        let min = want["min_mentions"].as_u64().unwrap_or(1) as usize;
        assert!(e.count() >= min, "{name}: {} mentions < {min}", e.count());
        for alias in want["also_matches"].as_array().into_iter().flatten() {
            let alias = alias.as_str().expect("alias");
            let same = find(&ents, alias).map(|x| &x.name);
            assert_eq!(same, Some(&e.name), "{alias} should be {name}");
        }
    }
}

#[test]
fn must_not_have_entities() {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    let ents = entities();
    for bad in fixture["entities"]["must_not_have"]
        .as_array()
        .expect("must_not_have")
    {
        let bad = bad.as_str().expect("string");
        assert!(find(&ents, bad).is_none(), "unexpected entity {bad}");
    }
}

#[test]
fn aliases_are_one_entity_each() {
    let ents = entities();
    for group in [
        &["Borrell", "Josep Borrell"][..],
        &["Iwaya", "Takeshi Iwaya"],
        &["EU", "European Union"],
        &["Japan", "Japanese", "Japan’s"],
    ] {
        let names: Vec<&str> = group
            .iter()
            .map(|s| s.trim_end_matches("’s"))
            .map(|s| find(&ents, s).map_or("?", |e| e.name.as_str()))
            .collect();
        assert!(
            names.iter().all(|n| *n != "?" && *n == names[0]),
            "{group:?} -> {names:?}"
        );
        let holders = ents
            .iter()
            .filter(|e| {
                group
                    .iter()
                    .any(|g| e.name == *g || e.aliases.iter().any(|a| a == g))
            })
            .count();
        assert_eq!(holders, 1, "{group:?} spread over {holders} entities");
    }
    // Japan’s is a mention of Japan whose text stops before the possessive.
    let japan = find(&ents, "Japan").expect("Japan");
    assert!(
        japan
            .mentions
            .iter()
            .all(|m| m.text == "Japan" || m.text == "Japanese")
    );
}

#[test]
fn mentions_slice_their_fields() {
    let article = parse_article(ARTICLE, "seed");
    for e in extract(&article) {
        for m in &e.mentions {
            let field = match m.field {
                dateline::model::Field::Title => article.title.as_str(),
                dateline::model::Field::Standfirst => article.standfirst.as_deref().unwrap_or(""),
                dateline::model::Field::Block(i) => article.blocks[i].text.as_str(),
                dateline::model::Field::Credit(i) => {
                    article.blocks[i].credit.as_deref().unwrap_or("")
                }
            };
            assert_eq!(field.get(m.start..m.end), Some(m.text.as_str()));
        }
    }
}
