//! `seatsim serve`: the live what-if page of a scenario (DESIGN §10).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Args;

use crate::serve::{Settings, MAX_TRIALS};
use crate::Error;

/// Options of `seatsim serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The scenario TOML file.
    pub scenario: PathBuf,
    /// Port to listen on (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The page's default trials per what-if.
    #[arg(long, default_value_t = 500)]
    pub trials: u64,
    /// Address to listen on; anything but loopback lets other machines run what-ifs.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Worker threads of each run (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Serves until the process is stopped.
pub fn serve(args: &ServeArgs) -> Result<(), Error> {
    if !(1..=MAX_TRIALS).contains(&args.trials) {
        return Err(Error::Usage(format!(
            "--trials {}: must be from 1 to {MAX_TRIALS}",
            args.trials
        )));
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: --bind {}: anyone who can reach this machine can run what-ifs and read \
             the scenario",
            args.bind
        );
    }
    let settings = Settings {
        scenario: args.scenario.clone(),
        trials: args.trials,
        threads: super::limits::threads(args.threads)?,
    };
    crate::serve::serve(settings, SocketAddr::new(args.bind, args.port), |addr| {
        say!("seatsim serve: http://{addr}/ (Ctrl-C to stop)\n");
    })
}
