//! The timeline chart as inline SVG: one lane per kind of event (first access,
//! webshell use, persistence, spam, other findings, the response), a UTC time axis
//! on top, a marker per event whose shape says the severity (so it reads in black
//! and white) and a label packed into the lane's rows so labels never overlap; an
//! event whose label finds no room keeps its marker and its tooltip (the event
//! table below the chart lists every event).

use super::escape::html as esc;
use super::timeline::{Event, Lane};
use breachkit_finding::Severity;
use std::fmt::Write;

const WIDTH: f64 = 1200.0;
const LEFT: f64 = 190.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 56.0;
const ROW: f64 = 18.0;
const LANE_PAD: f64 = 6.0;
/// Label rows in one lane at most.
const MAX_ROWS: usize = 6;
/// Estimated width of one label character at the label size (11px sans-serif).
const CHAR_W: f64 = 6.4;
const LEGEND: f64 = 46.0;

/// Tick steps in seconds, smallest first.
const STEPS: &[i64] = &[
    60,
    300,
    900,
    1800,
    3600,
    10_800,
    21_600,
    43_200,
    86_400,
    172_800,
    604_800,
    1_209_600,
    2_592_000,
    7_776_000,
    15_768_000,
    31_536_000,
    157_680_000,
    315_360_000,
];
const MAX_TICKS: i64 = 8;

/// A label placed in a lane.
struct Placed<'a> {
    event: &'a Event,
    x: f64,
    row: usize,
    /// Whether the label is drawn (false: no room) and whether it ends at the marker.
    label: bool,
    end_anchor: bool,
}

pub fn write(out: &mut String, events: &[Event]) -> std::fmt::Result {
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return Ok(());
    };
    let (mut t0, mut t1) = (first.time as f64, last.time as f64);
    if t1 - t0 < 60.0 {
        t0 -= 1800.0;
        t1 += 1800.0;
    }
    let pad = (t1 - t0) * 0.02;
    let (t0, t1) = (t0 - pad, t1 + pad);
    let x_of = |t: i64| LEFT + (t as f64 - t0) / (t1 - t0) * (WIDTH - LEFT - RIGHT);

    let mut lanes: Vec<(Lane, Vec<Placed<'_>>, usize)> = Vec::new();
    for lane in Lane::ALL {
        let placed = place(events.iter().filter(|e| e.lane == lane), &x_of);
        if !placed.is_empty() {
            let rows = placed.iter().map(|p| p.row + 1).max().unwrap_or(1);
            lanes.push((lane, placed, rows));
        }
    }
    let lanes_h: f64 = lanes
        .iter()
        .map(|(_, _, rows)| *rows as f64 * ROW + 2.0 * LANE_PAD)
        .sum();
    let height = TOP + lanes_h + LEGEND;
    writeln!(
        out,
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-label=\"Timeline of the case\" font-family=\"sans-serif\" font-size=\"11\">"
    )?;
    writeln!(
        out,
        "<text x=\"4\" y=\"14\" font-weight=\"bold\">UTC, {} to {}</text>",
        esc(&first.rfc3339()),
        esc(&last.rfc3339())
    )?;
    axis(out, t0, t1, &x_of, TOP + lanes_h)?;
    let mut y = TOP;
    for (lane, placed, rows) in &lanes {
        let h = *rows as f64 * ROW + 2.0 * LANE_PAD;
        writeln!(
            out,
            "<line x1=\"0\" y1=\"{y}\" x2=\"{WIDTH}\" y2=\"{y}\" stroke=\"#888\"/>\
             <text x=\"4\" y=\"{}\" font-weight=\"bold\">{}</text>",
            y + LANE_PAD + ROW * 0.7,
            esc(lane.title())
        )?;
        for p in placed {
            let cy = y + LANE_PAD + p.row as f64 * ROW + ROW / 2.0;
            marker(out, p, cy)?;
        }
        y += h;
    }
    writeln!(
        out,
        "<line x1=\"0\" y1=\"{y}\" x2=\"{WIDTH}\" y2=\"{y}\" stroke=\"#888\"/>"
    )?;
    legend(out, y + 24.0)?;
    writeln!(out, "</svg>")
}

/// Places a lane's events (in time order) in label rows, greedily: the first row
/// whose last label ends before this one begins.
fn place<'a>(
    events: impl Iterator<Item = &'a Event>,
    x_of: &impl Fn(i64) -> f64,
) -> Vec<Placed<'a>> {
    let mut ends: Vec<f64> = Vec::new();
    let mut placed = Vec::new();
    for event in events {
        let x = x_of(event.time);
        let w = event.label.chars().count() as f64 * CHAR_W + 10.0;
        let end_anchor = x + w > WIDTH - RIGHT;
        let (from, to) = if end_anchor {
            (x - w, x + 5.0)
        } else {
            (x - 5.0, x + w)
        };
        let free = ends.iter().position(|&end| end < from);
        let row = match free {
            Some(r) => Some(r),
            None if ends.len() < MAX_ROWS => {
                ends.push(f64::MIN);
                Some(ends.len() - 1)
            }
            None => None,
        };
        if let Some(r) = row
            && let Some(end) = ends.get_mut(r)
        {
            *end = to;
        }
        placed.push(Placed {
            event,
            x,
            row: row.unwrap_or(0),
            label: row.is_some(),
            end_anchor,
        });
    }
    placed
}

fn axis(
    out: &mut String,
    t0: f64,
    t1: f64,
    x_of: &impl Fn(i64) -> f64,
    bottom: f64,
) -> std::fmt::Result {
    let span = (t1 - t0).max(1.0);
    let step = STEPS
        .iter()
        .copied()
        .find(|&s| span / s as f64 <= MAX_TICKS as f64)
        .unwrap_or(315_360_000);
    let first = (t0 / step as f64).ceil() as i64;
    let format = if step < 86_400 {
        "%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    };
    for k in 0..=MAX_TICKS + 1 {
        let t = (first + k).saturating_mul(step);
        if t as f64 > t1 {
            break;
        }
        let x = x_of(t);
        let label = jiff::Timestamp::from_second(t)
            .map(|ts| ts.strftime(format).to_string())
            .unwrap_or_default();
        // Labels near the ends stay inside the picture.
        let anchor = if x > WIDTH - RIGHT - 40.0 {
            "end"
        } else if x < LEFT + 40.0 {
            "start"
        } else {
            "middle"
        };
        writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{bottom}\" stroke=\"#ccc\" stroke-dasharray=\"3,3\"/>\
             <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            TOP - 8.0,
            TOP - 12.0,
            esc(&label)
        )?;
    }
    Ok(())
}

/// Colour (a help, never the only sign) of a severity.
fn colour(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Critical) => "#8b0000",
        Some(Severity::High) => "#b00020",
        Some(Severity::Medium) => "#a66300",
        Some(Severity::Low) => "#1f4e8c",
        Some(Severity::Info) => "#555",
        None => "#222",
    }
}

/// The shape of a marker at (x, y): diamond critical, triangle high, filled circle
/// medium, hollow circle low and info, square for what the response did.
fn shape(out: &mut String, s: Option<Severity>, x: f64, y: f64) -> std::fmt::Result {
    let c = colour(s);
    match s {
        Some(Severity::Critical) => write!(
            out,
            "<polygon points=\"{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}\" fill=\"{c}\"/>",
            y - 6.0,
            x + 6.0,
            y + 6.0,
            x - 6.0
        ),
        Some(Severity::High) => write!(
            out,
            "<polygon points=\"{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{c}\"/>",
            y - 5.5,
            x + 5.5,
            y + 4.5,
            x - 5.5,
            y + 4.5
        ),
        Some(Severity::Medium) => write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"{c}\"/>"
        ),
        Some(Severity::Low | Severity::Info) => write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#fff\" stroke=\"{c}\" stroke-width=\"1.5\"/>"
        ),
        None => write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"{c}\"/>",
            x - 4.0,
            y - 4.0
        ),
    }
}

fn marker(out: &mut String, p: &Placed<'_>, y: f64) -> std::fmt::Result {
    let e = p.event;
    write!(
        out,
        "<g><title>{} {}: {}</title>",
        esc(&e.rfc3339()),
        esc(&e.label),
        esc(&e.detail)
    )?;
    shape(out, e.severity, p.x, y)?;
    if p.label {
        let (tx, anchor) = if p.end_anchor {
            (p.x - 8.0, "end")
        } else {
            (p.x + 8.0, "start")
        };
        write!(
            out,
            "<text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            y + 4.0,
            esc(&e.label)
        )?;
    }
    writeln!(out, "</g>")
}

fn legend(out: &mut String, y: f64) -> std::fmt::Result {
    let items: [(Option<Severity>, &str); 6] = [
        (Some(Severity::Critical), "critical"),
        (Some(Severity::High), "high"),
        (Some(Severity::Medium), "medium"),
        (Some(Severity::Low), "low"),
        (Some(Severity::Info), "info"),
        (None, "response (run, action, evidence)"),
    ];
    let mut x = LEFT;
    for (s, word) in items {
        shape(out, s, x, y)?;
        write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 9.0,
            y + 4.0,
            esc(word)
        )?;
        x += 30.0 + word.chars().count() as f64 * CHAR_W;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: i64, label: &str) -> Event {
        Event {
            time,
            lane: Lane::Execution,
            label: label.to_string(),
            detail: "<d>".to_string(),
            severity: Some(Severity::High),
        }
    }

    #[test]
    fn crowded_labels_take_rows_and_never_overlap() {
        let events: Vec<Event> = (0..20)
            .map(|i| event(1000 + i, "web.shell-command"))
            .collect();
        let x_of = |t: i64| LEFT + (t - 1000) as f64;
        let placed = place(events.iter(), &x_of);
        assert_eq!(placed.len(), 20, "every event keeps its marker");
        let labelled: Vec<&Placed<'_>> = placed.iter().filter(|p| p.label).collect();
        assert_eq!(labelled.len(), MAX_ROWS);
        let rows: std::collections::BTreeSet<usize> = labelled.iter().map(|p| p.row).collect();
        assert_eq!(rows.len(), MAX_ROWS, "one label per row when all overlap");
        // Far apart, they share the first row.
        let far: Vec<Event> = (0..3).map(|i| event(i * 400, "a")).collect();
        let placed = place(far.iter(), &|t: i64| LEFT + t as f64);
        assert!(placed.iter().all(|p| p.label && p.row == 0));
    }

    #[test]
    fn one_instant_and_hostile_details_draw_an_inert_chart() {
        let mut out = String::new();
        write(&mut out, &[event(1_714_990_000, "<script>x</script>")]).unwrap();
        assert!(out.starts_with("<svg") && out.trim_end().ends_with("</svg>"));
        assert!(!out.contains("<script") && !out.contains("<d>"), "{out}");
        assert!(out.contains("&lt;script&gt;x&lt;/script&gt;"));
    }
}
