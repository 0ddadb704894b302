//! go-get discovery pages: finding `<meta name="go-import">` tags in a page
//! and choosing the one for an import path (Go 1.27
//! `cmd/go/internal/vcs/discovery.go: parseMetaGoImports` and
//! `vcs.go: matchGoImport`).
//!
//! Go reads the page with `encoding/xml` in non-strict mode through
//! `RawToken`, so its quirks decide what a page means: a stray `<` in a script
//! before the tags aborts, HTML entities other than the five XML ones stay
//! undecoded (the go command sets neither `Entity` nor `AutoClose`), and
//! `--` inside a comment is an error. This module carries its own tokenizer
//! that reproduces `(*xml.Decoder).RawToken` with `Strict = false` and the go
//! command's `CharsetReader`, including its error texts and line numbers.

use crate::goquote::quote_bytes;
use crate::vcs::has_path_prefix;
use std::collections::HashSet;
use std::fmt;

/// Whether module-proxy (`mod`) entries count (`vcs.ModuleMode`). Direct
/// module fetches use [`ModMode::PreferMod`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModMode {
    /// Module mode: `mod` entries come first and hide other entries with the
    /// same prefix.
    PreferMod,
    /// GOPATH mode: `mod` entries are dropped.
    IgnoreMod,
}

/// One `<meta name="go-import" content="prefix vcs repo-root [subdir]">` tag
/// (`vcs.metaImport`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaImport {
    /// The import-path prefix the tag claims.
    pub prefix: String,
    /// The VCS command name as written (`git`, `mod`, or anything else).
    pub vcs: String,
    /// The repository URL as written.
    pub repo_root: String,
    /// The optional fourth field (Go 1.25+): a subdirectory of the repository.
    pub sub_dir: Option<String>,
}

/// Why Go gave up reading a discovery page. Go reports it as
/// `parsing <import path>: <error>` (or `parsing <url>: <error>` when
/// verifying a prefix), and only when the page yielded no tag at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoveryError {
    /// `XML syntax error on line <line>: <msg>` (`*xml.SyntaxError`). Raw
    /// bytes Go would copy into `msg` that are not UTF-8 appear as U+FFFD.
    Syntax { line: usize, msg: String },
    /// `xml: unsupported version "<v>"; only version 1.0 is supported`, from
    /// an `<?xml version=...?>` declaration.
    UnsupportedVersion(Vec<u8>),
    /// `xml: opening charset "<c>": can't decode XML document using charset
    /// "<c>"`: the go command only accepts utf-8 and ascii.
    Charset(Vec<u8>),
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { line, msg } => write!(f, "XML syntax error on line {line}: {msg}"),
            Self::UnsupportedVersion(v) => write!(
                f,
                "xml: unsupported version {}; only version 1.0 is supported",
                quote_bytes(v)
            ),
            Self::Charset(c) => {
                let c = quote_bytes(c);
                write!(
                    f,
                    "xml: opening charset {c}: can't decode XML document using charset {c}"
                )
            }
        }
    }
}

impl std::error::Error for DiscoveryError {}

/// Why no go-import entry was chosen for an import path (`matchGoImport`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchError {
    /// No entry's prefix is a path prefix of the import path. Displays as
    /// `no go-import meta tags (<list>)`; Go prints it after
    /// `parse <fetched URL>: `.
    NoMatch {
        import_path: String,
        /// The prefixes that did not match, in page order.
        mismatches: Vec<String>,
    },
    /// More than one entry matches. Displays as `multiple meta tags match
    /// import path "<path>"`; Go prints it after `parse <URL>: ` where the URL
    /// has no scheme (`//host/path?go-get=1`, see
    /// [`GoGetUrl::schemeless`](crate::vcs::GoGetUrl::schemeless)).
    Multiple { import_path: String },
}

impl MatchError {
    /// The text of Go's `ImportMismatchError` (what goes inside the
    /// parentheses): `meta tag <prefix> did not match import path <path>`
    /// per mismatch, joined by `, `; empty when the page had no tags.
    /// `None` for [`MatchError::Multiple`].
    pub fn mismatch_list(&self) -> Option<String> {
        let Self::NoMatch {
            import_path,
            mismatches,
        } = self
        else {
            return None;
        };
        let items: Vec<String> = mismatches
            .iter()
            .map(|p| format!("meta tag {p} did not match import path {import_path}"))
            .collect();
        Some(items.join(", "))
    }
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Multiple { import_path } => write!(
                f,
                "multiple meta tags match import path {}",
                crate::goquote::quote(import_path)
            ),
            Self::NoMatch { .. } => write!(
                f,
                "no go-import meta tags ({})",
                self.mismatch_list().unwrap_or_default()
            ),
        }
    }
}

impl std::error::Error for MatchError {}

/// Extracts the go-import tags from a discovery page (`parseMetaGoImports`).
///
/// Reading stops at the first `<body>` start tag or `</head>` end tag. A
/// syntax error ends reading too and is returned only if no tag was found
/// before it. With [`ModMode::PreferMod`] the `mod` entries come first and
/// hide non-`mod` entries with the same prefix; with
/// [`ModMode::IgnoreMod`] they are dropped.
pub fn parse_meta_go_imports(
    body: &[u8],
    mode: ModMode,
) -> Result<Vec<MetaImport>, DiscoveryError> {
    let mut decoder = Decoder {
        input: body,
        pos: 0,
    };
    let mut imports = Vec::new();
    loop {
        let token = match decoder.raw_token() {
            Ok(Some(token)) => token,
            Ok(None) => break,
            Err(e) if imports.is_empty() => return Err(e),
            Err(_) => break,
        };
        match token {
            Token::Start(e) if name_is(&e.local, "body") => break,
            Token::Start(e) => {
                if name_is(&e.local, "meta") && e.name_attr.as_deref() == Some("go-import") {
                    imports.extend(meta_import(e.content_attr.as_deref().unwrap_or("")));
                }
                // A self-closing element is also its own end tag.
                if e.self_closing && name_is(&e.local, "head") {
                    break;
                }
            }
            Token::End(local) if name_is(&local, "head") => break,
            Token::End(_) | Token::Other => {}
        }
    }

    let (mods, others): (Vec<MetaImport>, Vec<MetaImport>) =
        imports.into_iter().partition(|m| m.vcs == "mod");
    let mut list = match mode {
        ModMode::PreferMod => mods,
        ModMode::IgnoreMod => Vec::new(),
    };
    let hidden: HashSet<String> = list.iter().map(|m| m.prefix.clone()).collect();
    list.extend(others.into_iter().filter(|m| !hidden.contains(&m.prefix)));
    Ok(list)
}

/// Chooses the entry for `import_path` (`matchGoImport`): the one whose
/// prefix is a path prefix of it. Once a `mod` entry matched, later
/// non-`mod` entries are ignored (they all follow the `mod` entries).
pub fn match_go_import<'a>(
    imports: &'a [MetaImport],
    import_path: &str,
) -> Result<&'a MetaImport, MatchError> {
    let mut found: Option<&MetaImport> = None;
    let mut mismatches = Vec::new();
    for im in imports {
        if !has_path_prefix(import_path, &im.prefix) {
            mismatches.push(im.prefix.clone());
            continue;
        }
        if let Some(first) = found {
            if first.vcs == "mod" && im.vcs != "mod" {
                break;
            }
            return Err(MatchError::Multiple {
                import_path: import_path.to_string(),
            });
        }
        found = Some(im);
    }
    found.ok_or_else(|| MatchError::NoMatch {
        import_path: import_path.to_string(),
        mismatches,
    })
}

/// The entry a `content` attribute describes, if it has 3 or 4 fields.
fn meta_import(content: &str) -> Option<MetaImport> {
    let f: Vec<&str> = content.split_whitespace().collect();
    let [prefix, vcs, repo_root, rest @ ..] = f.as_slice() else {
        return None;
    };
    let sub_dir = match rest {
        [] => None,
        [d] => Some(d.to_string()),
        _ => return None,
    };
    Some(MetaImport {
        prefix: prefix.to_string(),
        vcs: vcs.to_string(),
        repo_root: repo_root.to_string(),
        sub_dir,
    })
}

/// `strings.EqualFold(name, target)` for the lower-case ASCII targets used
/// here. Full Unicode folding only adds U+212A (k) and U+017F (s), letters
/// none of the targets contain.
fn name_is(name: &str, target: &str) -> bool {
    name.eq_ignore_ascii_case(target)
}

/// What `parseMetaGoImports` needs from a token.
enum Token {
    Start(StartElement),
    /// An end tag's local name.
    End(String),
    /// Character data, comments, processing instructions, directives.
    Other,
}

struct StartElement {
    /// The name after any `space:` prefix.
    local: String,
    /// The value of the first attribute whose local name is `name` (any case).
    name_attr: Option<String>,
    /// Likewise for `content`.
    content_attr: Option<String>,
    /// Written `<x/>`: encoding/xml then returns the matching end tag too.
    self_closing: bool,
}

/// A reimplementation of `encoding/xml.Decoder.RawToken` with
/// `Strict = false`, no `Entity` map and the go command's `CharsetReader`.
/// Errors are final, as in Go, so they are returned instead of stored.
/// Go's one-byte `ungetc` is a step back of `pos`, and its line counter is
/// always one plus the newlines before `pos`.
struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
}

type Step<T> = Result<T, DiscoveryError>;

impl Decoder<'_> {
    fn syntax(&self, msg: impl Into<String>) -> DiscoveryError {
        let newlines = self.input[..self.pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        DiscoveryError::Syntax {
            line: newlines + 1,
            msg: msg.into(),
        }
    }

    fn getc(&mut self) -> Option<u8> {
        let b = *self.input.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn mustgetc(&mut self) -> Step<u8> {
        self.getc().ok_or_else(|| self.syntax("unexpected EOF"))
    }

    /// Only ever called right after a byte was read.
    fn ungetc(&mut self) {
        self.pos -= 1;
    }

    /// `space`: skips XML white space.
    fn space(&mut self) {
        while let Some(b) = self.getc() {
            if !matches!(b, b' ' | b'\r' | b'\n' | b'\t') {
                self.ungetc();
                return;
            }
        }
    }

    /// The next token, or `None` at the end of the input.
    fn raw_token(&mut self) -> Step<Option<Token>> {
        let Some(b) = self.getc() else {
            return Ok(None);
        };
        if b != b'<' {
            self.ungetc();
            self.text(None, false)?;
            return Ok(Some(Token::Other));
        }
        match self.mustgetc()? {
            b'/' => {
                let Some(local) = self.nsname()? else {
                    return Err(self.syntax("expected element name after </"));
                };
                self.space();
                if self.mustgetc()? != b'>' {
                    return Err(self.syntax(format!("invalid characters between </{local} and >")));
                }
                Ok(Some(Token::End(local)))
            }
            b'?' => self.proc_inst().map(|()| Some(Token::Other)),
            b'!' => self.bang().map(|()| Some(Token::Other)),
            _ => {
                self.ungetc();
                self.start_element().map(|e| Some(Token::Start(e)))
            }
        }
    }

    /// After `<?`: a processing instruction. `<?xml ...?>` may name a version
    /// or an encoding, which the go command restricts.
    fn proc_inst(&mut self) -> Step<()> {
        let Some(target) = self.name()? else {
            return Err(self.syntax("expected target name after <?"));
        };
        self.space();
        let start = self.pos;
        let mut prev = 0;
        loop {
            let b = self.mustgetc()?;
            if prev == b'?' && b == b'>' {
                break;
            }
            prev = b;
        }
        if target != "xml" {
            return Ok(());
        }
        let content = &self.input[start..self.pos - 2];
        let version = proc_inst_param("version", content);
        if !version.is_empty() && version != b"1.0" {
            return Err(DiscoveryError::UnsupportedVersion(version.to_vec()));
        }
        let encoding = proc_inst_param("encoding", content);
        if !encoding.is_empty() && !charset_accepted(encoding) {
            return Err(DiscoveryError::Charset(encoding.to_vec()));
        }
        Ok(())
    }

    /// After `<!`: a comment, a CDATA section or a directive.
    fn bang(&mut self) -> Step<()> {
        match self.mustgetc()? {
            b'-' => {
                if self.mustgetc()? != b'-' {
                    return Err(self.syntax("invalid sequence <!- not part of <!--"));
                }
                let (mut b0, mut b1) = (0, 0);
                loop {
                    let b = self.mustgetc()?;
                    if b0 == b'-' && b1 == b'-' {
                        if b != b'>' {
                            return Err(
                                self.syntax(r#"invalid sequence "--" not allowed in comments"#)
                            );
                        }
                        return Ok(());
                    }
                    (b0, b1) = (b1, b);
                }
            }
            b'[' => {
                for &want in b"CDATA[" {
                    if self.mustgetc()? != want {
                        return Err(self.syntax("invalid <![ sequence"));
                    }
                }
                self.text(None, true).map(drop)
            }
            // Go keeps the first byte of a directive without looking at it.
            _ => self.directive(),
        }
    }

    /// The rest of `<!DOCTYPE ...>` and the like: ends at a `>` outside
    /// quotes and nested `<...>`; `<!--...-->` inside is skipped.
    fn directive(&mut self) -> Step<()> {
        let mut in_quote = 0u8;
        let mut depth = 0i64;
        loop {
            let mut b = self.mustgetc()?;
            if in_quote == 0 && b == b'>' && depth == 0 {
                return Ok(());
            }
            'handle: loop {
                match b {
                    _ if b == in_quote => in_quote = 0,
                    _ if in_quote != 0 => {}
                    b'\'' | b'"' => in_quote = b,
                    b'>' => depth -= 1,
                    b'<' => {
                        for &want in b"!--" {
                            b = self.mustgetc()?;
                            if b != want {
                                depth += 1;
                                // Go re-examines the mismatching byte (goto HandleB).
                                continue 'handle;
                            }
                        }
                        let (mut b0, mut b1) = (0, 0);
                        loop {
                            let c = self.mustgetc()?;
                            if b0 == b'-' && b1 == b'-' && c == b'>' {
                                break;
                            }
                            (b0, b1) = (b1, c);
                        }
                    }
                    _ => {}
                }
                break;
            }
        }
    }

    /// A start tag after its `<`, with its attributes.
    fn start_element(&mut self) -> Step<StartElement> {
        let Some(local) = self.nsname()? else {
            return Err(self.syntax("expected element name after <"));
        };
        let mut e = StartElement {
            local,
            name_attr: None,
            content_attr: None,
            self_closing: false,
        };
        loop {
            self.space();
            match self.mustgetc()? {
                b'/' => {
                    if self.mustgetc()? != b'>' {
                        return Err(self.syntax("expected /> in element"));
                    }
                    e.self_closing = true;
                    return Ok(e);
                }
                b'>' => return Ok(e),
                _ => self.ungetc(),
            }
            let Some(attr) = self.nsname()? else {
                return Err(self.syntax("expected attribute name in element"));
            };
            self.space();
            let value = if self.mustgetc()? == b'=' {
                self.space();
                self.attr_value()?
            } else {
                // Non-strict mode: `<meta async>` means async="async".
                self.ungetc();
                attr.clone()
            };
            let slot = if name_is(&attr, "name") {
                &mut e.name_attr
            } else if name_is(&attr, "content") {
                &mut e.content_attr
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
    }

    /// An attribute value after `=`: quoted, or (non-strict mode) a run of
    /// `[A-Za-z0-9_:-]`, possibly empty.
    fn attr_value(&mut self) -> Step<String> {
        let b = self.mustgetc()?;
        if b == b'"' || b == b'\'' {
            return self.text(Some(b), false);
        }
        self.ungetc();
        let start = self.pos;
        loop {
            let b = self.mustgetc()?;
            if !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-')) {
                self.ungetc();
                break;
            }
        }
        Ok(self.input[start..self.pos]
            .iter()
            .map(|&b| char::from(b))
            .collect())
    }

    /// `nsname`: a name, reduced to its local part after `space:`; `None`
    /// when there is no name or it has more than one colon.
    fn nsname(&mut self) -> Step<Option<String>> {
        let Some(name) = self.name()? else {
            return Ok(None);
        };
        if name.matches(':').count() > 1 {
            return Ok(None);
        }
        Ok(Some(match name.split_once(':') {
            Some((space, local)) if !space.is_empty() && !local.is_empty() => local.to_string(),
            _ => name,
        }))
    }

    /// `name`: a name that must be a valid XML name, or `None` when the
    /// next byte cannot start one.
    fn name(&mut self) -> Step<Option<String>> {
        let mut buf = Vec::new();
        if !self.read_name(&mut buf)? {
            return Ok(None);
        }
        match xml_name(&buf) {
            Some(name) => Ok(Some(name.to_string())),
            None => Err(self.syntax(format!(
                "invalid XML name: {}",
                String::from_utf8_lossy(&buf)
            ))),
        }
    }

    /// `readName`: appends name bytes (ASCII name characters and any byte
    /// >= 0x80) to `buf`; false if the next byte cannot start a name.
    fn read_name(&mut self, buf: &mut Vec<u8>) -> Step<bool> {
        let start = buf.len();
        loop {
            let b = self.mustgetc()?;
            if b < 0x80 && !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-')) {
                self.ungetc();
                return Ok(buf.len() > start);
            }
            buf.push(b);
        }
    }

    /// `text`: character data up to `<` (or the end), a quoted attribute
    /// value up to `quote`, or a CDATA section up to `]]>`. Entities are
    /// decoded, `\r\n` and `\r` become `\n`, and the result must be UTF-8 in
    /// XML's character range.
    fn text(&mut self, quote: Option<u8>, cdata: bool) -> Step<String> {
        let mut buf = Vec::new();
        let (mut b0, mut b1) = (0u8, 0u8);
        loop {
            let Some(b) = self.getc() else {
                if cdata {
                    return Err(self.syntax("unexpected EOF in CDATA section"));
                }
                break;
            };
            if quote.is_none() && b0 == b']' && b1 == b']' && b == b'>' {
                if cdata {
                    buf.truncate(buf.len().saturating_sub(2));
                    break;
                }
                return Err(self.syntax("unescaped ]]> not in CDATA section"));
            }
            if b == b'<' && !cdata {
                if quote.is_some() {
                    return Err(self.syntax("unescaped < inside quoted string"));
                }
                self.ungetc();
                break;
            }
            if Some(b) == quote {
                break;
            }
            if b == b'&' && !cdata {
                self.entity(&mut buf)?;
                (b0, b1) = (0, 0);
                continue;
            }
            if b == b'\r' {
                buf.push(b'\n');
            } else if !(b1 == b'\r' && b == b'\n') {
                buf.push(b);
            }
            (b0, b1) = (b1, b);
        }
        self.check_chars(buf)
    }

    /// After `&` in text: appends the decoded entity, or (non-strict mode)
    /// the bytes as written when it is unknown or malformed.
    fn entity(&mut self, buf: &mut Vec<u8>) -> Step<()> {
        let before = buf.len();
        buf.push(b'&');
        let mut b = self.mustgetc()?;
        let decoded = if b == b'#' {
            buf.push(b);
            b = self.mustgetc()?;
            let base = if b == b'x' {
                buf.push(b);
                b = self.mustgetc()?;
                16
            } else {
                10
            };
            let start = buf.len();
            while char::from(b).is_digit(base) {
                buf.push(b);
                b = self.mustgetc()?;
            }
            if b == b';' {
                let value = char_ref_value(&buf[start..], base);
                buf.push(b);
                value.map(|n| char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER))
            } else {
                self.ungetc();
                None
            }
        } else {
            self.ungetc();
            self.read_name(buf)?;
            if self.mustgetc()? == b';' {
                let decoded = match &buf[before + 1..] {
                    b"lt" => Some('<'),
                    b"gt" => Some('>'),
                    b"amp" => Some('&'),
                    b"apos" => Some('\''),
                    b"quot" => Some('"'),
                    _ => None,
                };
                buf.push(b';');
                decoded
            } else {
                self.ungetc();
                None
            }
        };
        if let Some(c) = decoded {
            buf.truncate(before);
            buf.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
        Ok(())
    }

    /// The final check of `text`: the first non-UTF-8 byte or character
    /// outside XML's range is an error.
    fn check_chars(&self, data: Vec<u8>) -> Step<String> {
        let valid = std::str::from_utf8(&data).map_or_else(|e| e.valid_up_to(), str::len);
        let prefix = String::from_utf8_lossy(&data[..valid]);
        if let Some(c) = prefix.chars().find(|&c| !in_xml_char_range(c)) {
            return Err(self.syntax(format!("illegal character code U+{:04X}", u32::from(c))));
        }
        String::from_utf8(data).map_err(|_| self.syntax("invalid UTF-8"))
    }
}

/// The value of a numeric character reference's digits, if Go would
/// substitute it (`strconv.ParseUint` succeeds and the value is at most
/// U+10FFFF).
fn char_ref_value(digits: &[u8], base: u32) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &d| {
        let n = acc * base + char::from(d).to_digit(base)?;
        (n <= 0x10FFFF).then_some(n)
    })
}

/// `isInCharacterRange`: the XML `Char` production.
fn in_xml_char_range(c: char) -> bool {
    matches!(u32::from(c), 0x09 | 0x0A | 0x0D | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// `isName`: `bytes` as a name if they are UTF-8, start with an XML letter,
/// `_` or `:`, and continue with name characters.
fn xml_name(bytes: &[u8]) -> Option<&str> {
    let name = std::str::from_utf8(bytes).ok()?;
    let mut chars = name.chars();
    let first = chars.next()?;
    let ok = in_table(&XML_NAME_FIRST, first)
        && chars.all(|c| in_table(&XML_NAME_FIRST, c) || in_table(&XML_NAME_SECOND, c));
    ok.then_some(name)
}

/// `unicode.Is` for one of the (sorted, disjoint) tables below.
fn in_table(table: &[(u16, u16, u16)], c: char) -> bool {
    let Ok(r) = u16::try_from(u32::from(c)) else {
        return false;
    };
    let i = table.partition_point(|&(_, hi, _)| hi < r);
    table
        .get(i)
        .is_some_and(|&(lo, _, stride)| lo <= r && (r - lo) % stride == 0)
}

/// encoding/xml's `procInst`: the quoted value of `param=` in a processing
/// instruction's content, or empty. Like Go it skips occurrences whose `=`
/// is not followed by a quote, and does not require a word boundary.
fn proc_inst_param<'a>(param: &str, s: &'a [u8]) -> &'a [u8] {
    let key = format!("{param}=");
    let key = key.as_bytes();
    let mut i = 0;
    let mut sep = None;
    while i < s.len() {
        let sub = &s[i..];
        let Some(k) = sub.windows(key.len()).position(|w| w == key) else {
            return b"";
        };
        if key.len() + k >= sub.len() {
            return b"";
        }
        i += key.len() + k + 1;
        let c = sub[key.len() + k];
        if c == b'\'' || c == b'"' {
            sep = Some(c);
            break;
        }
    }
    let Some(sep) = sep else {
        return b"";
    };
    match s[i..].iter().position(|&b| b == sep) {
        Some(j) => &s[i..i + j],
        None => b"",
    }
}

/// Whether the go command's `charsetReader` (or encoding/xml itself, for
/// utf-8 in any case) accepts a declared encoding: `strings.ToLower` of it
/// must be `utf-8` or `ascii`. Go's per-rune lower-casing maps U+0130 to
/// `i`; no other non-ASCII rune lower-cases into these names.
fn charset_accepted(encoding: &[u8]) -> bool {
    let Ok(encoding) = std::str::from_utf8(encoding) else {
        return false;
    };
    let lower: String = encoding
        .chars()
        .map(|c| {
            if c == '\u{130}' {
                'i'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    lower == "utf-8" || lower == "ascii"
}

// GENERATED by tools/gen_xmlname.py from Go 1.27 src/encoding/xml/xml.go; do not edit.
#[rustfmt::skip]
static XML_NAME_FIRST: [(u16, u16, u16); 190] = [
    (0x003a, 0x003a, 1), (0x0041, 0x005a, 1), (0x005f, 0x005f, 1), (0x0061, 0x007a, 1),
    (0x00c0, 0x00d6, 1), (0x00d8, 0x00f6, 1), (0x00f8, 0x00ff, 1), (0x0100, 0x0131, 1),
    (0x0134, 0x013e, 1), (0x0141, 0x0148, 1), (0x014a, 0x017e, 1), (0x0180, 0x01c3, 1),
    (0x01cd, 0x01f0, 1), (0x01f4, 0x01f5, 1), (0x01fa, 0x0217, 1), (0x0250, 0x02a8, 1),
    (0x02bb, 0x02c1, 1), (0x0386, 0x0386, 1), (0x0388, 0x038a, 1), (0x038c, 0x038c, 1),
    (0x038e, 0x03a1, 1), (0x03a3, 0x03ce, 1), (0x03d0, 0x03d6, 1), (0x03da, 0x03e0, 2),
    (0x03e2, 0x03f3, 1), (0x0401, 0x040c, 1), (0x040e, 0x044f, 1), (0x0451, 0x045c, 1),
    (0x045e, 0x0481, 1), (0x0490, 0x04c4, 1), (0x04c7, 0x04c8, 1), (0x04cb, 0x04cc, 1),
    (0x04d0, 0x04eb, 1), (0x04ee, 0x04f5, 1), (0x04f8, 0x04f9, 1), (0x0531, 0x0556, 1),
    (0x0559, 0x0559, 1), (0x0561, 0x0586, 1), (0x05d0, 0x05ea, 1), (0x05f0, 0x05f2, 1),
    (0x0621, 0x063a, 1), (0x0641, 0x064a, 1), (0x0671, 0x06b7, 1), (0x06ba, 0x06be, 1),
    (0x06c0, 0x06ce, 1), (0x06d0, 0x06d3, 1), (0x06d5, 0x06d5, 1), (0x06e5, 0x06e6, 1),
    (0x0905, 0x0939, 1), (0x093d, 0x093d, 1), (0x0958, 0x0961, 1), (0x0985, 0x098c, 1),
    (0x098f, 0x0990, 1), (0x0993, 0x09a8, 1), (0x09aa, 0x09b0, 1), (0x09b2, 0x09b2, 1),
    (0x09b6, 0x09b9, 1), (0x09dc, 0x09dd, 1), (0x09df, 0x09e1, 1), (0x09f0, 0x09f1, 1),
    (0x0a05, 0x0a0a, 1), (0x0a0f, 0x0a10, 1), (0x0a13, 0x0a28, 1), (0x0a2a, 0x0a30, 1),
    (0x0a32, 0x0a33, 1), (0x0a35, 0x0a36, 1), (0x0a38, 0x0a39, 1), (0x0a59, 0x0a5c, 1),
    (0x0a5e, 0x0a5e, 1), (0x0a72, 0x0a74, 1), (0x0a85, 0x0a8b, 1), (0x0a8d, 0x0a8d, 1),
    (0x0a8f, 0x0a91, 1), (0x0a93, 0x0aa8, 1), (0x0aaa, 0x0ab0, 1), (0x0ab2, 0x0ab3, 1),
    (0x0ab5, 0x0ab9, 1), (0x0abd, 0x0ae0, 35), (0x0b05, 0x0b0c, 1), (0x0b0f, 0x0b10, 1),
    (0x0b13, 0x0b28, 1), (0x0b2a, 0x0b30, 1), (0x0b32, 0x0b33, 1), (0x0b36, 0x0b39, 1),
    (0x0b3d, 0x0b3d, 1), (0x0b5c, 0x0b5d, 1), (0x0b5f, 0x0b61, 1), (0x0b85, 0x0b8a, 1),
    (0x0b8e, 0x0b90, 1), (0x0b92, 0x0b95, 1), (0x0b99, 0x0b9a, 1), (0x0b9c, 0x0b9c, 1),
    (0x0b9e, 0x0b9f, 1), (0x0ba3, 0x0ba4, 1), (0x0ba8, 0x0baa, 1), (0x0bae, 0x0bb5, 1),
    (0x0bb7, 0x0bb9, 1), (0x0c05, 0x0c0c, 1), (0x0c0e, 0x0c10, 1), (0x0c12, 0x0c28, 1),
    (0x0c2a, 0x0c33, 1), (0x0c35, 0x0c39, 1), (0x0c60, 0x0c61, 1), (0x0c85, 0x0c8c, 1),
    (0x0c8e, 0x0c90, 1), (0x0c92, 0x0ca8, 1), (0x0caa, 0x0cb3, 1), (0x0cb5, 0x0cb9, 1),
    (0x0cde, 0x0cde, 1), (0x0ce0, 0x0ce1, 1), (0x0d05, 0x0d0c, 1), (0x0d0e, 0x0d10, 1),
    (0x0d12, 0x0d28, 1), (0x0d2a, 0x0d39, 1), (0x0d60, 0x0d61, 1), (0x0e01, 0x0e2e, 1),
    (0x0e30, 0x0e30, 1), (0x0e32, 0x0e33, 1), (0x0e40, 0x0e45, 1), (0x0e81, 0x0e82, 1),
    (0x0e84, 0x0e84, 1), (0x0e87, 0x0e88, 1), (0x0e8a, 0x0e8d, 3), (0x0e94, 0x0e97, 1),
    (0x0e99, 0x0e9f, 1), (0x0ea1, 0x0ea3, 1), (0x0ea5, 0x0ea7, 2), (0x0eaa, 0x0eab, 1),
    (0x0ead, 0x0eae, 1), (0x0eb0, 0x0eb0, 1), (0x0eb2, 0x0eb3, 1), (0x0ebd, 0x0ebd, 1),
    (0x0ec0, 0x0ec4, 1), (0x0f40, 0x0f47, 1), (0x0f49, 0x0f69, 1), (0x10a0, 0x10c5, 1),
    (0x10d0, 0x10f6, 1), (0x1100, 0x1100, 1), (0x1102, 0x1103, 1), (0x1105, 0x1107, 1),
    (0x1109, 0x1109, 1), (0x110b, 0x110c, 1), (0x110e, 0x1112, 1), (0x113c, 0x1140, 2),
    (0x114c, 0x1150, 2), (0x1154, 0x1155, 1), (0x1159, 0x1159, 1), (0x115f, 0x1161, 1),
    (0x1163, 0x1169, 2), (0x116d, 0x116e, 1), (0x1172, 0x1173, 1), (0x1175, 0x119e, 41),
    (0x11a8, 0x11ab, 3), (0x11ae, 0x11af, 1), (0x11b7, 0x11b8, 1), (0x11ba, 0x11ba, 1),
    (0x11bc, 0x11c2, 1), (0x11eb, 0x11f0, 5), (0x11f9, 0x11f9, 1), (0x1e00, 0x1e9b, 1),
    (0x1ea0, 0x1ef9, 1), (0x1f00, 0x1f15, 1), (0x1f18, 0x1f1d, 1), (0x1f20, 0x1f45, 1),
    (0x1f48, 0x1f4d, 1), (0x1f50, 0x1f57, 1), (0x1f59, 0x1f5b, 2), (0x1f5d, 0x1f5d, 1),
    (0x1f5f, 0x1f7d, 1), (0x1f80, 0x1fb4, 1), (0x1fb6, 0x1fbc, 1), (0x1fbe, 0x1fbe, 1),
    (0x1fc2, 0x1fc4, 1), (0x1fc6, 0x1fcc, 1), (0x1fd0, 0x1fd3, 1), (0x1fd6, 0x1fdb, 1),
    (0x1fe0, 0x1fec, 1), (0x1ff2, 0x1ff4, 1), (0x1ff6, 0x1ffc, 1), (0x2126, 0x2126, 1),
    (0x212a, 0x212b, 1), (0x212e, 0x212e, 1), (0x2180, 0x2182, 1), (0x3007, 0x3007, 1),
    (0x3021, 0x3029, 1), (0x3041, 0x3094, 1), (0x30a1, 0x30fa, 1), (0x3105, 0x312c, 1),
    (0x4e00, 0x9fa5, 1), (0xac00, 0xd7a3, 1),
];
#[rustfmt::skip]
static XML_NAME_SECOND: [(u16, u16, u16); 112] = [
    (0x002d, 0x002e, 1), (0x0030, 0x0039, 1), (0x00b7, 0x00b7, 1), (0x02d0, 0x02d1, 1),
    (0x0300, 0x0345, 1), (0x0360, 0x0361, 1), (0x0387, 0x0387, 1), (0x0483, 0x0486, 1),
    (0x0591, 0x05a1, 1), (0x05a3, 0x05b9, 1), (0x05bb, 0x05bd, 1), (0x05bf, 0x05bf, 1),
    (0x05c1, 0x05c2, 1), (0x05c4, 0x0640, 124), (0x064b, 0x0652, 1), (0x0660, 0x0669, 1),
    (0x0670, 0x0670, 1), (0x06d6, 0x06dc, 1), (0x06dd, 0x06df, 1), (0x06e0, 0x06e4, 1),
    (0x06e7, 0x06e8, 1), (0x06ea, 0x06ed, 1), (0x06f0, 0x06f9, 1), (0x0901, 0x0903, 1),
    (0x093c, 0x093c, 1), (0x093e, 0x094c, 1), (0x094d, 0x094d, 1), (0x0951, 0x0954, 1),
    (0x0962, 0x0963, 1), (0x0966, 0x096f, 1), (0x0981, 0x0983, 1), (0x09bc, 0x09bc, 1),
    (0x09be, 0x09bf, 1), (0x09c0, 0x09c4, 1), (0x09c7, 0x09c8, 1), (0x09cb, 0x09cd, 1),
    (0x09d7, 0x09d7, 1), (0x09e2, 0x09e3, 1), (0x09e6, 0x09ef, 1), (0x0a02, 0x0a3c, 58),
    (0x0a3e, 0x0a3f, 1), (0x0a40, 0x0a42, 1), (0x0a47, 0x0a48, 1), (0x0a4b, 0x0a4d, 1),
    (0x0a66, 0x0a6f, 1), (0x0a70, 0x0a71, 1), (0x0a81, 0x0a83, 1), (0x0abc, 0x0abc, 1),
    (0x0abe, 0x0ac5, 1), (0x0ac7, 0x0ac9, 1), (0x0acb, 0x0acd, 1), (0x0ae6, 0x0aef, 1),
    (0x0b01, 0x0b03, 1), (0x0b3c, 0x0b3c, 1), (0x0b3e, 0x0b43, 1), (0x0b47, 0x0b48, 1),
    (0x0b4b, 0x0b4d, 1), (0x0b56, 0x0b57, 1), (0x0b66, 0x0b6f, 1), (0x0b82, 0x0b83, 1),
    (0x0bbe, 0x0bc2, 1), (0x0bc6, 0x0bc8, 1), (0x0bca, 0x0bcd, 1), (0x0bd7, 0x0bd7, 1),
    (0x0be7, 0x0bef, 1), (0x0c01, 0x0c03, 1), (0x0c3e, 0x0c44, 1), (0x0c46, 0x0c48, 1),
    (0x0c4a, 0x0c4d, 1), (0x0c55, 0x0c56, 1), (0x0c66, 0x0c6f, 1), (0x0c82, 0x0c83, 1),
    (0x0cbe, 0x0cc4, 1), (0x0cc6, 0x0cc8, 1), (0x0cca, 0x0ccd, 1), (0x0cd5, 0x0cd6, 1),
    (0x0ce6, 0x0cef, 1), (0x0d02, 0x0d03, 1), (0x0d3e, 0x0d43, 1), (0x0d46, 0x0d48, 1),
    (0x0d4a, 0x0d4d, 1), (0x0d57, 0x0d57, 1), (0x0d66, 0x0d6f, 1), (0x0e31, 0x0e31, 1),
    (0x0e34, 0x0e3a, 1), (0x0e46, 0x0e46, 1), (0x0e47, 0x0e4e, 1), (0x0e50, 0x0e59, 1),
    (0x0eb1, 0x0eb1, 1), (0x0eb4, 0x0eb9, 1), (0x0ebb, 0x0ebc, 1), (0x0ec6, 0x0ec6, 1),
    (0x0ec8, 0x0ecd, 1), (0x0ed0, 0x0ed9, 1), (0x0f18, 0x0f19, 1), (0x0f20, 0x0f29, 1),
    (0x0f35, 0x0f39, 2), (0x0f3e, 0x0f3f, 1), (0x0f71, 0x0f84, 1), (0x0f86, 0x0f8b, 1),
    (0x0f90, 0x0f95, 1), (0x0f97, 0x0f97, 1), (0x0f99, 0x0fad, 1), (0x0fb1, 0x0fb7, 1),
    (0x0fb9, 0x0fb9, 1), (0x20d0, 0x20dc, 1), (0x20e1, 0x3005, 3876), (0x302a, 0x302f, 1),
    (0x3031, 0x3035, 1), (0x3099, 0x309a, 1), (0x309d, 0x309e, 1), (0x30fc, 0x30fe, 1),
];
