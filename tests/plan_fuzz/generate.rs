//! Random small planning problems from DESIGN §8's options: one to three districts, one or
//! two stages (the second sometimes city-wide), uneven popularity, admission caps, surge
//! classes, delays (per project too, and correlated), closures, a pipeline edited by
//! `[[changes]]`, priced or costed candidates, the pipeline kept, dropped or re-timed, and a
//! plan window narrower than the projection.

use std::fmt::Write;

/// A small deterministic generator (SplitMix64): the same seed, the same problem.
pub struct Rng(u64);

impl Rng {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5eed_5eed_5eed_5eed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A whole number in `lo..=hi`.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A multiple of `step` in `[lo, hi]`, so that the scenario prints it exactly.
    pub fn grid(&mut self, lo: f64, hi: f64, step: f64) -> f64 {
        let n = ((hi - lo) / step).round() as i64;
        let x = lo + step * self.int(0, n) as f64;
        (x * 1e6).round() / 1e6
    }
}

/// A stage of the problem.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Its id.
    pub id: String,
    /// Whether its catchment is the city.
    pub city: bool,
    /// Pupils per class.
    pub class_size: u32,
    /// Yuan per seat of a new school and of an expansion (`None`: no `[costs]`).
    pub costs: Option<(f64, f64)>,
}

/// Something the plan may build: a named candidate, or a re-timed pipeline project.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Project id (keys its draws).
    pub id: String,
    /// District id.
    pub district: String,
    /// Index into [`Problem::stages`].
    pub stage: usize,
    /// `new` or `expansion`.
    pub kind: &'static str,
    /// Classes it adds.
    pub classes: u32,
    /// Planned years it may take, already clipped to the plan window.
    pub window: (i32, i32),
    /// Cost in yuan, as the plan counts it.
    pub cost: f64,
    /// Its own delay profile `on_time, one_year, two_years, never`, if any.
    pub delay: Option<[f64; 4]>,
}

impl Choice {
    /// The `[[changes]] add` table that builds it in `year`.
    pub fn add_change(&self, stages: &[Stage], year: i32) -> String {
        let mut t = format!(
            "[[changes]]\nadd = {{ id = \"{}\", name = \"{}\", district = \"{}\", stage = \"{}\", kind = \"{}\", classes = {}, planned_year = {year}",
            self.id, self.id, self.district, stages[self.stage].id, self.kind, self.classes
        );
        if let Some([a, b, c, d]) = self.delay {
            write!(
                t,
                ", on_time = {a}, one_year = {b}, two_years = {c}, never = {d}"
            )
            .unwrap();
        }
        t + " }\n"
    }
}

/// What the plan does with the pipeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pipeline {
    /// Kept as it is.
    Keep,
    /// New schools and expansions left out.
    Drop,
    /// New schools and expansions become choices.
    Retime,
}

/// A generated problem: its files, and what brute force needs to know.
#[derive(Debug, Clone)]
pub struct Problem {
    /// `(file name, contents)`: `base.toml` (the data), `s.toml` (extends it with
    /// `[[changes]]`), the CSV tables, `candidates.csv`.
    pub files: Vec<(String, String)>,
    /// The stages.
    pub stages: Vec<Stage>,
    /// District ids.
    pub districts: Vec<String>,
    /// Base year and horizon.
    pub years: (i32, i32),
    /// `[plan] first_year, last_year`.
    pub window: (i32, i32),
    /// Every choice: the re-timed pipeline first (as the plan lists it), then the candidates.
    pub choices: Vec<Choice>,
    /// The pipeline after the changes: `(id, kind)` of each project.
    pub pipeline: Vec<(String, &'static str)>,
    /// What becomes of the pipeline.
    pub mode: Pipeline,
    /// Whether the mode is given by `--keep-pipeline` rather than `[plan] pipeline`.
    pub mode_flag: bool,
}

impl Problem {
    /// The number of portfolios: each choice unbuilt or in one year of its window.
    pub fn portfolios(&self) -> u64 {
        let options = |c: &Choice| (c.window.1 - c.window.0 + 2) as u64;
        self.choices.iter().map(options).product()
    }

    /// The `[[changes]]` that turn `s.toml`'s pipeline into the one building `picks`
    /// (`(choice, planned year)`): drop or re-time the pipeline as the mode says, then add.
    pub fn changes_building(&self, picks: &[(usize, i32)]) -> String {
        let mut t = String::new();
        if self.mode != Pipeline::Keep {
            for (id, kind) in &self.pipeline {
                if *kind != "closure" {
                    writeln!(t, "[[changes]]\ndrop = \"{id}\"").unwrap();
                }
            }
        }
        for &(c, year) in picks {
            t += &self.choices[c].add_change(&self.stages, year);
        }
        t
    }
}

/// A pipeline project before the changes.
struct Project {
    id: String,
    district: String,
    stage: usize,
    kind: &'static str,
    classes: u32,
    year: i32,
    delay: Option<[f64; 4]>,
}

/// A delay profile on a grid of tenths (sums to 1 exactly as printed).
fn delay_profile(rng: &mut Rng) -> [f64; 4] {
    let mut left = 10;
    let mut tenths = [0i64; 4];
    for slot in tenths.iter_mut().skip(1) {
        *slot = rng.int(0, left.min(3));
        left -= *slot;
    }
    tenths[0] = left;
    tenths.map(|t| t as f64 / 10.0)
}

/// The problem of `seed`, with at most `max_portfolios` portfolios.
pub fn problem(seed: u64, max_portfolios: u64) -> Problem {
    let mut attempt = 0;
    loop {
        let p = draw(seed, attempt);
        if p.portfolios() <= max_portfolios && !p.choices.is_empty() {
            return p;
        }
        attempt += 1;
    }
}

/// One draw of the problem of `seed` (attempt `attempt`, redrawn while too large).
fn draw(seed: u64, attempt: u64) -> Problem {
    let rng = &mut Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(attempt));
    let base = 2020;
    let horizon = base + rng.int(2, 4) as i32;
    let n_districts = rng.int(1, 3) as usize;
    let districts: Vec<String> = (0..n_districts).map(|i| format!("d{i}")).collect();
    let stages = stages(rng);
    let first = base + 1 + rng.int(0, i64::from(horizon - base - 1).min(1)) as i32;
    let last = if rng.chance(0.3) {
        first + rng.int(0, i64::from(horizon - first)) as i32
    } else {
        horizon
    };
    let mut files = vec![("districts.csv".to_string(), districts_csv(rng, &districts))];
    files.push((
        "population.csv".into(),
        population_csv(rng, &districts, &stages),
    ));
    let (capacity, schools) = capacity_csv(rng, &districts, &stages);
    files.push(("capacity.csv".into(), capacity));
    let city = City {
        districts: &districts,
        stages: &stages,
        schools: &schools,
    };
    let projects = pipeline(rng, &city, (base, horizon));
    files.push(("projects.csv".into(), projects_csv(&projects, &stages)));
    let (changes, kept) = changes(rng, projects, &districts, &stages, (base, horizon));
    let mode = match rng.int(0, 5) {
        0 => Pipeline::Drop,
        1 | 2 if !kept.is_empty() => Pipeline::Retime,
        _ => Pipeline::Keep,
    };
    let mode_flag = rng.chance(0.5);
    let mut choices = Vec::new();
    if mode == Pipeline::Retime {
        choices.extend(kept.iter().filter(|p| p.kind != "closure").map(|p| Choice {
            id: p.id.clone(),
            district: p.district.clone(),
            stage: p.stage,
            kind: p.kind,
            classes: p.classes,
            window: (first, last),
            cost: seat_cost(&stages[p.stage], p.kind).unwrap_or(0.0) * seats(&stages, p),
            delay: p.delay,
        }));
    }
    let (candidates, named) = candidates(rng, &city, (first, last), horizon);
    choices.extend(named);
    files.push(("candidates.csv".into(), candidates));
    files.push((
        "base.toml".into(),
        base_toml(rng, &stages, (base, horizon), (first, last)),
    ));
    let mode_key = match (mode_flag, mode) {
        (true, _) | (_, Pipeline::Keep) => String::new(),
        (false, Pipeline::Drop) => "[plan]\npipeline = \"drop\"\n".into(),
        (false, Pipeline::Retime) => "[plan]\npipeline = \"retime\"\n".into(),
    };
    let s = format!("[scenario]\nextends = \"base.toml\"\n{mode_key}{changes}");
    files.push(("s.toml".into(), s));
    Problem {
        files,
        stages,
        districts,
        years: (base, horizon),
        window: (first, last),
        choices,
        pipeline: kept.iter().map(|p| (p.id.clone(), p.kind)).collect(),
        mode,
        mode_flag,
    }
}

fn seats(stages: &[Stage], p: &Project) -> f64 {
    f64::from(p.classes) * f64::from(stages[p.stage].class_size)
}

fn seat_cost(stage: &Stage, kind: &str) -> Option<f64> {
    stage
        .costs
        .map(|(new, expansion)| if kind == "new" { new } else { expansion })
}

/// One or two stages; the second sometimes city-wide.
fn stages(rng: &mut Rng) -> Vec<Stage> {
    let n = rng.int(1, 2);
    (0..n)
        .map(|i| Stage {
            id: ["p", "s"][i as usize].into(),
            city: i == 1 && rng.chance(0.5),
            class_size: rng.int(5, 12) as u32,
            costs: rng
                .chance(0.7)
                .then(|| (rng.grid(1.0, 5.0, 1.0), rng.grid(1.0, 4.0, 1.0))),
        })
        .collect()
}

/// Ages of stage `i`: `p` takes ages 0–1, `s` age 2.
fn ages(i: usize) -> (u32, u32) {
    [(0, 1), (2, 2)][i]
}

fn districts_csv(rng: &mut Rng, districts: &[String]) -> String {
    let mut t = "id,name,births_base,rate_local,rate_migrant,inflow\n".to_string();
    for d in districts {
        let births = rng.int(40, 120);
        let inflow = if rng.chance(0.3) { rng.int(0, 10) } else { 0 };
        writeln!(t, "{d},{d},{births},0,0,{inflow}").unwrap();
    }
    t
}

fn population_csv(rng: &mut Rng, districts: &[String], stages: &[Stage]) -> String {
    let top = ages(stages.len() - 1).1;
    let mut t = "district,age,local,migrant\n".to_string();
    for d in districts {
        for age in 0..=top {
            writeln!(t, "{d},{age},{},{}", rng.int(40, 120), rng.int(0, 10)).unwrap();
        }
    }
    t
}

/// capacity.csv with classes near each district's demand; also the schools per
/// district × stage.
fn capacity_csv(rng: &mut Rng, districts: &[String], stages: &[Stage]) -> (String, Vec<Vec<u32>>) {
    let mut t = "district,stage,schools,classes\n".to_string();
    let mut schools = Vec::new();
    for d in districts {
        let mut row = Vec::new();
        for (i, st) in stages.iter().enumerate() {
            let (lo, hi) = ages(i);
            let pupils = 80.0 * f64::from(hi - lo + 1);
            let classes = (pupils * rng.grid(0.6, 1.1, 0.05) / f64::from(st.class_size)).round();
            let n = rng.int(1, 3).min(classes.max(1.0) as i64) as u32;
            let classes = (classes as u32).max(n);
            writeln!(t, "{d},{},{n},{classes}", st.id).unwrap();
            row.push(n);
        }
        schools.push(row);
    }
    (t, schools)
}

/// What projects are drawn in: districts, stages, and the schools of each district × stage.
struct City<'a> {
    districts: &'a [String],
    stages: &'a [Stage],
    schools: &'a [Vec<u32>],
}

/// Zero to three pipeline projects: new schools, expansions, closures.
fn pipeline(rng: &mut Rng, city: &City, (base, horizon): (i32, i32)) -> Vec<Project> {
    let City {
        districts,
        stages,
        schools,
    } = *city;
    let n = rng.int(0, 3);
    (0..n)
        .map(|i| {
            let d = rng.int(0, districts.len() as i64 - 1) as usize;
            let stage = rng.int(0, stages.len() as i64 - 1) as usize;
            let kind = match rng.int(0, 4) {
                0 if schools[d][stage] > 0 => "closure",
                1 | 2 if schools[d][stage] > 0 => "expansion",
                _ => "new",
            };
            Project {
                id: format!("p{i}"),
                district: districts[d].clone(),
                stage,
                kind,
                classes: if kind == "closure" {
                    1
                } else {
                    rng.int(1, 4) as u32
                },
                year: base + rng.int(1, i64::from(horizon - base)) as i32,
                delay: rng.chance(0.3).then(|| delay_profile(rng)),
            }
        })
        .collect()
}

fn projects_csv(projects: &[Project], stages: &[Stage]) -> String {
    let mut t =
        "id,name,district,stage,kind,classes,planned_year,on_time,one_year,two_years,never\n"
            .to_string();
    for p in projects {
        let delay = p
            .delay
            .map_or(",,,".into(), |d| d.map(|x| x.to_string()).join(","));
        let stage = &stages[p.stage].id;
        writeln!(
            t,
            "{},{},{},{stage},{},{},{},{delay}",
            p.id, p.id, p.district, p.kind, p.classes, p.year
        )
        .unwrap();
    }
    t
}

/// Up to two `[[changes]]` on the pipeline (drop, delay, resize, add); returns them and the
/// pipeline they leave.
fn changes(
    rng: &mut Rng,
    mut projects: Vec<Project>,
    districts: &[String],
    stages: &[Stage],
    (base, horizon): (i32, i32),
) -> (String, Vec<Project>) {
    let mut t = String::new();
    for k in 0..rng.int(0, 2) {
        let which = (!projects.is_empty()).then(|| rng.int(0, projects.len() as i64 - 1) as usize);
        match (rng.int(0, 3), which) {
            (0, Some(i)) => {
                writeln!(t, "[[changes]]\ndrop = \"{}\"", projects[i].id).unwrap();
                projects.remove(i);
            }
            (1, Some(i)) if projects[i].year < horizon => {
                let p = &mut projects[i];
                let years = rng.int(1, i64::from(horizon - p.year)) as i32;
                let years = if p.year - years > base && rng.chance(0.5) {
                    -years
                } else {
                    years
                };
                writeln!(t, "[[changes]]\ndelay = \"{}\"\nyears = {years}", p.id).unwrap();
                p.year += years;
            }
            (2, Some(i)) if projects[i].kind != "closure" => {
                let p = &mut projects[i];
                p.classes = rng.int(1, 5) as u32;
                writeln!(
                    t,
                    "[[changes]]\nresize = \"{}\"\nclasses = {}",
                    p.id, p.classes
                )
                .unwrap();
            }
            _ => {
                let p = Project {
                    id: format!("a{k}"),
                    district: districts[rng.int(0, districts.len() as i64 - 1) as usize].clone(),
                    stage: rng.int(0, stages.len() as i64 - 1) as usize,
                    kind: "new",
                    classes: rng.int(1, 4) as u32,
                    year: base + rng.int(1, i64::from(horizon - base)) as i32,
                    delay: None,
                };
                let stage = &stages[p.stage].id;
                writeln!(t, "[[changes]]\nadd = {{ id = \"{}\", name = \"{}\", district = \"{}\", stage = \"{stage}\", kind = \"new\", classes = {}, planned_year = {} }}", p.id, p.id, p.district, p.classes, p.year).unwrap();
                projects.push(p);
            }
        }
    }
    (t, projects)
}

/// One to five named candidates; returns candidates.csv and them as choices (windows
/// clipped to the plan's).
fn candidates(
    rng: &mut Rng,
    city: &City,
    (first, last): (i32, i32),
    horizon: i32,
) -> (String, Vec<Choice>) {
    let City {
        districts,
        stages,
        schools,
    } = *city;
    let mut t = "id,name,district,stage,kind,classes,earliest_year,latest_year,cost,on_time,one_year,two_years,never\n".to_string();
    let mut out = Vec::new();
    for i in 0..rng.int(1, 5) {
        let d = rng.int(0, districts.len() as i64 - 1) as usize;
        let stage = rng.int(0, stages.len() as i64 - 1) as usize;
        let kind = if schools[d][stage] > 0 && rng.chance(0.4) {
            "expansion"
        } else {
            "new"
        };
        let classes = rng.int(1, 5) as u32;
        // Windows may reach beyond the plan's; they are clipped to it.
        let lo = (first + rng.int(-1, i64::from(last - first)) as i32).max(2021);
        let hi = (lo.max(first) + rng.int(0, 2) as i32)
            .min(last + 1)
            .min(horizon);
        let seats = f64::from(classes) * f64::from(stages[stage].class_size);
        let priced = seat_cost(&stages[stage], kind);
        let cost = match priced {
            Some(per_seat) if rng.chance(0.5) => (None, per_seat * seats),
            _ => {
                let c = rng.grid(10.0, 100.0, 5.0);
                (Some(c), c)
            }
        };
        let delay = rng.chance(0.3).then(|| delay_profile(rng));
        let id = format!("c{i}");
        let cost_col = cost.0.map_or(String::new(), |c| c.to_string());
        let delay_cols = delay.map_or(",,,".into(), |d| d.map(|x| x.to_string()).join(","));
        writeln!(
            t,
            "{id},{id},{},{},{kind},{classes},{lo},{hi},{cost_col},{delay_cols}",
            districts[d], stages[stage].id
        )
        .unwrap();
        out.push(Choice {
            id,
            district: districts[d].clone(),
            stage,
            kind,
            classes,
            window: (lo.max(first), hi.min(last)),
            cost: cost.1,
            delay,
        });
    }
    (t, out)
}

/// The scenario's keys: stages (popularity, caps, surge), births, delays, standards, costs.
fn base_toml(
    rng: &mut Rng,
    stages: &[Stage],
    (base, horizon): (i32, i32),
    (first, last): (i32, i32),
) -> String {
    // A few trials now and then: probabilities of 0 or 1, ties everywhere.
    let trials = if rng.chance(0.1) {
        rng.int(1, 5)
    } else {
        rng.int(30, 80)
    };
    let seed = rng.int(0, 1000);
    let mut t = format!(
        "[scenario]\nname = \"fuzz\"\nbase_year = {base}\nhorizon = {horizon}\ntrials = {trials}\nseed = {seed}\n\n"
    );
    for (i, st) in stages.iter().enumerate() {
        let (lo, hi) = ages(i);
        writeln!(
            t,
            "[stages.{}]\nages = [{lo}, {hi}]\nclass_size = {}",
            st.id, st.class_size
        )
        .unwrap();
        if st.city {
            t += "catchment = \"city\"\n";
        }
        if rng.chance(0.5) {
            writeln!(t, "dispersion = {}", rng.grid(1.0, 8.0, 1.0)).unwrap();
        }
        if rng.chance(0.3) {
            writeln!(
                t,
                "admission_cap = {}",
                st.class_size + rng.int(0, 3) as u32
            )
            .unwrap();
        }
        if !st.city && rng.chance(0.3) {
            writeln!(
                t,
                "surge = {{ extra_classes = {} }}",
                rng.grid(0.1, 0.5, 0.1)
            )
            .unwrap();
        }
        if let Some((new, expansion)) = st.costs {
            writeln!(t, "[costs.{}]\nnew = {new}\nexpansion = {expansion}", st.id).unwrap();
        }
    }
    writeln!(t, "[births]\nsigma_city = {}", rng.grid(0.0, 0.2, 0.05)).unwrap();
    if rng.chance(0.4) {
        writeln!(t, "sigma_district = {}", rng.grid(0.05, 0.2, 0.05)).unwrap();
    }
    let [a, b, c, d] = delay_profile(rng);
    writeln!(
        t,
        "[construction.delay]\non_time = {a}\none_year = {b}\ntwo_years = {c}\nnever = {d}"
    )
    .unwrap();
    if rng.chance(0.3) {
        writeln!(t, "correlation = {}", rng.grid(0.2, 0.8, 0.2)).unwrap();
    }
    let large = stages[0].class_size + rng.int(0, 3) as u32;
    writeln!(
        t,
        "[standards]\nlarge_class = {large}\nlarge_class_target = {}\nshortfall_tolerance = {}",
        rng.grid(0.0, 0.4, 0.1),
        if rng.chance(0.3) {
            rng.grid(0.01, 0.1, 0.01)
        } else {
            0.0
        }
    )
    .unwrap();
    let mut plan = format!("[plan]\nfirst_year = {first}\n");
    if last < horizon || rng.chance(0.5) {
        writeln!(plan, "last_year = {last}").unwrap();
    }
    t + &plan + "\n[data]\ndistricts = \"districts.csv\"\npopulation = \"population.csv\"\ncapacity = \"capacity.csv\"\nprojects = \"projects.csv\"\n"
}
