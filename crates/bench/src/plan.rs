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
    /// The parts measured; empty means all of them.
    pub(crate) only: Vec<Part>,
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
        }
    }

    /// Whether this run measures `part`.
    pub(crate) fn measures(&self, part: Part) -> bool {
        self.only.is_empty() || self.only.contains(&part)
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
    fn every_plan_has_room_for_its_bulk_restores() {
        for plan in [Plan::full(100_000), Plan::full(2_000), Plan::quick(), Plan::smoke()] {
            assert!(2 * plan.bulk <= plan.bin_max(), "{plan:?}");
            assert!(plan.depth * 100 < plan.bin_max(), "{plan:?}");
        }
    }
}
