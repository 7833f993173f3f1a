//! Repository automation. `cargo xtask tidy` checks the rules in `tidy`; the same checks
//! run as a test in `cargo test --workspace`. `cargo xtask bench [options]` builds `roster`
//! and `roster-bench` in release mode and runs the benchmark (see `BENCHMARKS.md`).
//! `cargo xtask fuzz [--seconds N]` builds and runs the fuzz targets in `fuzz/` (see `TESTING.md`).
//! `cargo xtask chaos [--scale N] [--minutes M]` runs the process-level fault tests at a
//! larger scale, bounded in time (see `TESTING.md`).

mod chaos;
mod fuzz;
mod tidy;

use std::process::ExitCode;

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("tidy") => match tidy::check(&tidy::workspace_root()) {
            Ok(()) => {
                println!("tidy: ok");
                ExitCode::SUCCESS
            }
            Err(problems) => {
                for problem in problems {
                    eprintln!("tidy: {problem}");
                }
                ExitCode::FAILURE
            }
        },
        Some("bench") => bench(std::env::args().skip(2).collect()),
        Some("fuzz") => fuzz::run(&tidy::workspace_root(), std::env::args().skip(2).collect()),
        Some("chaos") => chaos::run(std::env::args().skip(2).collect()),
        _ => {
            eprintln!(
                "usage: cargo xtask tidy | cargo xtask bench [roster-bench options, e.g. --quick] | \
                 cargo xtask fuzz [--seconds N] [TARGET…] | cargo xtask chaos [--scale N] [--minutes M]"
            );
            ExitCode::FAILURE
        }
    }
}

/// Builds the server and the benchmark optimised, then runs the benchmark with `args`.
fn bench(args: Vec<String>) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = std::process::Command::new(&cargo)
        .args(["build", "--release", "-p", "roster", "-p", "roster-bench"])
        .status();
    if !built.is_ok_and(|status| status.success()) {
        eprintln!("bench: the release build failed");
        return ExitCode::FAILURE;
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| tidy::workspace_root().join("target"));
    let ran = std::process::Command::new(target.join("release/roster-bench"))
        .args(args)
        .status();
    if ran.is_ok_and(|status| status.success()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
