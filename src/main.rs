//! The `dateline` binary: parse the command line, open the cache, run a command or the
//! reader, and map errors to exit codes (0 success, 1 an input failed, 2 usage).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Like other Unix filters, end quietly when the reader of our output goes away
    // (`dateline list | head`) instead of failing to print.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            // One line, naming what failed; the chain gives the cause.
            let mut msg = format!("dateline: {e}");
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(&format!(": {c}"));
                }
            }
            eprintln!("{}", dateline::sanitize::clean_line(&msg));
            ExitCode::from(1)
        }
    }
}
