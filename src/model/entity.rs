use serde::{Deserialize, Serialize};

/// The kinds the sidebar groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Place,
    Other,
}

impl EntityKind {
    pub const ALL: [EntityKind; 4] = [
        EntityKind::Person,
        EntityKind::Organization,
        EntityKind::Place,
        EntityKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Place => "place",
            EntityKind::Other => "other",
        }
    }

    /// Accepts the stored names and a few spellings people type (`org`, `organisation`, `loc`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "person" | "people" | "per" => EntityKind::Person,
            "organization" | "organisation" | "org" | "organizations" | "organisations" => {
                EntityKind::Organization
            }
            "place" | "places" | "loc" | "location" | "gpe" => EntityKind::Place,
            "other" | "misc" => EntityKind::Other,
            _ => return None,
        })
    }
}

/// Which text of an article a mention lies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Title,
    Standfirst,
    /// The text of body block N.
    Block(usize),
    /// The credit of caption block N.
    Credit(usize),
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Standfirst => "standfirst",
            Field::Block(_) => "block",
            Field::Credit(_) => "credit",
        }
    }

    pub fn block(self) -> Option<usize> {
        match self {
            Field::Block(i) | Field::Credit(i) => Some(i),
            _ => None,
        }
    }

    pub fn from_parts(name: &str, block: Option<usize>) -> Option<Self> {
        Some(match (name, block) {
            ("title", _) => Field::Title,
            ("standfirst", _) => Field::Standfirst,
            ("block", Some(i)) => Field::Block(i),
            ("credit", Some(i)) => Field::Credit(i),
            _ => return None,
        })
    }
}

/// One occurrence of an entity: bytes `start..end` of `field`, whose slice is `text`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mention {
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Serialised as `{"field","block","start","end","text"}`: the JSON contract of `extract`.
impl Serialize for Mention {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Mention", 5)?;
        st.serialize_field("field", self.field.name())?;
        st.serialize_field("block", &self.field.block())?;
        st.serialize_field("start", &self.start)?;
        st.serialize_field("end", &self.end)?;
        st.serialize_field("text", &self.text)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Mention {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            field: String,
            block: Option<usize>,
            start: usize,
            end: usize,
            text: String,
        }
        let raw = Raw::deserialize(d)?;
        let field = Field::from_parts(&raw.field, raw.block)
            .ok_or_else(|| serde::de::Error::custom(format!("bad mention field {}", raw.field)))?;
        Ok(Mention {
            field,
            start: raw.start,
            end: raw.end,
            text: raw.text,
        })
    }
}

/// An entity as found in one article: its canonical name, kind, the other names the text used
/// for it, and every mention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub name: String,
    pub kind: EntityKind,
    pub aliases: Vec<String>,
    pub mentions: Vec<Mention>,
}

impl Entity {
    pub fn count(&self) -> usize {
        self.mentions.len()
    }
}
