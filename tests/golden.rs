//! The deterministic projection against hand calculations, value by value.
//!
//! `golden_*`: two districts, ages 0–4, a district stage and a city-wide stage, survival,
//! migration rates and inflow with an age profile and trend, senior-high return, enrolment and
//! private-share paths, and one project of each kind. Every expected number is written out as
//! the arithmetic of DESIGN §2, step by step, without calling the library.
//!
//! `grade_progression_*`: the classic cohort-survival (grade-progression ratio) projection.

use crate::support::{close, mean, read_summary, Fixture};

/// Shared with `tests/statistics.rs`.
pub(crate) const GOLDEN_TOML: &str = r#"
[scenario]
name = "golden"
base_year = 2020
horizon = 2022

[stages.early]
ages = [1, 2]
class_size = 10
[stages.late]
ages = [3, 4]
class_size = 10
catchment = "city"

[standards]
large_class = 12
super_large_class = 15

[enrolment]
late = { 2020 = 0.5, 2022 = 0.7 }
[private_share]
early = { 2020 = 0.2, 2021 = 0.1 }

[births]
index = { 2020 = 1.0, 2022 = 0.8 }
sigma_city = 0.3
sigma_district = 0.2

[demography]
survival = [0.9, 0.95, 1.0, 0.98, 1.0]

[migration]
migrant_stay = 0.5
trend = { 2020 = 1.0, 2022 = 0.5 }
age_profile = [1, 1, 2, 0, 0]
sigma = 0.4
rho = 0.5

[construction.delay]
on_time = 0.5
never = 0.5

[data]
districts = "districts.csv"
population = "population.csv"
capacity = "capacity.csv"
projects = "projects.csv"
"#;

/// Shared with `tests/housing.rs`.
pub(crate) const DISTRICTS: &str = "id,name,births_base,rate_local,rate_migrant,inflow
a,Alpha,100,0.1,-0.2,20
b,Beta,50,0,0.05,0
";

/// Shared with `tests/housing.rs`.
pub(crate) const POPULATION: &str = "district,age,local,migrant
a,0,100,10
a,1,80,20
a,2,60,20
a,3,40,10
a,4,30,10
b,0,50,0
b,1,40,5
b,2,30,5
b,3,20,5
b,4,10,0
";

/// Shared with `tests/housing.rs`.
pub(crate) const CAPACITY: &str = "district,stage,schools,classes
a,early,2,5
a,late,1,4
b,early,1,3
b,late,0,0
";

/// Shared with `tests/statistics.rs`.
pub(crate) const PROJECTS: &str = "id,name,district,stage,kind,classes,planned_year
nb,New school in B,b,early,new,2,2021
xa,Expansion in A,a,early,expansion,1,2022
ca,Closure in A,a,late,closure,2,2022
";

/// Population of one district: `[local, migrant]`, ages 0..=4.
type Pop = [[f64; 5]; 2];

/// The expected population, by hand (comments give the step of DESIGN §2.1).
fn hand_population() -> [[Pop; 2]; 3] {
    let a20: Pop = [
        [100.0, 80.0, 60.0, 40.0, 30.0],
        [10.0, 20.0, 20.0, 10.0, 10.0],
    ];
    let b20: Pop = [[50.0, 40.0, 30.0, 20.0, 10.0], [0.0, 5.0, 5.0, 5.0, 0.0]];
    // 2021: index(2021) = 0.9, trend(2021) = 0.75; profile = [0.25, 0.25, 0.5, 0, 0].
    // a local: births 100·0.9, ageing with survival; × (1 + 0.1·0.75).
    let g = 1.0 + 0.1 * 0.75;
    let a21_local = [
        90.0 * g,
        100.0 * 0.9 * g,
        80.0 * 0.95 * g,
        60.0 * 1.0 * g,
        40.0 * 0.98 * g,
    ];
    // a migrant: age 3 (first age of the oldest stage) halved; × (1 − 0.2·0.75); + 20·0.75·profile.
    let g = 1.0 - 0.2 * 0.75;
    let inflow = 20.0 * 0.75;
    let a21_migrant = [
        0.0 * g + inflow * 0.25,
        10.0 * 0.9 * g + inflow * 0.25,
        20.0 * 0.95 * g + inflow * 0.5,
        20.0 * 1.0 * 0.5 * g,
        10.0 * 0.98 * g,
    ];
    // b: rate_local 0; migrant × (1 + 0.05·0.75); no inflow.
    let b21_local = [50.0 * 0.9, 50.0 * 0.9, 40.0 * 0.95, 30.0 * 1.0, 20.0 * 0.98];
    let g = 1.0 + 0.05 * 0.75;
    let b21_migrant = [0.0, 0.0, 5.0 * 0.95 * g, 5.0 * 0.5 * g, 5.0 * 0.98 * g];
    // 2022: index 0.8, trend 0.5.
    let g = 1.0 + 0.1 * 0.5;
    let a22_local = [
        100.0 * 0.8 * g,
        a21_local[0] * 0.9 * g,
        a21_local[1] * 0.95 * g,
        a21_local[2] * 1.0 * g,
        a21_local[3] * 0.98 * g,
    ];
    let g = 1.0 - 0.2 * 0.5;
    let inflow = 20.0 * 0.5;
    let a22_migrant = [
        inflow * 0.25,
        a21_migrant[0] * 0.9 * g + inflow * 0.25,
        a21_migrant[1] * 0.95 * g + inflow * 0.5,
        a21_migrant[2] * 0.5 * g,
        a21_migrant[3] * 0.98 * g,
    ];
    let b22_local = [
        50.0 * 0.8,
        b21_local[0] * 0.9,
        b21_local[1] * 0.95,
        b21_local[2],
        b21_local[3] * 0.98,
    ];
    let g = 1.0 + 0.05 * 0.5;
    let b22_migrant = [
        0.0,
        b21_migrant[0] * 0.9 * g,
        b21_migrant[1] * 0.95 * g,
        b21_migrant[2] * 0.5 * g,
        b21_migrant[3] * 0.98 * g,
    ];
    [
        [a20, b20],
        [[a21_local, a21_migrant], [b21_local, b21_migrant]],
        [[a22_local, a22_migrant], [b22_local, b22_migrant]],
    ]
}

/// Children of ages `lo..=hi`: (all, migrant).
fn children(p: &Pop, lo: usize, hi: usize) -> (f64, f64) {
    let m: f64 = p[1][lo..=hi].iter().sum();
    (p[0][lo..=hi].iter().sum::<f64>() + m, m)
}

/// `Σ_i max(0, ⌈D·c_i/C / size⌉ − c_i)` with equal weights.
fn extra(demand: f64, schools: &[f64], size: f64) -> f64 {
    let total: f64 = schools.iter().sum();
    schools
        .iter()
        .map(|&c| ((demand * c / total / size).ceil() - c).max(0.0))
        .sum()
}

struct Expect {
    enrolled: f64,
    demand: f64,
    schools: Vec<f64>,
    migrant: f64,
    children: f64,
}

fn check_cell(s: &crate::support::Summary, d: &str, st: &str, y: i32, e: &Expect) {
    let cap = e.schools.iter().sum::<f64>() * 10.0;
    let m = |metric: &str| mean(s, d, st, y, metric);
    let what = |metric: &str| format!("{d} {st} {y} {metric}");
    let class_size = e.demand / e.schools.iter().sum::<f64>();
    close(m("enrolled"), e.enrolled, &what("enrolled"));
    close(m("demand"), e.demand, &what("demand"));
    close(m("capacity"), cap, &what("capacity"));
    close(
        m("shortfall"),
        (e.demand - cap).max(0.0),
        &what("shortfall"),
    );
    close(m("surplus"), (cap - e.demand).max(0.0), &what("surplus"));
    close(m("utilization"), e.demand / cap, &what("utilization"));
    close(
        m("large_class_share"),
        f64::from(u8::from(class_size >= 12.0)),
        &what("large"),
    );
    close(
        m("super_large_class_share"),
        f64::from(u8::from(class_size >= 15.0)),
        &what("super"),
    );
    close(
        m("extra_classes_needed"),
        extra(e.demand, &e.schools, 10.0),
        &what("extra"),
    );
    close(
        m("migrant_share"),
        e.migrant / e.children,
        &what("migrant_share"),
    );
}

#[test]
fn golden_deterministic_projection_matches_the_hand_calculation() {
    let f = Fixture::new(&[
        ("golden.toml", GOLDEN_TOML),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", CAPACITY),
        ("projects.csv", PROJECTS),
    ]);
    let out = f.run("golden.toml", "out", &["--deterministic"]);
    let s = read_summary(&out);
    let pop = hand_population();
    let private = [0.2, 0.1, 0.1];
    let late_enrol = [0.5, 0.6, 0.7];
    // Open classes: b gains a 2-class school in 2021; a's early pool gains 1 class in 2022
    // (6 over 2 schools = 3 + 3); a's late school loses 2 classes in 2022.
    let early_schools = [
        [vec![3.0, 2.0], vec![3.0]],
        [vec![3.0, 2.0], vec![3.0, 2.0]],
        [vec![3.0, 3.0], vec![3.0, 2.0]],
    ];
    let late_schools = [vec![4.0], vec![4.0], vec![2.0]];
    for (yi, year) in (2020..=2022).enumerate() {
        let mut all = Expect {
            enrolled: 0.0,
            demand: 0.0,
            schools: vec![],
            migrant: 0.0,
            children: 0.0,
        };
        for (di, d) in ["a", "b"].iter().enumerate() {
            let (n, m) = children(&pop[yi][di], 1, 2);
            let e = Expect {
                enrolled: n,
                demand: n * (1.0 - private[yi]),
                schools: early_schools[yi][di].clone(),
                migrant: m,
                children: n,
            };
            check_cell(&s, d, "early", year, &e);
            all.enrolled += e.enrolled;
            all.demand += e.demand;
            all.migrant += e.migrant;
            all.children += e.children;
        }
        // ALL for a district stage: sums of the districts' shortfalls and extra classes.
        let a_short = mean(&s, "a", "early", year, "shortfall");
        let b_short = mean(&s, "b", "early", year, "shortfall");
        close(
            mean(&s, "ALL", "early", year, "enrolled"),
            all.enrolled,
            "ALL early enrolled",
        );
        close(
            mean(&s, "ALL", "early", year, "shortfall"),
            a_short + b_short,
            "ALL early shortfall",
        );
        close(
            mean(&s, "ALL", "early", year, "migrant_share"),
            all.migrant / all.children,
            "ALL migrant",
        );
        // The city-wide stage pools both districts (b has no school of its own).
        let (na, ma) = children(&pop[yi][0], 3, 4);
        let (nb, mb) = children(&pop[yi][1], 3, 4);
        let enrolled = (na + nb) * late_enrol[yi];
        let late = Expect {
            enrolled,
            demand: enrolled,
            schools: late_schools[yi].clone(),
            migrant: ma + mb,
            children: na + nb,
        };
        check_cell(&s, "ALL", "late", year, &late);
        assert!(!s.contains_key(&("a".into(), "late".into(), year, "demand".into())));
    }
    // Spot values, fully by hand: 2020 a early = (80+60)+(20+20) = 180 pupils, 144 need a
    // public seat, 50 seats; its schools hold 86.4 and 57.6 pupils → 9−3 + 6−2 = 10 classes missing.
    close(mean(&s, "a", "early", 2020, "demand"), 144.0, "spot demand");
    close(
        mean(&s, "a", "early", 2020, "extra_classes_needed"),
        10.0,
        "spot extra",
    );
    close(
        mean(&s, "ALL", "late", 2020, "demand"),
        62.5,
        "spot late demand",
    );
    // One deterministic trial: no spread, every quantile is the value itself.
    for row in s.values().filter(|r| r.mean.is_some()) {
        assert_eq!(row.sd, Some(0.0));
        assert!(row.q.iter().all(|q| *q == row.mean), "{row:?}");
    }
}

#[test]
fn deterministic_mode_ignores_shocks_delays_and_dispersion() {
    let with_dispersion = GOLDEN_TOML.replace(
        "class_size = 10\n[stages.late]",
        "class_size = 10\ndispersion = 2.0\n[stages.late]",
    );
    let f = Fixture::new(&[
        ("golden.toml", &with_dispersion),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", CAPACITY),
        ("projects.csv", PROJECTS),
    ]);
    let s = read_summary(&f.run("golden.toml", "out", &["--deterministic"]));
    close(
        mean(&s, "a", "early", 2020, "extra_classes_needed"),
        10.0,
        "equal weights",
    );
    close(
        mean(&s, "b", "early", 2021, "capacity"),
        50.0,
        "project on time",
    );
}

/// Grade-progression worked example: enrolment by grade in the base year, grade-progression
/// ratios (GPR) from each grade to the next, and entrants as a births index. The classic method
/// projects grade g+1 next year as grade g this year × GPR_g.
#[test]
fn grade_progression_example_is_reproduced() {
    // Grades 1–6 are ages 6–11, one stage per grade, class size 1 so capacity plays no part.
    let grades = [320.0, 310.0, 305.0, 298.0, 290.0, 281.0];
    let gpr = [0.97, 0.99, 0.98, 0.995, 0.96];
    let entrants = [300.0, 290.0, 285.0]; // grade-1 entrants 2021, 2022, 2023
    let mut toml = String::from(
        "[scenario]\nbase_year = 2020\nhorizon = 2023\n[data]\ndistricts = \"d.csv\"\npopulation = \"p.csv\"\ncapacity = \"c.csv\"\n",
    );
    let mut cap = String::from("district,stage,schools,classes\n");
    for g in 1..=6 {
        toml += &format!(
            "[stages.g{g}]\nages = [{a}, {a}]\nclass_size = 1\n",
            a = g + 5
        );
        cap += &format!("x,g{g},1,1000\n");
    }
    // Entrants come through age 5 (a "birth" cohort of entrants one year ahead) with GPR 1.
    let mut survival = vec![1.0; 12];
    survival[6..11].copy_from_slice(&gpr);
    toml += &format!("[demography]\nsurvival = {survival:?}\n");
    // births_base · index(t) becomes age 0 in year t and grade 1 six years later; instead put
    // the entrants at age 5 in the base population and ages 0–4 so that they arrive in turn.
    let mut pop = String::from("district,age,local,migrant\n");
    for age in 0..=11 {
        let n = match age {
            3..=5 => entrants[5 - age],
            6..=11 => grades[age - 6],
            _ => 0.0,
        };
        pop += &format!("x,{age},{n},0\n");
    }
    let f = Fixture::new(&[
        ("gp.toml", &toml),
        (
            "d.csv",
            "id,name,births_base,rate_local,rate_migrant,inflow\nx,X,0,0,0,0\n",
        ),
        ("p.csv", &pop),
        ("c.csv", &cap),
    ]);
    let s = read_summary(&f.run("gp.toml", "out", &["--deterministic"]));
    // The projection table, computed the classic way.
    let mut table = vec![grades.to_vec()];
    for (t, &e) in entrants.iter().enumerate() {
        let prev = &table[t];
        let mut next = vec![e];
        next.extend((0..5).map(|g| prev[g] * gpr[g]));
        table.push(next);
    }
    for (t, row) in table.iter().enumerate() {
        for (g, &expected) in row.iter().enumerate() {
            let got = mean(&s, "x", &format!("g{}", g + 1), 2020 + t as i32, "enrolled");
            close(got, expected, &format!("grade {} in {}", g + 1, 2020 + t));
        }
    }
    // e.g. grade 6 in 2023 = 305 · 0.98 · 1.01 · 0.96 (grade 3 in 2020 moving up three grades).
    close(
        mean(&s, "x", "g6", 2023, "enrolled"),
        305.0 * 0.98 * 0.995 * 0.96,
        "grade 6, 2023",
    );
}

/// DESIGN §2: "the classes are split as evenly as possible over the schools" — with fewer
/// classes than schools, some schools hold none, and the pupils fill the classes there are.
#[test]
fn fewer_classes_than_schools_leave_some_schools_without_a_class() {
    let capacity = CAPACITY.replace("a,early,2,5", "a,early,3,2");
    let f = Fixture::new(&[
        ("golden.toml", GOLDEN_TOML),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", &capacity),
        ("projects.csv", PROJECTS),
    ]);
    let s = read_summary(&f.run("golden.toml", "out", &["--deterministic"]));
    let demand = mean(&s, "a", "early", 2020, "demand");
    // Two classes (schools 1 and 2 one each, school 3 none) of D/2 pupils each.
    let per_class = demand / 2.0;
    assert!(
        per_class >= 12.0,
        "the hand case needs large classes: {per_class}"
    );
    close(
        mean(&s, "a", "early", 2020, "capacity"),
        20.0,
        "2 classes of 10",
    );
    close(
        mean(&s, "a", "early", 2020, "large_class_share"),
        1.0,
        "both classes hold D/2 ≥ 12",
    );
    close(
        mean(&s, "a", "early", 2020, "extra_classes_needed"),
        2.0 * ((per_class / 10.0).ceil() - 1.0),
        "Σ over the two schools with a class; the third adds nothing",
    );
}
