//! `seatsim serve` (DESIGN §10): a local web page of live what-ifs and its JSON API, on top of
//! [`crate::whatif`]. `tiny_http` on a few OS threads rather than axum on tokio: the server
//! answers a handful of local requests, each a blocking Monte Carlo run, so an async runtime
//! buys nothing and would add a hundred crates to the build.

mod api;
mod page;

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

use crate::plot::Boundaries;
use crate::scenario::Scenario;
use crate::whatif::Bases;
use crate::Error;

/// Largest request body accepted: a what-if is a few hundred bytes, a long one a few KiB.
pub const MAX_BODY: usize = 64 * 1024;

/// Most trials one request may ask for: about 4 s of Zhengzhou on two cores.
pub const MAX_TRIALS: u64 = 20_000;

/// Threads taking requests: enough for a few tabs and an API client at once; each run itself
/// uses the engine's own workers.
const HANDLERS: usize = 8;

/// What `seatsim serve` serves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The scenario TOML file.
    pub scenario: PathBuf,
    /// The page's default trials.
    pub trials: u64,
    /// Worker threads of each run.
    pub threads: usize,
}

/// The state every handler shares.
struct App {
    settings: Settings,
    scenario: Scenario,
    page: String,
    scenario_json: String,
    clients: api::Clients,
    /// The unchanged scenario's trials, kept for the next what-if of the same trials and seed.
    bases: Bases,
    /// Recent answers, whose charts the page asks for next.
    answers: api::Answers,
    /// The scenario's district boundaries, for the maps.
    boundaries: Boundaries,
}

/// Binds `addr`, calls `ready` with the address actually bound (port 0 picks a free one), then
/// serves until the process ends.
pub fn serve(
    settings: Settings,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let scenario = Scenario::load(&settings.scenario)?;
    let scenario_json = api::scenario_json(&scenario, &settings).to_string();
    let page = page::html(&scenario, &settings);
    let boundaries = Boundaries::of(&scenario)?;
    let server =
        Server::http(addr).map_err(|e| Error::Usage(format!("cannot listen on {addr}: {e}")))?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Usage(format!("cannot listen on {addr}")))?;
    let app = Arc::new(App {
        settings,
        scenario,
        page,
        scenario_json,
        clients: api::Clients::default(),
        bases: Bases::default(),
        answers: api::Answers::default(),
        boundaries,
    });
    let server = Arc::new(server);
    ready(bound);
    let handlers: Vec<_> = (0..HANDLERS)
        .map(|_| {
            let (server, app) = (Arc::clone(&server), Arc::clone(&app));
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    respond(&app, request);
                }
            })
        })
        .collect();
    for h in handlers {
        let _ = h.join();
    }
    Ok(())
}

/// An answer: status, content type and body.
struct Reply {
    status: u16,
    kind: &'static str,
    body: Vec<u8>,
    attachment: Option<String>,
}

impl Reply {
    /// A JSON answer.
    fn json(status: u16, body: String) -> Reply {
        Reply {
            status,
            kind: "application/json; charset=utf-8",
            body: body.into_bytes(),
            attachment: None,
        }
    }

    /// An error as `{"error": message}`.
    fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, serde_json::json!({ "error": message }).to_string())
    }
}

/// Routes one request and sends its answer; a client that went away is not an error.
fn respond(app: &App, mut request: Request) {
    let reply = route(app, &mut request);
    let mut response = Response::from_data(reply.body)
        .with_status_code(StatusCode(reply.status))
        .with_header(header("Content-Type", reply.kind))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    if let Some(name) = reply.attachment {
        let value = format!("attachment; filename=\"{name}\"");
        response = response.with_header(header("Content-Disposition", &value));
    }
    let _ = request.respond(response);
}

/// A header from known-good ASCII.
fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

/// The answer to `request`.
fn route(app: &App, request: &mut Request) -> Reply {
    let url = request.url().split('#').next().unwrap_or("");
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let (path, query) = (path.to_string(), query.to_string());
    match (request.method(), path.as_str()) {
        (Method::Get, "/") => Reply {
            status: 200,
            kind: "text/html; charset=utf-8",
            body: app.page.clone().into_bytes(),
            attachment: None,
        },
        (Method::Get, "/api/scenario") => Reply::json(200, app.scenario_json.clone()),
        (Method::Post, "/api/whatif" | "/api/chart" | "/api/save") => match body(request) {
            Ok(bytes) => {
                let client = client_token(request);
                match path.as_str() {
                    "/api/whatif" => api::whatif(app, &bytes, client.as_deref()),
                    "/api/chart" => api::chart(app, &query, &bytes, client.as_deref()),
                    _ => api::save(app, &bytes),
                }
            }
            Err(reply) => reply,
        },
        (_, "/" | "/api/scenario" | "/api/whatif" | "/api/chart" | "/api/save") => {
            Reply::error(405, "method not allowed")
        }
        _ => Reply::error(404, "not found"),
    }
}

/// The page's token (`X-Seatsim-Client`), which lets its next what-if cancel the one under way.
fn client_token(request: &Request) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv("X-Seatsim-Client"))
        .map(|h| h.value.as_str().chars().take(64).collect())
}

/// The request's body, refused beyond [`MAX_BODY`] (413) without reading the rest.
fn body(request: &mut Request) -> Result<Vec<u8>, Reply> {
    let too_big = || Reply::error(413, &format!("request body over {MAX_BODY} bytes"));
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut bytes);
    match read {
        Err(e) => Err(Reply::error(400, &format!("cannot read the body: {e}"))),
        Ok(n) if n > MAX_BODY => Err(too_big()),
        Ok(_) => Ok(bytes),
    }
}

/// The scenario's file name, which a saved what-if `extends` from the same folder.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || "scenario.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    )
}
