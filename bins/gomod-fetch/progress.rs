//! Progress on standard error: a spinner with the count of modules done and the
//! module being fetched, only when standard error is a terminal (or `--progress
//! always`), so that pipelines and logs stay clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli;

/// The progress display, or nothing.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: AtomicU64,
}

impl Progress {
    /// A display for this setting.
    pub fn new(when: cli::Progress) -> Progress {
        let show = match when {
            cli::Progress::Always => true,
            cli::Progress::Never => false,
            cli::Progress::Auto => std::io::stderr().is_terminal(),
        };
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {pos} fetched, {elapsed} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            started: AtomicU64::new(0),
        }
    }

    /// A module is being fetched.
    pub fn start(&self, module: &str) {
        self.started.fetch_add(1, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_message(gomod_common::record::untrusted(module, 200));
        }
    }

    /// A module is done.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
