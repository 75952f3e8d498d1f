//! The indicators as CSV (RFC 4180, CRLF): one indicator per row with its type,
//! value, first and last time seen, where (every place), the rules and a note. Every
//! cell goes through `csv_cell`: attacker strings neither act on a terminal nor
//! become spreadsheet formulas. Internal addresses are kept, with a note saying so.

use super::{Indicators, stix_time};
use breachkit_finding::csv_cell;
use std::io::{self, Write};

/// The most places one cell lists (a spreadsheet cell holds 32,767 characters).
const MAX_PLACES: usize = 50;
const HEADER: &str = "type,value,first_seen,last_seen,where,rules,note\r\n";

pub(super) fn write(ind: &Indicators, mut out: impl Write) -> io::Result<()> {
    out.write_all(HEADER.as_bytes())?;
    for i in &ind.items {
        let mut places: Vec<&str> = Vec::new();
        for s in &i.seen {
            if !places.contains(&s.place.as_str()) {
                places.push(&s.place);
            }
        }
        let more = places.len().saturating_sub(MAX_PLACES);
        places.truncate(MAX_PLACES);
        let more = (more > 0).then(|| format!("and {more} more"));
        places.extend(more.as_deref());
        let mut notes = Vec::new();
        if i.internal {
            notes
                .push("internal address (not globally routable): not for sharing as an attacker's");
        }
        if i.seen.iter().any(|s| s.run_time) {
            notes.push("seen where nothing tells the time (a file on disk): the time is the run's");
        }
        let cells = [
            i.kind.name().to_string(),
            i.value.clone(),
            i.first_seen().map(stix_time).unwrap_or_default(),
            i.last_seen().map(stix_time).unwrap_or_default(),
            places.join("; "),
            i.rules().join(" "),
            notes.join("; "),
        ];
        let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.write_all(row.join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    out.flush()
}
