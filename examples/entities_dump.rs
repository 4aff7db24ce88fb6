//! Prints the entities of one article file as JSON, most mentioned first: a quick way to see
//! what the extractor makes of a text.
//!
//! Usage: `cargo run --release --example entities_dump -- FILE`

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: entities_dump FILE"))?;
    let parsed = dateline::ingest::parse_file(std::path::Path::new(&path))?;
    for e in dateline::entities::extract(&parsed.article) {
        let texts: Vec<&str> = e.mentions.iter().map(|m| m.text.as_str()).collect();
        println!(
            "{:<12} {:<40} {:>3}  aliases={:?}  {:?}",
            e.kind.as_str(),
            e.name,
            e.count(),
            e.aliases,
            texts
        );
    }
    Ok(())
}
