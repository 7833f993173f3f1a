//! The printed account of a T39 run: ops by kind and outcome, answers other than 2xx,
//! faults injected, and the violations found.

use super::history::{Op, Outcome};
use super::nemesis::{Fault, Injected};
use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) fn print(ops: &[Op], faults: &[Injected], violations: &[String]) {
    let mut by_call: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for op in ops {
        let column = match op.outcome_name() {
            "ok" => 0,
            "fail" => 1,
            _ => 2,
        };
        by_call.entry(op.call.name()).or_default()[column] += 1;
        if !op.is_ok() {
            let status = op.status.map_or("no answer".to_owned(), |s| s.to_string());
            *statuses.entry(format!("{} {status}", op.outcome_name())).or_default() += 1;
        }
    }
    let mut per_replica = [0_usize; super::cluster::REPLICAS];
    let mut clients = std::collections::BTreeSet::new();
    for op in ops {
        per_replica[op.replica] += 1;
        if op.client != usize::MAX {
            clients.insert(op.client);
        }
    }
    println!(
        "T39: {} ops from {} clients, per replica {per_replica:?}",
        ops.len(),
        clients.len()
    );
    println!("  {:<14} {:>6} {:>6} {:>6}", "op", "ok", "fail", "info");
    for (name, [ok, fail, info]) in &by_call {
        println!("  {name:<14} {ok:>6} {fail:>6} {info:>6}");
    }
    println!("  not ok by answer: {statuses:?}");
    if let Some(slowest) = ops.iter().max_by_key(|op| op.completed - op.invoked) {
        let took = slowest.completed - slowest.invoked;
        println!(
            "  slowest op took {took:.2?}: {} {}",
            slowest.call.name(),
            slowest.outcome_name()
        );
    }
    print_unknowns(ops, faults);
    let mut by_fault: BTreeMap<String, usize> = BTreeMap::new();
    for injected in faults {
        let kind = match injected.fault {
            Fault::Kill(_) => "kill+restart replica",
            Fault::Pause(_) => "pause replica",
            Fault::Cut(_) => "cut database link",
            Fault::RestartDatabase => "crash+restart PostgreSQL",
        };
        *by_fault.entry(kind.to_owned()).or_default() += 1;
    }
    let faulted: std::time::Duration = faults.iter().map(|injected| injected.to - injected.from).sum();
    println!(
        "  faults injected: {} {by_fault:?}, active for {faulted:.1?} in all, {} overlapping another",
        faults.len(),
        overlapping(faults)
    );
    println!("  violations: {}", violations.len());
    for violation in violations.iter().take(40) {
        println!("    {violation}");
    }
}

/// How many faults were active at some moment together with another.
fn overlapping(faults: &[Injected]) -> usize {
    let overlap = |a: &Injected, b: &Injected| a.from < b.to && b.from < a.to;
    faults
        .iter()
        .enumerate()
        .filter(|(i, a)| faults.iter().enumerate().any(|(j, b)| i != &j && overlap(a, b)))
        .count()
}

/// How long after a fault healed its effects may still show (pools reconnecting, a
/// restarted replica's first requests).
const GRACE: Duration = Duration::from_secs(10);

/// The commonest reasons for unknown outcomes, and how many came outside any fault.
fn print_unknowns(ops: &[Op], faults: &[Injected]) {
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut calm = Vec::new();
    for op in ops {
        let Outcome::Info(reason) = &op.outcome else {
            continue;
        };
        *reasons.entry(reason.chars().take(90).collect()).or_default() += 1;
        let faulted = faults
            .iter()
            .any(|f| op.completed >= f.from && op.invoked <= f.to + GRACE);
        if !faulted {
            calm.push(op);
        }
    }
    let mut reasons: Vec<(String, usize)> = reasons.into_iter().collect();
    reasons.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    println!("  unknown outcomes by reason: {:?}", &reasons[..reasons.len().min(8)]);
    println!("  unknown outcomes with no fault within {GRACE:?}: {}", calm.len());
    for op in calm.iter().take(5) {
        println!("    {op:?}");
    }
}

/// Writes the whole history, one op per line, next to the servers' logs; returns the path.
pub(crate) fn save(ops: &[Op], faults: &[Injected], seed: u64) -> std::path::PathBuf {
    use std::fmt::Write;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("faults-logs");
    std::fs::create_dir_all(&dir).expect("the log directory");
    let path = dir.join(format!("t39-history-{seed}.txt"));
    let mut text = String::new();
    for injected in faults {
        let _ = writeln!(
            text,
            "{:>10.3?} {:>10.3?} nemesis {}",
            injected.from, injected.to, injected.fault
        );
    }
    for op in ops {
        let _ = writeln!(
            text,
            "{:>10.3?} {:>10.3?} client {} replica {} {:?} -> {:?} (status {:?})",
            op.invoked, op.completed, op.client, op.replica, op.call, op.outcome, op.status
        );
    }
    std::fs::write(&path, text).expect("the history file");
    path
}
