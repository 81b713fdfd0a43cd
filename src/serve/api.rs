//! The JSON API of DESIGN §10: the scenario's contents, what-ifs (cancelled when the same page
//! asks again) and the what-if as a scenario file that `extends` the original.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::{json, Value};

use super::{file_name, App, Reply, Settings, MAX_TRIALS};
use crate::plot::LiveRun;
use crate::report::RunSettings;
use crate::scenario::{Change, ProjectKind, Scenario};
use crate::whatif::{self, Request};
use crate::Error;

/// The cancel flag of each page's run under way, by the page's token.
#[derive(Default)]
pub(super) struct Clients(Mutex<HashMap<String, Arc<AtomicBool>>>);

impl Clients {
    /// A fresh flag for `client`'s new run; the run it supersedes is told to stop.
    fn start(&self, client: &str) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        let mut runs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = runs.insert(client.to_string(), Arc::clone(&flag)) {
            old.store(true, Ordering::SeqCst);
        }
        flag
    }

    /// Forgets `client`'s run if `flag` is still its latest.
    fn finish(&self, client: &str, flag: &Arc<AtomicBool>) {
        let mut runs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if runs.get(client).is_some_and(|f| Arc::ptr_eq(f, flag)) {
            runs.remove(client);
        }
    }
}

/// `GET /api/scenario`: districts, stages, years, projects and uncertain inputs.
pub(super) fn scenario_json(s: &Scenario, settings: &Settings) -> Value {
    let districts: Vec<Value> = s
        .districts
        .iter()
        .map(|d| json!({ "id": d.id, "name": d.name, "name_en": d.name_en }))
        .collect();
    let stages: Vec<Value> = s
        .stages
        .iter()
        .map(|st| {
            json!({
                "id": st.id,
                "name_zh": crate::scenario::stage_zh(&st.id),
                "ages": [st.ages.start(), st.ages.end()],
                "class_size": st.class_size,
            })
        })
        .collect();
    let projects: Vec<Value> = s
        .projects
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.name,
                "district": s.districts[p.district.0].id,
                "stage": s.stages[p.stage.0].id,
                "kind": kind_name(p.kind),
                "classes": p.classes,
                "planned_year": p.planned_year.0,
            })
        })
        .collect();
    let inputs: Vec<Value> = s
        .inputs
        .iter()
        .map(|u| json!({ "key": u.key, "label": u.label }))
        .collect();
    json!({
        "name": s.name,
        "file": file_name(&settings.scenario),
        "base_year": s.base_year.0,
        "horizon": s.horizon.0,
        "years": s.years().map(|y| y.0).collect::<Vec<_>>(),
        "trials": settings.trials,
        "max_trials": MAX_TRIALS,
        "seed": s.seed,
        "districts": districts,
        "stages": stages,
        "projects": projects,
        "inputs": inputs,
    })
}

/// A project kind as `projects.csv` writes it.
fn kind_name(kind: ProjectKind) -> &'static str {
    match kind {
        ProjectKind::New => "new",
        ProjectKind::Expansion => "expansion",
        ProjectKind::Closure => "closure",
    }
}

/// A what-if answered: its JSON, and its run and the unchanged scenario's (none when nothing
/// changed) for the charts.
pub(super) struct Answered {
    json: String,
    live: Arc<LiveRun>,
    base: Option<Arc<LiveRun>>,
}

/// Answers kept: enough for a page's last few what-ifs and the base it compares with.
const ANSWERS: usize = 8;

/// The last [`ANSWERS`] what-ifs answered, by their request, so that the page's charts of a
/// what-if (and the same what-if asked again) need no new run. They are of the scenario as it
/// was loaded, as the page itself is.
#[derive(Default)]
pub(super) struct Answers(Mutex<Vec<(String, Arc<Answered>)>>);

impl Answers {
    /// The answer kept for `key`.
    fn get(&self, key: &str) -> Option<Arc<Answered>> {
        let answers = self.0.lock().unwrap_or_else(|e| e.into_inner());
        answers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, a)| Arc::clone(a))
    }

    /// Keeps `answer` for `key`, forgetting the oldest beyond [`ANSWERS`].
    fn keep(&self, key: String, answer: Arc<Answered>) {
        let mut answers = self.0.lock().unwrap_or_else(|e| e.into_inner());
        answers.retain(|(k, _)| *k != key);
        answers.push((key, answer));
        if answers.len() > ANSWERS {
            answers.remove(0);
        }
    }
}

/// `POST /api/whatif`: the run, or 400 with the command line's message; 409 if a newer
/// request of the same page superseded it.
pub(super) fn whatif(app: &App, body: &[u8], client: Option<&str>) -> Reply {
    match answered(app, body, client) {
        Ok(a) => Reply::json(200, a.json.clone()),
        Err(reply) => reply,
    }
}

/// `POST /api/chart?kind=map&stage=S` or `?kind=fan&district=D&stage=S` with a what-if's body:
/// the report's district map (the stage's worst year) or fan chart of that what-if, as SVG.
pub(super) fn chart(app: &App, query: &str, body: &[u8], client: Option<&str>) -> Reply {
    let asked = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or("")
    };
    let answer = match answered(app, body, client) {
        Ok(a) => a,
        Err(reply) => return reply,
    };
    let drawn = match asked("kind") {
        "map" => answer.live.map_svg(asked("stage"), &app.boundaries),
        "fan" => {
            let base = answer.base.as_deref();
            answer.live.fan_svg(asked("district"), asked("stage"), base)
        }
        other => {
            let message = format!("kind = \"{other}\": a chart is `map` or `fan`");
            return Reply::error(400, &message);
        }
    };
    match drawn {
        Ok(Some(svg)) => Reply {
            status: 200,
            kind: "image/svg+xml; charset=utf-8",
            body: svg.into_bytes(),
            attachment: None,
        },
        Ok(None) => Reply::error(404, "no such chart in this run"),
        Err(e) => Reply::error(500, &e.to_string()),
    }
}

/// The what-if of `body`, kept or run now (cancelling `client`'s run under way), or the 4xx
/// answer.
fn answered(app: &App, body: &[u8], client: Option<&str>) -> Result<Arc<Answered>, Reply> {
    let request = parse(body)?;
    let key = serde_json::to_string(&request).unwrap_or_default();
    if let Some(answer) = app.answers.get(&key) {
        return Ok(answer);
    }
    let flag = client.map_or_else(
        || Arc::new(AtomicBool::new(false)),
        |c| app.clients.start(c),
    );
    let outcome = whatif::run(
        &app.settings.scenario,
        &request,
        app.settings.threads,
        &flag,
        &app.bases,
    );
    if let Some(c) = client {
        app.clients.finish(c, &flag);
    }
    let answer = outcome.and_then(|o| {
        let settings = RunSettings {
            seed: request.seed.unwrap_or(app.scenario.seed),
            trials: request.trials,
            threads: app.settings.threads,
            deterministic: false,
            elapsed_seconds: 0.0,
            map_copied: false,
        };
        let live = Arc::new(LiveRun::new(o.comparison.alt(), o.paired.alt(), &settings)?);
        // The unchanged scenario's run is the same for every what-if of these trials and
        // seed: the page's own unchanged request has usually drawn it already.
        let base = if request.changes.is_empty() {
            None
        } else {
            let unchanged = Request {
                changes: Vec::new(),
                ..request.clone()
            };
            let kept = serde_json::to_string(&unchanged)
                .ok()
                .and_then(|k| app.answers.get(&k));
            Some(match kept {
                Some(a) => Arc::clone(&a.live),
                None => Arc::new(LiveRun::new(
                    o.comparison.base(),
                    o.paired.base(),
                    &settings,
                )?),
            })
        };
        let json = serde_json::to_string(&o.response()?).unwrap_or_default();
        Ok(Answered { json, live, base })
    });
    match answer {
        Ok(a) => {
            let a = Arc::new(a);
            app.answers.keep(key, Arc::clone(&a));
            Ok(a)
        }
        Err(Error::Interrupted) => Err(Reply::error(409, "superseded by a newer what-if")),
        Err(e @ (Error::Scenario(_) | Error::Usage(_) | Error::OutOfRange(_))) => {
            Err(Reply::error(400, &e.to_string()))
        }
        Err(e) => Err(Reply::error(500, &e.to_string())),
    }
}

/// `POST /api/save`: the what-if as a scenario TOML that `extends` the original (a download;
/// nothing is written on the server).
pub(super) fn save(app: &App, body: &[u8]) -> Reply {
    let request = match parse(body) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    if let Err(e) = Scenario::load_with(&app.settings.scenario, &request.changes) {
        return Reply::error(400, &Error::from(e).to_string());
    }
    let text = saved_toml(&app.scenario, &app.settings, &request);
    let stem = app
        .settings
        .scenario
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    let ascii: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    Reply {
        status: 200,
        kind: "application/toml; charset=utf-8",
        body: text.into_bytes(),
        attachment: Some(format!("{ascii}-whatif.toml")),
    }
}

/// serde's message about a request, with JSON's names for types instead of Rust's.
fn json_words(e: &serde_json::Error) -> String {
    [
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected an array [ … ]"),
        ("invalid type: map", "invalid type: object"),
        ("invalid type: sequence", "invalid type: array"),
    ]
    .iter()
    .fold(e.to_string(), |text, (rust, json)| text.replace(rust, json))
}

/// A request body as a [`Request`] within the server's limits, or the 4xx answer.
fn parse(body: &[u8]) -> Result<Request, Reply> {
    // serde reads a struct from an array too (`[10]` would be trials = 10): only an object is a
    // request.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Reply::error(
            400,
            "not a what-if request: the body must be a JSON object, e.g. \
             {\"trials\": 500, \"seed\": 7, \"changes\": [{\"drop\": \"<project id>\"}]}",
        ));
    }
    let request: Request = serde_json::from_slice(body)
        .map_err(|e| Reply::error(400, &format!("not a what-if request: {}", json_words(&e))))?;
    if !(1..=MAX_TRIALS).contains(&request.trials) {
        return Err(Reply::error(
            400,
            &format!(
                "trials = {}: must be from 1 to {MAX_TRIALS}",
                request.trials
            ),
        ));
    }
    // A saved what-if writes its seed as `[scenario] seed`, which TOML holds up to i64::MAX.
    if let Some(seed) = request.seed.filter(|&s| i64::try_from(s).is_err()) {
        let message = format!(
            "seed = {seed}: must be a whole number from 0 to {}",
            i64::MAX
        );
        return Err(Reply::error(400, &message));
    }
    for (i, change) in request.changes.iter().enumerate() {
        if let Change::Set { key, .. } = change {
            if key == "scenario" || key.starts_with("scenario.") {
                return Err(Reply::error(
                    400,
                    &format!(
                        "change #{} (set = \"{key}\"): [scenario] keys are not what-ifs; the \
                         page sets trials and seed itself",
                        i + 1
                    ),
                ));
            }
        }
    }
    Ok(request)
}

/// The saved what-if's `[scenario]` table.
#[derive(Serialize)]
struct Head {
    extends: String,
    name: String,
    trials: u64,
    seed: u64,
}

/// The saved what-if file.
#[derive(Serialize)]
struct Saved<'a> {
    scenario: Head,
    changes: &'a [Change],
}

/// The text of the saved what-if: the original's file name (saved beside it), its trials and
/// seed, and the changes in order.
fn saved_toml(s: &Scenario, settings: &Settings, request: &Request) -> String {
    let saved = Saved {
        scenario: Head {
            extends: file_name(&settings.scenario),
            name: format!("{} (what-if)", s.name),
            trials: request.trials,
            seed: request.seed.unwrap_or(s.seed),
        },
        changes: &request.changes,
    };
    let body = toml::to_string(&saved).unwrap_or_default();
    format!(
        "# A what-if saved by `seatsim serve`: put it beside {} and run it, or compare the two.\n{body}",
        file_name(&settings.scenario)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_run_of_the_same_page_cancels_the_older_only() {
        let clients = Clients::default();
        let a = clients.start("tab1");
        let b = clients.start("tab2");
        let a2 = clients.start("tab1");
        assert!(a.load(Ordering::SeqCst));
        assert!(!b.load(Ordering::SeqCst) && !a2.load(Ordering::SeqCst));
        clients.finish("tab1", &a);
        assert!(clients.0.lock().unwrap().contains_key("tab1"));
        clients.finish("tab1", &a2);
        assert!(!clients.0.lock().unwrap().contains_key("tab1"));
    }

    #[test]
    fn requests_beyond_the_limits_or_setting_scenario_keys_are_refused() {
        let status = |body: &str| parse(body.as_bytes()).err().map(|r| r.status);
        assert_eq!(status(r#"{"trials": 500}"#), None);
        assert_eq!(status(r#"{"trials": 20001}"#), Some(400));
        assert_eq!(status(r#"{"trials": 0}"#), Some(400));
        assert_eq!(
            status(r#"{"trials": 5, "changes": [{"move": "x"}]}"#),
            Some(400)
        );
        assert_eq!(status("{"), Some(400));
        let set = r#"{"trials": 5, "changes": [{"set": "scenario.extends", "value": "/etc"}]}"#;
        assert_eq!(status(set), Some(400));
    }
}
