//! The text checklist, the JUnit report and the `--report` file of gomod-doctor.
//!
//! Everything written to the report file goes through [`report_line`], the one place
//! where its secrets are removed.

use std::fmt::Write as _;

use crate::record::diagnosis::{DiagnosisBody, status_mark};
use crate::record::{ErrorInfo, Warning, scrub_credentials, untrusted, untrusted_lines};

/// One line of the `--report` file, with every credential removed: the passwords of
/// URLs (as in every record), and in a report meant to leave the machine also the user
/// part of a URL that has no password (`https://ghp_TOKEN@github.com`: a token given as
/// the user name). Every line of the report goes through here and nowhere else.
pub fn report_line(line: &str) -> String {
    // Every credential this process learnt (config, arguments, netrc) goes too, in each
    // of its encodings, as from everything the tools print.
    let known = if line.trim_start().starts_with('{') {
        crate::redact::scrub_json_line(line)
    } else {
        crate::redact::scrub(line)
    };
    hide_lone_userinfo(&scrub_credentials(&known))
}

/// `scheme://USER@host` becomes `scheme://***@host`; `user:***@` (already scrubbed)
/// is left as it is.
fn hide_lone_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let start = pos + 3;
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '>' | '<' | '\\') || c.is_whitespace()
            })
            .unwrap_or(after.len());
        match after[..end].rfind('@') {
            Some(at) if !after[..at].contains(':') && at > 0 => {
                out.push_str("***");
                rest = &after[at..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// The checklist a person reads top to bottom: one line per check with ✓, ✗, ! or –
/// and its time, then the cause, what go prints, the fixes and the consequences.
pub fn checklist(
    body: &DiagnosisBody,
    error: Option<&ErrorInfo>,
    warnings: &[Warning],
    color: bool,
) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "gomod-doctor: {} ({})",
        untrusted(&body.input, 300),
        untrusted(&body.modules.join(" "), 600)
    );
    for c in &body.checks {
        let mark = status_mark(c.status);
        let mark = match c.status {
            "ok" => paint("32", mark),
            "failed" => paint("1;31", mark),
            "warning" => paint("33", mark),
            _ => mark.to_string(),
        };
        let mut line = format!("{mark} {:<8} {}", c.check, untrusted(&c.target, 300));
        match c.status {
            "skipped" => match &c.because {
                Some(b) => {
                    line.push_str(&format!(": skipped because {} failed", untrusted(b, 300)))
                }
                None => line.push_str(&format!(": skipped: {}", untrusted(&c.message, 300))),
            },
            "not_reached" => line.push_str(&format!(": {}", untrusted(&c.message, 300))),
            _ => {
                if let Some(code) = &c.code {
                    line.push_str(&format!(": {code}:"));
                } else {
                    line.push(':');
                }
                line.push_str(&format!(" {}", untrusted(&c.message, 400)));
            }
        }
        line.push_str(&format!(" ({} ms)", c.ms));
        let _ = writeln!(out, "{line}");
    }
    match error {
        None => {
            let _ = writeln!(out, "{}", paint("32", "ok: the go command would succeed"));
        }
        Some(e) => {
            let _ = writeln!(
                out,
                "{} {} ({}){}: {}",
                paint("1;31", "cause:"),
                e.code,
                e.code.layer().as_str(),
                body.endpoint
                    .as_deref()
                    .map(|p| format!(" at {}", untrusted(p, 300)))
                    .unwrap_or_default(),
                untrusted(&e.message, 1000)
            );
            if let Some(go) = &e.go_error {
                let _ = writeln!(
                    out,
                    "go prints: {}",
                    untrusted_lines(go, 2000).replace('\n', "\n  ")
                );
            }
            for (i, f) in body.fixes.iter().enumerate() {
                match &f.command {
                    Some(command) => {
                        let _ = writeln!(
                            out,
                            "fix {}: {}\n       {}",
                            i + 1,
                            untrusted(command, 500),
                            untrusted(&f.effect, 500)
                        );
                    }
                    None => {
                        let _ = writeln!(out, "fix {}: {}", i + 1, untrusted(&f.effect, 500));
                    }
                }
            }
            if !body.consequences.is_empty() {
                let list: Vec<String> = body
                    .consequences
                    .iter()
                    .map(|c| format!("{} ({})", untrusted(&c.what, 200), c.code))
                    .collect();
                let _ = writeln!(out, "consequences, not causes: {}", list.join(", "));
            }
        }
    }
    for w in warnings {
        let _ = writeln!(
            out,
            "{} {}: {}",
            paint("33", "warning"),
            w.code,
            untrusted(&w.message, 500)
        );
    }
    if let Some(go) = &body.go_output
        && !go.unplaced.is_empty()
    {
        let _ = writeln!(out, "lines of go's output not placed:");
        for line in &go.unplaced {
            let _ = writeln!(out, "  {}", untrusted(line, 500));
        }
    }
    out
}

/// Escapes text for an XML attribute or element.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML report: one testcase per check; the cause's check carries the
/// diagnosis as its failure, the checks after it are skipped.
pub fn junit(body: &DiagnosisBody, error: Option<&ErrorInfo>, elapsed_ms: u64) -> String {
    let failures = body.checks.iter().filter(|c| c.status == "failed").count();
    let skipped = body
        .checks
        .iter()
        .filter(|c| matches!(c.status, "skipped" | "not_reached"))
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"gomod-doctor\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">",
        body.checks.len(),
        elapsed_ms as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"gomod-doctor {}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">",
        xml(&body.input),
        body.checks.len(),
        elapsed_ms as f64 / 1000.0
    );
    let diagnosis = error.map(|e| {
        let mut text = format!("{}: {}", e.code, e.message);
        if let Some(go) = &e.go_error {
            text.push_str(&format!("\ngo prints: {go}"));
        }
        for f in &body.fixes {
            match &f.command {
                Some(c) => text.push_str(&format!("\nfix: {c} ({})", f.effect)),
                None => text.push_str(&format!("\nfix: {}", f.effect)),
            }
        }
        text
    });
    let mut cause_given = false;
    for c in &body.checks {
        let _ = write!(
            out,
            "    <testcase classname=\"gomod-doctor.{}\" name=\"{} {}\" time=\"{:.3}\"",
            c.check,
            c.check,
            xml(&c.target),
            c.ms as f64 / 1000.0
        );
        match c.status {
            "failed" => {
                let message = match (&diagnosis, cause_given) {
                    (Some(d), false) if c.because.is_none() => {
                        cause_given = true;
                        d.clone()
                    }
                    _ => format!("{}: {}", c.code.as_deref().unwrap_or("failed"), c.message),
                };
                let first = message.lines().next().unwrap_or("").to_string();
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    xml(&first),
                    xml(c.code.as_deref().unwrap_or("failed")),
                    xml(&message)
                );
            }
            "skipped" | "not_reached" => {
                let why = match &c.because {
                    Some(b) => format!("skipped because {b} failed"),
                    None => c.message.clone(),
                };
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(&why)
                );
            }
            _ => {
                let _ = writeln!(out, "/>");
            }
        }
    }
    if let (Some(d), false) = (&diagnosis, cause_given) {
        let first = d.lines().next().unwrap_or("").to_string();
        let _ = writeln!(
            out,
            "    <testcase classname=\"gomod-doctor.diagnosis\" name=\"diagnosis\" time=\"0.000\">\n      <failure message=\"{}\" type=\"diagnosis\">{}</failure>\n    </testcase>",
            xml(&first),
            xml(d)
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes() {
        assert_eq!(xml("a<b>&\"'\x1b"), "a&lt;b&gt;&amp;&quot;&apos;\\u{1b}");
    }

    #[test]
    fn report_lines_lose_passwords() {
        assert_eq!(
            report_line(r#"{"url":"https://alice:s3cret@proxy.corp/x"}"#),
            r#"{"url":"https://alice:***@proxy.corp/x"}"#
        );
        assert_eq!(
            report_line(r#"{"GOPROXY":"https://ghp_T0KEN@goproxy.corp,https://x.example"}"#),
            r#"{"GOPROXY":"https://***@goproxy.corp,https://x.example"}"#
        );
        assert_eq!(
            report_line("see https://example.com/a@b and ssh://git@host"),
            "see https://example.com/a@b and ssh://***@host"
        );
    }
}
