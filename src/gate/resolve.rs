//! Which gate each metric has: the pack's, then `[gates]` of the config, then `--gate`,
//! each parsed and checked against its metric's kind and direction (a `total` of a rate, a
//! trend of event counts, a budget that cannot fail are refused with where they came from).

use std::collections::BTreeMap;

use super::{Clause, Gate, Stat};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::pack::{Better, Kind, Pack};

/// Gates per metric id: the pack's, then `[gates]` of the config, then `--gate`.
pub fn resolve(
    pack: &Pack,
    config: &Config,
    overrides: &[String],
) -> Result<BTreeMap<String, Gate>> {
    let mut texts: BTreeMap<String, (String, String)> = BTreeMap::new(); // id → (text, origin)
    for m in &pack.metrics {
        if let Some(g) = &m.gate {
            texts.insert(
                m.id.clone(),
                (g.clone(), format!("{} (metric {})", m.file.display(), m.id)),
            );
        }
    }
    let config_name = config
        .path
        .as_ref()
        .map_or("config".to_string(), |p| p.display().to_string());
    for (id, g) in &config.gates {
        if pack.get(id).is_none() {
            return Err(Error::input(format!(
                "{config_name}: [gates] names metric \"{id}\", which is not in the query pack (metrics: {})",
                pack.metric_ids()
            )));
        }
        texts.insert(
            id.clone(),
            (g.clone(), format!("{config_name} [gates] {id}")),
        );
    }
    let mut overridden: Vec<String> = Vec::new();
    for o in overrides {
        let Some((id, rule)) = o.split_once(':') else {
            return Err(Error::input(format!(
                "--gate '{o}': expected '<metric>: <rule>', e.g. 'throughput: regression <= 5%'"
            )));
        };
        let id = id.trim();
        if pack.get(id).is_none() {
            return Err(Error::input(format!(
                "--gate '{o}': no metric \"{id}\" in the query pack (metrics: {})",
                pack.metric_ids()
            )));
        }
        if overridden.iter().any(|x| x == id) {
            return Err(Error::input(format!(
                "--gate is given twice for \"{id}\": join the clauses with \"and\" in one --gate"
            )));
        }
        overridden.push(id.to_string());
        texts.insert(
            id.to_string(),
            (rule.trim().to_string(), format!("--gate '{o}'")),
        );
    }
    let mut gates = BTreeMap::new();
    for (id, (text, origin)) in texts {
        let Some(metric) = pack.get(&id) else {
            continue;
        };
        let g = super::parse(&text, &metric.unit)
            .map_err(|e| Error::input(format!("bad gate in {origin}: {e}")))?;
        // `total` adds events up; over a rate or a level it means nothing.
        if metric.kind == Kind::Series
            && g.clauses.iter().any(|c| {
                matches!(
                    c,
                    Clause::Absolute {
                        stat: Stat::Total,
                        ..
                    }
                )
            })
        {
            return Err(Error::input(format!(
                "bad gate in {origin}: total adds up events and applies to kind = \"count\" metrics; \"{id}\" is a level or a rate (use mean, max, p99, ...)"
            )));
        }
        // Shifts and trends are looked for in levels, not in event counts: such a clause
        // could never fail.
        if metric.kind == Kind::Count {
            if let Some(word) = g.clauses.iter().find_map(|c| match c {
                Clause::Shift { .. } => Some("shift"),
                Clause::Trend { .. } => Some("trend"),
                _ => None,
            }) {
                return Err(Error::input(format!(
                    "bad gate in {origin}: \"{id}\" counts events (kind = \"count\"); a {word} clause applies to series metrics only"
                )));
            }
        }
        // Higher is better: a budget of 100% lets the metric fall to zero and still pass.
        if metric.better == Better::Higher {
            if let Some(budget) = g.regression_budget().filter(|b| *b >= 1.0) {
                return Err(Error::input(format!(
                    "bad gate in {origin}: \"{id}\" is better when higher, so a regression budget of {}% can never fail \
                     (it allows a drop to zero); use a budget below 100%",
                    crate::units::number(budget * 100.0)
                )));
            }
        }
        gates.insert(id, g);
    }
    Ok(gates)
}
