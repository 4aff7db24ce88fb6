//! The `dateline` binary: parse the command line, open the cache, run a command or the
//! reader, and map errors to exit codes (0 success, 1 an input failed, 2 usage).

mod cli;

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (the same in its v2 and v3): how long freed
/// memory is kept before it goes back to the OS; -1 keeps it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For a one-shot import or fetch: freed memory stays with the process, which ends soon
/// anyway. Handed back to the OS (mimalloc's default, a second after it was freed), the
/// next bulk's articles had to fault it in again: system time 1.4–1.7 s instead of 0.8–0.9 s
/// in a 50,000-item fetch. The reader, which lives long, keeps the default.
fn keep_freed_memory() {
    // SAFETY: sets an option of the allocator this binary uses, from `main` before any
    // other thread starts, so nothing reads the option while it changes.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

fn main() -> ExitCode {
    // Like other Unix filters, end quietly when the reader of our output goes away
    // (`dateline list | head`) instead of failing to print.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::Args::parse();
    if args.imports_in_bulk() {
        keep_freed_memory();
    }
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
