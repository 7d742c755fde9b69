//! Exact percentiles of recorded samples.

use serde::{Deserialize, Serialize};

/// A summary of samples (milliseconds unless said otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Summary {
    /// How many samples.
    pub(crate) n: usize,
    /// The median (nearest rank).
    pub(crate) p50: f64,
    /// The 99th percentile (nearest rank: with fewer than 100 samples, the maximum).
    pub(crate) p99: f64,
    /// The mean.
    pub(crate) mean: f64,
    /// The smallest sample.
    pub(crate) min: f64,
    /// The largest sample.
    pub(crate) max: f64,
}

impl Summary {
    /// Summarizes `samples` (sorted in place). All zero when empty.
    pub(crate) fn of(samples: &mut [f64]) -> Summary {
        if samples.is_empty() {
            return Summary::default();
        }
        samples.sort_by(f64::total_cmp);
        let n = samples.len();
        Summary {
            n,
            p50: rank(samples, 0.50),
            p99: rank(samples, 0.99),
            mean: samples.iter().sum::<f64>() / n as f64,
            min: samples[0],
            max: samples[n - 1],
        }
    }
}

/// The nearest-rank percentile `q` (0…1) of sorted samples.
fn rank(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let r = (q * n as f64).ceil() as usize;
    sorted[r.clamp(1, n) - 1]
}

#[cfg(test)]
mod tests {
    use super::Summary;

    #[test]
    fn nearest_rank() {
        let mut v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let s = Summary::of(&mut v);
        assert_eq!(
            (s.n, s.p50, s.p99, s.min, s.max),
            (100, 50.0, 99.0, 1.0, 100.0)
        );
        let mut few = vec![3.0, 1.0, 2.0];
        let s = Summary::of(&mut few);
        assert_eq!((s.p50, s.p99), (2.0, 3.0));
        assert_eq!(Summary::of(&mut []).n, 0);
    }
}
