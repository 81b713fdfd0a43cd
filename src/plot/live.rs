//! Charts of a run held in memory — a live what-if of `seatsim serve` — drawn by the very
//! figures of `report.html`: the run's `run.json`, `summary.csv` and `risk.csv` are written into
//! memory by `run`'s own writers, read back by the same [`Run`] a run folder is, and the district
//! map and the fan charts drawn from it as SVG text.

use std::path::{Path, PathBuf};

use super::data::Run;
use super::geo::Feature;
use super::output::{svg, Figure};
use super::{district_map, fan_chart, font, PlotError};
use crate::engine::{Accumulator, Engine};
use crate::report::csv::{write_risk, write_summary};
use crate::report::{RunJson, RunSettings};
use crate::scenario::Scenario;

/// What a live run is called in errors, in place of a run folder.
const NAME: &str = "what-if";

/// A scenario's district boundaries, parsed once for every live run's maps.
#[derive(Debug, Default)]
pub struct Boundaries(Vec<Feature>);

impl Boundaries {
    /// The boundaries of `s`'s map; none if it has no map.
    pub fn of(s: &Scenario) -> Result<Boundaries, PlotError> {
        let Some(map) = &s.map else {
            return Ok(Boundaries::default());
        };
        let invalid = |message: String| PlotError::Invalid {
            path: map.path.clone(),
            line: None,
            message,
        };
        let text = std::str::from_utf8(&map.bytes).map_err(|e| invalid(e.to_string()))?;
        crate::scenario::geojson::parse(text)
            .map(Boundaries)
            .map_err(invalid)
    }
}

/// A finished run's results in memory, ready to draw.
#[derive(Debug)]
pub struct LiveRun {
    run: Run,
}

impl LiveRun {
    /// The run of `engine` whose statistics are `stats`, run with `settings`.
    pub fn new(
        engine: &Engine,
        stats: &Accumulator,
        settings: &RunSettings,
    ) -> Result<LiveRun, PlotError> {
        font::register()?;
        let dir = Path::new(NAME);
        let unwritable = |name: &str| {
            let path = dir.join(name);
            move |source| PlotError::Write { path, source }
        };
        let mut summary = Vec::new();
        write_summary(&mut summary, engine, stats).map_err(unwritable("summary.csv"))?;
        let mut risk = Vec::new();
        write_risk(&mut risk, engine, stats).map_err(unwritable("risk.csv"))?;
        let settings = RunSettings {
            map_copied: engine.scenario().map.is_some(),
            ..settings.clone()
        };
        let info = serde_json::to_vec(&RunJson::new(engine.scenario(), &settings))
            .map_err(|e| unwritable("run.json")(e.into()))?;
        Ok(LiveRun {
            run: Run::from_memory(dir, &info, &summary, &risk)?,
        })
    }

    /// The district map of `stage` in its worst year, as SVG; `None` without boundaries or
    /// for a stage the run lacks.
    pub fn map_svg(&self, stage: &str, map: &Boundaries) -> Result<Option<String>, PlotError> {
        let info = self.run.info.stages.iter().find(|s| s.id == stage);
        match info {
            Some(stage) if !map.0.is_empty() => {
                drawn(&district_map(&self.run, stage, &map.0, None)).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The fan chart of `district` (or `ALL`) and `stage`, as SVG, with the median lines of
    /// `reference` (the unchanged scenario's run) beside it; `None` for a district-stage the run
    /// has no demand for.
    pub fn fan_svg(
        &self,
        district: &str,
        stage: &str,
        reference: Option<&LiveRun>,
    ) -> Result<Option<String>, PlotError> {
        let key = (district.to_string(), stage.to_string());
        fan_chart(&self.run, district, stage)
            .map(|mut chart| {
                chart.reference = reference.and_then(|r| r.run.trajectories.get(&key));
                drawn(&chart)
            })
            .transpose()
    }
}

/// The SVG text of `figure`.
fn drawn(figure: &impl Figure) -> Result<String, PlotError> {
    svg(figure).map_err(|message| PlotError::Draw {
        path: PathBuf::from(NAME).join(figure.stem() + ".svg"),
        message,
    })
}
