//! Reasoning across the records of the five tools: the checks in dependency order for
//! every endpoint a route uses, the one root cause of a failure (a check that cannot
//! pass because an earlier one failed is skipped because of it), and the fix.
//!
//! The input is the stream of records as the tools printed them (JSON values, indexed
//! by their place in the stream); nothing here runs a probe.

use std::collections::BTreeMap;

use serde_json::Value;

use super::code_named;
use super::goerr::GoOutput;
use crate::record::diagnosis::{Check, Consequence, DiagnosisBody, Fix};
use crate::record::{Code, ErrorInfo, Warning, untrusted};

/// What [`diagnose`] concludes.
#[derive(Debug)]
pub struct Verdict {
    /// The diagnosis record's own fields.
    pub body: DiagnosisBody,
    /// The root cause, or None when the go command would succeed.
    pub error: Option<ErrorInfo>,
    /// Things that work but are wrong or risky (TLS interception Go trusts, DNS answers
    /// that differ, a failing endpoint go does not need).
    pub warnings: Vec<Warning>,
}

/// A string field of a record.
fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn kind(v: &Value) -> &str {
    s(v, "type").unwrap_or("")
}

fn is_ok(v: &Value) -> bool {
    v.get("ok").and_then(Value::as_bool).unwrap_or(false)
}

fn error_code(v: &Value) -> Option<&str> {
    v.get("error").and_then(|e| s(e, "code"))
}

fn error_layer(v: &Value) -> Option<&str> {
    v.get("error").and_then(|e| s(e, "layer"))
}

fn elapsed(v: &Value) -> u64 {
    v.get("elapsed_ms").and_then(Value::as_u64).unwrap_or(0)
}

fn warning_codes(v: &Value) -> Vec<&str> {
    v.get("warnings")
        .and_then(Value::as_array)
        .map(|ws| ws.iter().filter_map(|w| s(w, "code")).collect())
        .unwrap_or_default()
}

/// A record's `error` as an [`ErrorInfo`] (None when it has none or an unknown code).
fn error_info(v: &Value) -> Option<ErrorInfo> {
    let e = v.get("error")?;
    let code = code_named(s(e, "code")?)?;
    let mut info = ErrorInfo::new(code, s(e, "message").unwrap_or_default());
    info.detail = s(e, "detail").map(str::to_string);
    info.go_error = s(e, "go_error").map(str::to_string);
    info.hint = s(e, "hint").map(str::to_string);
    Some(info)
}

/// The default port of a scheme.
fn default_port(scheme: &str) -> u16 {
    if scheme == "http" { 80 } else { 443 }
}

/// Scheme, host and port of a URL.
fn url_parts(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':').and_then(|p| p.parse().ok()))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()),
            None => (authority, None),
        }
    };
    let scheme = scheme.to_ascii_lowercase();
    let port = port.unwrap_or_else(|| default_port(&scheme));
    Some((scheme, host.to_ascii_lowercase(), port))
}

/// One endpoint the routes use.
#[derive(Clone, Debug)]
struct Endpoint {
    /// `proxy`, `sumdb`, `origin` or `http_proxy`.
    role: &'static str,
    /// The URL as the route gives it (`https://proxy.golang.org`), or `host:port`.
    url: String,
    scheme: String,
    host: String,
    port: u16,
}

impl Endpoint {
    fn host_port(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn same_place(&self, other: &Endpoint) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

/// The endpoints every route uses, in the order Go reaches them, each once.
fn endpoints(records: &[Value]) -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = Vec::new();
    let mut push = |e: Endpoint| {
        if !out.iter().any(|o| o.role == e.role && o.same_place(&e)) {
            out.push(e);
        }
    };
    for route in records.iter().filter(|r| kind(r) == "route") {
        for e in route
            .get("endpoints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match s(e, "kind") {
                Some("proxy") => {
                    let Some(url) = s(e, "url") else { continue };
                    if let Some((scheme, host, port)) = url_parts(url) {
                        push(Endpoint {
                            role: "proxy",
                            url: url.to_string(),
                            scheme,
                            host,
                            port,
                        });
                    }
                }
                Some("direct") | Some("noproxy") => {
                    if let Some(origin) = origin_of(route) {
                        push(origin);
                    }
                }
                _ => {}
            }
        }
        if let Some(db) = route.get("sumdb").filter(|d| !d.is_null())
            && let Some(url) = s(db, "url")
            && let Some((scheme, host, port)) = url_parts(url)
        {
            push(Endpoint {
                role: "sumdb",
                url: url.to_string(),
                scheme,
                host,
                port,
            });
        }
    }
    for dns in records.iter().filter(|r| kind(r) == "dns") {
        if dns.get("proxy_for").is_some_and(|p| !p.is_null())
            && let Some(host) = s(dns, "host")
        {
            let scheme = s(dns, "scheme").unwrap_or("http").to_string();
            let port = dns
                .get("port")
                .and_then(Value::as_u64)
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or_else(|| default_port(&scheme));
            push(Endpoint {
                role: "http_proxy",
                url: format!("{scheme}://{host}:{port}"),
                scheme,
                host: host.to_string(),
                port,
            });
        }
    }
    out
}

/// The origin of a direct route: its repository's host, else the go-get host (the
/// module path's first element).
fn origin_of(route: &Value) -> Option<Endpoint> {
    let vcs = route.get("vcs").filter(|v| !v.is_null());
    if let Some(repo) = vcs.and_then(|v| s(v, "repo"))
        && let Some((scheme, host, port)) = url_parts(repo)
        && (scheme == "https" || scheme == "http")
    {
        return Some(Endpoint {
            role: "origin",
            url: repo.to_string(),
            scheme,
            host,
            port,
        });
    }
    let module = s(route, "module")?;
    let host = module.split('/').next()?.to_ascii_lowercase();
    Some(Endpoint {
        role: "origin",
        url: format!("https://{module}?go-get=1"),
        scheme: "https".to_string(),
        host,
        port: 443,
    })
}

/// The checks of one place in the dependency order, for skipping.
#[derive(Default)]
struct Chain {
    /// The first failed check so far, by name (`dns proxy.example.com`).
    failed: Option<String>,
}

/// Builds the checklist and the verdict from the records.
pub fn diagnose(records: &[Value], go: Option<GoOutput>) -> Verdict {
    let mut checks: Vec<Check> = Vec::new();
    let mut warnings: Vec<Warning> = Vec::new();
    let mut config_failed: Option<String> = None;

    // 1. Configuration.
    let env = records.iter().position(|r| kind(r) == "env");
    let route_config_errors: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| kind(r) == "route" && error_layer(r) == Some("config"))
        .map(|(i, _)| i)
        .collect();
    {
        let mut check = Check {
            check: "config",
            target: "go env".to_string(),
            status: "ok",
            code: None,
            message: "the configuration parses as the go command parses it".to_string(),
            because: None,
            ms: 0,
            records: env.into_iter().collect(),
        };
        if let Some(&i) = route_config_errors.first() {
            check.status = "failed";
            check.code = error_code(&records[i]).map(str::to_string);
            check.message = records[i]
                .get("error")
                .and_then(|e| s(e, "message"))
                .unwrap_or("the configuration cannot work")
                .to_string();
            check.records.push(i);
            config_failed = Some("config go env".to_string());
        } else if let Some(i) = env {
            let codes = warning_codes(&records[i]);
            if !codes.is_empty() {
                check.status = "warning";
                check.code = codes.first().map(|c| c.to_string());
                check.message = format!(
                    "{} warning{} about settings: {}",
                    codes.len(),
                    if codes.len() == 1 { "" } else { "s" },
                    codes.join(", ")
                );
            }
        }
        checks.push(check);
    }

    // 2. Every endpoint: dns, tcp/connect, tls, then its protocol.
    let endpoints = endpoints(records);
    let mut failed_at: BTreeMap<String, String> = BTreeMap::new();
    for e in &endpoints {
        let mut chain = Chain {
            failed: config_failed.clone(),
        };
        dns_check(records, e, &mut chain, &mut checks);
        conn_checks(records, e, &mut chain, &mut checks);
        match e.role {
            "proxy" => protocol_check(records, e, "proxy", &mut chain, &mut checks),
            "origin" => protocol_check(records, e, "origin", &mut chain, &mut checks),
            "sumdb" => sumdb_check(records, e, &mut chain, &mut checks),
            _ => {}
        }
        if let Some(f) = chain.failed {
            failed_at.insert(e.url.clone(), f);
        }
    }
    gosum_check(records, &mut checks);

    // 3. The verdict: does go fail, and where first?
    let failing: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            !is_ok(r)
                && (matches!(kind(r), "fetch" | "sum" | "input_error")
                    || (kind(r) == "route" && matches!(error_layer(r), Some("config" | "input"))))
        })
        .map(|(i, _)| i)
        .collect();
    let mut body = DiagnosisBody {
        checks,
        go_output: go,
        ..DiagnosisBody::default()
    };
    for r in records.iter() {
        for w in r
            .get("warnings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(code) = s(w, "code").and_then(code_named) else {
                continue;
            };
            if matches!(
                code,
                Code::TlsInterception
                    | Code::DnsHijackSuspected
                    | Code::DnsBogusAnswer
                    | Code::DnsAnswersDiffer
                    | Code::PathExposed
            ) && !warnings.iter().any(|x| x.code == code)
            {
                let mut warning = Warning::new(
                    code,
                    s(w, "message").unwrap_or_default(),
                    s(w, "hint").map(str::to_string),
                );
                warning.go_error = None;
                warnings.push(warning);
            }
        }
    }
    let Some(&first) = failing.first() else {
        // Checks that failed although go would succeed (an endpoint go never needs).
        for c in &body.checks {
            if c.status == "failed" {
                warnings.extend(unneeded(c, "does not need it for these modules"));
            }
        }
        if let Some(go) = &body.go_output
            && let Some(f) = go.failures.first()
        {
            warnings.push(Warning::new(
                Code::InternalError,
                format!(
                    "go reported {} ({}), which these checks did not reproduce: a failure that comes and goes, another machine, or another environment",
                    f.class,
                    untrusted(&f.text, 300)
                ),
                Some("run the doctor where go failed, with the same environment".to_string()),
            ));
        }
        return Verdict {
            body,
            error: None,
            warnings,
        };
    };
    let primary = &records[first];
    let (endpoint, symptom) = failing_endpoint(primary, &endpoints);
    let mut cause: Option<ErrorInfo> = None;
    let mut cause_check: Option<usize> = None;
    let mut evidence = vec![first];
    if let Some(e) = &endpoint {
        // The lowest failed check of that endpoint is the cause.
        let names = check_names(e);
        if let Some(ci) = body.checks.iter().position(|c| {
            c.status == "failed" && names.iter().any(|(n, t)| c.check == *n && c.target == *t)
        }) {
            cause_check = Some(ci);
            let c = &body.checks[ci];
            if let Some(&r) = c.records.first() {
                cause = error_info(&records[r]);
                evidence.extend(c.records.iter().copied());
            }
        }
        body.endpoint = Some(match e.role {
            "proxy" | "sumdb" => e.url.clone(),
            _ => e.host_port(),
        });
    }
    if kind(primary) == "sum"
        && matches!(symptom.as_deref(), Some("gosum_mismatch" | "gosum_missing"))
    {
        body.endpoint = Some("go.sum".to_string());
    }
    if kind(primary) == "route" {
        body.endpoint = Some("go env".to_string());
    }
    let mut cause = cause
        .or_else(|| error_info(primary))
        .unwrap_or_else(|| ErrorInfo::new(Code::InternalError, "a record failed without an error"));
    // What go prints is the failing module's line, not the lower layer's tail.
    if let Some(line) = primary.get("error").and_then(|e| s(e, "go_error")) {
        cause.go_error = Some(line.to_string());
    }

    // Cross-layer reasoning.
    let route = route_of(records, primary);
    let mut fixes: Vec<Fix> = Vec::new();
    if let Some(e) = &endpoint
        && let Some(hijack) = hijack(records, e, &cause)
    {
        cause = hijack;
    } else if let Some((rule, glob)) = route.and_then(|r| private_leak(r, symptom.as_deref())) {
        let module = s(primary, "module").unwrap_or_default();
        let mut info = ErrorInfo::new(
            Code::PathExposed,
            format!(
                "{module} looks private ({rule}) but GOPRIVATE does not name it: the go command asks the public proxy and checksum database, which cannot know it ({})",
                symptom.as_deref().unwrap_or("not found")
            ),
        )
        .hint(format!("go env -w GOPRIVATE={glob}"));
        info.go_error = cause.go_error.clone();
        info.detail = Some(format!("{}: {}", cause.code, cause.message));
        fixes.push(Fix {
            command: Some(format!("go env -w GOPRIVATE={glob}")),
            effect: format!(
                "the go command fetches {module} from its own repository and never sends its path to proxy.golang.org or sum.golang.org"
            ),
        });
        cause = info;
    }
    if (cause.code == Code::TlsInterception || cause.code == Code::TlsInterceptedUntrusted)
        && let Some(product) = interception_product(records, endpoint.as_ref())
    {
        cause.message = format!("{} ({product})", cause.message);
    }
    fixes.extend(fixes_for(&cause, endpoint.as_ref(), records, primary));

    // Everything else that failed is a consequence; checks after the cause skip.
    let cause_name =
        cause_check.map(|ci| format!("{} {}", body.checks[ci].check, body.checks[ci].target));
    // Endpoints go never gets to (after a `,` entry that stops the list): their own
    // failures are neither the cause nor its consequences.
    let unreached: Vec<(&str, String)> = endpoints
        .iter()
        .filter(|e| {
            let names = check_names(e);
            body.checks.iter().any(|c| {
                c.status == "not_reached"
                    && names.iter().any(|(n, t)| c.check == *n && c.target == *t)
            })
        })
        .flat_map(check_names)
        .collect();
    for (ci, c) in body.checks.iter_mut().enumerate() {
        if Some(ci) == cause_check {
            continue;
        }
        if c.status == "failed"
            && unreached
                .iter()
                .any(|(n, t)| c.check == *n && c.target == *t)
        {
            warnings.extend(unneeded(c, "does not get that far"));
            continue;
        }
        if c.status == "failed" {
            body.consequences.push(Consequence {
                what: format!("{} {}", c.check, c.target),
                code: c.code.clone().unwrap_or_default(),
            });
        }
    }
    for &i in &failing {
        let r = &records[i];
        body.consequences.push(Consequence {
            what: record_name(r),
            code: error_code(r).unwrap_or_default().to_string(),
        });
    }
    let _ = cause_name;
    evidence.sort_unstable();
    evidence.dedup();
    body.evidence = evidence;
    body.fixes = fixes;
    Verdict {
        body,
        error: Some(cause),
        warnings,
    }
}

/// The warning for a check that failed where the go command never goes: `why` says
/// why go does not (`does not get that far`).
fn unneeded(c: &Check, why: &str) -> Option<Warning> {
    let code = c.code.as_deref().and_then(code_named)?;
    Some(Warning::new(
        code,
        format!(
            "{} {} fails ({}), but the go command {why}",
            c.check, c.target, c.message
        ),
        None,
    ))
}

/// `fetch M@V`, `sum M@V`, `route M`...
fn record_name(r: &Value) -> String {
    let module = s(r, "module").unwrap_or_default();
    match s(r, "version").or_else(|| s(r, "query")) {
        Some(v) => format!("{} {module}@{v}", kind(r)),
        None if module.is_empty() => kind(r).to_string(),
        None => format!("{} {module}", kind(r)),
    }
}

/// The (check, target) names of an endpoint's checks.
fn check_names(e: &Endpoint) -> Vec<(&'static str, String)> {
    vec![
        ("dns", e.host.clone()),
        ("tcp", e.host_port()),
        ("connect", e.host_port()),
        ("tls", e.host_port()),
        ("proxy", e.url.clone()),
        ("origin", e.host_port()),
        ("sumdb", e.url.clone()),
    ]
}

/// The route record of the module a record names.
fn route_of<'a>(records: &'a [Value], r: &Value) -> Option<&'a Value> {
    let module = s(r, "module")?;
    records
        .iter()
        .find(|x| kind(x) == "route" && s(x, "module") == Some(module))
}

/// The endpoint at which a failing record failed, and its error code.
fn failing_endpoint(r: &Value, endpoints: &[Endpoint]) -> (Option<Endpoint>, Option<String>) {
    let code = error_code(r).map(str::to_string);
    let find_url = |url: &str, roles: &[&str]| -> Option<Endpoint> {
        let (scheme, host, port) = url_parts(url)?;
        endpoints
            .iter()
            .find(|e| {
                roles.contains(&e.role) && e.scheme == scheme && e.host == host && e.port == port
            })
            .cloned()
    };
    match kind(r) {
        "fetch" => {
            let attempts: Vec<&Value> = r
                .get("attempts")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            // The failure go reports: the last that does not fall through, else the last.
            let failed = attempts
                .iter()
                .rfind(|a| {
                    a.get("error").is_some_and(|e| !e.is_null())
                        && a.get("falls_through").and_then(Value::as_bool) != Some(true)
                })
                .or_else(|| {
                    attempts
                        .iter()
                        .rfind(|a| a.get("error").is_some_and(|e| !e.is_null()))
                });
            let endpoint = failed.and_then(|a| {
                let url = s(a, "url")?;
                match s(a, "endpoint") {
                    Some("direct") | Some("noproxy") => find_url(url, &["origin"]),
                    _ => find_url(url, &["proxy"]).or_else(|| find_url(url, &["origin"])),
                }
            });
            (endpoint, code)
        }
        "sum" => {
            let db = r
                .get("sumdb")
                .and_then(|d| s(d, "url"))
                .and_then(|u| find_url(u, &["sumdb", "proxy"]));
            let db = db.or_else(|| endpoints.iter().find(|e| e.role == "sumdb").cloned());
            match code.as_deref() {
                Some("gosum_mismatch" | "gosum_missing") => (None, code),
                _ => (db, code),
            }
        }
        _ => (None, code),
    }
}

/// A DNS answer that differs from another resolver's, at an address that then fails
/// TLS or TCP for the name: DNS sends the name elsewhere (a block page, a sinkhole).
fn hijack(records: &[Value], e: &Endpoint, cause: &ErrorInfo) -> Option<ErrorInfo> {
    let suspicious = [
        "dns_answers_differ",
        "dns_hijack_suspected",
        "dns_bogus_answer",
    ];
    let system = records.iter().find(|r| {
        kind(r) == "dns"
            && s(r, "host") == Some(e.host.as_str())
            && s(r, "resolver") == Some("system")
    })?;
    // gomod-dnscheck flags the difference on the record of the resolver that differs
    // (the --server one), a bogus answer on the system one: any record of the host.
    let flagged = records
        .iter()
        .filter(|r| kind(r) == "dns" && s(r, "host") == Some(e.host.as_str()))
        .flat_map(warning_codes)
        .any(|c| suspicious.contains(&c));
    let after_dns = matches!(
        cause.code.layer(),
        crate::record::Layer::Tls | crate::record::Layer::Tcp | crate::record::Layer::Http
    );
    if !flagged || !after_dns {
        return None;
    }
    let addrs = |r: &Value| -> Vec<String> {
        r.get("addrs")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let here = addrs(system);
    let other = records.iter().find(|r| {
        kind(r) == "dns"
            && s(r, "host") == Some(e.host.as_str())
            && s(r, "resolver") != Some("system")
            && is_ok(r)
    });
    let elsewhere = other
        .map(|o| {
            format!(
                ", while {} answers {}",
                s(o, "resolver").unwrap_or("another resolver"),
                addrs(o).join(" ")
            )
        })
        .unwrap_or_default();
    let presented = records
        .iter()
        .find(|r| kind(r) == "tls" && s(r, "host") == Some(e.host.as_str()))
        .and_then(|t| t.get("chain"))
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(|leaf| leaf.get("sans"))
        .and_then(Value::as_array)
        .map(|sans| {
            sans.iter()
                .filter_map(Value::as_str)
                .take(3)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|s| !s.is_empty());
    let what = match presented {
        Some(names) => format!("that address presents a certificate for {names}"),
        None => format!("that address fails with {}", cause.code),
    };
    let mut info = ErrorInfo::new(
        Code::DnsHijackSuspected,
        format!(
            "this machine's resolver answers {} for {}{elsewhere}, and {what}: DNS sends the name to another server (a filter's block page or a sinkhole); the {} failure is a consequence",
            here.join(" "),
            e.host,
            cause.code
        ),
    )
    .hint(format!(
        "ask whoever runs this network's DNS filter to allow {}, or use a resolver that answers for it truthfully",
        e.host
    ));
    info.go_error = cause.go_error.clone();
    info.detail = Some(format!("{}: {}", cause.code, cause.message));
    Some(info)
}

/// A module whose path looks private (`privacy_rule`, `keep_private`), failing where a
/// public service cannot know it: the GOPRIVATE value that keeps it away.
fn private_leak(route: &Value, symptom: Option<&str>) -> Option<(String, String)> {
    let keep = s(route, "keep_private")?;
    let glob = keep.strip_prefix("GOPRIVATE=").unwrap_or(keep);
    let rule = s(route, "privacy_rule").unwrap_or("private-looking path");
    let fits = matches!(
        symptom,
        Some(
            "http_not_found"
                | "http_gone"
                | "sumdb_not_found"
                | "http_forbidden"
                | "http_unauthorized"
        )
    );
    fits.then(|| (rule.to_string(), glob.to_string()))
}

/// The product named for an intercepting CA, from the endpoint's tls records.
fn interception_product(records: &[Value], e: Option<&Endpoint>) -> Option<String> {
    let e = e?;
    records
        .iter()
        .filter(|r| kind(r) == "tls" && s(r, "host") == Some(e.host.as_str()))
        .find_map(|r| {
            let i = r.get("interception")?;
            s(i, "product")
                .or_else(|| s(i, "issuer"))
                .map(str::to_string)
        })
}

/// The fixes for a cause, most likely first.
fn fixes_for(
    cause: &ErrorInfo,
    e: Option<&Endpoint>,
    records: &[Value],
    primary: &Value,
) -> Vec<Fix> {
    let mut fixes = Vec::new();
    let host = e.map(|e| e.host.clone()).unwrap_or_default();
    let goproxy = records
        .iter()
        .find(|r| kind(r) == "env")
        .and_then(|env| env.get("vars"))
        .and_then(|v| v.get("GOPROXY"))
        .and_then(|g| s(g, "value"))
        .unwrap_or("")
        .to_string();
    match cause.code {
        Code::HttpUnauthorized | Code::HttpForbidden if e.is_some_and(|e| e.role == "proxy") => {
            fixes.push(Fix {
                command: Some(format!(
                    "printf 'machine {host} login USER password TOKEN\\n' >> ~/.netrc"
                )),
                effect: format!(
                    "the go command sends these credentials to {host} (https only); a 401/403 is not a \"not found\", so with a `,` the next GOPROXY entry is never asked"
                ),
            });
            if let Some(bar) = with_bar_after(&goproxy, e.map(|e| e.url.as_str()).unwrap_or("")) {
                fixes.push(Fix {
                    command: Some(format!("go env -w GOPROXY='{bar}'")),
                    effect: "`|` makes the go command fall through to the next entry after any error, not only 404/410".to_string(),
                });
            }
        }
        Code::HttpServerError
        | Code::HttpTimeout
        | Code::TcpReset
        | Code::Http2StreamReset
        | Code::ZipInvalid
            if e.is_some_and(|e| e.role == "proxy") =>
        {
            if let Some(bar) = with_bar_after(&goproxy, e.map(|e| e.url.as_str()).unwrap_or("")) {
                fixes.push(Fix {
                    command: Some(format!("go env -w GOPROXY='{bar}'")),
                    effect:
                        "the go command moves on to the next entry after any error of this proxy"
                            .to_string(),
                });
            }
        }
        Code::ProxyAuthRequired => fixes.push(Fix {
            command: Some("export HTTPS_PROXY=http://USER:PASSWORD@PROXY:PORT".to_string()),
            effect: "the go command sends these credentials to the HTTP proxy with every CONNECT"
                .to_string(),
        }),
        Code::GoproxyOff => fixes.push(Fix {
            command: Some("go env -w GOPROXY=https://proxy.golang.org,direct".to_string()),
            effect:
                "the go command may download modules again (GOPROXY=off forbids every download)"
                    .to_string(),
        }),
        Code::TlsUnknownAuthority
        | Code::TlsInterceptedUntrusted
        | Code::TlsIncompleteChain
        | Code::TlsNoRoots => {
            let tls_hint = records
                .iter()
                .filter(|r| kind(r) == "tls" && s(r, "host") == Some(host.as_str()))
                .find_map(|r| r.get("error").and_then(|e| s(e, "hint")))
                .unwrap_or("");
            let file = tls_hint
                .split_whitespace()
                .find_map(|w| w.strip_prefix("SSL_CERT_FILE="))
                .map(|f| f.trim_end_matches([',', '.', ';', ')']).to_string());
            fixes.push(Fix {
                command: Some(format!(
                    "export SSL_CERT_FILE={}",
                    file.unwrap_or_else(|| "/path/to/ca-bundle.pem".to_string())
                )),
                effect: format!(
                    "the go command trusts the CAs in that file instead of the system bundle: put the CA that signs {host}'s chain in it (with the system's roots)"
                ),
            });
        }
        _ => {}
    }
    if let Some(hint) = &cause.hint
        && !fixes
            .iter()
            .any(|f| f.command.as_deref().is_some_and(|c| hint.contains(c)))
    {
        fixes.push(Fix {
            command: None,
            effect: hint.clone(),
        });
    }
    if let Some(hint) = primary.get("error").and_then(|e| s(e, "hint"))
        && !fixes.iter().any(|f| f.effect == hint)
    {
        fixes.push(Fix {
            command: None,
            effect: hint.to_string(),
        });
    }
    fixes
}

/// GOPROXY with the separator after `url` made `|`, when another entry follows.
fn with_bar_after(goproxy: &str, url: &str) -> Option<String> {
    let pos = goproxy.find(url)?;
    let after = pos + url.len();
    let rest = &goproxy[after..];
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    if !rest.starts_with(',') {
        return None;
    }
    let head = &goproxy[..goproxy.len() - rest.len()];
    Some(format!("{head}|{}", &rest[1..]))
}

/// The system-resolver check of an endpoint's host.
fn dns_check(records: &[Value], e: &Endpoint, chain: &mut Chain, checks: &mut Vec<Check>) {
    let mut check = Check {
        check: "dns",
        target: e.host.clone(),
        status: "ok",
        code: None,
        message: String::new(),
        because: None,
        ms: 0,
        records: Vec::new(),
    };
    if checks
        .iter()
        .any(|c| c.check == "dns" && c.target == e.host)
    {
        return;
    }
    let system: Vec<(usize, &Value)> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            kind(r) == "dns"
                && s(r, "host") == Some(e.host.as_str())
                && s(r, "resolver") == Some("system")
        })
        .collect();
    if e.host.parse::<std::net::IpAddr>().is_ok() {
        check.message = "an address: nothing to resolve".to_string();
        check.records = system.iter().map(|(i, _)| *i).collect();
        checks.push(check);
        return;
    }
    if let Some(why) = &chain.failed {
        check.status = "skipped";
        check.because = Some(why.clone());
        check.message = "not checked: an earlier check failed".to_string();
        checks.push(check);
        return;
    }
    let Some(&(i, r)) = system.iter().find(|(_, r)| !is_ok(r)).or(system.first()) else {
        check.status = "skipped";
        check.message = "gomod-dnscheck wrote no record for it".to_string();
        checks.push(check);
        return;
    };
    check.records = system.iter().map(|(i, _)| *i).collect();
    check.records.extend(
        records
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                kind(r) == "dns"
                    && s(r, "host") == Some(e.host.as_str())
                    && s(r, "resolver") != Some("system")
            })
            .map(|(i, _)| i),
    );
    check.ms = elapsed(r);
    let _ = i;
    if let Some(via) = s(r, "via_proxy") {
        check.message = format!("resolved by the HTTP proxy {via}, not here");
    } else if is_ok(r) {
        let addrs: Vec<&str> = r
            .get("addrs")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        check.message = format!("{} → {}", e.host, addrs.join(" "));
        let flagged: Vec<&str> = warning_codes(r)
            .into_iter()
            .filter(|c| c.starts_with("dns_"))
            .collect();
        if let Some(code) = flagged.first() {
            check.status = "warning";
            check.code = Some(code.to_string());
            if let Some(m) = r
                .get("warnings")
                .and_then(Value::as_array)
                .and_then(|w| w.iter().find(|w| s(w, "code") == Some(code)))
                .and_then(|w| s(w, "message"))
            {
                check.message = format!("{}; {}", check.message, m);
            }
        }
    } else {
        check.status = "failed";
        check.code = error_code(r).map(str::to_string);
        check.message = r
            .get("error")
            .and_then(|e| s(e, "message"))
            .unwrap_or("the name does not resolve")
            .to_string();
        chain.failed = Some(format!("dns {}", e.host));
    }
    checks.push(check);
}

/// TCP (or the CONNECT through the HTTP proxy) and TLS of an endpoint.
fn conn_checks(records: &[Value], e: &Endpoint, chain: &mut Chain, checks: &mut Vec<Check>) {
    let target = e.host_port();
    let tls: Vec<(usize, &Value)> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            kind(r) == "tls"
                && s(r, "host") == Some(e.host.as_str())
                && r.get("port").and_then(Value::as_u64) == Some(u64::from(e.port))
        })
        .collect();
    let picked = tls.iter().find(|(_, r)| is_ok(r)).or(tls.first());
    let via = picked.and_then(|(_, r)| s(r, "via_proxy"));
    let tcp_name = if via.is_some() { "connect" } else { "tcp" };
    if checks
        .iter()
        .any(|c| (c.check == "tcp" || c.check == "connect") && c.target == target)
    {
        // Already checked for another role: carry its failure along.
        if let Some(c) = checks.iter().find(|c| {
            matches!(c.check, "tcp" | "connect" | "tls")
                && c.target == target
                && c.status == "failed"
        }) && chain.failed.is_none()
        {
            chain.failed = Some(format!("{} {}", c.check, c.target));
        }
        return;
    }
    let indices: Vec<usize> = tls.iter().map(|(i, _)| *i).collect();
    let mut tcp = Check {
        check: tcp_name,
        target: target.clone(),
        status: "ok",
        code: None,
        message: String::new(),
        because: None,
        ms: 0,
        records: indices.clone(),
    };
    let mut tls_check = Check {
        check: "tls",
        target: target.clone(),
        status: "ok",
        code: None,
        message: String::new(),
        because: None,
        ms: 0,
        records: indices,
    };
    let is_tls = e.scheme == "https";
    let skip = |c: &mut Check, why: &str| {
        c.status = "skipped";
        c.because = Some(why.to_string());
        c.message = "not checked: an earlier check failed".to_string();
    };
    if let Some(why) = chain.failed.clone() {
        skip(&mut tcp, &why);
        skip(&mut tls_check, &why);
    } else if let Some((_, r)) = picked {
        let r = *r;
        tcp.ms = r
            .get("tcp_ms")
            .or_else(|| r.get("proxy_ms"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        tls_check.ms = r.get("tls_ms").and_then(Value::as_u64).unwrap_or(0);
        let message = r
            .get("error")
            .and_then(|e| s(e, "message"))
            .unwrap_or_default()
            .to_string();
        match error_layer(r) {
            None => {
                tcp.message = match via {
                    Some(p) => format!("CONNECT {target} through {p}: 200"),
                    None => format!("connected to {}", s(r, "addr").unwrap_or(&target)),
                };
                tls_check.message = format!(
                    "{} {}, chain trusted by Go",
                    s(r, "tls_version").unwrap_or("TLS"),
                    s(r, "cipher").unwrap_or("")
                )
                .trim_end()
                .to_string();
                let w = warning_codes(r);
                if let Some(code) = w.iter().find(|c| c.starts_with("tls_")) {
                    tls_check.status = "warning";
                    tls_check.code = Some(code.to_string());
                    if let Some(m) = r
                        .get("warnings")
                        .and_then(Value::as_array)
                        .and_then(|ws| ws.iter().find(|x| s(x, "code") == Some(code)))
                        .and_then(|x| s(x, "message"))
                    {
                        tls_check.message = m.to_string();
                    }
                }
            }
            Some("dns") => {
                tcp.status = "failed";
                tcp.code = error_code(r).map(str::to_string);
                tcp.message = message;
                chain.failed = Some(format!("{tcp_name} {target}"));
                skip(&mut tls_check, &format!("{tcp_name} {target}"));
            }
            Some("tcp") | Some("proxy") => {
                tcp.status = "failed";
                tcp.code = error_code(r).map(str::to_string);
                tcp.message = message;
                chain.failed = Some(format!("{tcp_name} {target}"));
                skip(&mut tls_check, &format!("{tcp_name} {target}"));
            }
            Some(_) => {
                tcp.message = match via {
                    Some(p) => format!("CONNECT {target} through {p}: 200"),
                    None => format!("connected to {}", s(r, "addr").unwrap_or(&target)),
                };
                tls_check.status = "failed";
                tls_check.code = error_code(r).map(str::to_string);
                tls_check.message = message;
                chain.failed = Some(format!("tls {target}"));
            }
        }
    } else {
        tcp.status = "skipped";
        tcp.message = "gomod-tlscheck wrote no record for it".to_string();
        tls_check.status = "skipped";
        tls_check.message = tcp.message.clone();
    }
    checks.push(tcp);
    if is_tls {
        checks.push(tls_check);
    }
}

/// The attempts of every fetch record at an endpoint.
fn attempts_at<'a>(records: &'a [Value], e: &Endpoint, role: &str) -> Vec<(usize, &'a Value)> {
    let mut out = Vec::new();
    for (i, r) in records
        .iter()
        .enumerate()
        .filter(|(_, r)| kind(r) == "fetch")
    {
        for a in r
            .get("attempts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let endpoint = s(a, "endpoint").unwrap_or_default();
            let at = match role {
                "origin" => {
                    matches!(endpoint, "direct" | "noproxy")
                        && s(a, "url")
                            .and_then(url_parts)
                            .is_some_and(|(_, h, _)| h == e.host)
                }
                _ => {
                    endpoint == e.url
                        || endpoint.trim_end_matches('/') == e.url.trim_end_matches('/')
                }
            };
            if at {
                out.push((i, a));
            }
        }
    }
    out
}

/// The GOPROXY protocol at a proxy, or the origin's go-get and repository requests.
fn protocol_check(
    records: &[Value],
    e: &Endpoint,
    role: &'static str,
    chain: &mut Chain,
    checks: &mut Vec<Check>,
) {
    let target = if role == "proxy" {
        e.url.clone()
    } else {
        e.host_port()
    };
    let attempts = attempts_at(records, e, role);
    let mut check = Check {
        check: role,
        target,
        status: "ok",
        code: None,
        message: String::new(),
        because: None,
        ms: attempts
            .iter()
            .map(|(_, a)| a.get("ms").and_then(Value::as_u64).unwrap_or(0))
            .max()
            .unwrap_or(0),
        records: {
            let mut r: Vec<usize> = attempts.iter().map(|(i, _)| *i).collect();
            r.dedup();
            r
        },
    };
    // gomod-fetch asks the entries as go does: when it ran and never came here, go does
    // not come here either, whatever an earlier check of this endpoint says.
    let fetched = records.iter().any(|r| kind(r) == "fetch");
    if attempts.is_empty() {
        if let Some(why) = chain.failed.as_ref().filter(|_| !fetched) {
            check.status = "skipped";
            check.because = Some(why.clone());
            check.message = "not checked: an earlier check failed".to_string();
        } else {
            check.status = "not_reached";
            check.message = "the go command never asks it: an earlier GOPROXY entry answered or stopped the list".to_string();
        }
        checks.push(check);
        return;
    }
    let failed: Vec<&(usize, &Value)> = attempts
        .iter()
        .filter(|(_, a)| a.get("error").is_some_and(|e| !e.is_null()))
        .collect();
    let blocking: Vec<&&(usize, &Value)> = failed
        .iter()
        .filter(|(_, a)| a.get("falls_through").and_then(Value::as_bool) != Some(true))
        .collect();
    let moved_on = failed.len() - blocking.len();
    if let Some((_, a)) = blocking.first() {
        if let Some(why) = &chain.failed {
            check.status = "skipped";
            check.because = Some(why.clone());
            check.message = "not checked: an earlier check failed".to_string();
        } else {
            check.status = "failed";
            check.code = s(a, "error").map(str::to_string);
            check.message = format!(
                "{}: {}",
                s(a, "url").unwrap_or_default(),
                s(a, "message").unwrap_or(s(a, "error").unwrap_or_default())
            );
            chain.failed = Some(format!("{role} {}", check.target));
        }
    } else {
        check.message = format!(
            "{} request{}, {} answered not found (the go command moves on)",
            attempts.len(),
            if attempts.len() == 1 { "" } else { "s" },
            moved_on
        );
        if moved_on == 0 {
            check.message = format!(
                "{} request{}, every one answered",
                attempts.len(),
                if attempts.len() == 1 { "" } else { "s" }
            );
        }
    }
    checks.push(check);
}

/// The checksum database: the sum records' lookups.
fn sumdb_check(records: &[Value], e: &Endpoint, chain: &mut Chain, checks: &mut Vec<Check>) {
    let sums: Vec<(usize, &Value)> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| kind(r) == "sum")
        .collect();
    let mut check = Check {
        check: "sumdb",
        target: e.url.clone(),
        status: "ok",
        code: None,
        message: String::new(),
        because: None,
        ms: sums.iter().map(|(_, r)| elapsed(r)).max().unwrap_or(0),
        records: sums.iter().map(|(i, _)| *i).collect(),
    };
    let db_failed = sums.iter().find(|(_, r)| {
        !is_ok(r)
            && !matches!(error_code(r), Some("gosum_mismatch" | "gosum_missing"))
            && error_code(r).is_some()
    });
    let verified = sums
        .iter()
        .filter(|(_, r)| r.get("sumdb").is_some_and(|d| !d.is_null()))
        .count();
    if let Some((_, r)) = db_failed {
        if let Some(why) = &chain.failed {
            check.status = "skipped";
            check.because = Some(why.clone());
            check.message = "not checked: an earlier check failed".to_string();
        } else {
            check.status = "failed";
            check.code = error_code(r).map(str::to_string);
            check.message = r
                .get("error")
                .and_then(|e| s(e, "message"))
                .unwrap_or_default()
                .to_string();
            chain.failed = Some(format!("sumdb {}", e.url));
        }
    } else if verified == 0 {
        check.status = if chain.failed.is_some() {
            "skipped"
        } else {
            "not_reached"
        };
        check.because = chain.failed.clone();
        check.message = "no lookup was made".to_string();
    } else {
        check.message = format!(
            "{verified} lookup{} verified",
            if verified == 1 { "" } else { "s" }
        );
    }
    checks.push(check);
}

/// go.sum against what was downloaded.
fn gosum_check(records: &[Value], checks: &mut Vec<Check>) {
    let sums: Vec<(usize, &Value)> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| kind(r) == "sum" && r.get("gosum").is_some_and(|g| !g.is_null()))
        .collect();
    if sums.is_empty() {
        return;
    }
    let mut check = Check {
        check: "gosum",
        target: "go.sum".to_string(),
        status: "ok",
        code: None,
        message: format!("{} module versions match go.sum", sums.len()),
        because: None,
        ms: 0,
        records: sums.iter().map(|(i, _)| *i).collect(),
    };
    if let Some((_, r)) = sums
        .iter()
        .find(|(_, r)| matches!(error_code(r), Some("gosum_mismatch" | "gosum_missing")))
    {
        check.status = "failed";
        check.code = error_code(r).map(str::to_string);
        check.message = r
            .get("error")
            .and_then(|e| s(e, "message"))
            .unwrap_or_default()
            .to_string();
    }
    checks.push(check);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_after_the_failing_entry() {
        assert_eq!(
            with_bar_after(
                "https://a.example,https://b.example,direct",
                "https://a.example"
            )
            .as_deref(),
            Some("https://a.example|https://b.example,direct")
        );
        assert_eq!(
            with_bar_after("https://a.example", "https://a.example"),
            None
        );
    }

    #[test]
    fn url_parts_default_ports() {
        assert_eq!(
            url_parts("https://Proxy.Example/x"),
            Some(("https".into(), "proxy.example".into(), 443))
        );
        assert_eq!(
            url_parts("http://127.0.0.1:8080"),
            Some(("http".into(), "127.0.0.1".into(), 8080))
        );
    }
}
