//! `seatsim check`: validate a scenario and describe it, with its base-year figures.

use std::path::Path;

use crate::engine::{Draws, Engine, Place};
use crate::model::metrics::Metric;
use crate::report::csv::number;
use crate::scenario::{Catchment, DriftTarget, ProjectKind, Scenario};
use crate::Error;

/// Runs `seatsim check`.
pub fn check(path: &Path) -> Result<(), Error> {
    let s = Scenario::load(path)?;
    say!("{}", describe(&s));
    say!("{}", base_year_table(Engine::new(s)));
    Ok(())
}

fn describe(s: &Scenario) -> String {
    let mut out = format!(
        "{path}: valid\n  name      {name}\n  sha256    {sha}\n  years     {b} (base, observed) to {h}\n  trials    {t} (seed {seed})\n  districts {n}: {ids}\n",
        path = s.file.display(),
        name = s.name,
        sha = s.sha256,
        b = s.base_year,
        h = s.horizon,
        t = s.trials,
        seed = s.seed,
        n = s.districts.len(),
        ids = s.districts.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", "),
    );
    for st in &s.stages {
        let catchment = match st.catchment {
            Catchment::District => "district",
            Catchment::City => "city-wide",
        };
        let kappa = st.dispersion.map_or("none".to_string(), |k| k.to_string());
        let surge = st.surge.map_or(String::new(), |g| {
            format!(", surge up to {} × existing classes", g.extra_classes)
        });
        out += &format!(
            "  stage     {:<13} ages {}–{}, class size {}, dispersion κ {kappa}, {catchment} catchment{surge}\n",
            st.id, st.ages.start(), st.ages.end(), st.class_size
        );
    }
    let count = |k| s.projects.iter().filter(|p| p.kind == k).count();
    let classes = |k| {
        s.projects
            .iter()
            .filter(|p| p.kind == k)
            .map(|p| p.classes)
            .sum::<u32>()
    };
    out += &format!(
        "  projects  {} new schools (+{} classes), {} expansions (+{} classes), {} closures (−{} classes)\n",
        count(ProjectKind::New), classes(ProjectKind::New),
        count(ProjectKind::Expansion), classes(ProjectKind::Expansion),
        count(ProjectKind::Closure), classes(ProjectKind::Closure)
    );
    for table in &s.tables {
        out += &format!(
            "  table     {} (read as {})\n",
            table.path.display(),
            table.encoding
        );
    }
    if let Some(map) = &s.map {
        out += &format!(
            "  map       {} ({} features)\n",
            map.path.display(),
            map.features
        );
    }
    out += &uncertain_inputs(s);
    out += &drift_series(s);
    if let Some(note) = s.after_horizon_note() {
        out += &format!("  {note}\n");
    }
    out + &housing_needs(s)
}

/// A share or ratio as `check` shows it: three decimals, empty where undefined.
fn ratio(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "—".into()
    }
}

/// Per district with estates completing in the run: the children of each stage's ages they
/// bring (central values) per 100 dwellings, and per 1,000 residents when
/// `[housing] persons_per_dwelling` is given — the unit of the Chinese 千人指标 planning norms.
fn housing_needs(s: &Scenario) -> String {
    let h = &s.housing;
    if h.estates.is_empty() {
        return String::new();
    }
    let run = s.base_year + 1..=s.horizon;
    let later = h.estates.iter().filter(|e| e.completion_year > s.horizon);
    let mut out =
        format!(
        "  housing   {} estates ({} completing after {}, adding nothing); children join as {}\n",
        h.estates.len(),
        later.count(),
        s.horizon,
        if h.origin == crate::scenario::Origin::Local { "local" } else { "migrant" },
    );
    let unit = match h.persons_per_dwelling {
        Some(p) => format!("children per 1,000 residents ({p} per dwelling)"),
        None => "children per 100 dwellings".to_string(),
    };
    for (d, district) in s.districts.iter().enumerate() {
        let d = crate::scenario::DistrictIx(d);
        let per_stage: Vec<String> = (s.stages.iter())
            .map(|st| {
                let (children, dwellings) = h.arrivals(d, run.clone(), st.ages.clone());
                let per = match h.persons_per_dwelling {
                    Some(p) => 1000.0 * children / (dwellings * p),
                    None => 100.0 * children / dwellings,
                };
                format!("{} {:.1}", st.id, per)
            })
            .collect();
        let (_, dwellings) = h.arrivals(d, run.clone(), 0..=0);
        if dwellings > 0.0 {
            out += &format!(
                "  housing   {:<13} {dwellings:.0} dwellings {}–{}: {unit}: {}\n",
                district.id,
                run.start(),
                run.end(),
                per_stage.join(", ")
            );
        }
    }
    out
}

/// One line per uncertain input: its distribution, central value, reach (to 4 decimals: its
/// ends are extreme quantiles, not round numbers) and shared label.
fn uncertain_inputs(s: &Scenario) -> String {
    let short = |x: f64| number((x * 1e4).round() / 1e4);
    let mut out = String::new();
    for input in &s.inputs {
        let (lo, hi) = input.dist.reach();
        let shared = if input.label == input.key {
            String::new()
        } else {
            format!(", draw \"{}\"", input.label)
        };
        out += &format!(
            "  uncertain {}: {}; central {}, range {}–{}{shared}\n",
            input.key,
            input.dist,
            short(input.dist.central()),
            short(lo),
            short(hi),
        );
    }
    out
}

/// One line per `[drift]` series: its process and the sd it reaches by the horizon.
fn drift_series(s: &Scenario) -> String {
    let mut out = String::new();
    for d in &s.drift {
        let mut process = if d.rho == 1.0 {
            "random walk".to_string()
        } else {
            format!("AR(1) ρ {}", number(d.rho))
        };
        if d.target == DriftTarget::TrendLevel {
            process += " on the level, floored at 0";
        }
        let h = (s.horizon.0 - d.from.0) as u32;
        let sd = number((d.sd_after(h) * 1e4).round() / 1e4);
        out += &format!(
            "  drift     {}: {process}, σ {} a year from {}; sd {sd} by {}\n",
            d.key,
            number(d.sigma),
            d.from,
            s.horizon,
        );
    }
    out
}

/// City totals by stage in the base year, from the observed population and existing schools.
fn base_year_table(engine: Engine) -> String {
    let mut ws = engine.workspace();
    engine.run_trial(Draws::Central, &mut ws);
    let (s, layout) = (engine.scenario(), engine.layout());
    let mut out = format!(
        "\nBase year {} (city totals):\n  {:<13} {:>12} {:>12} {:>12} {:>11} {:>9}\n",
        s.base_year, "stage", "enrolled", "demand", "seats", "utilization", "migrant"
    );
    for (st, stage) in s.stages.iter().enumerate() {
        let row = layout
            .row(Place::All, crate::scenario::StageIx(st))
            .expect("ALL is reported");
        let at = layout.cell(row, 0) * Metric::COUNT;
        let v = |m: Metric| ws.values[at + Metric::ALL.iter().position(|&x| x == m).unwrap_or(0)];
        out += &format!(
            "  {:<13} {:>12.0} {:>12.0} {:>12.0} {:>11} {:>9}\n",
            stage.id,
            v(Metric::Enrolled),
            v(Metric::Demand),
            v(Metric::Capacity),
            ratio(v(Metric::Utilization)),
            ratio(v(Metric::MigrantShare)),
        );
    }
    out
}
