//! Progress on standard error for every tool's run: how many targets are done, out of
//! how many when that is known (with an estimate of the time left), and the target last
//! started. Records are written with the display suspended, so that the two never share
//! a line when standard output and standard error are the same terminal.
//!
//! `--progress auto` shows it only when standard error is a terminal, and only once a
//! run has lasted long enough for it to help; `always` shows it from the start even
//! when standard error is a pipe or a file (a CI log); `never` and `--quiet` never.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

use crate::app::When;

/// How long a run goes on before `--progress auto` shows anything: a quick run
/// finishes without a flash of progress.
const AUTO_DELAY: Duration = Duration::from_millis(300);

/// How often the display is redrawn while nothing else changes (the spinner, the
/// elapsed time).
const TICK: Duration = Duration::from_millis(120);

/// The progress display of one run, or nothing.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    /// When the display should appear (auto waits; always does not).
    delay: Duration,
    /// Draws even when standard error is not a terminal.
    forced: bool,
    /// Set once the display is removed for good, so that a late [`Progress::show`]
    /// does not bring it back.
    cleared: Mutex<bool>,
}

impl Progress {
    /// The display for this setting; `total` is the number of targets when it is known
    /// before the run starts.
    pub fn new(when: When, quiet: bool, total: Option<u64>) -> Progress {
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let (show, delay) = match when {
            _ if quiet => (false, Duration::ZERO),
            When::Never => (false, Duration::ZERO),
            When::Always => (true, Duration::ZERO),
            When::Auto => (stderr_is_terminal, AUTO_DELAY),
        };
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
            bar.set_style(style(total.is_some()));
            bar
        });
        Progress {
            bar,
            delay,
            forced: !stderr_is_terminal,
            cleared: Mutex::new(false),
        }
    }

    /// How long to wait before calling [`Progress::show`]; None when nothing is shown.
    pub fn delay(&self) -> Option<Duration> {
        self.bar.as_ref().map(|_| self.delay)
    }

    /// Starts drawing.
    pub fn show(&self) {
        let Some(bar) = &self.bar else { return };
        let cleared = self.cleared.lock().unwrap_or_else(|e| e.into_inner());
        if *cleared {
            return;
        }
        let target = if self.forced {
            // indicatif hides what it would draw to a stream that is not a terminal;
            // `--progress always` asked for it, so it goes to standard error anyway.
            ProgressDrawTarget::term_like_with_hz(Box::new(StderrAlways), 20)
        } else {
            ProgressDrawTarget::stderr()
        };
        bar.set_draw_target(target);
        bar.enable_steady_tick(TICK);
    }

    /// A target has been started.
    pub fn started(&self, label: &str) {
        if let Some(bar) = &self.bar {
            // untrusted() also removes credentials (a target with userinfo).
            bar.set_message(crate::record::untrusted(label, 200));
        }
    }

    /// A target is done.
    pub fn finished(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Runs `write` (which writes records) with the display taken off the terminal,
    /// then draws it again below what was written.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Removes the display for good.
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            let mut cleared = self.cleared.lock().unwrap_or_else(|e| e.into_inner());
            *cleared = true;
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The look of the display: a bar with the count, the total and the time left when the
/// total is known; a spinner with the count and the time so far when it is not.
fn style(total_known: bool) -> ProgressStyle {
    let template = if total_known {
        "{spinner} [{bar:25}] {pos}/{len} done, ETA {eta}  {wide_msg}"
    } else {
        "{spinner} {pos} done, {elapsed}  {wide_msg}"
    };
    ProgressStyle::with_template(template)
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// Standard error as a terminal that is always drawn to, whatever it is (for
/// `--progress always`): the same control sequences a terminal gets, so that a log
/// shown later on a terminal (or by a CI page) reads the same.
#[derive(Debug)]
struct StderrAlways;

impl StderrAlways {
    fn write(&self, text: &str) -> std::io::Result<()> {
        std::io::stderr().lock().write_all(text.as_bytes())
    }
}

impl TermLike for StderrAlways {
    fn width(&self) -> u16 {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse().ok())
            .filter(|&c: &u16| c >= 20)
            .unwrap_or(80)
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.write(&format!("\x1b[{n}A"))
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.write(&format!("\x1b[{n}B"))
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.write(&format!("\x1b[{n}C"))
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.write(&format!("\x1b[{n}D"))
    }

    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.write(&format!("{s}\n"))
    }

    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.write(s)
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.write("\r\x1b[2K")
    }

    fn flush(&self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
