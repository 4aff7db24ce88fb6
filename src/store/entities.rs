//! Entities in the cache: one row per (name, kind) with running totals, the aliases each was
//! seen under, and per-article mention counts and spans. Answers the questions the sidebar and
//! the CLI ask: an article's entities, the most mentioned overall, every article that mentions
//! one, the entities seen beside one, and the articles related through shared entities.

use super::Store;
use crate::entities::gazetteer::{FastMap, FastSet};
use crate::error::Result;
use crate::model::{ArticleId, ArticleMeta, Entity, EntityKind, Field, Mention};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;

/// An entity across the whole cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntitySummary {
    pub name: String,
    pub kind: EntityKind,
    /// How many articles mention it.
    pub articles: usize,
    /// How many mentions in all (for `cooccurring`, articles shared with the given entity).
    pub mentions: usize,
}

/// An article that mentions an entity, with how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityArticle {
    pub article: ArticleMeta,
    pub mentions: usize,
}

fn field_code(f: Field) -> (u8, i64) {
    match f {
        Field::Title => (0, -1),
        Field::Standfirst => (1, -1),
        Field::Block(i) => (2, i as i64),
        Field::Credit(i) => (3, i as i64),
    }
}

fn field_from_code(code: u8, block: i64) -> Option<Field> {
    let b = usize::try_from(block).ok();
    match code {
        0 => Some(Field::Title),
        1 => Some(Field::Standfirst),
        2 => b.map(Field::Block),
        3 => b.map(Field::Credit),
        _ => None,
    }
}

/// Entity ids and aliases known to be in the file. Entities are never deleted, so an id
/// once seen stays valid, unless the bulk that created it is rolled back: then
/// [`KnownEntities::forget`] must be called.
/// Looked up once per entity link, so keyed for that: by kind, then by name as a `&str`
/// (no key to build), with a fast hash.
#[derive(Default)]
pub(crate) struct KnownEntities {
    /// Name to id, one map per kind (in [`EntityKind::ALL`] order).
    ids: [FastMap<String, i64>; 4],
    aliases: FastMap<i64, FastSet<String>>,
}

impl KnownEntities {
    /// Past this many entities the memo is dropped and rebuilt as it is used.
    const LIMIT: usize = 200_000;

    pub(crate) fn forget(&mut self) {
        self.ids.iter_mut().for_each(FastMap::clear);
        self.aliases.clear();
    }

    fn len(&self) -> usize {
        let ids: usize = self.ids.iter().map(FastMap::len).sum();
        ids.max(self.aliases.len())
    }

    fn ids_of(&mut self, kind: EntityKind) -> &mut FastMap<String, i64> {
        let slot = match kind {
            EntityKind::Person => 0,
            EntityKind::Organization => 1,
            EntityKind::Place => 2,
            EntityKind::Other => 3,
        };
        &mut self.ids[slot]
    }
}

/// Per-entity totals of a bulk write, added to the `entities` rows once when it commits:
/// updating an entity's row (and the `entities_top` index) for every article that mentions
/// it was most of the cost of storing an article.
#[derive(Default)]
pub(crate) struct EntityTotals(FastMap<i64, (i64, i64)>);

impl EntityTotals {
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// Adds the totals to the entities' rows (inside the bulk's transaction).
    pub(crate) fn apply(&mut self, tx: &Connection) -> Result<()> {
        let mut add = tx.prepare_cached(
            "UPDATE entities SET articles = articles + ?2, mentions = mentions + ?3 WHERE id = ?1",
        )?;
        for (id, (articles, mentions)) in self.0.drain() {
            add.execute(params![id, articles, mentions])?;
        }
        Ok(())
    }
}

/// Links an article to its entities. With `totals` (inside a bulk), the entities' running
/// totals are collected there to be applied at commit; without, they are applied now.
pub(super) fn insert_article_entities(
    tx: &Connection,
    article: i64,
    entities: &[Entity],
    encoded: Option<&[LinkText]>,
    known: &mut KnownEntities,
    totals: Option<&mut EntityTotals>,
) -> Result<()> {
    // Text made for other entities than these would be wrong: then it is made here.
    let encoded = encoded.filter(|l| l.len() == entities.len());
    if known.len() > KnownEntities::LIMIT {
        known.forget();
    }
    let mut own = EntityTotals::default();
    let (totals, apply_now) = match totals {
        Some(t) => (t, false),
        None => (&mut own, true),
    };
    let mut add_alias =
        tx.prepare_cached("INSERT OR IGNORE INTO entity_aliases(alias, entity_id) VALUES(?1, ?2)")?;
    let mut link = tx.prepare_cached(
        "INSERT INTO article_entities(article, entity_id, mentions, aliases, spans)
         VALUES(?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(article, entity_id) DO UPDATE SET mentions = mentions + excluded.mentions",
    )?;
    for (i, e) in entities.iter().enumerate() {
        if e.mentions.is_empty() {
            continue;
        }
        let mentions = e.mentions.len() as i64;
        let id = entity_id(tx, known, &e.name, e.kind)?;
        let t = totals.0.entry(id).or_default();
        t.0 += 1;
        t.1 += mentions;
        let seen = known.aliases.entry(id).or_default();
        for alias in std::iter::once(&e.name).chain(&e.aliases) {
            if !seen.contains(alias.as_str()) {
                add_alias.execute(params![alias, id])?;
                seen.insert(alias.clone());
            }
        }
        let made;
        let text = match encoded.and_then(|l| l.get(i)) {
            Some(t) => t,
            None => {
                made = LinkText::of(e);
                &made
            }
        };
        link.execute(params![article, id, mentions, text.aliases, text.spans])?;
    }
    if apply_now {
        totals.apply(tx)?;
    }
    Ok(())
}

/// An entity's aliases and mention spans in the form the cache stores them (JSON). Made by
/// the parse workers with the rest of [`super::Encoded`], so the writer only writes.
#[derive(Debug, Clone)]
pub struct LinkText {
    aliases: String,
    spans: String,
}

impl LinkText {
    /// Roughly the bytes of memory it holds.
    pub fn weight(&self) -> usize {
        std::mem::size_of::<LinkText>() + self.aliases.len() + self.spans.len()
    }

    pub fn of(e: &Entity) -> LinkText {
        let spans: Vec<(u8, i64, usize, usize)> = e
            .mentions
            .iter()
            .map(|m| {
                let (code, block) = field_code(m.field);
                (code, block, m.start, m.end)
            })
            .collect();
        LinkText {
            aliases: serde_json::to_string(&e.aliases).unwrap_or_else(|_| "[]".into()),
            spans: serde_json::to_string(&spans).unwrap_or_else(|_| "[]".into()),
        }
    }
}

/// The id of the entity row for (name, kind), created with zero totals if new.
fn entity_id(
    tx: &Connection,
    known: &mut KnownEntities,
    name: &str,
    kind: EntityKind,
) -> Result<i64> {
    if let Some(id) = known.ids_of(kind).get(name) {
        return Ok(*id);
    }
    let found: Option<i64> = tx
        .prepare_cached("SELECT id FROM entities WHERE name = ?1 AND kind = ?2")?
        .query_row(params![name, kind.as_str()], |r| r.get(0))
        .optional()?;
    let id = match found {
        Some(id) => id,
        None => {
            tx.prepare_cached(
                "INSERT INTO entities(name, kind, articles, mentions) VALUES(?1, ?2, 0, 0)",
            )?
            .execute(params![name, kind.as_str()])?;
            tx.last_insert_rowid()
        }
    };
    known.ids_of(kind).insert(name.to_string(), id);
    Ok(id)
}

pub(super) fn remove_article_entities(tx: &Connection, article: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE entities SET articles = entities.articles - 1,
         mentions = entities.mentions - ae.m
         FROM (SELECT entity_id, mentions AS m FROM article_entities WHERE article = ?1) AS ae
         WHERE entities.id = ae.entity_id",
    )?
    .execute([article])?;
    tx.prepare_cached("DELETE FROM article_entities WHERE article = ?1")?
        .execute([article])?;
    Ok(())
}

impl Store {
    /// One article's entities with their mentions (texts sliced from the stored article),
    /// most mentioned first.
    pub fn article_entities(&self, id: &ArticleId) -> Result<Vec<Entity>> {
        let Some(article) = self.article(id)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.name, e.kind, ae.aliases, ae.spans FROM article_entities ae
             JOIN entities e ON e.id = ae.entity_id
             JOIN articles a ON a.rowid = ae.article
             WHERE a.id = ?1 ORDER BY ae.mentions DESC, e.name",
        )?;
        let rows = stmt.query_map([id.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, kind, aliases, spans) = row?;
            let spans: Vec<(u8, i64, usize, usize)> =
                serde_json::from_str(&spans).unwrap_or_default();
            let mentions = spans
                .into_iter()
                .filter_map(|(code, block, start, end)| {
                    let field = field_from_code(code, block)?;
                    let text = article.field(field)?.get(start..end)?.to_string();
                    Some(Mention {
                        field,
                        start,
                        end,
                        text,
                    })
                })
                .collect();
            out.push(Entity {
                name,
                kind: EntityKind::parse(&kind).unwrap_or(EntityKind::Other),
                aliases: serde_json::from_str(&aliases).unwrap_or_default(),
                mentions,
            });
        }
        Ok(out)
    }

    /// The most mentioned entities across the cache, optionally of one kind.
    pub fn top_entities(
        &self,
        kind: Option<EntityKind>,
        limit: usize,
    ) -> Result<Vec<EntitySummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, kind, articles, mentions FROM entities
             WHERE articles > 0 AND (?1 IS NULL OR kind = ?1)
             ORDER BY mentions DESC, articles DESC, name LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![kind.map(|k| k.as_str()), limit as i64], summary_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Entities known by this name or alias (case-insensitive), most mentioned first.
    pub fn find_entities(&self, name: &str) -> Result<Vec<EntitySummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.name, e.kind, e.articles, e.mentions FROM entity_aliases al
             JOIN entities e ON e.id = al.entity_id
             WHERE al.alias = ?1 AND e.articles > 0 ORDER BY e.mentions DESC",
        )?;
        let rows = stmt.query_map([name], summary_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every article that mentions the entity (by name or alias), most mentions first.
    pub fn entity_articles(&self, name: &str, limit: Option<usize>) -> Result<Vec<EntityArticle>> {
        self.entity_articles_of(name, None, limit)
    }

    /// [`Store::entity_articles`] among entities of one kind only, when given: the place
    /// `Jordan` is not the person `Michael Jordan` that a lone `Jordan` also names.
    pub fn entity_articles_of(
        &self,
        name: &str,
        kind: Option<EntityKind>,
        limit: Option<usize>,
    ) -> Result<Vec<EntityArticle>> {
        let limit = limit.map(|l| l as i64).unwrap_or(-1);
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT al.entity_id FROM entity_aliases al
                 JOIN entities e ON e.id = al.entity_id
                 WHERE al.alias = ?1 AND (?2 IS NULL OR e.kind = ?2)",
            )?
            .query_map(params![name, kind.map(EntityKind::as_str)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let meta_columns = "a.id, a.title, a.section, a.published, a.source, a.read, a.starred";
        let key: rusqlite::types::Value = match ids.as_slice() {
            [] => return Ok(Vec::new()),
            [one] => (*one).into(),
            // A name shared by many entities (a common surname) with a limit: each entity's
            // best `limit` rows, from its index, hold the best `limit` articles overall.
            many if limit >= 0 => {
                let mut best: HashMap<i64, i64> = HashMap::new();
                let mut top = self.conn.prepare_cached(
                    "SELECT article, mentions FROM article_entities WHERE entity_id = ?1
                     ORDER BY mentions DESC, article DESC LIMIT ?2",
                )?;
                for id in many {
                    let rows = top.query_map(params![id, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    for row in rows {
                        let (article, mentions): (i64, i64) = row?;
                        let m = best.entry(article).or_default();
                        *m = (*m).max(mentions);
                    }
                }
                let mut ranked: Vec<(i64, i64)> = best.into_iter().collect();
                ranked.sort_by_key(|&(article, mentions)| std::cmp::Reverse((mentions, article)));
                ranked.truncate(limit as usize);
                let mut meta = self.conn.prepare_cached(&format!(
                    "SELECT {meta_columns} FROM articles a WHERE a.rowid = ?1"
                ))?;
                let mut out = Vec::with_capacity(ranked.len());
                for (article, mentions) in ranked {
                    if let Some(m) = meta
                        .query_row([article], super::articles::meta_from_row)
                        .optional()?
                    {
                        out.push(EntityArticle {
                            article: m,
                            mentions: mentions as usize,
                        });
                    }
                }
                return Ok(out);
            }
            many => serde_json::to_string(many).unwrap_or_default().into(),
        };
        // One entity (the usual case) walks its index in mention order and stops at the
        // limit; several are merged per article before any article row is read.
        let sql = if ids.len() == 1 {
            format!(
                "SELECT {meta_columns}, ae.mentions
                 FROM article_entities ae JOIN articles a ON a.rowid = ae.article
                 WHERE ae.entity_id = ?1 ORDER BY ae.mentions DESC, ae.article DESC LIMIT ?2"
            )
        } else {
            format!(
                "SELECT {meta_columns}, t.m FROM (
                     SELECT article, MAX(mentions) AS m FROM article_entities
                     WHERE entity_id IN (SELECT value FROM json_each(?1))
                     GROUP BY article ORDER BY m DESC, article DESC LIMIT ?2
                 ) t JOIN articles a ON a.rowid = t.article ORDER BY t.m DESC, t.article DESC"
            )
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![key, limit], |r| {
            Ok(EntityArticle {
                article: super::articles::meta_from_row(r)?,
                mentions: r.get::<_, i64>(7)? as usize,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Entities that appear in the same articles as this one, by how many articles they share.
    pub fn cooccurring(&self, name: &str, limit: usize) -> Result<Vec<EntitySummary>> {
        let mut stmt = self.conn.prepare_cached(
            "WITH target AS (SELECT DISTINCT entity_id FROM entity_aliases WHERE alias = ?1),
                  arts AS (SELECT DISTINCT article FROM article_entities
                           WHERE entity_id IN (SELECT entity_id FROM target))
             SELECT e.name, e.kind, e.articles, COUNT(*) AS shared
             FROM article_entities ae JOIN entities e ON e.id = ae.entity_id
             WHERE ae.article IN (SELECT article FROM arts)
               AND ae.entity_id NOT IN (SELECT entity_id FROM target)
             GROUP BY ae.entity_id ORDER BY shared DESC, e.mentions DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![name, limit as i64], summary_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Articles that share the most entities with this one; a shared entity counts for more
    /// the fewer articles mention it, so `United States` alone does not make two stories
    /// related.
    pub fn related(&self, id: &ArticleId, limit: usize) -> Result<Vec<(ArticleMeta, f64)>> {
        let mut stmt = self.conn.prepare_cached(
            "WITH mine AS (
                SELECT ae.entity_id, e.articles FROM article_entities ae
                JOIN entities e ON e.id = ae.entity_id
                JOIN articles a ON a.rowid = ae.article WHERE a.id = ?1 AND e.kind != 'other')
             SELECT a.id, a.title, a.section, a.published, a.source, a.read, a.starred,
                    SUM(1.0 / mine.articles) AS score
             FROM mine JOIN article_entities ae ON ae.entity_id = mine.entity_id
             JOIN articles a ON a.rowid = ae.article
             WHERE a.id != ?1
             GROUP BY a.rowid ORDER BY score DESC, a.sort_key DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id.as_str(), limit as i64], |r| {
            Ok((super::articles::meta_from_row(r)?, r.get::<_, f64>(7)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many distinct entities the cache knows (with at least one article).
    pub fn entity_count(&self) -> Result<usize> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM entities WHERE articles > 0",
            [],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }
}

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntitySummary> {
    Ok(EntitySummary {
        name: r.get(0)?,
        kind: EntityKind::parse(&r.get::<_, String>(1)?).unwrap_or(EntityKind::Other),
        articles: r.get::<_, i64>(2)? as usize,
        mentions: r.get::<_, i64>(3)? as usize,
    })
}
