//! `direct` entries: where the repository is (Go's static table, else go-get
//! discovery), then, for git over https, what the repository advertises
//! (`info/refs?service=git-upload-pack`, git's smart HTTP protocol). No VCS tool is
//! run and no zip is built from a repository.

use gomod_common::direct::{self as godirect, DiscoverOptions, StaticOutcome};
use gomod_common::goenv::GoConfig;
use gomod_common::gourl;
use gomod_common::pattern;
use gomod_common::record::fetch::DirectProbe;
use gomod_common::record::{Code, redact_url};
use gomod_common::vcs::VcsKind;

use crate::http::{Fetcher, Log, OpError, Sink};

/// The most of a refs advertisement read.
const MAX_REFS_BYTES: usize = 32 << 20;

/// What was found behind a `direct` entry.
#[derive(Clone, Debug)]
pub enum Found {
    /// A `mod` server: a module proxy at this base URL.
    ModServer(String),
    /// A repository that was probed (or could not be): its refs when it answered.
    Repo {
        /// What the record says.
        probe: Box<DirectProbe>,
        /// `(ref name, commit)` pairs for tags, peeled where the server peeled them.
        tags: Vec<(String, String)>,
        /// The tag prefix of the module inside the repository (`sub/dir/`).
        tag_prefix: String,
        /// Why the repository could not be read, when it could not.
        failure: Option<OpError>,
    },
}

const NOTE: &str = "the go command would now run the VCS tool to build the module; gomod-fetch does not, so no .mod or .zip comes from this entry";

/// Finds the repository of `module` and probes it. Errors are Go's texts for the
/// failure of the discovery; a repository that does not answer is a `Found::Repo`
/// with `reachable: false` and an error returned alongside.
pub async fn find(
    fetcher: &Fetcher,
    log: &Log,
    cfg: &GoConfig,
    module: &str,
) -> Result<Found, OpError> {
    let insecure = pattern::match_prefix_patterns(cfg.get("GOINSECURE"), module);
    let git_allow = cfg.environment().get("GIT_ALLOW_PROTOCOL");
    let govcs = cfg.get("GOVCS");
    let goprivate = cfg.get("GOPRIVATE");
    let as_op_error = |e: godirect::DirectError| {
        // lookupDirect wraps repository-root errors as "not found".
        let mut err = OpError::not_found(e.code, e.go_text);
        err.detail = e.detail;
        err.go_waits = e.go_waits;
        err
    };
    let (vcs, repo, root, via, sub_dir) = match godirect::static_lookup(module, insecure, git_allow)
        .map_err(as_op_error)?
    {
        StaticOutcome::Known(root) => {
            let verdict = godirect::static_govcs(&root, govcs, goprivate).map_err(as_op_error)?;
            if let Some(refusal) = verdict.refusal() {
                return Err(OpError::new(Code::VcsDisallowed, refusal.to_string()));
            }
            (
                root.vcs,
                root.repo.clone(),
                root.root.clone(),
                "known_host",
                None,
            )
        }
        StaticOutcome::Discover(url) => {
            let opts = DiscoverOptions {
                insecure,
                govcs,
                goprivate,
                timeout: fetcher.timeout,
            };
            let started = std::time::Instant::now();
            let result = godirect::discover(&fetcher.client, module, &url, opts).await;
            let hops = match &result {
                Ok(root) => root.hops.clone(),
                Err(err) => err.hops.clone(),
            };
            let ms = started.elapsed().as_millis() as u64;
            for (i, hop) in hops.iter().enumerate() {
                let mut attempt = gomod_common::record::fetch::Attempt {
                    op: "go-get".to_string(),
                    endpoint: "direct".to_string(),
                    url: Some(hop.url.clone()),
                    status: hop.status,
                    ms: if i + 1 == hops.len() { ms } else { 0 },
                    via_proxy: hop.via_proxy.clone(),
                    netrc_login: hop.netrc_login.clone(),
                    ..Default::default()
                };
                if i + 1 == hops.len()
                    && let Err(err) = &result
                {
                    attempt.error = Some(err.code.as_str().to_string());
                    attempt.message = Some(err.go_text.clone());
                }
                log.push(attempt);
            }
            let root = result.map_err(as_op_error)?;
            if let Some(verdict) = &root.govcs
                && let Some(refusal) = verdict.refusal()
            {
                return Err(OpError::new(Code::VcsDisallowed, refusal.to_string()));
            }
            (
                root.vcs,
                root.repo.clone(),
                root.root.clone(),
                "go_get",
                root.sub_dir.clone(),
            )
        }
    };
    if vcs == VcsKind::Mod {
        return Ok(Found::ModServer(repo));
    }
    let tag_prefix = tag_prefix(module, &root, sub_dir.as_deref());
    let mut probe = DirectProbe {
        vcs: Some(vcs.cmd().to_string()),
        repo: Some(redact_url(&repo)),
        root: Some(root.clone()),
        via: Some(via.to_string()),
        note: NOTE.to_string(),
        ..DirectProbe::default()
    };
    if vcs != VcsKind::Git || !(repo.starts_with("https://") || repo.starts_with("http://")) {
        probe.note = format!(
            "only git repositories over http(s) are probed; the go command would run {} here. {NOTE}",
            vcs.cmd()
        );
        return Ok(Found::Repo {
            probe: Box::new(probe),
            tags: Vec::new(),
            tag_prefix,
            failure: None,
        });
    }
    let refs_url = format!(
        "{}/info/refs?service=git-upload-pack",
        repo.trim_end_matches('/')
    );
    let url = gourl::parse(&refs_url)
        .map_err(|e| OpError::new(Code::VcsRepoInvalid, format!("invalid repository URL: {e}")))?;
    let text = format!(
        "refs advertisement larger than {} MiB",
        MAX_REFS_BYTES >> 20
    );
    match fetcher
        .get(
            log,
            "info/refs",
            "direct",
            &url,
            Sink::Memory(MAX_REFS_BYTES, &text),
        )
        .await
    {
        Ok(got) => {
            let tags = parse_refs(&got.body);
            probe.reachable = Some(true);
            probe.auth_required = Some(false);
            probe.refs = Some(count_refs(&got.body));
            Ok(Found::Repo {
                probe: Box::new(probe),
                tags,
                tag_prefix,
                failure: None,
            })
        }
        Err((err, _)) => {
            probe.reachable = Some(err.code.layer() == gomod_common::record::Layer::Http);
            probe.auth_required = Some(matches!(
                err.code,
                Code::HttpUnauthorized | Code::HttpForbidden
            ));
            Ok(Found::Repo {
                probe: Box::new(probe),
                tags: Vec::new(),
                tag_prefix,
                failure: Some(err),
            })
        }
    }
}

/// The prefix of the module's tags: its directory in the repository, without a
/// major-version suffix the directory does not have.
fn tag_prefix(module: &str, root: &str, sub_dir: Option<&str>) -> String {
    let mut rel = module
        .strip_prefix(root)
        .unwrap_or("")
        .trim_start_matches('/')
        .to_string();
    if let Some((_, major)) = gomod_common::modpath::split_path_version(module)
        && let Some(suffix) = major.strip_prefix('/')
        && let Some(stripped) = rel.strip_suffix(suffix)
    {
        rel = stripped.trim_end_matches('/').to_string();
    }
    if let Some(sub) = sub_dir.filter(|s| !s.is_empty()) {
        rel = if rel.is_empty() {
            sub.to_string()
        } else {
            format!("{sub}/{rel}")
        };
    }
    if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    }
}

/// Tags from a smart-HTTP refs advertisement (pkt-lines): `refs/tags/<name>` with
/// the commit, the peeled `^{}` commit winning for annotated tags.
pub fn parse_refs(body: &[u8]) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = Vec::new();
    for line in pkt_lines(body) {
        let line = line.split(|&b| b == 0).next().unwrap_or(&[]);
        let Ok(text) = std::str::from_utf8(line) else {
            continue;
        };
        let text = text.trim_end_matches('\n');
        let Some((hash, name)) = text.split_once(' ') else {
            continue;
        };
        if hash.len() != 40 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Some(tag) = name.strip_prefix("refs/tags/") else {
            continue;
        };
        if let Some(base) = tag.strip_suffix("^{}") {
            if let Some(entry) = tags.iter_mut().find(|(t, _)| t == base) {
                entry.1 = hash.to_string();
            }
        } else {
            tags.push((tag.to_string(), hash.to_string()));
        }
    }
    tags
}

fn count_refs(body: &[u8]) -> u64 {
    pkt_lines(body)
        .filter(|l| l.len() > 41 && l[40] == b' ' && !l.ends_with(b"^{}\n"))
        .count() as u64
}

/// The payloads of git pkt-lines (4 hex digits of length, flush packets skipped);
/// stops at the first malformed length.
fn pkt_lines(mut body: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        loop {
            if body.len() < 4 {
                return None;
            }
            let len = std::str::from_utf8(&body[..4])
                .ok()
                .and_then(|s| usize::from_str_radix(s, 16).ok())?;
            if len == 0 {
                body = &body[4..];
                continue;
            }
            if len < 4 || len > body.len() {
                return None;
            }
            let line = &body[4..len];
            body = &body[len..];
            if line.starts_with(b"# service=") {
                continue;
            }
            return Some(line);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkt(s: &str) -> String {
        format!("{:04x}{s}", s.len() + 4)
    }

    #[test]
    fn refs_advertisement_is_parsed() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let c = "c".repeat(40);
        let body = format!(
            "{}0000{}{}{}{}0000",
            pkt("# service=git-upload-pack\n"),
            pkt(&format!("{a} HEAD\0multi_ack\n")),
            pkt(&format!("{b} refs/tags/v1.0.0\n")),
            pkt(&format!("{c} refs/tags/v1.0.0^{{}}\n")),
            pkt(&format!("{a} refs/tags/sub/v0.1.0\n")),
        );
        let tags = parse_refs(body.as_bytes());
        assert_eq!(
            tags,
            vec![
                ("v1.0.0".to_string(), c.clone()),
                ("sub/v0.1.0".to_string(), a.clone())
            ]
        );
        assert_eq!(count_refs(body.as_bytes()), 3);
        assert!(parse_refs(b"zzzz garbage").is_empty());
    }

    #[test]
    fn tag_prefixes_follow_the_module_directory() {
        assert_eq!(tag_prefix("example.com/r", "example.com/r", None), "");
        assert_eq!(tag_prefix("example.com/r/v2", "example.com/r", None), "");
        assert_eq!(
            tag_prefix("example.com/r/sub", "example.com/r", None),
            "sub/"
        );
        assert_eq!(
            tag_prefix("example.com/r/sub/v3", "example.com/r", None),
            "sub/"
        );
    }
}
