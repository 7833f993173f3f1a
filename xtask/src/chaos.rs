//! `cargo xtask chaos [--scale N] [--minutes M] [FILTER…]`: the process-level fault tests
//! (`crates/server/tests/faults`) at a larger scale than CI runs them. `ROSTER_CHAOS_SCALE`
//! multiplies their rounds and sizes (the default here, 7, gives 21 SIGKILL rounds of the
//! write storm); the whole run is killed if it outlasts `--minutes` (default 60).

use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const DEFAULT_SCALE: u32 = 7;
const DEFAULT_MINUTES: u64 = 60;

struct Options {
    scale: u32,
    minutes: u64,
    filters: Vec<String>,
}

pub(crate) fn run(args: Vec<String>) -> ExitCode {
    let options = match parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("chaos: {message}\nusage: cargo xtask chaos [--scale N] [--minutes M] [TEST FILTER…]");
            return ExitCode::FAILURE;
        }
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["test", "-p", "roster", "--test", "faults", "--locked", "--"])
        .args(&options.filters)
        .arg("--nocapture")
        .env("ROSTER_CHAOS_SCALE", options.scale.to_string())
        // Its own process group, so a run over time is killed with everything it started.
        .process_group(0);
    println!("chaos: scale {}, at most {} minutes", options.scale, options.minutes);
    let Ok(mut child) = command.spawn() else {
        eprintln!("chaos: cannot start cargo");
        return ExitCode::FAILURE;
    };
    let limit = Duration::from_secs(options.minutes * 60);
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return ExitCode::SUCCESS,
            Ok(Some(_)) | Err(_) => return ExitCode::FAILURE,
            Ok(None) if started.elapsed() > limit => {
                eprintln!("chaos: still running after {} minutes; stopping it", options.minutes);
                let group = format!("-{}", child.id());
                let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
                let _ = child.wait();
                return ExitCode::FAILURE;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(500)),
        }
    }
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut options = Options {
        scale: DEFAULT_SCALE,
        minutes: DEFAULT_MINUTES,
        filters: Vec::new(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--scale" => options.scale = number(args.next(), "--scale")?,
            "--minutes" => options.minutes = number(args.next(), "--minutes")?,
            other if other.starts_with('-') => return Err(format!("unknown option {other}")),
            filter => options.filters.push(filter.to_owned()),
        }
    }
    if options.scale == 0 || options.minutes == 0 {
        return Err("--scale and --minutes must be at least 1".into());
    }
    Ok(options)
}

fn number<T: std::str::FromStr>(value: Option<String>, name: &str) -> Result<T, String> {
    value
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| format!("{name} needs a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_default_and_parse() {
        let defaults = parse(Vec::new()).unwrap();
        assert_eq!((defaults.scale, defaults.minutes), (DEFAULT_SCALE, DEFAULT_MINUTES));
        let given = parse(args(&["--scale", "20", "--minutes", "5", "write_storm"])).unwrap();
        assert_eq!((given.scale, given.minutes), (20, 5));
        assert_eq!(given.filters, vec!["write_storm".to_owned()]);
        assert!(parse(args(&["--scale", "0"])).is_err());
        assert!(parse(args(&["--scale"])).is_err());
        assert!(parse(args(&["--fast"])).is_err());
    }
}
