//! The HTML writer: one self-contained file (inline CSS, the timeline as inline SVG,
//! no script, no external asset; a Content-Security-Policy forbids loading any),
//! print-friendly and readable without colour (severities and the verdict are
//! words, chart markers differ by shape). Every string is escaped by
//! [`escape::html`].

use super::doc::{Block, Span, Tone};
use super::escape::html as esc;
use super::svg;
use std::fmt::Write;

const CSS: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #111; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #444; padding-bottom: .2em; margin-top: 2em; }
h4 { margin: 1.4em 0 .3em; }
code { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; background: #f2f2f2; padding: 0 .2em; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: 0 0 1em; }
dl.fields dt { font-weight: bold; } dl.fields dd { margin: 0; }
.callout { border: 3px solid #444; padding: .6em 1em; margin: 1em 0; }
.callout p { margin: .2em 0; } .callout p:first-child { font-size: 1.3em; }
.tone-bad { border-color: #b00020; background: #fdecee; } .tone-warn { border-color: #a66300; background: #fff6e5; }
.tone-good { border-color: #1b6e20; background: #edf7ee; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid #999; padding: .2em .4em; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
.sev { font-weight: bold; padding: 0 .3em; border: 1px solid currentColor; }
.sev-critical { color: #8b0000; } .sev-high { color: #b00020; } .sev-medium { color: #a66300; }
.sev-low { color: #1f4e8c; } .sev-info { color: #444; }
svg.timeline { width: 100%; height: auto; border: 1px solid #999; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2, h3, h4 { page-break-after: avoid; break-after: avoid; }
  tr, dl.fields, .callout, svg.timeline { page-break-inside: avoid; break-inside: avoid; }
  code { background: none; }
  .callout, .tone-bad, .tone-warn, .tone-good { background: none; }
}
";

pub fn write(doc: &[Block<'_>]) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    let title = doc
        .iter()
        .find_map(|b| match b {
            Block::Heading(1, t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("breachkit case report");
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(title)
    )?;
    for block in doc {
        match block {
            Block::Heading(level, text) => {
                let level = (*level).clamp(1, 6);
                writeln!(out, "<h{level}>{}</h{level}>", esc(text))?;
            }
            Block::Para(line) => writeln!(out, "<p>{}</p>", spans(line))?,
            Block::Callout(tone, lines) => {
                let class = match tone {
                    Tone::Bad => "tone-bad",
                    Tone::Warn => "tone-warn",
                    Tone::Good => "tone-good",
                };
                writeln!(out, "<div class=\"callout {class}\" role=\"status\">")?;
                for line in lines {
                    writeln!(out, "<p>{}</p>", spans(line))?;
                }
                writeln!(out, "</div>")?;
            }
            Block::Fields(fields) => {
                writeln!(out, "<dl class=\"fields\">")?;
                for (label, value) in fields {
                    writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(label), spans(value))?;
                }
                writeln!(out, "</dl>")?;
            }
            Block::Bullets(items) => {
                writeln!(out, "<ul>")?;
                for item in items {
                    writeln!(out, "<li>{}</li>", spans(item))?;
                }
                writeln!(out, "</ul>")?;
            }
            Block::Table { head, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for h in head.iter() {
                    write!(out, "<th scope=\"col\">{}</th>", esc(h))?;
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        write!(out, "<td>{}</td>", spans(cell))?;
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Chart(events) => svg::write(&mut out, events)?,
        }
    }
    out.push_str("</body>\n</html>\n");
    Ok(out)
}

fn spans(line: &[Span]) -> String {
    line.iter()
        .map(|s| match s {
            Span::Text(t) => esc(t),
            Span::Strong(t) => format!("<strong>{}</strong>", esc(t)),
            Span::Code(t) => format!("<code>{}</code>", esc(t)),
            Span::Severity(s) => format!(
                "<span class=\"sev sev-{}\">{}</span>",
                s.as_str(),
                s.as_str().to_uppercase()
            ),
        })
        .collect()
}
