//! `seatsim calibrate`: find the popularity dispersion κ of one or more stages from an observed
//! base-year large-class share, and optionally write a scenario that uses it.

use std::io::Write;
use std::path::Path;

use super::CalibrateArgs;
use crate::calibrate::{calibrate, CalibrationError, Evaluations};
use crate::report::write_atomic;
use crate::scenario::{Scenario, StageIx};
use crate::Error;

/// Runs `seatsim calibrate`.
pub fn run(args: &CalibrateArgs) -> Result<(), Error> {
    let s = Scenario::load(&args.scenario)?;
    let stages = stage_ids(&s, &args.stage)?;
    if let Some(out) = &args.write {
        super::check_targets(&s, "--write", std::slice::from_ref(out))?;
    }
    let target = args.large_class_share;
    if !(0.0..1.0).contains(&target) {
        return Err(Error::Usage(format!(
            "--large-class-share {target}: must be a share in [0, 1), e.g. 0.0888"
        )));
    }
    // The same limits and Ctrl-C handling as every command that runs trials.
    let how = Evaluations {
        trials: super::limits::trials(Some(args.trials), args.trials)?,
        seed: args.seed.unwrap_or(s.seed),
        threads: super::limits::threads(args.threads)?,
        cancel: super::interrupted(),
    };
    let seed = how.seed;
    let names = args.stage.join(" + ");
    let c = calibrate(&s, &stages, target, how).map_err(|e| match e {
        CalibrationError::Interrupted => Error::Interrupted,
        e => Error::Usage(format!("{names}: {e}")),
    })?;
    say!(
        "{names}: dispersion κ = {:.4} gives a base-year large-class share of {:.4} (target {target:.4}) and a super-large share of {:.4} ({} trials, seed {seed})\n",
        c.kappa, c.large_class_share, c.super_large_class_share, args.trials
    );
    if let Some(out) = &args.write {
        let name = calibrated_name(&s.name, &args.stage);
        write_child(out, &args.scenario, &name, &args.stage, c.kappa, target)?;
        say!("wrote {} (scenario “{name}”)\n", out.display());
    }
    Ok(())
}

/// The stages named on the command line.
fn stage_ids(s: &Scenario, ids: &[String]) -> Result<Vec<StageIx>, Error> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            if ids[..i].contains(id) {
                return Err(Error::Usage(format!(
                    "--stage {id}: given twice; name each stage once"
                )));
            }
            s.stage_ix(id).ok_or_else(|| {
                let known: Vec<_> = s.stages.iter().map(|st| st.id.as_str()).collect();
                Error::Usage(format!(
                    "--stage {id}: not a stage of the scenario ({})",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// "<parent> — calibrated κ (primary + junior)": the name of a calibrated child scenario, so
/// that its runs do not pass for the parent's.
fn calibrated_name(parent: &str, stages: &[String]) -> String {
    format!("{parent} — calibrated κ ({})", stages.join(" + "))
}

/// Writes a scenario called `name` that extends the calibrated one and sets only the stages'
/// dispersion.
fn write_child(
    out: &Path,
    parent: &Path,
    name: &str,
    stages: &[String],
    kappa: f64,
    target: f64,
) -> Result<(), Error> {
    // Like `plan --write`: a folder that does not exist yet is made, not a failure after the
    // search.
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::report::create_dir(dir)?;
    }
    let parent = relative_to(parent, out.parent().unwrap_or(Path::new("")));
    write_atomic(out, |w| {
        writeln!(
            w,
            "# Written by `seatsim calibrate`: the dispersion of {} that reproduces",
            stages.join(" + ")
        )?;
        writeln!(w, "# a base-year large-class share of {target}.")?;
        writeln!(
            w,
            "[scenario]\nextends = {}\nname = {}",
            toml::Value::String(parent),
            toml::Value::String(name.to_string())
        )?;
        stages
            .iter()
            .try_for_each(|st| writeln!(w, "\n[stages.{st}]\ndispersion = {kappa:.4}"))
    })
}

/// `path` as seen from `dir` (absolute when no simple relative form exists).
fn relative_to(path: &Path, dir: &Path) -> String {
    let abs = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let (path, dir) = (abs(path), abs(dir));
    path.strip_prefix(&dir)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}
