//! The `seatsim` binary: parse the command line, run the command, map errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match seatsim::cli::parse() {
        Ok(cli) => cli,
        // --help, --version, and the help a bare `seatsim` prints: clap's own text.
        Err(e)
            if !e.use_stderr()
                || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            e.exit()
        }
        Err(e) => {
            eprintln!("error: {}", seatsim::cli::usage_message(&e));
            return ExitCode::from(2);
        }
    };
    match seatsim::cli::execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
