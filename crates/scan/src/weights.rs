//! The heuristics' weights and the severity thresholds, read from the embedded
//! `rules/scan/weights.txt` (see that file for the format).

use crate::family::Family;
use crate::heuristics::Heuristic;
use breachkit_finding::Severity;
use std::sync::LazyLock;

const SOURCE: &str = include_str!("../../../rules/scan/weights.txt");

/// What one heuristic adds to a file's score.
#[derive(Debug, Clone)]
pub(crate) struct Weight {
    pub score: u32,
    pub family: Family,
    pub description: &'static str,
}

#[derive(Debug)]
pub(crate) struct Weights {
    by_heuristic: Vec<Weight>,
    /// Lowest score of each reported severity, in increasing order.
    thresholds: Vec<(Severity, u32)>,
}

/// The embedded weights. The file ships in the binary and a unit test parses it,
/// so a malformed file cannot reach a release.
pub(crate) static WEIGHTS: LazyLock<Weights> =
    LazyLock::new(|| parse(SOURCE).unwrap_or_else(|e| panic!("rules/scan/weights.txt: {e}")));

impl Weights {
    pub fn of(&self, h: Heuristic) -> &Weight {
        &self.by_heuristic[h.index()]
    }

    /// The severity of a score; `None` below the lowest threshold (not reported).
    pub fn severity(&self, score: u32) -> Option<Severity> {
        self.thresholds
            .iter()
            .rev()
            .find(|(_, min)| score >= *min)
            .map(|(s, _)| *s)
    }

    /// The lowest score that is reported.
    pub fn report_floor(&self) -> u32 {
        self.thresholds.first().map_or(0, |(_, min)| *min)
    }
}

/// Takes the next whitespace-separated word off the front of `rest`.
fn word<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let t = rest.trim_start();
    let end = t.find(char::is_whitespace).unwrap_or(t.len());
    let (w, r) = t.split_at(end);
    *rest = r;
    (!w.is_empty()).then_some(w)
}

fn parse(text: &'static str) -> Result<Weights, String> {
    let mut found: Vec<Option<Weight>> = vec![None; Heuristic::ALL.len()];
    let mut thresholds = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |m: &str| format!("line {}: {m}", i + 1);
        let mut rest = line;
        let (Some(first), Some(second)) = (word(&mut rest), word(&mut rest)) else {
            return Err(err(
                "expected `severity LEVEL SCORE` or `ID WEIGHT FAMILY DESCRIPTION`",
            ));
        };
        if first == "severity" {
            let sev: Severity = second.parse().map_err(|_| err("unknown severity"))?;
            let min = word(&mut rest)
                .and_then(|w| w.parse().ok())
                .ok_or_else(|| err("severity needs a score"))?;
            thresholds.push((sev, min));
            continue;
        }
        let h = Heuristic::ALL
            .iter()
            .find(|h| h.id() == first)
            .ok_or_else(|| err("no such heuristic"))?;
        let score = second.parse().map_err(|_| err("weight is not a number"))?;
        let family = word(&mut rest)
            .and_then(Family::parse)
            .ok_or_else(|| err("unknown family"))?;
        let description = rest.trim();
        if description.is_empty() {
            return Err(err("missing description"));
        }
        found[h.index()] = Some(Weight {
            score,
            family,
            description,
        });
    }
    let by_heuristic = found
        .into_iter()
        .zip(Heuristic::ALL)
        .map(|(w, h)| w.ok_or_else(|| format!("no weight for heuristic {}", h.id())))
        .collect::<Result<Vec<_>, _>>()?;
    thresholds.sort_by_key(|(_, min)| *min);
    if thresholds.is_empty() {
        return Err("no severity thresholds".into());
    }
    Ok(Weights {
        by_heuristic,
        thresholds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_weights_cover_every_heuristic() {
        let w = parse(SOURCE).unwrap();
        assert_eq!(w.severity(0), None);
        assert_eq!(w.severity(19), None);
        assert_eq!(w.severity(20), Some(Severity::Low));
        assert_eq!(w.severity(45), Some(Severity::Medium));
        assert_eq!(w.severity(60), Some(Severity::High));
        assert_eq!(w.severity(250), Some(Severity::Critical));
        assert_eq!(w.report_floor(), 20);
        for h in Heuristic::ALL {
            assert!(w.of(h).score > 0, "{}", h.id());
        }
        assert!(parse("bogus 1 webshell x").is_err());
        assert!(parse("severity low 20\ndecoder-chain x webshell d").is_err());
    }
}
