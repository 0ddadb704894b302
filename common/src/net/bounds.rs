//! The one rule that bounds every probe in time, shared by every tool:
//!
//! 1. a TCP connection attempt ends after `--connect-timeout` (default 30s, Go's own);
//! 2. waiting for an answer — a DNS reply, a TLS handshake, an HTTP response's headers —
//!    ends after `--timeout` (default 60s);
//! 3. a body that is arriving must keep arriving: at least [`MIN_BODY_RATE`] bytes per
//!    second, counted over each window of `--timeout` (as curl's `--speed-limit 1024
//!    --speed-time <timeout>`), so a large zip on a slow but moving link is never cut
//!    off and a body trickled a byte at a time is;
//! 4. one probe — everything done for one target: its requests, retries and fall-backs
//!    — ends after `--deadline` (default 10m): no new request starts after it, and one
//!    under way stops.
//!
//! The go command has none of these limits but its 30-second dial timeout, and can wait
//! forever; each failure says so.
//!
//! The probe's deadline travels with the probe's task ([`scope`]), so that every
//! request made on its behalf, however deep, honours it without being handed it.

use std::future::Future;
use std::time::{Duration, Instant};

/// The slowest a body may arrive, in bytes per second, averaged over each window of
/// `--timeout`.
pub const MIN_BODY_RATE: u64 = 1024;

/// The default `--deadline`: the longest one probe may take.
pub const DEFAULT_DEADLINE: &str = "10m";

tokio::task_local! {
    static PROBE: ProbeBounds;
}

/// The bounds of the probe running on the current task.
#[derive(Clone, Copy, Debug)]
struct ProbeBounds {
    deadline: Instant,
    limit: Duration,
}

/// Runs `future` (one probe) with a deadline `limit` from now.
pub async fn scope<F: Future>(limit: Duration, future: F) -> F::Output {
    let bounds = ProbeBounds {
        deadline: Instant::now() + limit,
        limit,
    };
    PROBE.scope(bounds, future).await
}

/// The deadline of the probe running on this task, and its length, if one was set.
pub fn probe_deadline() -> Option<(Instant, Duration)> {
    PROBE.try_with(|b| (b.deadline, b.limit)).ok()
}

/// The earlier of `until` and the probe's deadline, and whether the probe's deadline
/// is the one that applies.
pub fn bounded(until: Instant) -> (Instant, bool) {
    match probe_deadline() {
        Some((deadline, _)) if deadline < until => (deadline, true),
        _ => (until, false),
    }
}

/// The text for a request stopped by the probe's deadline.
pub fn deadline_text() -> String {
    let limit = probe_deadline().map_or(Duration::ZERO, |(_, limit)| limit);
    format!(
        "the probe's --deadline of {} passed (the go command has no limit here and would keep waiting)",
        humantime::format_duration(limit)
    )
}

/// How many bytes a body must bring in one window of `window` ([`MIN_BODY_RATE`]).
pub fn bytes_per_window(window: Duration) -> u64 {
    let bytes = (window.as_secs_f64() * MIN_BODY_RATE as f64).ceil();
    // Windows are at most hours long: the product fits.
    bytes as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_per_window() {
        assert_eq!(bytes_per_window(Duration::from_secs(10)), 10 * 1024);
        assert_eq!(bytes_per_window(Duration::from_millis(500)), 512);
    }

    #[tokio::test]
    async fn the_deadline_travels_with_the_probe() {
        assert!(probe_deadline().is_none());
        let far = Instant::now() + Duration::from_secs(3600);
        let (until, is_probe) = scope(Duration::from_secs(5), async { bounded(far) }).await;
        assert!(is_probe && until < far);
        assert_eq!(bounded(far), (far, false));
        let text = scope(Duration::from_secs(90), async { deadline_text() }).await;
        assert!(
            text.starts_with("the probe's --deadline of 1m 30s passed"),
            "{text}"
        );
    }
}
