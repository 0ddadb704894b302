//! The module proxy protocol as the go command's `proxyRepo` speaks it: `@v/list`,
//! `@latest` (with its fall-back to the list), `.info`, `.mod` and `.zip`.

use gomod_common::query::Matcher;
use gomod_common::record::Code;
use gomod_common::record::fetch::Info;
use gomod_common::route::ProxyRepo;
use gomod_common::versionlist::{ListParser, ParsedList};
use gomod_common::{modpath, semver};

use crate::http::{Fetcher, Log, OpError, Sink};

/// Go's limit on a module zip (`codehost.MaxZipFile`).
pub const MAX_ZIP_BYTES: u64 = 500 << 20;
/// Our limit on `.info`, `@latest` and `@v/list` answers: Go has none, but a JSON
/// object or a version list this large is not a proxy answer. (A list is parsed as it
/// arrives and never held: the limit bounds the time spent, not memory.)
const MAX_SMALL_BODY: usize = 16 << 20;
/// Our limit on a `.mod` file: the limit Go applies to go.mod inside a zip.
const MAX_MOD_BYTES: usize = 16 << 20;

/// One module at one proxy base URL.
pub struct Repo<'a> {
    /// The shared client.
    pub fetcher: &'a Fetcher,
    /// The target's attempt log.
    pub log: &'a Log,
    /// The GOPROXY entry as Go writes it (for records).
    pub endpoint: &'a str,
    /// The base URL.
    pub base: &'a str,
    /// The module path.
    pub path: &'a str,
}

/// The result of `.info` or `@latest`.
#[derive(Clone, Debug)]
pub struct RevInfo {
    /// The version named.
    pub version: String,
    /// The parsed answer, for the record.
    pub info: Info,
    /// The raw body, for the cache.
    pub raw: Vec<u8>,
}

impl Repo<'_> {
    /// Go's `versionError("", err)`: `module M: `.
    fn module_frame(&self) -> String {
        format!("module {}: ", self.path)
    }

    /// Go's `versionError(rev, err)`: `M@REV: `, and for a revision that is not a
    /// canonical version `M@REV: invalid version: ` (`invalid pseudo-version: `).
    fn version_frame(&self, rev: &str) -> String {
        if modpath::canonical_version(rev) == rev {
            return format!("{}@{rev}: ", self.path);
        }
        let noun = if modpath::is_pseudo_version(rev) {
            "pseudo-version"
        } else {
            "version"
        };
        format!("{}@{rev}: invalid {noun}: ", self.path)
    }

    fn url(&self, suffix: &str) -> Result<gomod_common::gourl::Url, OpError> {
        ProxyRepo::new(self.base, self.path)
            .map(|repo| repo.url(suffix))
            .map_err(|e| OpError::new(Code::GoproxyInvalid, e.to_string()))
    }

    async fn small(&self, op: &str, suffix: &str) -> Result<Vec<u8>, (OpError, usize)> {
        let url = self.url(suffix).map_err(|e| (e, usize::MAX))?;
        let limit_text = limit_text(op);
        self.fetcher
            .get(
                self.log,
                op,
                self.endpoint,
                &url,
                Sink::Memory(MAX_SMALL_BODY, &limit_text),
            )
            .await
            .map(|got| got.body)
    }

    /// `@v/list`, parsed as it arrives: the versions with `prefix` (Go's
    /// `Versions(prefix)`), `matcher`'s choice among them, and the newest line for
    /// `@latest`.
    pub async fn list(
        &self,
        prefix: &str,
        matcher: Option<&Matcher>,
    ) -> Result<ParsedList, (OpError, usize)> {
        let url = self.url("@v/list").map_err(|e| (e, usize::MAX))?;
        let text = limit_text("list");
        let mut parser = ListParser::new(prefix, matcher);
        self.fetcher
            .get(
                self.log,
                "list",
                self.endpoint,
                &url,
                Sink::List(&mut parser, MAX_SMALL_BODY as u64, &text),
            )
            .await
            .map_err(|(e, i)| (e.framed(self.module_frame()), i))?;
        Ok(parser.finish())
    }

    /// `.info` for a version or query. For a canonical version valid for the path,
    /// the answer must name it (`proxy returned info for version ...`).
    pub async fn stat(&self, rev: &str) -> Result<RevInfo, (OpError, usize)> {
        self.stat_unframed(rev)
            .await
            .map_err(|(e, i)| (e.framed(self.version_frame(rev)), i))
    }

    async fn stat_unframed(&self, rev: &str) -> Result<RevInfo, (OpError, usize)> {
        let escaped = modpath::escape_version(rev).map_err(|e| {
            (
                OpError::new(Code::VersionInvalid, e.to_string()),
                usize::MAX,
            )
        })?;
        let body = self.small("info", &format!("@v/{escaped}.info")).await?;
        let index = self.log.len().saturating_sub(1);
        let info = parse_info(self.base, &body).map_err(|e| (e, index))?;
        if semver::is_valid(rev)
            && modpath::canonical_version(rev) == rev
            && modpath::check(self.path, rev).is_ok()
            && info.version != rev
        {
            return Err((
                OpError::new(
                    Code::HttpInvalidResponse,
                    format!(
                        "proxy returned info for version {} instead of requested version",
                        info.version
                    ),
                ),
                index,
            ));
        }
        Ok(info)
    }

    /// `@latest`, falling back to the newest entry of `@v/list` when the proxy does
    /// not know `@latest` (Go's `proxyRepo.Latest`).
    pub async fn latest(&self) -> Result<RevInfo, (OpError, usize)> {
        let module = || self.module_frame();
        match self.small("latest", "@latest").await {
            Ok(body) => {
                let index = self.log.len().saturating_sub(1);
                parse_info(self.base, &body).map_err(|e| (e.framed(module()), index))
            }
            Err((err, _)) if err.not_found => {
                let list = self.list("", None).await?;
                match list.latest {
                    Some(v) => self.stat(&v).await,
                    None => Err((
                        OpError::not_found(Code::HttpNotFound, "no commits").framed(module()),
                        self.log.len().saturating_sub(1),
                    )),
                }
            }
            Err((e, i)) => Err((e.framed(module()), i)),
        }
    }

    /// `.mod`.
    pub async fn go_mod(&self, version: &str) -> Result<Vec<u8>, (OpError, usize)> {
        self.go_mod_unframed(version)
            .await
            .map_err(|(e, i)| (e.framed(self.version_frame(version)), i))
    }

    async fn go_mod_unframed(&self, version: &str) -> Result<Vec<u8>, (OpError, usize)> {
        let escaped = modpath::escape_version(version).map_err(|e| {
            (
                OpError::new(Code::VersionInvalid, e.to_string()),
                usize::MAX,
            )
        })?;
        let url = self
            .url(&format!("@v/{escaped}.mod"))
            .map_err(|e| (e, usize::MAX))?;
        let text = format!(".mod file larger than {} MiB", MAX_MOD_BYTES >> 20);
        self.fetcher
            .get(
                self.log,
                "mod",
                self.endpoint,
                &url,
                Sink::Memory(MAX_MOD_BYTES, &text),
            )
            .await
            .map(|got| got.body)
    }

    /// `.zip` into `file`; returns the size.
    pub async fn zip(
        &self,
        version: &str,
        file: &mut std::fs::File,
    ) -> Result<u64, (OpError, usize)> {
        self.zip_unframed(version, file)
            .await
            .map_err(|(e, i)| (e.framed(self.version_frame(version)), i))
    }

    async fn zip_unframed(
        &self,
        version: &str,
        file: &mut std::fs::File,
    ) -> Result<u64, (OpError, usize)> {
        let escaped = modpath::escape_version(version).map_err(|e| {
            (
                OpError::new(Code::VersionInvalid, e.to_string()),
                usize::MAX,
            )
        })?;
        let url = self
            .url(&format!("@v/{escaped}.zip"))
            .map_err(|e| (e, usize::MAX))?;
        self.fetcher
            .get(
                self.log,
                "zip",
                self.endpoint,
                &url,
                Sink::File(file, MAX_ZIP_BYTES, "downloaded zip file too large"),
            )
            .await
            .map(|got| got.bytes)
    }
}

/// The error for an answer beyond [`MAX_SMALL_BODY`].
fn limit_text(op: &str) -> String {
    format!(
        "{op} answer larger than {} MiB, this tool's limit (the go command reads any size)",
        MAX_SMALL_BODY >> 20
    )
}

/// Decodes a `.info` or `@latest` body as Go's `json.Unmarshal` into `RevInfo`.
pub fn parse_info(base: &str, body: &[u8]) -> Result<RevInfo, OpError> {
    let invalid = |why: String| {
        OpError::new(
            Code::HttpInvalidResponse,
            format!(
                "invalid response from proxy {}: {why}",
                gomod_common::goquote::quote(&gomod_common::record::redact_url(base))
            ),
        )
    };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        match first {
            Some(&c) if !b"{[\"-0123456789tfn".contains(&c) => invalid(format!(
                "invalid character {} looking for beginning of value",
                go_char_quote(c)
            )),
            None => invalid("unexpected end of JSON input".to_string()),
            // A value cut short.
            _ if e.is_eof() => invalid("unexpected end of JSON input".to_string()),
            // Something after the value: Go names the first byte of it.
            _ if e.to_string().starts_with("trailing characters") => {
                match trailing_byte(body, e.line(), e.column()) {
                    Some(c) => invalid(format!(
                        "invalid character {} after top-level value",
                        go_char_quote(c)
                    )),
                    None => invalid("invalid JSON".to_string()).with_detail(e.to_string()),
                }
            }
            // Go's scanner words each syntax error by where it is; serde_json's words
            // are not Go's, so they are the detail only.
            _ => invalid("invalid JSON".to_string()).with_detail(e.to_string()),
        }
    })?;
    let object = value.as_object();
    let field = |name: &str| {
        object.and_then(|o| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    };
    let version = match field("Version") {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(invalid(
                "json: cannot unmarshal into Go struct field RevInfo.Version of type string"
                    .to_string(),
            ));
        }
    };
    let time = field("Time").and_then(|v| v.as_str()).map(str::to_string);
    let origin = field("Origin").filter(|v| v.is_object()).cloned();
    Ok(RevInfo {
        version: version.clone(),
        info: Info {
            version,
            time,
            origin,
        },
        raw: body.to_vec(),
    })
}

/// The byte at serde_json's 1-based `line` and `column` of `body`.
fn trailing_byte(body: &[u8], line: usize, column: usize) -> Option<u8> {
    let start = body
        .split(|&b| b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum::<usize>();
    body.get(start + column.saturating_sub(1)).copied()
}

/// A byte as Go's `quoteChar` shows it in JSON syntax errors.
fn go_char_quote(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        c => {
            // strconv.Quote of the one-byte string, between single quotes.
            let quoted = gomod_common::goquote::quote_bytes(&[c]);
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_quoted_as_go_s_json_errors_quote_them() {
        // What go1.27's json.Unmarshal says for each byte alone.
        let cases: &[(u8, &str)] = &[
            (1, "'\\x01'"),
            (0xe9, "'\\xe9'"),
            (0x80, "'\\x80'"),
            (b'<', "'<'"),
            (b'\'', "'\\''"),
        ];
        for (c, quoted) in cases {
            assert_eq!(go_char_quote(*c), *quoted, "{c:#x}");
        }
    }

    #[test]
    fn info_errors_are_worded_as_go() {
        let err = parse_info("http://127.0.0.1:1/proxy", b"<html>").unwrap_err();
        assert_eq!(
            err.go_text,
            "invalid response from proxy \"http://127.0.0.1:1/proxy\": invalid character '<' looking for beginning of value"
        );
        let err = parse_info("http://x", br#"{"Version":"v1"}x"#).unwrap_err();
        assert_eq!(
            err.go_text,
            "invalid response from proxy \"http://x\": invalid character 'x' after top-level value"
        );
        let err = parse_info("http://x", br#"{"Version":"#).unwrap_err();
        assert!(err.go_text.ends_with(": unexpected end of JSON input"));
        let err = parse_info("http://x", br#"{"Version" "v1"}"#).unwrap_err();
        assert!(
            !err.go_text.contains("line") && err.detail.is_some(),
            "{err:?}"
        );
        let info = parse_info("http://x", br#"{"version":"v1.0.0","Extra":1}"#).unwrap();
        assert_eq!(info.version, "v1.0.0");
    }
}
