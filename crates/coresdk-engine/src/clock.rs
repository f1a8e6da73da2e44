//! Wall-clock time as the core reports it (status timestamps, audit records), and the
//! delays of background threads (jittered polls, failure backoff).

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A random delay in `[min, max]`.
pub(crate) fn jittered(min: Duration, max: Duration) -> Duration {
    let spread = max.saturating_sub(min).as_nanos() as u64;
    if spread == 0 {
        return min;
    }
    // RandomState is seeded from the OS per instance: enough randomness to spread polls.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(now_unix_ms());
    min + Duration::from_nanos(hasher.finish() % spread)
}

/// `min * 2^(failures-1)`, capped at `max`.
pub(crate) fn backoff(min: Duration, max: Duration, failures: u32) -> Duration {
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(30));
    min.saturating_mul(factor).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let (min, max) = (Duration::from_millis(100), Duration::from_secs(1));
        let delays: Vec<u128> = (1..=6).map(|n| backoff(min, max, n).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff(min, max, u32::MAX), max);
    }

    #[test]
    fn jitter_stays_within_bounds() {
        let (min, max) = (Duration::from_millis(10), Duration::from_millis(20));
        for _ in 0..1000 {
            let d = jittered(min, max);
            assert!(d >= min && d <= max, "{d:?}");
        }
        assert_eq!(jittered(min, min), min);
    }
}
