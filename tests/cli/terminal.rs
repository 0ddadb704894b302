//! What people at a terminal get: text on a terminal and JSON in a pipe unless told
//! otherwise, colour only where it belongs, `-q`, and text lines a newcomer can read.
//! Terminals are made with script(1); [`screen`] replays what a terminal was sent.

use crate::Sandbox;

const TOOL: &str = "gomod-resolve";

/// The lines a terminal shows at the end, after replaying the control sequences the
/// tools use (carriage return, cursor up and down, clearing a line or the rest of the
/// screen; colours are dropped). A line is not wrapped at any width.
pub fn screen(sent: &str) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = sent.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
            }
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut params = String::new();
                let mut command = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        command = c;
                        break;
                    }
                    params.push(c);
                }
                let n: usize = params.trim_start_matches('?').parse().unwrap_or(1);
                match command {
                    'A' => row = row.saturating_sub(n.max(1)),
                    'B' => row += n.max(1),
                    'C' => col += n.max(1),
                    'D' => col = col.saturating_sub(n.max(1)),
                    'K' => {
                        while lines.len() <= row {
                            lines.push(Vec::new());
                        }
                        if params == "2" {
                            lines[row].clear();
                        } else {
                            lines[row].truncate(col);
                        }
                    }
                    'J' => {
                        while lines.len() <= row {
                            lines.push(Vec::new());
                        }
                        lines[row].truncate(col);
                        lines.truncate(row + 1);
                    }
                    // Colours, cursor visibility and the like change nothing shown.
                    _ => {}
                }
            }
            c => {
                while lines.len() <= row {
                    lines.push(Vec::new());
                }
                let line = &mut lines[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

const GREEN_OK: &str = "\u{1b}[32mok\u{1b}[0m";

#[test]
fn text_on_a_terminal_json_in_a_pipe_unless_a_flag_says_otherwise() {
    let sandbox = Sandbox::new();
    let args = ["--offline", "example.com/a@v1.0.0"];
    // In a pipe: JSON lines, as every script expects.
    let piped = sandbox.run(TOOL, &args);
    assert!(
        piped.stdout.starts_with("{\"type\":\"route\""),
        "{}",
        piped.stdout
    );
    let text = sandbox.run(TOOL, &["--format", "text", args[0], args[1]]);
    assert!(text.stdout.starts_with("ok   route "), "{}", text.stdout);
    assert!(!text.stdout.contains('\u{1b}'), "no colour into a pipe");

    // On a terminal: readable text, coloured.
    let Some(shown) = sandbox.run_on_terminal(TOOL, &args) else {
        return;
    };
    assert!(
        shown.stdout.starts_with(&format!(
            "{GREEN_OK}   route example.com/a@v1.0.0 (not probed"
        )),
        "{:?}",
        shown.stdout
    );
    for flags in [&["--format", "json"][..], &["--json"]] {
        let json = sandbox
            .run_on_terminal(TOOL, &[flags, &args[..]].concat())
            .unwrap();
        assert!(
            json.stdout.starts_with("{\"type\":\"route\""),
            "{flags:?}: {:?}",
            json.stdout
        );
        assert!(!json.stdout.contains('\u{1b}'), "{:?}", json.stdout);
    }
    // --json and --format text contradict each other: a usage error.
    let both = sandbox.run(TOOL, &["--json", "--format", "text", args[1]]);
    assert_eq!(both.status, 2, "{}", both.stderr);
}

#[test]
fn colour_follows_the_terminal_no_color_and_the_flag_and_never_reaches_json() {
    let args = [
        "--offline",
        "--format",
        "text",
        "example.com/a@v1.0.0",
        "foo/bar",
    ];
    let plain = Sandbox::new();
    // --color always colours text even into a pipe: FAIL red, ok green.
    let always = plain.run(TOOL, &[&["--color", "always"][..], &args].concat());
    let lines: Vec<&str> = always.stdout.lines().collect();
    assert!(lines[0].starts_with(GREEN_OK), "{:?}", lines[0]);
    assert!(
        lines[1].starts_with("\u{1b}[1;31mFAIL\u{1b}[0m route foo/bar"),
        "{:?}",
        lines[1]
    );
    // ... but never JSON.
    let json = plain.run(TOOL, &["--color", "always", "--offline", "foo/bar"]);
    assert!(json.stdout.starts_with('{') && !json.stdout.contains('\u{1b}'));
    // A warning is yellow.
    let warned = Sandbox::new()
        .env("GOPRIVATE", "corp.example.com, other.example.com")
        .run(
            TOOL,
            &[
                "--color",
                "always",
                "--format",
                "text",
                "--offline",
                "corp.example.com/x@v1.0.0",
            ],
        );
    assert!(
        warned
            .stdout
            .contains("\u{1b}[33mwarning pattern_whitespace: "),
        "{:?}",
        warned.stdout
    );

    let Some(auto) = plain.run_on_terminal(TOOL, &args) else {
        return;
    };
    assert!(auto.stdout.contains(GREEN_OK), "{:?}", auto.stdout);
    // NO_COLOR (not empty) turns auto colour off; an empty one does not.
    let no_color = Sandbox::new().env("NO_COLOR", "1");
    let shown = no_color.run_on_terminal(TOOL, &args).unwrap();
    assert!(
        shown.stdout.starts_with("ok   route "),
        "{:?}",
        shown.stdout
    );
    assert!(!shown.stdout.contains('\u{1b}'), "{:?}", shown.stdout);
    let forced = no_color
        .run_on_terminal(TOOL, &[&["--color", "always"][..], &args].concat())
        .unwrap();
    assert!(forced.stdout.contains(GREEN_OK), "{:?}", forced.stdout);
    let empty = Sandbox::new().env("NO_COLOR", "");
    let shown = empty.run_on_terminal(TOOL, &args).unwrap();
    assert!(shown.stdout.contains(GREEN_OK), "{:?}", shown.stdout);
    let never = plain
        .run_on_terminal(TOOL, &[&["--color", "never"][..], &args].concat())
        .unwrap();
    assert!(!never.stdout.contains('\u{1b}'), "{:?}", never.stdout);
}

#[test]
fn quiet_writes_nothing_and_the_exit_status_tells() {
    let sandbox = Sandbox::new();
    let ok = sandbox.run(
        TOOL,
        &["-q", "--summary", "--offline", "example.com/a@v1.0.0"],
    );
    assert_eq!(
        (ok.status, ok.stdout.as_str(), ok.stderr.as_str()),
        (0, "", "")
    );
    let failed = sandbox.run(
        TOOL,
        &["--quiet", "--offline", "example.com/a@v1.0.0", "foo/bar"],
    );
    assert_eq!(
        (
            failed.status,
            failed.stdout.as_str(),
            failed.stderr.as_str()
        ),
        (1, "", "")
    );
    let Some(shown) = sandbox.run_on_terminal(
        TOOL,
        &["-q", "--progress", "always", "--offline", "foo/bar"],
    ) else {
        return;
    };
    assert_eq!((shown.status, shown.stdout.as_str()), (1, ""));
}

#[test]
fn the_summary_line_says_fail_when_records_failed() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(
        TOOL,
        &[
            "--offline",
            "--summary",
            "--format",
            "text",
            "example.com/a@v1.0.0",
            "foo/bar",
        ],
    );
    let last = run.stdout.lines().last().unwrap();
    assert!(
        last.starts_with("FAIL summary: 2 records, 1 ok, 1 failed (errors: module_path_invalid 1)"),
        "{last}"
    );
    let run = sandbox.run(
        TOOL,
        &[
            "--offline",
            "--summary",
            "--format",
            "text",
            "example.com/a@v1.0.0",
        ],
    );
    let last = run.stdout.lines().last().unwrap();
    assert!(
        last.starts_with("ok   summary: 1 records, 1 ok, 0 failed"),
        "{last}"
    );
}

#[test]
fn a_route_reads_as_the_rules_it_stands_for() {
    let run = Sandbox::new()
        .env("GOPROXY", "https://a.example,https://b.example|direct")
        .env("GOSUMDB", "off")
        .run(
            TOOL,
            &["--offline", "--format", "text", "golang.org/x/text@latest"],
        );
    assert_eq!(
        run.stdout.trim_end(),
        "ok   route golang.org/x/text@latest (not probed: worked out from the configuration): \
         Go tries https://a.example, then on 404/410: https://b.example, \
         then on any error: direct (go-get page https://golang.org/x/text?go-get=1 not fetched); \
         no checksum database (GOSUMDB=off)"
    );
    let private = Sandbox::new()
        .env("GOPRIVATE", "corp.example.com")
        .env("GOPROXY", "https://a.example")
        .run(
            TOOL,
            &["--offline", "--format", "text", "corp.example.com/x@v1.0.0"],
        );
    assert!(
        private.stdout.contains(
            "Go tries direct (GOPRIVATE matches corp.example.com; go-get page https://corp.example.com/x?go-get=1 not fetched); \
             skips https://a.example (disabled by GOPRIVATE/GONOPROXY); \
             no checksum database (GOPRIVATE matches \"corp.example.com\")"
        ),
        "{}",
        private.stdout
    );
    // The environment as text names where each value came from.
    let env = Sandbox::new()
        .env("GOPROXY", "https://a.example")
        .run(TOOL, &["--env", "--offline", "--format", "text"]);
    assert!(
        env.stdout.starts_with(
            "ok   env GOPROXY=https://a.example (environment), GOSUMDB=sum.golang.org (default), GOPRIVATE not set"
        ),
        "{}",
        env.stdout
    );
}

#[test]
fn input_errors_say_where_the_line_was() {
    let run = Sandbox::new().run_with_stdin(
        TOOL,
        &["--offline", "--format", "text", "-"],
        "example.com/a@v1.0.0\n{not json\n",
    );
    let line = run.stdout.lines().nth(1).unwrap();
    assert!(
        line.starts_with("FAIL input stdin line 2: {not json | input_invalid: "),
        "{line}"
    );
}

#[test]
fn screen_replays_what_a_terminal_shows() {
    assert_eq!(
        screen("a spinner\r\u{1b}[2Krecord one\nbar\r\u{1b}[2K\u{1b}[1A\u{1b}[Jx\n"),
        ["x"]
    );
    assert_eq!(screen("abc\rX\n\u{1b}[32mok\u{1b}[0m"), ["Xbc", "ok"]);
}
