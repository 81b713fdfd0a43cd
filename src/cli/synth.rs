//! `seatsim synth`: a SYNTHETIC national-scale scenario (invented data) to try large and
//! sharded runs.
//!
//! Writes `<out>/national.toml` and `<out>/national/{districts,population,capacity,projects}.csv`
//! with a `SOURCES.md` that says what is invented, deterministically from `--seed`. Only the
//! orders of magnitude are realistic: about 12 million births in the base year shared over the
//! units (log-normal sizes), an age structure shaped like national births by year of birth,
//! school sizes typical of urban districts and rural counties, and a pipeline of new schools
//! where seats are short and closures where they are empty.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Normal};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::report::{create_dir, write_atomic};
use crate::Error;

/// Options of `seatsim synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Output folder; receives national.toml and national/.
    #[arg(long, default_value = "scenarios/synthetic")]
    pub out: PathBuf,
    /// Number of county-level units (China has about 2,800).
    #[arg(long, default_value_t = 2800, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub units: u32,
    /// Seed of the generator: the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Base year of the synthetic scenario.
const BASE_YEAR: i32 = 2020;
/// National births in the base year, shared out as if over [`NATIONAL_UNITS`] units.
const NATIONAL_BIRTHS: f64 = 12.0e6;
/// County-level units the national births are spread over.
const NATIONAL_UNITS: f64 = 2800.0;
/// Births (millions) by year of birth, 2020 back to 2003, rounded: the shape of every unit's
/// age structure at the end of the base year, age 0 first.
const COHORTS: [f64; 18] = [
    12.0, 14.65, 15.23, 17.23, 17.86, 16.55, 16.87, 16.40, 16.35, 16.04, 15.92, 15.91, 16.08,
    15.94, 15.85, 16.17, 15.93, 15.99,
];

/// A stage of the synthetic scenario and how its schools are sized.
struct StageSpec {
    id: &'static str,
    ages: [usize; 2],
    class_size: u32,
    dispersion: f64,
    /// Classes per school in an urban district and in a county.
    classes_per_school: [f64; 2],
    /// Gross enrolment in the base year and in 2025.
    enrolment: [f64; 2],
    /// Private share in the base year and in 2025.
    private_share: [f64; 2],
}

/// The four stages, with enrolment and private shares of national orders of magnitude.
const STAGES: [StageSpec; 4] = [
    StageSpec {
        id: "kindergarten",
        ages: [3, 5],
        class_size: 30,
        dispersion: 15.0,
        classes_per_school: [9.0, 6.0],
        enrolment: [0.85, 0.90],
        private_share: [0.45, 0.30],
    },
    StageSpec {
        id: "primary",
        ages: [6, 11],
        class_size: 45,
        dispersion: 25.0,
        classes_per_school: [24.0, 10.0],
        enrolment: [1.0, 1.0],
        private_share: [0.09, 0.05],
    },
    StageSpec {
        id: "junior",
        ages: [12, 14],
        class_size: 50,
        dispersion: 25.0,
        classes_per_school: [24.0, 18.0],
        enrolment: [1.0, 1.0],
        private_share: [0.13, 0.07],
    },
    StageSpec {
        id: "senior",
        ages: [15, 17],
        class_size: 50,
        dispersion: 30.0,
        classes_per_school: [36.0, 42.0],
        enrolment: [0.55, 0.60],
        private_share: [0.15, 0.15],
    },
];

/// One invented county-level unit.
struct Unit {
    id: String,
    urban: bool,
    births: f64,
    /// Share of migrant children.
    migrant_share: f64,
    rate_local: f64,
    rate_migrant: f64,
    inflow: f64,
    /// `(local, migrant)` children by age.
    population: Vec<(f64, f64)>,
    /// `(schools, classes)` by stage.
    capacity: Vec<(u32, u32)>,
    /// Project rows (`id,name,district,stage,kind,classes,planned_year`).
    projects: Vec<String>,
}

/// Runs `seatsim synth`.
pub fn synth(args: &SynthArgs) -> Result<(), Error> {
    crate::report::refuse_file_in_the_way(&args.out)?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(args.seed);
    let mut units: Vec<Unit> = (1..=args.units).map(|i| draw_unit(&mut rng, i)).collect();
    let scale = NATIONAL_BIRTHS * f64::from(args.units)
        / NATIONAL_UNITS
        / units.iter().map(|u| u.births).sum::<f64>();
    for u in &mut units {
        u.births *= scale;
        populate(&mut rng, u);
        build_schools(&mut rng, u);
    }
    write_files(&args.out, args, &units)?;
    say!(
        "SYNTHETIC scenario of {} invented units written to {}\n",
        args.units,
        args.out.join("national.toml").display()
    );
    Ok(())
}

/// A unit's kind, size (births before scaling) and migration rates.
fn draw_unit(rng: &mut Xoshiro256PlusPlus, i: u32) -> Unit {
    let urban = rng.random_bool(0.34);
    let migrant_share = if urban {
        rng.random_range(0.05..0.35)
    } else {
        rng.random_range(0.0..0.08)
    };
    let births = LogNormal::new(if urban { 8.4 } else { 7.9 }, 0.7)
        .expect("valid log-normal")
        .sample(rng);
    Unit {
        id: format!("u{i:05}"),
        urban,
        births,
        migrant_share,
        rate_local: if urban {
            rng.random_range(0.0..0.02)
        } else {
            rng.random_range(-0.03..0.0)
        },
        rate_migrant: rng.random_range(-0.02..0.03),
        inflow: 0.0,
        population: Vec::new(),
        capacity: Vec::new(),
        projects: Vec::new(),
    }
}

/// Children by age and origin from the unit's births, and migrant children arriving per year.
fn populate(rng: &mut Xoshiro256PlusPlus, u: &mut Unit) {
    let share = u.migrant_share;
    let noise = Normal::new(0.0, 0.05).expect("valid normal");
    u.population = COHORTS
        .iter()
        .map(|c| {
            let n = u.births * c / COHORTS[0] * f64::exp(noise.sample(rng));
            (n * (1.0 - share), n * share)
        })
        .collect();
    u.inflow = u.births * share * rng.random_range(0.05..0.15);
}

/// Existing schools sized to base-year demand at a drawn utilization, and the pipeline.
fn build_schools(rng: &mut Xoshiro256PlusPlus, u: &mut Unit) {
    let kind = usize::from(!u.urban);
    let utilization = Normal::new(if u.urban { 1.02 } else { 0.88 }, 0.12).expect("valid");
    for st in &STAGES {
        let pupils: f64 = u.population[st.ages[0]..=st.ages[1]]
            .iter()
            .map(|(l, m)| l + m)
            .sum();
        let demand = pupils * st.enrolment[0] * (1.0 - st.private_share[0]);
        let util = f64::clamp(utilization.sample(rng), 0.6, 1.3);
        let classes = ((demand / (f64::from(st.class_size) * util)).ceil() as u32).max(1);
        let per_school = st.classes_per_school[kind];
        let schools = ((f64::from(classes) / per_school).round() as u32).clamp(1, classes);
        u.capacity.push((schools, classes));
        let project = plan(rng, util, per_school, classes, u.urban);
        if let Some((kind, n, year)) = project {
            u.projects.push(format!(
                "{id}-{st}-{kind},Synthetic {kind} {st} {id},{id},{st},{kind},{n},{year}",
                id = u.id,
                st = st.id
            ));
        }
    }
}

/// At most one project for a unit's stage: a new school where seats are short, an expansion
/// now and then, a closure in a county where schools are half empty.
fn plan(
    rng: &mut Xoshiro256PlusPlus,
    util: f64,
    per_school: f64,
    classes: u32,
    urban: bool,
) -> Option<(&'static str, u32, i32)> {
    let year = BASE_YEAR + rng.random_range(1..=5);
    let roll: f64 = rng.random();
    if util > 1.0 && roll < 0.7 {
        Some(("new", per_school.round().max(1.0) as u32, year))
    } else if util > 0.9 && roll < 0.3 {
        Some(("expansion", rng.random_range(3..=12), year))
    } else if !urban && util < 0.8 && roll < 0.4 {
        Some(("closure", (classes / 10).max(1), year))
    } else {
        None
    }
}

/// Writes the TOML file, its four tables and SOURCES.md.
fn write_files(out: &Path, args: &SynthArgs, units: &[Unit]) -> Result<(), Error> {
    let data = out.join("national");
    create_dir(&data)?;
    let text = |path: PathBuf, body: String| write_atomic(&path, |w| w.write_all(body.as_bytes()));
    text(out.join("national.toml"), scenario_toml(args))?;
    text(data.join("SOURCES.md"), sources(args))?;
    text(data.join("districts.csv"), districts_csv(units))?;
    text(data.join("population.csv"), population_csv(units))?;
    text(data.join("capacity.csv"), capacity_csv(units))?;
    text(data.join("projects.csv"), projects_csv(units))
}

/// `national.toml`: the model parameters, labelled synthetic.
fn scenario_toml(args: &SynthArgs) -> String {
    let mut t = format!(
        "# SYNTHETIC national-scale scenario written by `seatsim synth --units {u} --seed {s}`.\n\
         # Every unit and figure in it is invented; see national/SOURCES.md. Not data about any\n\
         # real place: use it to try large and sharded runs.\n\n\
         [scenario]\nname = \"SYNTHETIC national scale ({u} invented county-level units, seed {s})\"\n\
         base_year = {BASE_YEAR}\nhorizon = 2035\ntrials = 1000\nseed = {s}\n",
        u = args.units,
        s = args.seed
    );
    for st in &STAGES {
        t += &format!(
            "\n[stages.{}]\nages = [{}, {}]\nclass_size = {}\ndispersion = {:.1}\n",
            st.id, st.ages[0], st.ages[1], st.class_size, st.dispersion
        );
    }
    let path = |v: [f64; 2]| format!("{{ {BASE_YEAR} = {}, 2025 = {} }}", v[0], v[1]);
    t += "\n[enrolment]\n";
    STAGES
        .iter()
        .for_each(|st| t += &format!("{} = {}\n", st.id, path(st.enrolment)));
    t += "\n[private_share]\n";
    STAGES
        .iter()
        .for_each(|st| t += &format!("{} = {}\n", st.id, path(st.private_share)));
    t + MODEL_TOML
}

/// The model sections that do not depend on the generator's options.
const MODEL_TOML: &str = "
[standards]
large_class = 56
super_large_class = 66
underuse_threshold = 0.7

[births]
index = { 2020 = 1.0, 2021 = 0.89, 2022 = 0.80, 2023 = 0.75, 2025 = 0.72, 2035 = 0.65 }
sigma_city = 0.05
rho = 0.7
sigma_district = 0.04

[migration]
migrant_stay = 0.5
trend = { 2020 = 1.0, 2035 = 0.8 }
sigma = 0.15
rho = 0.6

[construction.delay]
on_time = 0.6
one_year = 0.25
two_years = 0.1
never = 0.05

[data]
districts = \"national/districts.csv\"
population = \"national/population.csv\"
capacity = \"national/capacity.csv\"
projects = \"national/projects.csv\"
";

/// `SOURCES.md`: what is invented and what only has a realistic order of magnitude.
fn sources(args: &SynthArgs) -> String {
    format!(
        "# SYNTHETIC data — not about any real place\n\n\
         Written by `seatsim synth --units {} --seed {}`. Every unit, name, figure and project is\n\
         drawn at random. Only orders of magnitude follow national figures, rounded: about 12\n\
         million births in {BASE_YEAR} shared over 2,800 county-level units; an age structure\n\
         shaped like births by year of birth 2003–{BASE_YEAR} (14–18 million a year); kindergarten\n\
         gross enrolment 85%, general senior high 55% of the cohort; private shares of 45%\n\
         (kindergarten), 9% (primary), 13% (junior), 15% (senior); urban districts with larger\n\
         schools and more migrant children than rural counties. Schools are sized to base-year\n\
         demand at a drawn utilization (mean 1.02 urban, 0.88 rural, sd 0.12).\n",
        args.units, args.seed
    )
}

fn districts_csv(units: &[Unit]) -> String {
    let mut t = String::from("id,name,births_base,rate_local,rate_migrant,inflow\n");
    for u in units {
        let kind = if u.urban { "district" } else { "county" };
        t += &format!(
            "{id},Synthetic {kind} {id},{:.0},{:.4},{:.4},{:.0}\n",
            u.births,
            u.rate_local,
            u.rate_migrant,
            u.inflow,
            id = u.id
        );
    }
    t
}

fn population_csv(units: &[Unit]) -> String {
    let mut t = String::from("district,age,local,migrant\n");
    for u in units {
        for (age, (local, migrant)) in u.population.iter().enumerate() {
            t += &format!("{},{age},{local:.0},{migrant:.0}\n", u.id);
        }
    }
    t
}

fn capacity_csv(units: &[Unit]) -> String {
    let mut t = String::from("district,stage,schools,classes\n");
    for u in units {
        for (st, (schools, classes)) in STAGES.iter().zip(&u.capacity) {
            t += &format!("{},{},{schools},{classes}\n", u.id, st.id);
        }
    }
    t
}

fn projects_csv(units: &[Unit]) -> String {
    let mut t = String::from("id,name,district,stage,kind,classes,planned_year\n");
    for row in units.iter().flat_map(|u| &u.projects) {
        t += row;
        t.push('\n');
    }
    t
}
