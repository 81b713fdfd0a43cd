//! Generated candidates (DESIGN §8): a standard new school and a standard expansion of every
//! stage in every district, each buildable any number of times in any year of `[plan]
//! first_year..=last_year`, sized like the scenario's own projects and priced by `[costs]`.

use crate::scenario::{Candidate, DistrictIx, ProjectKind, Scenario, StageIx};

/// The generated candidates of `s`, districts in file order, stages by age, new before
/// expansion. Expansions only where the district has a school of the stage to expand.
pub fn candidates(s: &Scenario) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (d, district) in s.districts.iter().enumerate() {
        for (st, stage) in s.stages.iter().enumerate() {
            for kind in [ProjectKind::New, ProjectKind::Expansion] {
                let can_expand = s.capacity[d][st].schools > 0;
                let Some(classes) = standard_classes(s, StageIx(st), kind) else {
                    continue;
                };
                if kind == ProjectKind::Expansion && !can_expand {
                    continue;
                }
                let name = match kind {
                    ProjectKind::New => "new",
                    _ => "expansion",
                };
                let seats = f64::from(classes) * f64::from(stage.class_size);
                out.push(Candidate {
                    id: format!("plan-{}-{}-{name}", district.id, stage.id),
                    name: format!("standard {name} {} school, {}", stage.id, district.name),
                    district: DistrictIx(d),
                    stage: StageIx(st),
                    kind,
                    classes,
                    window: s.plan.years,
                    cost: stage.seat_cost.map_or(0.0, |c| seats * c.per_seat(kind)),
                    delay: s.delay,
                    repeatable: true,
                });
            }
        }
    }
    out
}

/// Classes of a standard project of `stage` and `kind`: the median of the scenario's own
/// projects of that stage and kind; without any, a new school is the stage's average school
/// and an expansion a quarter of it. `None` when the stage has neither projects nor schools.
pub fn standard_classes(s: &Scenario, stage: StageIx, kind: ProjectKind) -> Option<u32> {
    let mut sizes: Vec<u32> = s
        .projects
        .iter()
        .filter(|p| p.stage == stage && p.kind == kind)
        .map(|p| p.classes)
        .collect();
    if !sizes.is_empty() {
        sizes.sort_unstable();
        return Some(sizes[(sizes.len() - 1) / 2]);
    }
    let (schools, classes) = s.capacity.iter().fold((0u64, 0u64), |(n, k), caps| {
        let c = caps[stage.0];
        (n + u64::from(c.schools), k + u64::from(c.classes))
    });
    let school = (classes as f64 / schools.max(1) as f64).round() as u32;
    let size = match kind {
        ProjectKind::New => school,
        _ => (school as f64 / 4.0).round() as u32,
    };
    (schools > 0).then_some(size.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
        Scenario::load(&path).expect("the example scenario loads")
    }

    #[test]
    fn a_standard_project_is_the_lower_median_of_the_scenarios_own_or_an_average_school() {
        let s = example();
        let (primary, junior) = (StageIx(1), StageIx(2));
        // Primary new schools of 36 and 24 classes: the lower middle value.
        assert_eq!(standard_classes(&s, primary, ProjectKind::New), Some(24));
        assert_eq!(
            standard_classes(&s, junior, ProjectKind::Expansion),
            Some(12)
        );
        // No primary expansion: a quarter of the average primary school.
        let cap = |st: usize| {
            s.capacity
                .iter()
                .fold((0, 0), |(n, k), c| (n + c[st].schools, k + c[st].classes))
        };
        let (schools, classes) = cap(1);
        let average = (f64::from(classes) / f64::from(schools)).round();
        let quarter = (average / 4.0).round() as u32;
        assert_eq!(
            standard_classes(&s, primary, ProjectKind::Expansion),
            Some(quarter)
        );
    }

    #[test]
    fn expansions_are_generated_only_where_there_is_a_school_to_expand() {
        let mut s = example();
        s.capacity[0][1] = crate::scenario::Capacity {
            schools: 0,
            classes: 0,
        };
        let generated = candidates(&s);
        let here = |kind| {
            generated
                .iter()
                .any(|c| c.district.0 == 0 && c.stage.0 == 1 && c.kind == kind)
        };
        assert!(here(ProjectKind::New) && !here(ProjectKind::Expansion));
        assert!(generated
            .iter()
            .all(|c| c.repeatable && c.window == s.plan.years));
    }
}
