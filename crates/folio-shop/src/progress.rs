//! Progress reporting for long loads: an indicatif bar on a terminal, plain lines
//! (one every tenth of the work) otherwise, so logs and CI output stay readable.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// The progress of one step (say "products") of `total` units.
#[derive(Debug)]
pub struct Progress {
    label: String,
    total: u64,
    done: u64,
    started: Instant,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Bar(ProgressBar),
    Lines { next_tenth: u64 },
    Quiet,
}

impl Progress {
    /// A bar on a terminal (stderr), plain lines otherwise.
    pub fn new(label: &str, total: u64) -> Self {
        let inner = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template(
                "{prefix:>9} [{bar:40.cyan/blue}] {human_pos:>9}/{human_len:9} {per_sec:>12} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(label.to_owned());
            Inner::Bar(bar)
        } else {
            Inner::Lines { next_tenth: 1 }
        };
        Progress {
            label: label.to_owned(),
            total,
            done: 0,
            started: Instant::now(),
            inner,
        }
    }

    /// A progress that reports nothing.
    pub fn quiet(label: &str, total: u64) -> Self {
        Progress {
            label: label.to_owned(),
            total,
            done: 0,
            started: Instant::now(),
            inner: Inner::Quiet,
        }
    }

    /// `n` more units done.
    pub fn inc(&mut self, n: u64) {
        self.done += n;
        match &mut self.inner {
            Inner::Bar(bar) => bar.inc(n),
            Inner::Lines { next_tenth } => {
                while self.total > 0
                    && *next_tenth < 10
                    && self.done * 10 >= self.total * *next_tenth
                {
                    eprintln!(
                        "{}: {}/{} ({}%)",
                        self.label,
                        self.done,
                        self.total,
                        *next_tenth * 10
                    );
                    *next_tenth += 1;
                }
            }
            Inner::Quiet => {}
        }
    }

    /// The step is done: clears the bar and prints a summary line.
    pub fn finish(self) {
        let secs = self.started.elapsed().as_secs_f64();
        match &self.inner {
            Inner::Bar(bar) => bar.finish_and_clear(),
            Inner::Lines { .. } | Inner::Quiet => {}
        }
        if !matches!(self.inner, Inner::Quiet) {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{:>9}: {} rows in {secs:.1}s", self.label, self.done);
        }
    }
}

/// Prints a one-line note about a step (to stderr), unless quiet.
pub fn note(quiet: bool, message: &str) {
    if !quiet {
        eprintln!("{message}");
    }
}
