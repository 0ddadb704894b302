//! Direct mode as the go command resolves it (`vcs.RepoRootForImportPath`): Go's
//! special cases and static table of hosting sites, else go-get discovery — the
//! `?go-get=1` page fetched over https (and, for GOINSECURE paths, with certificate
//! checks off and then over plain http), its `go-import` tags parsed and matched, a
//! shorter prefix verified against its own page — then the repository root checks and
//! GOVCS. Errors carry Go's wrapping (`unrecognized import path "<p>": https fetch:
//! ...`) and a [`Code`] for the innermost cause.

use std::time::Duration;

use crate::discovery::{self, DiscoveryError, MatchError, MetaImport, ModMode};
use crate::gourl;
use crate::govcs::{self, GovcsVerdict};
use crate::net::dial::NetError;
use crate::net::http::{self, GetOptions, Hop, HttpClient};
use crate::record::Code;
use crate::vcs::{self, GoGetUrl, StaticRoot, VcsError, VcsKind};

/// Go's time limit for the certificate-check-free https attempt under GOINSECURE.
pub const INSECURE_TIMEOUT: Duration = Duration::from_secs(5);

/// The most of a go-get page read for its tags (Go stops at `</head>` or `<body>`).
pub const MAX_PAGE_BYTES: usize = 4 << 20;

/// Where a path's repository is, as far as it could be determined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoRoot {
    /// The version control system (`mod` for a module server).
    pub vcs: VcsKind,
    /// The repository URL; for `host/path.vcs` paths without a scheme, the schemes
    /// Go would ping are in `schemes`.
    pub repo: String,
    /// The import-path prefix the repository holds.
    pub root: String,
    /// Subdirectory of the repository (4-field go-import tags).
    pub sub_dir: Option<String>,
    /// True when found through go-get discovery rather than Go's static table.
    pub discovered: bool,
    /// The discovery URL fetched, when discovered.
    pub url: Option<String>,
    /// For repositories without a scheme: the schemes Go pings, in order.
    pub schemes: Vec<&'static str>,
    /// The GOVCS verdict (`mod` is always allowed and has none).
    pub govcs: Option<GovcsVerdict>,
    /// The requests made.
    pub hops: Vec<Hop>,
}

/// Why direct mode cannot find a repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectError {
    /// Stable code of the innermost cause.
    pub code: Code,
    /// Go's text, as it follows `go: <module>@<version>: `.
    pub go_text: String,
    /// Lower-level detail, if any.
    pub detail: Option<String>,
    /// The requests made.
    pub hops: Vec<Hop>,
    /// The go command would still be waiting for the page and print nothing (see
    /// `NetError::go_waits`): `go_text` is then not a line of Go's.
    pub go_waits: bool,
}

impl std::fmt::Display for DirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.go_text)
    }
}

impl std::error::Error for DirectError {}

/// What Go's static table says about a path, without any network access.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaticOutcome {
    /// A table entry claims the path.
    Known(StaticRoot),
    /// No entry claims it: go-get discovery at this URL decides.
    Discover(GoGetUrl),
}

/// The offline part of `RepoRootForImportPath`: the special cases and static table,
/// else the discovery URL.
pub fn static_lookup(
    import_path: &str,
    insecure: bool,
    git_allow_protocol: &str,
) -> Result<StaticOutcome, DirectError> {
    match vcs::repo_root_from_vcs_paths(import_path, insecure, git_allow_protocol) {
        Ok(Some(root)) => Ok(StaticOutcome::Known(root)),
        Ok(None) => vcs::go_get_url(import_path, insecure)
            .map(StaticOutcome::Discover)
            .map_err(|e| {
                unrecognized(
                    import_path,
                    Code::VcsPathInvalid,
                    e.to_string(),
                    None,
                    Vec::new(),
                )
            }),
        Err(e) => Err(DirectError {
            code: Code::VcsPathInvalid,
            go_text: e.to_string(),
            detail: None,
            hops: Vec::new(),
            go_waits: false,
        }),
    }
}

/// GOVCS for a static-table result, which Go checks before pinging schemes. The
/// verdict may be a refusal (see [`GovcsVerdict::refusal`]; Go does not wrap it in
/// `unrecognized import path`); an error means GOVCS itself cannot be parsed.
pub fn static_govcs(
    root: &StaticRoot,
    govcs_value: &str,
    goprivate: &str,
) -> Result<GovcsVerdict, DirectError> {
    let to_error = |e: govcs::GovcsError| DirectError {
        code: Code::GovcsInvalid,
        go_text: e.to_string(),
        detail: None,
        hops: Vec::new(),
        go_waits: false,
    };
    let config = govcs::parse_govcs(govcs_value).map_err(to_error)?;
    config
        .check(goprivate, root.vcs.cmd(), &root.root)
        .map_err(to_error)
}

fn check_govcs(
    vcs: VcsKind,
    root: &str,
    govcs_value: &str,
    goprivate: &str,
) -> Result<GovcsVerdict, (Code, String)> {
    let config =
        govcs::parse_govcs(govcs_value).map_err(|e| (Code::GovcsInvalid, e.to_string()))?;
    let verdict = config
        .check(goprivate, vcs.cmd(), root)
        .map_err(|e| (Code::GovcsInvalid, e.to_string()))?;
    match verdict.refusal() {
        Some(refusal) => Err((Code::VcsDisallowed, refusal.to_string())),
        None => Ok(verdict),
    }
}

fn unrecognized(
    import_path: &str,
    code: Code,
    inner: String,
    detail: Option<String>,
    hops: Vec<Hop>,
) -> DirectError {
    DirectError {
        code,
        go_text: format!(
            "unrecognized import path {}: {inner}",
            crate::goquote::quote(import_path)
        ),
        detail,
        hops,
        go_waits: false,
    }
}

/// Settings for discovery.
#[derive(Clone, Copy, Debug)]
pub struct DiscoverOptions<'a> {
    /// Whether the module path matched GOINSECURE.
    pub insecure: bool,
    /// GOVCS as the go command sees it.
    pub govcs: &'a str,
    /// GOPRIVATE, which decides "public" and "private" for GOVCS.
    pub goprivate: &'a str,
    /// Limit for each page fetch.
    pub timeout: Duration,
}

/// go-get discovery for a path the static table does not claim
/// (`repoRootForImportDynamic`), with Go's error wrapping.
pub async fn discover(
    client: &HttpClient,
    import_path: &str,
    url: &GoGetUrl,
    opts: DiscoverOptions<'_>,
) -> Result<RepoRoot, DirectError> {
    let mut hops = Vec::new();
    let page = match fetch_page(client, url, opts, &mut hops).await {
        Ok(page) => page,
        Err(err) => {
            let prefix = if opts.insecure {
                "http/https fetch"
            } else {
                "https fetch"
            };
            return Err(DirectError {
                go_waits: err.net.go_waits,
                ..unrecognized(
                    import_path,
                    err.net.code,
                    format!("{prefix}: {}", err.go_text),
                    err.net.detail.clone(),
                    hops,
                )
            });
        }
    };
    let imports = match page.tags() {
        Err((code, text)) => return Err(unrecognized(import_path, code, text, None, hops)),
        Ok(Ok(imports)) => imports,
        Ok(Err(err)) => {
            return Err(unrecognized(
                import_path,
                Code::VcsMetaNotFound,
                format!("parsing {import_path}: {err}"),
                None,
                hops,
            ));
        }
    };
    let chosen = match discovery::match_go_import(&imports, import_path) {
        Ok(chosen) => chosen.clone(),
        Err(err @ MatchError::NoMatch { .. }) => {
            let hint = (page.status == 200 && imports.is_empty()).then(|| "the page has no go-import tags at all; a login page of a private Git server looks like this".to_string());
            return Err(unrecognized(
                import_path,
                Code::VcsMetaNotFound,
                format!("parse {}: {err}", page.fetched),
                hint,
                hops,
            ));
        }
        Err(err) => {
            return Err(unrecognized(
                import_path,
                Code::VcsMetaConflict,
                format!("parse {}: {err}", url.schemeless()),
                None,
                hops,
            ));
        }
    };
    if chosen.prefix != import_path {
        let prefix_url = vcs::go_get_url(&chosen.prefix, url.insecure).map_err(|e| {
            unrecognized(
                import_path,
                Code::VcsPathInvalid,
                e.to_string(),
                None,
                hops.clone(),
            )
        })?;
        let prefix_imports = match fetch_page(client, &prefix_url, opts, &mut hops).await {
            Err(err) => {
                let text = format!("fetching {}: {}", chosen.prefix, err.go_text);
                return Err(DirectError {
                    go_waits: err.net.go_waits,
                    ..unrecognized(import_path, err.net.code, text, None, hops)
                });
            }
            Ok(prefix_page) => match prefix_page.tags() {
                Err((code, text)) => return Err(unrecognized(import_path, code, text, None, hops)),
                Ok(Ok(found)) if !found.is_empty() => found,
                Ok(Ok(_)) => {
                    let text = format!(
                        "fetching {}: no go-import meta tag found in {}",
                        chosen.prefix, prefix_page.fetched
                    );
                    return Err(unrecognized(
                        import_path,
                        Code::VcsMetaConflict,
                        text,
                        None,
                        hops,
                    ));
                }
                Ok(Err(err)) => {
                    let text = format!("parsing {}: {err}", prefix_page.fetched);
                    return Err(unrecognized(
                        import_path,
                        Code::VcsMetaNotFound,
                        text,
                        None,
                        hops,
                    ));
                }
            },
        };
        let agrees = discovery::match_go_import(&prefix_imports, import_path)
            .is_ok_and(|again| *again == chosen);
        if !agrees {
            let text = format!(
                "{} and {} disagree about go-import for {}",
                page.fetched,
                prefix_url.schemeless(),
                chosen.prefix
            );
            return Err(unrecognized(
                import_path,
                Code::VcsMetaConflict,
                text,
                None,
                hops,
            ));
        }
    }
    let vcs_kind = vcs::check_go_import(&page.fetched, &chosen).map_err(|e| {
        let code = match e {
            VcsError::UnknownVcs { .. }
            | VcsError::InvalidRepoRoot { .. }
            | VcsError::InvalidSubDir { .. } => Code::VcsRepoInvalid,
            _ => Code::VcsPathInvalid,
        };
        unrecognized(import_path, code, e.to_string(), None, hops.clone())
    })?;
    let govcs = if vcs_kind == VcsKind::Mod {
        None
    } else {
        Some(
            check_govcs(vcs_kind, &chosen.prefix, opts.govcs, opts.goprivate).map_err(
                |(code, text)| unrecognized(import_path, code, text, None, hops.clone()),
            )?,
        )
    };
    Ok(RepoRoot {
        vcs: vcs_kind,
        repo: chosen.repo_root.clone(),
        root: chosen.prefix.clone(),
        sub_dir: chosen.sub_dir.clone(),
        discovered: true,
        url: Some(page.fetched),
        schemes: Vec::new(),
        govcs,
        hops,
    })
}

/// A fetched go-get page.
struct Page {
    /// The URL requested (redacted), as Go names it in errors.
    fetched: String,
    status: u16,
    status_text: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Page {
    /// The page's go-import tags. When it has none and its status is not 200, Go
    /// reports the status (with the server's text) rather than a parse error: that is
    /// the outer error. The inner one is the parse error of a 200 page.
    fn tags(&self) -> Result<Result<Vec<MetaImport>, DiscoveryError>, (Code, String)> {
        match discovery::parse_meta_go_imports(&self.body, ModMode::PreferMod) {
            Ok(imports) if !imports.is_empty() => Ok(Ok(imports)),
            _ if self.status != 200 => Err((
                http::status_code(self.status),
                http::status_error_text(
                    &self.fetched,
                    &self.status_text,
                    self.content_type.as_deref(),
                    &self.body,
                ),
            )),
            parsed => Ok(parsed),
        }
    }
}

/// A failed page fetch: Go's text for it and the classified cause.
struct FetchError {
    net: NetError,
    go_text: String,
}

/// `web.Get` with a scheme-less URL: https first; for GOINSECURE paths that attempt
/// skips certificate checks and has a 5-second limit, and on failure plain http is
/// tried, whose error is then the one reported.
async fn fetch_page(
    client: &HttpClient,
    url: &GoGetUrl,
    opts: DiscoverOptions<'_>,
    hops: &mut Vec<Hop>,
) -> Result<Page, FetchError> {
    let https = url.https();
    let secure_opts = GetOptions {
        accept: None,
        insecure_tls: opts.insecure,
        timeout: if opts.insecure {
            INSECURE_TIMEOUT.min(opts.timeout)
        } else {
            opts.timeout
        },
    };
    match get_page(client, &https, secure_opts, hops).await {
        Ok(page) => Ok(page),
        Err(err) if !opts.insecure => Err(err),
        Err(_) => {
            let http_url = url
                .http_fallback()
                .unwrap_or_else(|| https.replacen("https://", "http://", 1));
            get_page(
                client,
                &http_url,
                GetOptions {
                    accept: None,
                    insecure_tls: false,
                    timeout: opts.timeout,
                },
                hops,
            )
            .await
        }
    }
}

async fn get_page(
    client: &HttpClient,
    url: &str,
    opts: GetOptions,
    hops: &mut Vec<Hop>,
) -> Result<Page, FetchError> {
    let parsed = gourl::parse(url).map_err(|e| FetchError {
        net: NetError::new(Code::VcsPathInvalid, e.to_string()),
        go_text: e.to_string(),
    })?;
    let fetched = crate::record::redact_url(&parsed.to_string());
    match client.get(&parsed, opts).await {
        Err(err) => {
            hops.extend(err.hops.iter().cloned());
            Err(FetchError {
                go_text: err.go_text.clone(),
                net: err.net,
            })
        }
        Ok(response) => {
            hops.extend(response.hops.iter().cloned());
            let status = response.status;
            let status_text = response.status_text.clone();
            let content_type = response.content_type().map(str::to_string);
            let body = response
                .bytes(MAX_PAGE_BYTES)
                .await
                .map_err(|net| FetchError {
                    go_text: net.go_text.clone(),
                    net,
                })?;
            Ok(Page {
                fetched,
                status,
                status_text,
                content_type,
                body,
            })
        }
    }
}
