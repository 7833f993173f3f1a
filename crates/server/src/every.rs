//! The loop every background job runs: its work at each tick of an interval, until the
//! server's stop signal turns true. A tick missed while the work ran is skipped, not made up.

use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{Interval, MissedTickBehavior};

/// When the first run comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum First {
    /// As the job starts.
    AtOnce,
    /// One interval after the job starts.
    AfterInterval,
}

/// The ticks of a job: `while ticks.next().await { work }`.
#[derive(Debug)]
pub struct Ticks {
    ticker: Interval,
    first: First,
    stop: watch::Receiver<bool>,
}

impl Ticks {
    pub fn new(interval: Duration, first: First, stop: watch::Receiver<bool>) -> Ticks {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
        Ticks { ticker, first, stop }
    }

    /// Waits for the next tick; false once `stop` has turned true (or its sender is gone),
    /// which work under way is not interrupted for.
    pub async fn next(&mut self) -> bool {
        if self.first == First::AfterInterval {
            self.first = First::AtOnce;
            self.ticker.tick().await;
        }
        loop {
            if *self.stop.borrow() {
                return false;
            }
            tokio::select! {
                _ = self.ticker.tick() => return true,
                changed = self.stop.changed() => {
                    if changed.is_err() {
                        return false;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn ticks_come_at_once_or_after_an_interval_and_end_when_told_to_stop() {
        let minute = Duration::from_secs(60);
        let (stop, stopped) = watch::channel(false);
        let start = Instant::now();
        let mut at_once = Ticks::new(minute, First::AtOnce, stopped.clone());
        assert!(at_once.next().await);
        assert_eq!(start.elapsed(), Duration::ZERO, "the first tick comes at once");
        assert!(at_once.next().await);
        assert_eq!(start.elapsed(), minute);
        let mut later = Ticks::new(minute, First::AfterInterval, stopped);
        assert!(later.next().await);
        assert_eq!(start.elapsed(), 2 * minute, "the first tick comes an interval later");
        let waiting = tokio::spawn(async move { later.next().await });
        tokio::task::yield_now().await;
        stop.send(true).unwrap();
        assert!(
            !waiting.await.unwrap(),
            "a job waiting for its tick ends when told to stop"
        );
        assert!(start.elapsed() < 3 * minute, "without waiting for the tick");
        assert!(!at_once.next().await, "a tick that is due comes no more after the stop");
    }
}
