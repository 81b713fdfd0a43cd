//! `seatsim calibrate`: find a stage's dispersion κ from an observed large-class share, and
//! optionally write a scenario that uses it.

use std::io::Write;

use super::CalibrateArgs;
use crate::calibrate::calibrate;
use crate::report::write_atomic;
use crate::scenario::Scenario;
use crate::Error;

/// Runs `seatsim calibrate`.
pub fn run(args: &CalibrateArgs) -> Result<(), Error> {
    let s = Scenario::load(&args.scenario)?;
    let stage = s.stage_ix(&args.stage).ok_or_else(|| {
        let ids: Vec<_> = s.stages.iter().map(|st| st.id.as_str()).collect();
        Error::Usage(format!(
            "--stage {}: not a stage of the scenario ({})",
            args.stage,
            ids.join(", ")
        ))
    })?;
    let target = args.large_class_share;
    if !(0.0..1.0).contains(&target) {
        return Err(Error::Usage(format!(
            "--large-class-share {target}: must be a share in [0, 1), e.g. 0.0888"
        )));
    }
    if args.trials == 0 {
        return Err(Error::Usage("--trials 0: use at least 1 trial".into()));
    }
    let threads = super::threads(args.threads)?;
    let seed = args.seed.unwrap_or(s.seed);
    let c = calibrate(&s, stage, target, seed, args.trials, threads)
        .map_err(|e| Error::Usage(format!("stage {}: {e}", args.stage)))?;
    println!(
        "stage {}: dispersion κ = {:.4} gives a base-year large-class share of {:.4} (target {target:.4}) and a super-large share of {:.4} ({} trials, seed {seed})",
        args.stage, c.kappa, c.large_class_share, c.super_large_class_share, args.trials
    );
    if let Some(out) = &args.write {
        write_child(out, &args.scenario, &args.stage, c.kappa, target)?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// Writes a scenario that extends the calibrated one and sets only the stage's dispersion.
fn write_child(
    out: &std::path::Path,
    parent: &std::path::Path,
    stage: &str,
    kappa: f64,
    target: f64,
) -> Result<(), Error> {
    let parent = relative_to(parent, out.parent().unwrap_or(std::path::Path::new("")));
    write_atomic(out, |w| {
        writeln!(
            w,
            "# Written by `seatsim calibrate`: the dispersion of stage `{stage}` that reproduces"
        )?;
        writeln!(w, "# a base-year large-class share of {target}.")?;
        writeln!(w, "[scenario]\nextends = {}\n", toml::Value::String(parent))?;
        writeln!(w, "[stages.{stage}]\ndispersion = {kappa:.4}")
    })
}

/// `path` as seen from `dir` (absolute when no simple relative form exists).
fn relative_to(path: &std::path::Path, dir: &std::path::Path) -> String {
    let abs = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (path, dir) = (
        abs(path),
        abs(if dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            dir
        }),
    );
    path.strip_prefix(&dir)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}
