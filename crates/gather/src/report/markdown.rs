//! The Markdown writer (GitHub-flavoured: tables), for tickets. Every string is
//! escaped by [`escape::markdown`]; the timeline chart is left out (its event table
//! holds the same).

use super::doc::{Block, Span};
use super::escape::markdown as esc;
use std::fmt::Write;

pub fn write(doc: &[Block<'_>]) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    for block in doc {
        match block {
            Block::Heading(level, title) => {
                let hashes = "#".repeat(usize::from((*level).clamp(1, 6)));
                writeln!(out, "{hashes} {}\n", esc(title))?;
            }
            Block::Para(line) => writeln!(out, "{}\n", spans(line))?,
            Block::Callout(_, lines) => {
                for line in lines {
                    writeln!(out, "> {}  ", spans(line))?;
                }
                out.push('\n');
            }
            Block::Fields(fields) => {
                for (label, value) in fields {
                    writeln!(out, "- **{}:** {}", esc(label), spans(value))?;
                }
                out.push('\n');
            }
            Block::Bullets(items) => {
                for item in items {
                    writeln!(out, "- {}", spans(item))?;
                }
                out.push('\n');
            }
            Block::Table { head, rows } => {
                let head: Vec<String> = head.iter().map(|h| esc(h)).collect();
                writeln!(out, "| {} |", head.join(" | "))?;
                writeln!(out, "|{}", " --- |".repeat(head.len()))?;
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| spans(c)).collect();
                    writeln!(out, "| {} |", cells.join(" | "))?;
                }
                out.push('\n');
            }
            Block::Chart(_) => {}
        }
    }
    Ok(out)
}

fn spans(line: &[Span]) -> String {
    line.iter()
        .map(|s| match s {
            Span::Text(t) | Span::Code(t) => esc(t),
            Span::Strong(t) => format!("**{}**", esc(t)),
            Span::Severity(s) => format!("**{}**", s.as_str().to_uppercase()),
        })
        .collect()
}
