//! Process-level fault tests (issue 6; plan T01, T03, T06, T09–T16, T19, T21, T36, T38,
//! T39): real `roster serve` processes are killed with SIGKILL, lose their PostgreSQL, run
//! out of disk, are cut off from their database by a black-holing proxy (T12's partition
//! half, `partition.rs` over `tcp_proxy.rs`) or race each other on one database, and the
//! directory must come out whole. `jepsen/` is T39: clients on three replicas under a
//! nemesis, and a checker of the history they record. `last_seat.rs` (T06) and
//! `revoked_elsewhere.rs` (T21) race and revoke across two replicas over HTTP. `pitr.rs`
//! (T36) recovers a PostgreSQL cluster to a restore point and to a point in time taken
//! under write load, and keeps retention deadlines that pass after the recovery.
//!
//! Every test takes [`support::exclusive`] first, so they run one at a time: they measure
//! latency bounds and start several processes each, and the machine has few cores.
//! `ROSTER_CHAOS_SCALE` (default 1) multiplies rounds and sizes; `cargo xtask chaos` runs
//! this binary at a larger scale.

mod admin_restore;
mod api;
mod backend;
mod clock_skew;
mod full_disk;
mod inspect;
mod jepsen;
mod kill_purge;
mod kill_restore;
mod last_seat;
mod partition;
mod partition_in_flight;
mod pg_cluster;
mod pg_outage;
mod pitr;
#[path = "../common/process.rs"]
mod process;
mod purge_boundary;
mod replicas;
mod revoked_elsewhere;
mod seed;
mod server;
mod stalled_purge;
mod support;
mod tcp_proxy;
mod throttling;
mod time_zones;
#[path = "../common/write_load.rs"]
mod write_load;
mod write_storm;
