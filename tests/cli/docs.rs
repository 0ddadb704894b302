//! The committed man pages and completions are what the binaries generate now.
//! Run with `UPDATE_GENERATED=1` (or `make docs`) to rewrite them after a change.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use gomod_testsupport::skip::{Need, skip};

const TOOLS: &[&str] = &[
    "gomod-resolve",
    "gomod-dnscheck",
    "gomod-tlscheck",
    "gomod-fetch",
    "gomod-sumverify",
    "gomod-doctor",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every generated file: (tool, --generate argument, committed path).
fn generated() -> Vec<(&'static str, &'static str, PathBuf)> {
    let mut files = Vec::new();
    for tool in TOOLS {
        files.push((*tool, "man", root().join(format!("man/{tool}.1"))));
        files.push((
            *tool,
            "complete-bash",
            root().join(format!("completions/{tool}.bash")),
        ));
        files.push((
            *tool,
            "complete-zsh",
            root().join(format!("completions/_{tool}")),
        ));
        files.push((
            *tool,
            "complete-fish",
            root().join(format!("completions/{tool}.fish")),
        ));
    }
    files.push((
        "gomod-resolve",
        "man-reference",
        root().join("man/gomod-tools.7"),
    ));
    files
}

fn generate(tool: &str, what: &str) -> Vec<u8> {
    let output = Command::cargo_bin(tool)
        .unwrap()
        .env_clear()
        .args(["--generate", what])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{tool} --generate {what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn man_pages_and_completions_are_fresh() {
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (tool, what, path) in generated() {
        let fresh = generate(tool, what);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &fresh).unwrap();
            continue;
        }
        match std::fs::read(&path) {
            Ok(committed) if committed == fresh => {}
            _ => stale.push(path.strip_prefix(root()).unwrap().display().to_string()),
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `make docs` and commit them): {stale:?}"
    );
}

/// Every man page: (tool, path).
fn man_pages() -> Vec<(&'static str, PathBuf)> {
    generated()
        .into_iter()
        .filter(|(_, what, _)| what.starts_with("man"))
        .map(|(tool, _, path)| (tool, path))
        .collect()
}

#[test]
fn man_pages_have_no_markdown_no_trailing_blanks_and_name_every_value() {
    for (tool, path) in man_pages() {
        let page = std::fs::read_to_string(&path).unwrap();
        for (i, line) in page.lines().enumerate() {
            let at = format!("{}:{}", path.display(), i + 1);
            assert!(!line.contains('`'), "{at}: a markdown backtick: {line}");
            assert_eq!(line, line.trim_end(), "{at}: trailing white space");
        }
        if path.extension().is_some_and(|e| e == "7") {
            continue;
        }
        let synopsis = section(&page, "SYNOPSIS");
        for value in [
            "\\fB\\-\\-timeout\\fR\\ \\fIDURATION\\fR",
            "\\fB\\-\\-format\\fR\\ \\fIFORMAT\\fR",
            "\\fB\\-\\-color\\fR\\ \\fIWHEN\\fR",
            "\\fB\\-j\\fR|\\fB\\-\\-jobs\\fR\\ \\fIN\\fR",
        ] {
            assert!(
                synopsis.contains(value),
                "{tool}: {value} not in {synopsis}"
            );
        }
        assert!(!synopsis.contains("generate"), "{synopsis}");
        if tool == "gomod-fetch" {
            assert!(
                synopsis.contains("\\fB\\-\\-what\\fR\\ \\fILIST\\fR"),
                "{synopsis}"
            );
        }
    }
}

/// The text of a man page section, from its .SH line to the next.
fn section(page: &str, name: &str) -> String {
    let start = page
        .find(&format!(".SH {name}\n"))
        .or_else(|| page.find(&format!(".SH \"{name}\"\n")))
        .unwrap_or_else(|| panic!("no {name} section"));
    let rest = &page[start + 1..];
    let end = rest.find("\n.SH ").map_or(rest.len(), |i| i + 1);
    rest[..end].to_string()
}

/// The example commands of a man page: the no-fill lines of EXAMPLES, with roff's
/// escapes undone and `\c` continuations joined.
fn example_commands(page: &str) -> Vec<String> {
    let examples = section(page, "EXAMPLES");
    let mut commands = Vec::new();
    let mut no_fill = false;
    let mut current = String::new();
    for line in examples.lines() {
        match line {
            ".nf" => no_fill = true,
            ".fi" => no_fill = false,
            _ if no_fill => {
                let text = unroff(line);
                match text.strip_suffix("\\c") {
                    Some(part) => current.push_str(part),
                    None => {
                        current.push_str(&text);
                        commands.push(std::mem::take(&mut current));
                    }
                }
            }
            _ => {}
        }
    }
    commands
}

/// Roff text back to the characters it shows (the escapes the generator writes).
fn unroff(line: &str) -> String {
    let mut out = line
        .replace("\\-", "-")
        .replace("\\*(Aq", "'")
        .replace("\\(aq", "'")
        .replace("\\(dq", "\"")
        .replace("\\&", "")
        .replace("\\e", "\\");
    while let Some(start) = out.find("\\[u") {
        let end = out[start..].find(']').unwrap() + start;
        let c = char::from_u32(u32::from_str_radix(&out[start + 4..end], 16).unwrap()).unwrap();
        out.replace_range(start..=end, &c.to_string());
    }
    out
}

#[test]
fn every_tool_has_examples_in_help_and_man_page_and_none_is_broken() {
    for tool in TOOLS {
        let page = std::fs::read_to_string(root().join(format!("man/{tool}.1"))).unwrap();
        let commands = example_commands(&page);
        assert!(
            commands.len() >= 3,
            "{tool}: too few examples: {commands:?}"
        );
        // A narrow terminal: clap wraps what it may wrap, never an example.
        let help = Command::cargo_bin(tool)
            .unwrap()
            .env_clear()
            .env("COLUMNS", "50")
            .arg("--help")
            .output()
            .unwrap();
        let help = String::from_utf8(help.stdout).unwrap();
        let lines: Vec<&str> = help.lines().collect();
        let at = lines
            .iter()
            .position(|l| *l == "Examples:")
            .unwrap_or_else(|| panic!("{tool} --help has no examples:\n{help}"));
        let shown = &lines[at..];
        for command in &commands {
            let line = format!("    {command}");
            assert!(
                shown.contains(&line.as_str()),
                "{tool} --help breaks or lacks the example {command:?}:\n{help}"
            );
        }
        assert!(
            shown
                .iter()
                .all(|l| l.is_empty() || l.starts_with("  ") || *l == "Examples:"),
            "{tool}: an example line that is neither a description nor a command:\n{help}"
        );
    }
}

#[test]
fn example_commands_are_accepted_by_the_tools() {
    for tool in TOOLS {
        let page = std::fs::read_to_string(root().join(format!("man/{tool}.1"))).unwrap();
        for command in example_commands(&page) {
            for words in shell_commands(&command) {
                let mut words = words
                    .into_iter()
                    .skip_while(|w| is_assignment(w))
                    .peekable();
                let Some(program) = words.next() else {
                    continue;
                };
                if !program.starts_with("gomod-") {
                    continue;
                }
                // A --jobs 0 appended last is refused; any earlier word clap does not
                // accept (an unknown flag, a bad value) would be refused first.
                let mut args: Vec<String> = words.collect();
                args.extend(["--jobs".into(), "0".into()]);
                let run = crate::Sandbox::new().run(
                    &program,
                    &args.iter().map(String::as_str).collect::<Vec<_>>(),
                );
                assert!(
                    run.status == 2 && run.stderr.contains("'--jobs <N>'"),
                    "{tool}: the example {command:?} does not parse: {}",
                    run.stderr
                );
            }
        }
    }
}

/// Whether a shell word is a variable assignment (`GOPROXY=off`).
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

/// The simple commands of a shell command line (split at `|`, `&&`, `||` and `;`),
/// each as its words with the quotes removed; `$(...)` inside double quotes stays as
/// it is.
fn shell_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = vec![Vec::new()];
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    w.push(c);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    w.push(c);
                }
            }
            '|' | '&' | ';' => {
                if chars.peek() == Some(&c) {
                    chars.next();
                }
                if let Some(w) = word.take() {
                    commands.last_mut().unwrap().push(w);
                }
                commands.push(Vec::new());
            }
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    commands.last_mut().unwrap().push(w);
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word.take() {
        commands.last_mut().unwrap().push(w);
    }
    commands
}

#[test]
fn completions_offer_every_value_and_no_hidden_option() {
    let enums: &[(&str, &[&str])] = &[
        ("format", &["text", "json"]),
        ("color", &["auto", "always", "never"]),
        ("progress", &["auto", "always", "never"]),
    ];
    for tool in TOOLS {
        let what: &[(&str, &[&str])] = if *tool == "gomod-fetch" {
            &[("what", &["list", "info", "mod", "zip"])]
        } else {
            &[]
        };
        let bash =
            std::fs::read_to_string(root().join(format!("completions/{tool}.bash"))).unwrap();
        let zsh = std::fs::read_to_string(root().join(format!("completions/_{tool}"))).unwrap();
        let fish =
            std::fs::read_to_string(root().join(format!("completions/{tool}.fish"))).unwrap();
        for (shell, script) in [("bash", &bash), ("zsh", &zsh), ("fish", &fish)] {
            assert!(
                !script.contains("generate") && !script.contains("man-reference"),
                "{tool} {shell} completion offers the hidden --generate"
            );
        }
        for (option, values) in enums.iter().chain(what) {
            // bash: the case for the option completes its values.
            let case = bash
                .split(&format!("--{option})"))
                .nth(1)
                .and_then(|rest| rest.split(";;").next())
                .unwrap_or_else(|| panic!("{tool} bash: no case for --{option}"));
            // zsh: the option's spec.
            let spec = zsh
                .lines()
                .skip_while(|l| !l.contains(&format!("--{option}=[")))
                .take_while(|l| !l.ends_with("' \\"))
                .chain(
                    zsh.lines()
                        .skip_while(|l| !l.contains(&format!("--{option}=[")))
                        .skip_while(|l| !l.ends_with("' \\"))
                        .take(1),
                )
                .collect::<Vec<_>>()
                .join("\n");
            // fish: the option's line.
            let line = fish
                .lines()
                .find(|l| l.contains(&format!(" -l {option} ")))
                .unwrap_or_else(|| panic!("{tool} fish: no --{option}"));
            for value in *values {
                assert!(
                    case.contains(value),
                    "{tool} bash --{option}: no {value}: {case}"
                );
                assert!(
                    spec.contains(value),
                    "{tool} zsh --{option}: no {value}: {spec}"
                );
                assert!(
                    line.contains(value),
                    "{tool} fish --{option}: no {value}: {line}"
                );
            }
        }
    }
    let zsh = std::fs::read_to_string(root().join("completions/_gomod-fetch")).unwrap();
    assert!(
        zsh.contains(":LIST:_sequence compadd - list info mod zip'"),
        "zsh must complete --what as a comma list"
    );
    let fish = std::fs::read_to_string(root().join("completions/gomod-fetch.fish")).unwrap();
    assert!(
        fish.contains("-a \"(__fish_complete_list , 'string split , list,info,mod,zip')\""),
        "fish must complete --what as a comma list"
    );
}

/// What bash completes for `words` (the last one being completed) with a tool's
/// completion script.
fn bash_completes(tool: &str, words: &[&str]) -> Vec<String> {
    let script = root().join(format!("completions/{tool}.bash"));
    let function = format!("_{}", tool.replace('-', "__"));
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE=\"${{COMP_WORDS[*]}}\"\nCOMP_POINT=${{#COMP_LINE}}\n{function} {tool} '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let output = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("run bash");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_lists_item_by_item_and_every_value() {
    assert_eq!(
        bash_completes("gomod-fetch", &["gomod-fetch", "--what", "info,m"]),
        ["info,mod"]
    );
    assert_eq!(
        bash_completes("gomod-fetch", &["gomod-fetch", "--what", "list,info,"]),
        [
            "list,info,list",
            "list,info,info",
            "list,info,mod",
            "list,info,zip"
        ]
    );
    assert_eq!(
        bash_completes("gomod-resolve", &["gomod-resolve", "--color", "a"]),
        ["auto", "always"]
    );
    assert_eq!(
        bash_completes("gomod-sumverify", &["gomod-sumverify", "--format", ""]),
        ["text", "json"]
    );
    assert!(bash_completes("gomod-tlscheck", &["gomod-tlscheck", "--gen"]).is_empty());
}

#[test]
fn fish_completes_lists_item_by_item() {
    if std::process::Command::new("fish")
        .arg("--version")
        .output()
        .is_err()
    {
        gomod_testsupport::skip::skip(
            gomod_testsupport::skip::Need::Fish,
            "no fish",
            "its completion is checked as text only",
        );
        return;
    }
    let script = root().join("completions/gomod-fetch.fish");
    let output = std::process::Command::new("fish")
        .args([
            "--no-config",
            "-c",
            &format!(
                "source '{}'; complete -C 'gomod-fetch --what info,m'; complete -C 'gomod-fetch --gen'",
                script.display()
            ),
        ])
        .output()
        .unwrap();
    let shown = String::from_utf8(output.stdout).unwrap();
    let values: Vec<&str> = shown
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(values, ["info,mod"], "{shown}");
}

#[test]
fn man_pages_pass_mandoc_lint() {
    let has_mandoc = std::process::Command::new("mandoc")
        .arg("-V")
        .output()
        .is_ok();
    if !has_mandoc {
        skip(Need::Mandoc, "no mandoc (apt-get install mandoc)", "");
        return;
    }
    for (_, path) in man_pages() {
        lint(&path);
    }
}

fn lint(path: &Path) {
    let output = std::process::Command::new("mandoc")
        .args(["-Tlint", "-W", "style"])
        .arg(path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && report.trim().is_empty(),
        "mandoc -Tlint -W style {}:\n{report}",
        path.display()
    );
}

#[test]
fn reference_page_documents_every_error_code() {
    let page = String::from_utf8(generate("gomod-resolve", "man-reference")).unwrap();
    let codes = [
        "goproxy_invalid",
        "goproxy_empty",
        "goproxy_off",
        "gosumdb_invalid",
        "module_path_invalid",
        "gomod_invalid",
        "godebug_invalid",
        "dns_nxdomain",
        "tcp_refused",
        "proxy_auth_required",
        "tls_unknown_authority",
        "tls_incomplete_chain",
        "tls_intercepted_untrusted",
        "tls_expired",
        "tls_name_mismatch",
        "tls_negative_serial",
        "tls_insecure_signature",
        "http_not_found",
        "http_gone",
        "http_unauthorized",
        "http_forbidden",
        "http_server_error",
        "zip_invalid",
        "hash_mismatch",
        "gosum_mismatch",
        "sumdb_not_found",
        "sumdb_bad_signature",
        "sumdb_proof_failed",
        "sumdb_fork",
        "vcs_meta_not_found",
    ];
    for code in codes {
        assert!(
            page.contains(&code.replace('_', "\\_")) || page.contains(code),
            "{code} missing from gomod-tools(7)"
        );
    }
}

/// Every jq program a user may copy from the README or a man page, as written between
/// single quotes after `jq` and its options, man page escapes undone.
fn documented_jq_programs() -> Vec<(String, String)> {
    let mut sources = vec![("README.md".to_string(), read(&root().join("README.md")))];
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("man"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    for page in pages {
        let text = read(&page)
            .replace("\\*(Aq", "'")
            .replace("\\(aq", "'")
            .replace("\\-", "-")
            .replace("\\e", "\\");
        sources.push((
            page.strip_prefix(root()).unwrap().display().to_string(),
            text,
        ));
    }
    let mut programs = Vec::new();
    for (name, text) in sources {
        for line in text.lines() {
            let mut rest = line;
            while let Some(at) = find_jq(rest) {
                rest = &rest[at + 2..];
                // Options, then the quoted program.
                let mut words = rest.trim_start();
                while let Some(opt) = words.strip_prefix('-') {
                    words = opt
                        .split_once(char::is_whitespace)
                        .map_or("", |(_, after)| after)
                        .trim_start();
                }
                if let Some(quoted) = words.strip_prefix('\'')
                    && let Some((program, _)) = quoted.split_once('\'')
                {
                    programs.push((name.clone(), program.to_string()));
                }
            }
        }
    }
    programs
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The byte offset of the next `jq` command word in `line`.
fn find_jq(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(pos) = line[from..].find("jq ") {
        let at = from + pos;
        if at == 0 || matches!(bytes[at - 1], b' ' | b'|' | b'(' | b'`') {
            return Some(at);
        }
        from = at + 3;
    }
    None
}

/// The README's and the man pages' jq programs compile with the jq on this machine
/// (jq 1.6 on Debian 12 takes `module` as a keyword, so `{module}` does not compile
/// there). Each program is compiled without being run, inside `if false then ... end`.
#[test]
fn documented_jq_programs_compile() {
    let programs = documented_jq_programs();
    assert!(
        programs.len() >= 15,
        "too few jq programs found: {programs:?}"
    );
    let version = match std::process::Command::new("jq").arg("--version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            gomod_testsupport::skip::skip(
                gomod_testsupport::skip::Need::Jq,
                "no jq",
                &format!(
                    "the {} jq programs of the README and man pages were not checked",
                    programs.len()
                ),
            );
            return;
        }
    };
    let mut broken = Vec::new();
    for (source, program) in &programs {
        let output = std::process::Command::new("jq")
            .arg("-n")
            .arg(format!("if false then ({program}) else empty end"))
            .output()
            .unwrap();
        if !output.status.success() {
            broken.push(format!(
                "{source}: {program}\n  {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "jq programs that {version} cannot compile:\n{}",
        broken.join("\n")
    );
}

#[test]
fn jq_programs_are_found_where_written() {
    assert_eq!(find_jq("a | jq -r '.x'"), Some(4));
    assert_eq!(find_jq("gomod-x | jq '.x'"), Some(10));
    assert_eq!(find_jq("jq ."), Some(0));
    assert_eq!(find_jq("notjq '.x'"), None);
}
