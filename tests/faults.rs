//! Faults beyond `run`'s corpus of broken scenarios (tests/broken/): the other commands'
//! options and files. Each is refused with exit code 2 and one message naming the option or
//! file, the bad value and what is valid — and no command ever writes over its own input.

use crate::support::Fixture;

/// The base scenario of the broken corpus, with a seat cost for `plan` to price candidates.
fn base() -> Fixture {
    let fx = Fixture::copy_of("tests/broken/base");
    let mut toml = std::fs::read_to_string(fx.path("scenario.toml")).unwrap();
    toml += "\n[costs.primary]\nnew = 30000\nexpansion = 25000\n";
    std::fs::write(fx.path("scenario.toml"), toml).unwrap();
    fx
}

/// `calibrate` of the base scenario's primary stage, on a few trials.
const CALIBRATE: &str =
    "calibrate scenario.toml --stage primary --large-class-share 0.05 --trials 5";

/// Asserts that `args` are refused with every fragment of `expect` in one `error:` line, that
/// `out` was not created, and that every file of the fixture is as it was.
#[track_caller]
fn refused_untouched(fx: &Fixture, args: &[&str], expect: &[&str]) {
    let before = files(fx);
    let err = fx.refused(args);
    assert!(
        err.starts_with("error: ") && err.lines().count() == 1,
        "{err}"
    );
    for fragment in expect {
        assert!(err.contains(fragment), "missing `{fragment}`: {err}");
    }
    assert!(!fx.path("out").exists(), "{args:?} created out/");
    assert_eq!(before, files(fx), "{args:?} changed an input file");
}

/// Every file of the fixture's folder (recursively) and its bytes.
fn files(fx: &Fixture) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![fx.dir.path().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn plan_and_calibrate_never_write_a_scenario_over_its_own_files() {
    let fx = base();
    let plan = ["plan", "scenario.toml", "--trials", "5", "--out", "out"];
    refused_untouched(
        &fx,
        &[&plan[..], &["--write", "scenario.toml"]].concat(),
        &["--write scenario.toml: is one of the scenario's own input files"],
    );
    // The projects table beside `--write x.toml` is x-projects.csv: not over the pipeline.
    std::fs::rename(fx.path("projects.csv"), fx.path("x-projects.csv")).unwrap();
    let toml = std::fs::read_to_string(fx.path("scenario.toml")).unwrap();
    let toml = toml.replace("\"projects.csv\"", "\"x-projects.csv\"");
    std::fs::write(fx.path("scenario.toml"), toml).unwrap();
    refused_untouched(
        &fx,
        &[&plan[..], &["--write", "x.toml"]].concat(),
        &["--write x.toml: would write x-projects.csv, which is one of the scenario's own"],
    );
    std::fs::create_dir(fx.path("folder")).unwrap();
    refused_untouched(
        &fx,
        &[&plan[..], &["--write", "folder"]].concat(),
        &["--write folder: is a folder"],
    );
    let calibrate: Vec<&str> = CALIBRATE.split(' ').collect();
    refused_untouched(
        &fx,
        &[&calibrate[..], &["--write", "scenario.toml"]].concat(),
        &["--write scenario.toml: is one of the scenario's own input files"],
    );
    refused_untouched(
        &fx,
        &[&calibrate[..], &["--write", "folder"]].concat(),
        &["--write folder: is a folder"],
    );
}

#[test]
fn calibrate_refuses_a_stage_named_twice_instead_of_writing_broken_toml() {
    let fx = base();
    let args = CALIBRATE.replace("primary", "primary,junior,primary") + " --write out.toml";
    let args: Vec<&str> = args.split(' ').collect();
    refused_untouched(&fx, &args, &["--stage primary: given twice"]);
    assert!(!fx.path("out.toml").exists());
}

#[test]
fn merge_refuses_to_write_over_one_of_its_shards() {
    let fx = base();
    for (part, dir) in [("1/2", "s1"), ("2/2", "s2")] {
        let args = ["run", "scenario.toml", "--trials", "10", "--quiet"];
        fx.seatsim_ok(&[&args[..], &["--shard", part, "--out", dir]].concat());
    }
    for out in ["s2", "./s1/"] {
        refused_untouched(
            &fx,
            &["merge", "s1", "s2", "--out", out],
            &[
                &format!("--out {out}: is the shard folder"),
                "give a new folder",
            ],
        );
    }
}

#[test]
fn a_plan_that_builds_nothing_is_an_answer_not_a_failure() {
    let fx = base();
    std::fs::write(
        fx.path("c.csv"),
        "id,name,district,stage,kind,classes,earliest_year,latest_year,cost\n\
         c1,Centre primary,centre,primary,new,24,2023,2026,\n",
    )
    .unwrap();
    // A budget of no classes leaves the one candidate unbuilt.
    let args = ["plan", "scenario.toml", "--candidates", "c.csv", "--quiet"];
    let extra = ["--trials", "10", "--budget", "classes=0", "--out", "out"];
    fx.seatsim_ok(&[&args[..], &extra].concat());
    let plan = std::fs::read_to_string(fx.path("out/plan.csv")).unwrap();
    assert_eq!(plan.lines().count(), 1, "{plan}");
    assert!(fx.path("out/plan.html").exists());
    assert!(fx.path("out/plan_summary.csv").exists());
}

#[test]
fn plan_refuses_fresh_trials_that_are_the_trials_it_chose_on() {
    let fx = base();
    let plan = ["plan", "scenario.toml", "--trials", "5", "--out", "out"];
    for seeds in [
        &["--fresh-seed", "7"][..],
        &["--seed", "3", "--fresh-seed", "3"],
    ] {
        refused_untouched(
            &fx,
            &[&plan[..], seeds].concat(),
            &[
                "--fresh-seed",
                "the seed the plan is chosen on",
                "another seed",
            ],
        );
    }
}

#[test]
fn plot_of_a_damaged_run_folder_names_the_file_the_user_can_fix() {
    let fx = base();
    fx.run("scenario.toml", "r", &["--trials", "5"]);
    let summary = std::fs::read_to_string(fx.path("r/summary.csv")).unwrap();
    let (header, rows) = summary.split_once('\n').unwrap();
    let damaged = [
        (
            format!(
                "{header}\ncentre,primary,twenty,{}",
                rows.split_once(",primary,2020,").unwrap().1
            ),
            "error: r/summary.csv:2: column `year`",
        ),
        (
            "district;stage\n".to_string(),
            "error: r/summary.csv:1: header has no column `district`",
        ),
    ];
    for (text, expected) in damaged {
        std::fs::write(fx.path("r/summary.csv"), text).unwrap();
        let before = files(&fx);
        let err = fx.refused(&["plot", "r"]);
        assert!(err.starts_with(expected), "{err}");
        assert_eq!(before, files(&fx), "plot changed the damaged folder");
    }
}

#[test]
fn a_plan_of_a_projection_that_runs_away_is_refused_not_searched_forever() {
    let fx = base();
    std::fs::write(
        fx.path("runaway.toml"),
        "[scenario]\nextends = \"scenario.toml\"\n[migration]\nrate_scale = 100\ntrend = 100\n",
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_seatsim"))
        .args([
            "plan",
            "runaway.toml",
            "--trials",
            "10",
            "--out",
            "out",
            "--quiet",
        ])
        .current_dir(fx.dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed().as_secs() > 60 {
            child.kill().unwrap();
            panic!("plan of a runaway projection still searching after 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("demand of district"), "{err}");
    assert!(
        err.contains("beyond the ±1e9 seatsim summarises exactly"),
        "{err}"
    );
    assert!(!fx.path("out").exists());
}

#[test]
fn plan_budget_flags_are_bounded_as_plan_keys_are_and_given_once() {
    let fx = base();
    let plan = ["plan", "scenario.toml", "--trials", "5", "--out", "out"];
    let cases: [(&[&str], &str); 3] = [
        (
            &["--budget", "yuan=1e300"],
            "--budget yuan=1e300: the value must be a number ≥ 0 and at most 1e15",
        ),
        (
            &["--budget", "classes=inf"],
            "--budget classes=inf: the value must be a number ≥ 0 and at most 1e15",
        ),
        (
            &["--budget", "classes=600", "--budget", "classes=60"],
            "--budget classes=60: a second classes budget; give each kind once",
        ),
    ];
    for (flags, expected) in cases {
        refused_untouched(&fx, &[&plan[..], flags].concat(), &[expected]);
    }
}

#[test]
fn calibrate_writes_into_a_folder_it_makes_a_scenario_that_loads() {
    let fx = base();
    let args = format!("{CALIBRATE} --write new/folder/c.toml");
    fx.seatsim_ok(&args.split(' ').collect::<Vec<_>>());
    fx.seatsim_ok(&["check", "new/folder/c.toml"]);
}

#[test]
fn plot_of_a_run_folder_missing_a_table_is_bad_input_not_a_failure() {
    let fx = base();
    fx.run("scenario.toml", "r", &["--trials", "5"]);
    std::fs::remove_file(fx.path("r/risk.csv")).unwrap();
    let before = files(&fx);
    let err = fx.refused(&["plot", "r"]);
    assert!(err.starts_with("error: r/risk.csv: cannot read"), "{err}");
    assert_eq!(before, files(&fx), "plot changed the damaged folder");
}

#[test]
fn a_bad_command_line_gets_one_line_that_names_the_flag_and_what_is_valid() {
    let fx = base();
    let cases: [(&[&str], &[&str]); 5] = [
        (
            &["run", "scenario.toml", "--seed", "-1", "--out", "out"],
            &["'-1' for '--seed <SEED>'", "must be a whole number"],
        ),
        (
            &["run", "scenario.toml", "--trials", "1e3", "--out", "out"],
            &[
                "'1e3' for '--trials <TRIALS>'",
                "e.g. 2000",
                "seatsim run --help",
            ],
        ),
        (
            &["calibrate", "scenario.toml", "--stage", "primary"],
            &["--large-class-share", "not provided"],
        ),
        (
            &[
                "calibrate",
                "scenario.toml",
                "--stage",
                "primary",
                "--large-class-share",
                "-0.1",
            ],
            &["--large-class-share -0.1: must be a share in [0, 1)"],
        ),
        (
            &["runn", "scenario.toml"],
            &["unrecognized subcommand 'runn'", "'run'", "seatsim --help"],
        ),
    ];
    for (args, expect) in cases {
        refused_untouched(&fx, args, expect);
    }
}

#[test]
fn a_file_where_an_output_folder_should_be_is_refused_before_any_work() {
    let fx = base();
    std::fs::write(fx.path("f"), "mine").unwrap();
    let cases: [&[&str]; 3] = [
        &["compare", "scenario.toml", "scenario.toml", "--out", "f/x"],
        &["synth", "--units", "3", "--out", "f"],
        &["plan", "scenario.toml", "--trials", "5", "--out", "f"],
    ];
    for args in cases {
        let shown = args[args.len() - 1];
        refused_untouched(
            &fx,
            args,
            &[&format!("{shown}: "), "is a file, not a folder"],
        );
    }
    // --write is checked before the plan is searched or κ calibrated, not after.
    let plan = ["plan", "scenario.toml", "--trials", "5", "--out", "out"];
    let calibrate: Vec<&str> = CALIBRATE.split(' ').collect();
    for args in [&plan[..], &calibrate] {
        refused_untouched(
            &fx,
            &[args, &["--write", "f/x.toml"]].concat(),
            &["--write f/x.toml: is inside f, which is a file, not a folder"],
        );
    }
}

#[test]
fn trials_and_seed_with_deterministic_are_noted_and_change_nothing() {
    let fx = base();
    fx.seatsim_ok(&[
        "run",
        "scenario.toml",
        "--deterministic",
        "--no-plots",
        "--quiet",
        "--out",
        "plain",
    ]);
    let out = fx.seatsim_ok(&[
        "run",
        "scenario.toml",
        "--deterministic",
        "--trials",
        "50",
        "--seed",
        "3",
        "--no-plots",
        "--quiet",
        "--out",
        "seeded",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--trials and --seed have no effect with --deterministic"),
        "{err}"
    );
    for file in ["summary.csv", "risk.csv"] {
        let read = |dir: &str| std::fs::read(fx.path(dir).join(file)).unwrap();
        assert_eq!(read("plain"), read("seeded"), "{file}");
    }
}
