//! Summaries of repeated, interleaved measurements.

/// Median, min and max of a sample.
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

pub fn summarize(values: &[f64]) -> Summary {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let median = if v.len() % 2 == 1 { v[v.len() / 2] } else { (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0 };
    Summary { median, min: v[0], max: v[v.len() - 1] }
}

/// The `q` quantile (0..=1) of unsorted samples.
pub fn quantile(samples: &mut [u64], q: f64) -> u64 {
    samples.sort_unstable();
    let idx = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[idx]
}
