//! How big a run is: the full run of issue 7 (100,000 users), `--quick`, or the tiny
//! `--smoke` run CI uses to keep the tool working.

/// The parts of a run, in the order they run; `--only` picks some of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Part {
    /// Create, delete and restore one at a time and in parallel, at each bin size.
    Lifecycle,
    /// The Graph pages of the deleted users.
    Pages,
    /// The admin center's pages.
    Admin,
    /// The two bulk restores.
    Bulk,
    /// The purge, and the API while it runs.
    Purge,
    /// T37's open-model load with a bulk restore and a purge beside it. Only when named
    /// (it runs for minutes), and in the smoke run.
    Load,
}

/// The sizes of one run.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Active users seeded before anything is measured.
    pub(crate) live: usize,
    /// Recycle-bin sizes at which the lifecycle is measured, ascending; the last is the
    /// bin the pages, the bulk restores and the purge work on.
    pub(crate) bins: Vec<usize>,
    /// Users created, deleted and restored one at a time, per bin size.
    pub(crate) serial: usize,
    /// The same with [`Plan::workers`] requests in flight.
    pub(crate) concurrent: usize,
    pub(crate) workers: usize,
    /// Requests per page shape.
    pub(crate) repeats: usize,
    /// How many next links the deep page is after the first.
    pub(crate) depth: usize,
    /// Users per bulk restore.
    pub(crate) bulk: usize,
    /// The parts measured; empty means all of them but the load.
    pub(crate) only: Vec<Part>,
    /// The open load's requests per second and length.
    pub(crate) load_rate: u32,
    pub(crate) load_length: std::time::Duration,
    /// Users bulk-restored, and expired users purged, during the load.
    pub(crate) load_bulk: usize,
    pub(crate) load_purge: usize,
}

impl Plan {
    /// Issue 7's sizes, with `users` active users and bins up to that many.
    pub(crate) fn full(users: usize) -> Self {
        let mut bins: Vec<usize> = [0, 1_000, 10_000, 100_000].into_iter().filter(|&b| b < users).collect();
        bins.push(users);
        Plan {
            live: users,
            bins,
            serial: 200,
            concurrent: 800,
            workers: 16,
            repeats: 200,
            depth: (users / 200).max(1),
            bulk: (users / 10).clamp(1, 10_000),
            only: Vec::new(),
            load_rate: 100,
            load_length: std::time::Duration::from_secs(600),
            load_bulk: 500,
            load_purge: 10_000,
        }
    }

    /// About a minute per backend.
    pub(crate) fn quick() -> Self {
        Plan {
            live: 1_000,
            bins: vec![0, 100, 1_000],
            serial: 50,
            concurrent: 160,
            workers: 16,
            repeats: 50,
            depth: 5,
            bulk: 200,
            only: Vec::new(),
            load_rate: 100,
            load_length: std::time::Duration::from_secs(60),
            load_bulk: 100,
            load_purge: 1_000,
        }
    }

    /// Seconds per backend: for CI, which checks that the tool runs, never its figures.
    pub(crate) fn smoke() -> Self {
        Plan {
            live: 20,
            bins: vec![0, 150],
            serial: 3,
            concurrent: 16,
            workers: 16,
            repeats: 3,
            depth: 1,
            bulk: 5,
            only: Vec::new(),
            load_rate: 20,
            load_length: std::time::Duration::from_secs(5),
            load_bulk: 5,
            load_purge: 50,
        }
    }

    /// Whether this run measures `part`. The load runs only when named, or in the smoke
    /// run (so CI keeps it working); the purge runs before the load, which needs an empty
    /// bin to expire its own users in.
    pub(crate) fn measures(&self, part: Part) -> bool {
        let named = |p: Part| self.only.contains(&p);
        match part {
            Part::Load => named(Part::Load) || (self.only.is_empty() && self.live <= Plan::smoke().live),
            Part::Purge => self.only.is_empty() || named(Part::Purge) || named(Part::Load),
            other => self.only.is_empty() || named(other),
        }
    }

    /// The bin the pages, bulk restores and purge work on.
    pub(crate) fn bin_max(&self) -> usize {
        self.bins.last().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_plan_measures_the_issue_sizes() {
        let plan = Plan::full(100_000);
        assert_eq!(plan.bins, vec![0, 1_000, 10_000, 100_000]);
        assert_eq!(plan.bulk, 10_000);
        assert_eq!(plan.depth, 500);
        assert_eq!(Plan::full(5_000).bins, vec![0, 1_000, 5_000]);
    }

    #[test]
    fn the_load_runs_only_when_named_or_in_the_smoke_run_and_brings_the_purge() {
        let full = Plan::full(100_000);
        assert!(!full.measures(Part::Load) && full.measures(Part::Purge));
        assert!(Plan::smoke().measures(Part::Load));
        let load = Plan {
            only: vec![Part::Load],
            ..Plan::full(100_000)
        };
        assert!(load.measures(Part::Load) && load.measures(Part::Purge) && !load.measures(Part::Pages));
        let pages = Plan {
            only: vec![Part::Pages],
            ..Plan::smoke()
        };
        assert!(!pages.measures(Part::Load) && !pages.measures(Part::Purge));
    }

    #[test]
    fn every_plan_has_room_for_its_bulk_restores() {
        for plan in [Plan::full(100_000), Plan::full(2_000), Plan::quick(), Plan::smoke()] {
            assert!(2 * plan.bulk <= plan.bin_max(), "{plan:?}");
            assert!(plan.depth * 100 < plan.bin_max(), "{plan:?}");
        }
    }
}
