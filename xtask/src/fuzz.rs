//! `cargo xtask fuzz [--seconds N] [TARGET…]`: builds the cargo-fuzz targets in `fuzz/`
//! with libFuzzer's coverage instrumentation, then runs each for a bounded time.
//!
//! This does what `cargo fuzz run -s none` does, on stable Rust: the instrumentation flags
//! (`-C passes=sancov-module`, `-C llvm-args=-sanitizer-coverage-*`) are stable, and
//! `libfuzzer-sys` builds libFuzzer itself. Only AddressSanitizer (`-Z sanitizer=address`)
//! would need nightly or `RUSTC_BOOTSTRAP=1`; safe Rust does not need it to find panics.
//! Corpora grow in `fuzz/corpus/<target>`, crashers land in `fuzz/artifacts/<target>`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Every target in `fuzz/Cargo.toml`.
const TARGETS: &[&str] = &[
    "odata_filter",
    "odata_orderby",
    "odata_select",
    "upn",
    "address",
    "accept_language",
    "graph_user_body",
];

const RUSTFLAGS: &str = "-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks";

pub(crate) fn run(root: &Path, args: Vec<String>) -> ExitCode {
    let (seconds, targets) = match parse(args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!(
                "fuzz: {message}\nusage: cargo xtask fuzz [--seconds N] [{}]",
                TARGETS.join("|")
            );
            return ExitCode::FAILURE;
        }
    };
    let fuzz = root.join("fuzz");
    let target_dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"))
        .join("fuzz");
    let Some(host) = host_triple() else {
        eprintln!("fuzz: cannot tell the host target from `rustc -vV`");
        return ExitCode::FAILURE;
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // An explicit --target keeps the instrumentation off build scripts and proc macros.
    let built = Command::new(cargo)
        .args(["build", "--release", "--bins", "--target", &host, "--manifest-path"])
        .arg(fuzz.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("RUSTFLAGS", RUSTFLAGS)
        .status();
    if !built.is_ok_and(|status| status.success()) {
        eprintln!("fuzz: building the targets failed");
        return ExitCode::FAILURE;
    }
    let mut failed = Vec::new();
    for target in targets {
        let corpus = fuzz.join("corpus").join(target);
        let artifacts = fuzz.join("artifacts").join(target);
        let made = std::fs::create_dir_all(&corpus).and_then(|()| std::fs::create_dir_all(&artifacts));
        if let Err(error) = made {
            eprintln!("fuzz: {error}");
            return ExitCode::FAILURE;
        }
        println!("fuzz: {target} for {seconds} s");
        let ran = Command::new(target_dir.join(&host).join("release").join(target))
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .arg("-max_len=4096")
            .arg(&corpus)
            .status();
        if !ran.is_ok_and(|status| status.success()) {
            failed.push(target);
        }
    }
    if failed.is_empty() {
        println!("fuzz: no crash");
        ExitCode::SUCCESS
    } else {
        eprintln!("fuzz: crashes in {failed:?}; inputs are in fuzz/artifacts/<target>");
        ExitCode::FAILURE
    }
}

/// The host's target triple, as `rustc -vV` reports it.
fn host_triple() -> Option<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(rustc).arg("-vV").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
}

fn parse(args: Vec<String>) -> Result<(u64, Vec<&'static str>), String> {
    let mut seconds = 60;
    let mut targets = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            let value = args.next().ok_or("--seconds needs a number")?;
            seconds = value.parse().map_err(|_| format!("--seconds {value}: not a number"))?;
        } else if let Some(target) = TARGETS.iter().find(|t| **t == arg) {
            targets.push(*target);
        } else {
            return Err(format!("unknown target or option {arg}"));
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    Ok((seconds, targets))
}
