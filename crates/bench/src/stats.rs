//! Latency samples and their summary: median, p99 and throughput.

use std::time::Duration;

/// Request latencies of one measurement, and the wall time they took together.
#[derive(Debug, Clone, Default)]
pub(crate) struct Samples {
    latencies: Vec<Duration>,
    pub(crate) wall: Duration,
}

impl Samples {
    #[cfg(test)]
    pub(crate) fn new(latencies: Vec<Duration>, wall: Duration) -> Self {
        Samples { latencies, wall }
    }

    pub(crate) fn push(&mut self, latency: Duration) {
        self.latencies.push(latency);
    }

    pub(crate) fn extend(&mut self, other: Samples) {
        self.latencies.extend(other.latencies);
    }

    /// The slowest latency (zero for none).
    pub(crate) fn slowest(&self) -> Duration {
        self.latencies.iter().max().copied().unwrap_or_default()
    }

    pub(crate) fn summary(&self) -> Summary {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let wall = self.wall.as_secs_f64();
        Summary {
            count: sorted.len(),
            median: percentile(&sorted, 50.0),
            p99: percentile(&sorted, 99.0),
            per_second: if wall > 0.0 { sorted.len() as f64 / wall } else { 0.0 },
        }
    }
}

/// What a table row shows of a measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Summary {
    pub(crate) count: usize,
    pub(crate) median: Duration,
    pub(crate) p99: Duration,
    pub(crate) per_second: f64,
}

/// The nearest-rank percentile of sorted values (zero for none).
pub(crate) fn percentile(sorted: &[Duration], pct: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (pct / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds with two decimals, as the tables show them.
pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted = millis(&(1..=100).collect::<Vec<_>>());
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&millis(&[7]), 99.0), Duration::from_millis(7));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn summary_sorts_and_counts_throughput() {
        let samples = Samples::new(millis(&[30, 10, 20, 40]), Duration::from_secs(2));
        let summary = samples.summary();
        assert_eq!(summary.count, 4);
        assert_eq!(summary.median, Duration::from_millis(20));
        assert_eq!(summary.p99, Duration::from_millis(40));
        assert!((summary.per_second - 2.0).abs() < 1e-9);
        assert_eq!(samples.slowest(), Duration::from_millis(40));
        assert_eq!(Samples::default().slowest(), Duration::ZERO);
    }
}
