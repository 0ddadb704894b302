//! The three-way comparison for one module version: go.sum, the hashes of each source of
//! content, and the checksum database — with the go command's own texts for what it
//! would report, and a classification of who is wrong.

use gomod_common::record::sum::{
    Cause, ComputedHashes, ForkHeads, GosumHashes, SourceCheck, SumBody, SumdbHashes, TreeHeadInfo,
    Verdict,
};
use gomod_common::record::{Code, ErrorInfo, Layer, Warning};
use gomod_common::sumdb::client::{Base, BaseVia, Lookup, SumdbError, TreeHead};

use crate::modcache::VerifyKind;
use crate::sums::{GOSUM_MISMATCH, GoSums, HASH_VERSION_MISMATCH, SumCheck};
use crate::targets::{Source, SourceKind, Target};

/// The two files a module version has a hash for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// The module zip (`M V h1:...`).
    Zip,
    /// The go.mod file (`M V/go.mod h1:...`).
    Mod,
}

impl FileKind {
    /// In the order the go command checks them: go.mod files while loading the module
    /// graph, zips when it needs packages.
    const GO_ORDER: [FileKind; 2] = [FileKind::Mod, FileKind::Zip];

    /// The go.sum version suffix.
    fn suffix(self) -> &'static str {
        match self {
            FileKind::Zip => "",
            FileKind::Mod => "/go.mod",
        }
    }

    /// The go command's word in `verifying <noun>`.
    fn noun(self) -> &'static str {
        match self {
            FileKind::Zip => "module",
            FileKind::Mod => "go.mod",
        }
    }

    /// Our word in messages.
    fn what(self) -> &'static str {
        match self {
            FileKind::Zip => "zip",
            FileKind::Mod => "go.mod",
        }
    }
}

/// What became of the checksum database for this module version.
#[derive(Clone, Debug)]
pub enum Database {
    /// Not consulted, and why (`GOSUMDB=off`, `GONOSUMDB matches "x"`).
    Skipped(String),
    /// GOSUMDB (or GOPROXY, which finds the database) cannot be used: the code and the
    /// go command's text, which it reports when the first lookup is needed.
    Misconfigured {
        code: Code,
        go_text: String,
        hint: String,
    },
    /// This tool does not use the database although the go command would (it is
    /// stricter): the code, why, and what to change.
    Refused {
        code: Code,
        message: String,
        hint: String,
    },
    /// The client answered, authenticated.
    Answered {
        /// The database name.
        name: String,
        lookup: Box<Lookup>,
        base: Option<Base>,
        /// Why the database's latest tree head could not be fetched, when the answer
        /// came from the state directory and so could not be checked against it.
        unconfirmed: Option<Box<SumdbError>>,
    },
    /// The lookup failed.
    Failed {
        /// The database name.
        name: String,
        /// Where the lookup went, when that was found before it failed.
        base: Option<Base>,
        /// GOSUMDB's first field for the database (its name or its key).
        key: String,
        error: Box<SumdbError>,
        /// Where the database's state is kept, to name in a fork's hint.
        state: String,
    },
}

/// One thing that is wrong, before the worst becomes the record's error.
struct Problem {
    /// Lower is reported first (the go command's order of checks).
    rank: u8,
    info: ErrorInfo,
}

/// What the comparison concludes: the body, the error and the warnings.
pub struct Outcome {
    pub body: SumBody,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
}

/// Compares everything known about `target`.
pub fn compare(target: &Target, sums: &GoSums, db: &Database, private: &PrivateFix) -> Outcome {
    let mut cmp = Comparison {
        target,
        sums,
        db,
        problems: Vec::new(),
        warnings: Vec::new(),
        private,
    };
    cmp.run()
}

struct Comparison<'a> {
    target: &'a Target,
    sums: &'a GoSums,
    db: &'a Database,
    problems: Vec<Problem>,
    warnings: Vec<Warning>,
    private: &'a PrivateFix,
}

impl Comparison<'_> {
    fn module(&self) -> &str {
        &self.target.module
    }

    fn version(&self) -> &str {
        &self.target.version
    }

    /// `M@V` or `M@V/go.mod`.
    fn key(&self, kind: FileKind) -> String {
        format!("{}@{}{}", self.module(), self.version(), kind.suffix())
    }

    fn sum_version(&self, kind: FileKind) -> String {
        format!("{}{}", self.version(), kind.suffix())
    }

    fn lookup(&self) -> Option<&Lookup> {
        match self.db {
            Database::Answered { lookup, .. } => Some(lookup),
            _ => None,
        }
    }

    fn db_name(&self) -> &str {
        match self.db {
            Database::Answered { name, .. } | Database::Failed { name, .. } => name,
            _ => "",
        }
    }

    /// The database's hash of one kind, when it answered.
    fn db_hash(&self, kind: FileKind) -> Option<&str> {
        let lookup = self.lookup()?;
        match kind {
            FileKind::Zip => lookup.zip_hash.as_deref(),
            FileKind::Mod => lookup.mod_hash.as_deref(),
        }
    }

    /// The hash sources are judged against: the database's, else go.sum's first `h1:`,
    /// else — only when the sources disagree — what the first proxy (or the first
    /// source) served, proxies being immutable copies.
    fn reference(&self, kind: FileKind) -> Option<&str> {
        if self.lookup().is_some() {
            return self.db_hash(kind);
        }
        if let Some(line) = self.sums.first_h1(self.module(), &self.sum_version(kind)) {
            return Some(&line.hash);
        }
        let mut hashes = self.target.sources.iter().filter_map(|s| s.hash(kind));
        let first = hashes.next()?;
        if hashes.all(|h| h == first) {
            return None;
        }
        self.target
            .sources
            .iter()
            .find(|s| s.kind == SourceKind::Proxy && s.hash(kind).is_some())
            .and_then(|s| s.hash(kind))
            .or(Some(first))
    }

    fn problem(&mut self, rank: u8, info: ErrorInfo) {
        self.problems.push(Problem { rank, info });
    }

    fn run(&mut self) -> Outcome {
        let mut body = SumBody {
            module: self.module().to_string(),
            version: self.version().to_string(),
            from: self.target.from.as_str(),
            ..SumBody::default()
        };
        if let Some(invalid) = &self.target.invalid {
            body.verdict = Verdict::Failed;
            return Outcome {
                body,
                error: Some(invalid.clone()),
                warnings: Vec::new(),
            };
        }
        body.gosum = self.gosum_field();
        body.computed = computed(&self.target.sources);
        self.fill_database(&mut body);
        let causes: Vec<Option<Cause>> = self
            .target
            .sources
            .iter()
            .map(|s| self.source_cause(s))
            .collect();
        body.sources = self
            .target
            .sources
            .iter()
            .zip(&causes)
            .map(|(s, cause)| self.source_check(s, *cause))
            .collect();
        let first_cause = causes.iter().flatten().next().copied();
        for kind in FileKind::GO_ORDER {
            self.compare_kind(kind, &causes);
        }
        self.compare_ziphash();
        let gosum_wrong = first_cause.is_none() && self.gosum_disagrees_with_db();
        body.cause = first_cause.or(gosum_wrong.then_some(Cause::GosumWrong));
        if self.proxy_relay().is_some() {
            body.cause = Some(Cause::SumdbProxyFailed);
        } else if let Database::Failed { error, .. } = self.db
            && error.code == Code::SumdbNotFound
            && self.exists()
        {
            body.cause = Some(Cause::PrivateNotInSumdb);
        }
        self.problems.sort_by_key(|p| p.rank);
        let mut problems = self.problems.drain(..);
        let error = problems.next().map(|p| p.info);
        let mut warnings: Vec<Warning> = problems
            .map(|p| {
                let mut w = Warning::new(p.info.code, p.info.message, p.info.hint);
                w.go_error = p.info.go_error;
                w
            })
            .collect();
        warnings.append(&mut self.warnings);
        body.verdict = self.verdict(error.as_ref(), &body);
        Outcome {
            body,
            error,
            warnings,
        }
    }

    fn gosum_field(&self) -> Option<GosumHashes> {
        if !self.sums.in_use() {
            return None;
        }
        let zip = self.sums.first_h1(self.module(), self.version());
        let r#mod = self
            .sums
            .first_h1(self.module(), &self.sum_version(FileKind::Mod));
        Some(GosumHashes {
            zip: zip.map(|l| l.hash.clone()),
            r#mod: r#mod.map(|l| l.hash.clone()),
            zip_at: zip.map(|l| l.at()),
            mod_at: r#mod.map(|l| l.at()),
        })
    }

    fn fill_database(&mut self, body: &mut SumBody) {
        match self.db {
            Database::Skipped(why) => body.sumdb_skipped = Some(why.clone()),
            Database::Misconfigured {
                code,
                go_text,
                hint,
            } => {
                let kind = self.first_lookup_kind();
                let info = ErrorInfo::new(
                    *code,
                    format!("the checksum database cannot be used: {go_text}"),
                )
                .go_error(format!(
                    "go: {}@{}: verifying {}: {go_text}",
                    self.module(),
                    self.version(),
                    kind.noun()
                ))
                .hint(hint.clone());
                self.problem(30, info);
            }
            Database::Refused {
                code,
                message,
                hint,
            } => {
                let info = ErrorInfo::new(*code, message.clone()).hint(hint.clone());
                self.problem(30, info);
            }
            Database::Answered {
                lookup,
                base,
                unconfirmed,
                ..
            } => {
                if let Some(err) = unconfirmed {
                    self.warnings.push(Warning::new(
                        err.code,
                        format!(
                            "the answer came from the state directory, and the database's latest tree head could not be fetched to check that the log still agrees with it: {}",
                            err.message
                        ),
                        Some(
                            "check how the checksum database is reached (gomod-resolve shows the route, gomod-tlscheck the connection)"
                                .to_string(),
                        ),
                    ));
                }
                body.sumdb = Some(SumdbHashes {
                    name: self.db_name().to_string(),
                    url: base.as_ref().map(|b| b.url.clone()),
                    via: base.as_ref().map(|b| via_name(&b.via)),
                    zip: lookup.zip_hash.clone(),
                    r#mod: lookup.mod_hash.clone(),
                    record_id: Some(lookup.record_id),
                    tree_size: Some(lookup.tree.size),
                    verified: true,
                    cached: lookup.cached,
                });
            }
            Database::Failed {
                name,
                error,
                state,
                base,
                ..
            } => {
                body.sumdb = Some(SumdbHashes {
                    name: name.clone(),
                    url: base.as_ref().map(|b| b.url.clone()),
                    via: base.as_ref().map(|b| via_name(&b.via)),
                    ..SumdbHashes::default()
                });
                if let Some(fork) = &error.fork {
                    body.fork = Some(ForkHeads {
                        old: head_info(&fork.old),
                        new: head_info(&fork.new),
                    });
                }
                let info = self.database_error(error, state);
                self.problem(30, info);
            }
        }
    }

    /// The kind the go command would look up first: the go.mod hash, unless go.sum
    /// already vouches for the go.mod file.
    fn first_lookup_kind(&self) -> FileKind {
        let mod_version = self.sum_version(FileKind::Mod);
        let go_mod_settled = match self.target.sources.iter().find_map(|s| s.r#mod.as_deref()) {
            Some(h) => matches!(
                self.sums.check(self.module(), &mod_version, h),
                SumCheck::Accepted(_)
            ),
            None => self.sums.first_h1(self.module(), &mod_version).is_some(),
        };
        if go_mod_settled {
            FileKind::Zip
        } else {
            FileKind::Mod
        }
    }

    /// The proxy that relays the checksum database and the base URL it serves it
    /// under, when a lookup through it failed at the proxy: its answer, or no answer.
    fn proxy_relay(&self) -> Option<(&str, &str, &str)> {
        let Database::Failed {
            base: Some(base),
            error,
            key,
            ..
        } = self.db
        else {
            return None;
        };
        let BaseVia::Proxy(proxy) = &base.via else {
            return None;
        };
        // A request under the proxy's /sumdb/<name>/ failed (not a proof or a
        // signature, which the proxy may have altered but the hint already says so).
        let request_failed = error.code == Code::SumdbNotFound
            || matches!(
                error.code.layer(),
                Layer::Http | Layer::Tcp | Layer::Tls | Layer::Dns | Layer::Proxy
            );
        (request_failed && error.go_text.contains(base.url.as_str())).then_some((
            proxy.as_str(),
            base.url.as_str(),
            key.as_str(),
        ))
    }

    /// What to do about a proxy whose relay of the database failed.
    fn proxy_relay_hint(&self, proxy: &str, url: &str, key: &str) -> String {
        let name = self.db_name();
        format!(
            "ask the database itself to tell which: GOSUMDB=\"{key} https://{name}\" gomod-sumverify {}@{} (a URL in GOSUMDB bypasses the proxies); if it knows the version, the proxy's relay under {url} is broken: fix it, or make {proxy} answer 404 to /sumdb/{name}/supported so that the go command asks {name} directly; set GONOSUMDB only for a module that is really private",
            self.module(),
            self.version()
        )
    }

    fn database_error(&self, error: &SumdbError, state: &str) -> ErrorInfo {
        let kind = self.first_lookup_kind();
        let go_error = error.go_error(self.module(), self.version(), kind == FileKind::Mod);
        let name = self.db_name().to_string();
        if let Some((proxy, url, key)) = self.proxy_relay() {
            let answer = error
                .go_text
                .lines()
                .next()
                .and_then(|l| l.rsplit_once(": "))
                .map_or(error.go_text.as_str(), |(_, a)| a);
            let info = ErrorInfo::new(
                error.code,
                format!(
                    "the go command reaches the checksum database {name} through the proxy {proxy} (it answered 200 to /sumdb/{name}/supported, so nothing else is asked), and the proxy failed the lookup of {}@{} ({answer}): the proxy's relay of the database is at fault, or the database behind it does not know the version",
                    self.module(),
                    self.version()
                ),
            )
            .detail(error.go_text.clone())
            .hint(self.proxy_relay_hint(proxy, url, key));
            return if error.go_waits {
                info
            } else {
                info.go_error(go_error)
            };
        }
        let hint = match error.code {
            Code::SumdbNotFound => not_found_hint(self.module(), self.private),
            Code::SumdbBadSignature => format!(
                "the tree head is not signed by the key GOSUMDB names for {name}: check GOSUMDB, and whether something between this machine and the database answers in its place"
            ),
            Code::SumdbProofFailed => format!(
                "{name}'s answer does not prove itself: something between this machine and the database altered it (a proxy serving /sumdb/{name}/), or the database is broken; do not trust this answer"
            ),
            Code::SumdbFork => format!(
                "{name} showed a history inconsistent with one seen before: keep {state} as evidence and report it; this is what the transparency log exists to catch"
            ),
            Code::StateCorrupt => match &error.clear {
                Some(path) => format!(
                    "remove {} (it is rebuilt from the checksum database on the next run) and run again",
                    path.display()
                ),
                None => format!("remove {state} and run again"),
            },
            Code::LimitExceeded => format!(
                "{name} (or what answers in its place) sent more than this tool reads; check what serves /sumdb/{name}/ (gomod-resolve shows the route)"
            ),
            _ => format!(
                "the checksum database {name} could not be consulted; check how it is reached (gomod-resolve shows the route, gomod-tlscheck the connection), or set GONOSUMDB for private modules"
            ),
        };
        let message = if error.code == Code::SumdbNotFound && self.exists() {
            format!(
                "the checksum database {name} does not know {}@{}, which exists: a private module",
                self.module(),
                self.version()
            )
        } else {
            error.message.clone()
        };
        let info = ErrorInfo::new(error.code, message).hint(hint);
        // The go command never meets damage to this tool's own state; where it would
        // wait for ever, it prints nothing.
        if !error.go_meets() {
            info
        } else if error.go_waits {
            info.detail(error.go_text.clone())
        } else {
            info.detail(error.go_text.clone()).go_error(go_error)
        }
    }

    /// Whether the module version is known to exist: a source served it, go.sum lists
    /// it, or the cache holds it.
    fn exists(&self) -> bool {
        self.target
            .sources
            .iter()
            .any(|s| s.zip.is_some() || s.r#mod.is_some())
            || FileKind::GO_ORDER.iter().any(|k| {
                !self
                    .sums
                    .lines(self.module(), &self.sum_version(*k))
                    .is_empty()
            })
    }

    /// Why a source differs from the reference, if it does.
    fn source_cause(&self, source: &Source) -> Option<Cause> {
        let differs = |kind: FileKind| match (source.hash(kind), self.reference(kind)) {
            (Some(h), Some(r)) => h != r,
            _ => false,
        };
        let kinds: Vec<FileKind> = FileKind::GO_ORDER
            .into_iter()
            .filter(|k| differs(*k))
            .collect();
        // Whatever `go mod verify` reports: the copy changed or cannot be read.
        let zip_modified = !source.verify.is_empty();
        if kinds.is_empty() && !zip_modified {
            return None;
        }
        Some(match source.kind {
            SourceKind::Local => Cause::LocalCorruption,
            SourceKind::Direct => Cause::RetaggedUpstream,
            SourceKind::Proxy => {
                let origin_agrees = self.target.sources.iter().any(|other| {
                    other.kind == SourceKind::Direct
                        && kinds
                            .iter()
                            .all(|k| other.hash(*k).is_some() && other.hash(*k) == source.hash(*k))
                });
                if origin_agrees {
                    Cause::RetaggedUpstream
                } else {
                    Cause::ProxyContentDiffers
                }
            }
        })
    }

    fn source_check(&self, source: &Source, cause: Option<Cause>) -> SourceCheck {
        let compared = FileKind::GO_ORDER
            .iter()
            .any(|k| source.hash(*k).is_some() && self.reference(*k).is_some());
        let verdict = if cause.is_some() {
            "differs"
        } else if source.zip.is_none() && source.r#mod.is_none() && source.error.is_some() {
            "failed"
        } else if compared {
            "agrees"
        } else {
            "unknown"
        };
        SourceCheck {
            source: source.name.clone(),
            zip: source.zip.clone(),
            r#mod: source.r#mod.clone(),
            zip_bytes: source.zip_bytes,
            ziphash: source.ziphash.clone(),
            error: source.error.clone(),
            verdict,
            cause,
        }
    }

    /// go.sum has an `h1:` line that the database contradicts.
    fn gosum_disagrees_with_db(&self) -> bool {
        FileKind::GO_ORDER.iter().any(|k| {
            let version = self.sum_version(*k);
            match (
                self.db_hash(*k),
                self.sums.first_h1(self.module(), &version),
            ) {
                (Some(d), Some(_)) => !matches!(
                    self.sums.check(self.module(), &version, d),
                    SumCheck::Accepted(_)
                ),
                _ => false,
            }
        })
    }

    /// Every check for one kind of file: each source's hash against go.sum and the
    /// database, as the go command would check a download from that source; without
    /// any, go.sum against the database.
    fn compare_kind(&mut self, kind: FileKind, causes: &[Option<Cause>]) {
        let sources: Vec<(usize, &Source)> = self
            .target
            .sources
            .iter()
            .enumerate()
            .filter(|(_, s)| s.hash(kind).is_some())
            .collect();
        if sources.is_empty() {
            self.compare_gosum_with_db(kind);
        }
        let kind_rank = match kind {
            FileKind::Mod => 0,
            FileKind::Zip => 1,
        };
        for (index, source) in sources {
            let rank_offset = kind_rank + 2 * u8::try_from(index.min(4)).unwrap_or(4);
            let hash = source.hash(kind).unwrap_or_default().to_string();
            self.compare_download(kind, source, &hash, causes[index], rank_offset);
        }
        if self.lookup().is_none()
            && self
                .sums
                .first_h1(self.module(), &self.sum_version(kind))
                .is_none()
        {
            self.compare_sources(kind, causes, 25 + kind_rank);
        }
        if let Some(lookup) = self.lookup()
            && self.db_hash(kind).is_none()
        {
            // Any hash shows the record's lack of a line for this file.
            let hash = self
                .target
                .sources
                .iter()
                .find_map(|s| s.hash(kind))
                .unwrap_or("");
            if let Err(err) = lookup.check(kind == FileKind::Mod, hash) {
                let info = ErrorInfo::new(err.code, err.message.clone())
                    .go_error(err.go_error(self.module(), self.version(), kind == FileKind::Mod))
                    .hint("the database (or a proxy in front of it) answered with a record that does not vouch for this file; do not trust it, and report it");
                self.problem(20 + kind_rank, info);
            }
        }
    }

    /// With neither the database nor go.sum to say which is right: sources that served
    /// something else than the reference (see [`Comparison::reference`]).
    fn compare_sources(&mut self, kind: FileKind, causes: &[Option<Cause>], rank: u8) {
        let Some(reference) = self.reference(kind).map(str::to_string) else {
            return;
        };
        let witness = self
            .target
            .sources
            .iter()
            .find(|s| s.hash(kind) == Some(reference.as_str()))
            .map_or_else(String::new, |s| s.name.clone());
        let odd: Vec<(usize, &Source)> = self
            .target
            .sources
            .iter()
            .enumerate()
            .filter(|(_, s)| s.hash(kind).is_some_and(|h| h != reference))
            .collect();
        let mut problems = Vec::new();
        for (index, source) in odd {
            let hash = source.hash(kind).unwrap_or_default();
            let info = ErrorInfo::new(
                Code::HashMismatch,
                format!(
                    "{} hashes to {hash}, but {witness} served {reference}; neither the checksum database nor go.sum says which is right",
                    source_words(source, kind)
                ),
            )
            .hint(match causes[index] {
                Some(cause) => self.cause_hint(cause, source),
                None => "find out which copy is authentic before using either".to_string(),
            });
            problems.push(Problem { rank, info });
        }
        self.problems.append(&mut problems);
    }

    /// The checks the go command makes on a download with hash `hash`
    /// (`checkModSum`): go.sum first, the database only when go.sum lacks the hash.
    fn compare_download(
        &mut self,
        kind: FileKind,
        source: &Source,
        hash: &str,
        cause: Option<Cause>,
        rank_offset: u8,
    ) {
        let version = self.sum_version(kind);
        let db_hash = self.db_hash(kind).map(str::to_string);
        let from = source_words(source, kind);
        match self.sums.check(self.module(), &version, hash) {
            SumCheck::Mismatch(line) => {
                let label = if line.file.ends_with("go.work.sum") {
                    "go.work.sum"
                } else {
                    "go.sum"
                };
                let go_error = format!(
                    "verifying {}: checksum mismatch\n\tdownloaded: {hash}\n\t{label}:     {}{GOSUM_MISMATCH}",
                    self.key(kind),
                    line.hash
                );
                let message = format!(
                    "{from} hashes to {hash}, but {} records {}",
                    line.at(),
                    line.hash
                );
                let hint = match (cause, db_hash.as_deref()) {
                    (None, Some(d)) if d == hash => format!(
                        "the line at {} is wrong: the download and the checksum database agree on {hash}; remove it and run `go mod download {}` to write the right one",
                        line.at(),
                        self.module()
                    ),
                    (Some(cause), _) => self.cause_hint(cause, source),
                    (None, _) => format!(
                        "go.sum and {} disagree and no checksum database says which is right: find out which copy is authentic before changing go.sum",
                        source.name
                    ),
                };
                let rank = 10 + rank_offset;
                self.problem(
                    rank,
                    ErrorInfo::new(Code::GosumMismatch, message)
                        .go_error(go_error)
                        .hint(hint),
                );
            }
            SumCheck::Accepted(accepted) => {
                let accepted_line = accepted.line;
                self.warn_later_conflicts(kind, hash, accepted_line);
                if let Some(d) = db_hash.as_deref()
                    && d != hash
                {
                    let name = self.db_name().to_string();
                    let go_error = (self.module() == "golang.org/toolchain")
                        .then(|| {
                            self.lookup()
                                .and_then(|l| l.check(kind == FileKind::Mod, hash).err())
                        })
                        .flatten()
                        .map(|err| {
                            err.go_error(self.module(), self.version(), kind == FileKind::Mod)
                        });
                    let mut info = ErrorInfo::new(
                        Code::SumdbMismatch,
                        format!(
                            "{from} and go.sum agree on {hash}, but the checksum database {name} records {d}; the go command accepts it without asking the database, because go.sum lists it"
                        ),
                    )
                    .hint(match cause {
                        Some(cause) => self.cause_hint(cause, source),
                        None => format!("find out where the go.sum line came from; the authentic {} hashes to {d}", kind.what()),
                    });
                    info.go_error = go_error;
                    self.problem(20 + rank_offset, info);
                }
            }
            SumCheck::Missing(others) => {
                let unknown: Vec<String> = others.iter().map(|l| l.hash.clone()).collect();
                let verdict = self
                    .lookup()
                    .filter(|_| db_hash.is_some())
                    .map(|l| l.check(kind == FileKind::Mod, hash));
                match (&self.db, verdict) {
                    (_, Some(Err(err))) => {
                        let name = self.db_name().to_string();
                        let d = db_hash.as_deref().unwrap_or_default();
                        let info = ErrorInfo::new(
                            err.code,
                            format!("{from} hashes to {hash}, but the checksum database {name} records {d}"),
                        )
                        .detail(err.message.clone())
                        .go_error(err.go_error(self.module(), self.version(), kind == FileKind::Mod))
                        .hint(match cause {
                            Some(cause) => self.cause_hint(cause, source),
                            None => "do not use this download".to_string(),
                        });
                        self.problem(20 + rank_offset, info);
                    }
                    (_, Some(Ok(()))) => {
                        if self.sums.in_use() {
                            let mut w = Warning::new(
                                Code::GosumMissing,
                                format!(
                                    "go.sum has no {} line for {}; the checksum database vouches for {hash}",
                                    kind.what(),
                                    self.key(kind)
                                ),
                                Some(format!("add it with `go mod download {}`", self.module())),
                            );
                            w.go_error = Some(self.missing_text(kind));
                            self.warnings.push(w);
                        }
                        self.warn_unknown_hashes(kind, hash, &unknown);
                    }
                    (Database::Skipped(why), _) if self.sums.in_use() => {
                        let info = ErrorInfo::new(
                            Code::GosumMissing,
                            format!(
                                "go.sum has no {} line for {}, and nothing else vouches for {hash} ({why})",
                                kind.what(),
                                self.key(kind)
                            ),
                        )
                        .go_error(self.missing_text(kind))
                        .hint(format!(
                            "make sure {} is the authentic copy, then add it with `go mod download {}`",
                            source.name,
                            self.module()
                        ));
                        self.problem(40 + rank_offset, info);
                        self.warn_unknown_hashes(kind, hash, &unknown);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Without a download: go.sum against the database.
    fn compare_gosum_with_db(&mut self, kind: FileKind) {
        let version = self.sum_version(kind);
        let Some(d) = self.db_hash(kind).map(str::to_string) else {
            return;
        };
        if let SumCheck::Mismatch(line) = self.sums.check(self.module(), &version, &d) {
            let name = self.db_name().to_string();
            let info = ErrorInfo::new(
                Code::SumdbMismatch,
                format!(
                    "{} records {} for {}, but the checksum database {name} records {d}",
                    line.at(),
                    line.hash,
                    self.key(kind)
                ),
            )
            .go_error(format!(
                "verifying {}: checksum mismatch\n\tdownloaded: {d}\n\tgo.sum:     {}{GOSUM_MISMATCH}",
                self.key(kind),
                line.hash
            ))
            .hint(format!(
                "the line at {} is wrong (edited, mis-merged, or written from a download that was not authentic); remove it and run `go mod download {}`",
                line.at(),
                self.module()
            ));
            self.problem(20, info);
        }
    }

    /// `go mod verify`: the module cache's zip and extracted directory, re-hashed, must
    /// equal the `.ziphash` the go command wrote when it downloaded the zip. Each of its
    /// failures is a problem, with its own line.
    fn compare_ziphash(&mut self) {
        let mut problems = Vec::new();
        for source in &self.target.sources {
            let zip = source.zip_path.as_deref().unwrap_or("the zip");
            let dir = source
                .dir
                .as_ref()
                .map_or("the extracted module", |(p, _)| p);
            for failure in &source.verify {
                let (code, message) = match failure.kind {
                    VerifyKind::ZipModified => (
                        Code::HashMismatch,
                        format!(
                            "the module cache's zip ({zip}) does not hash to what its .ziphash says: the zip (or the .ziphash) changed after the go command downloaded it"
                        ),
                    ),
                    VerifyKind::DirModified => (
                        Code::HashMismatch,
                        format!(
                            "the module cache's extracted module ({dir}) does not hash to what the .ziphash says: files in it changed after the go command extracted it"
                        ),
                    ),
                    VerifyKind::MissingZiphash => (
                        Code::HashMismatch,
                        "the module cache has no usable .ziphash for this version, so its copy cannot be verified".to_string(),
                    ),
                    VerifyKind::ZipUnreadable => (
                        Code::ZipInvalid,
                        format!("the zip in the module cache ({zip}) cannot be read as a module zip"),
                    ),
                    VerifyKind::DirUnreadable => (
                        Code::FileUnreadable,
                        "the extracted module in the module cache cannot be read as the go command reads it".to_string(),
                    ),
                };
                let info = ErrorInfo::new(code, message)
                    .go_error(failure.text.clone())
                    .hint(
                        "delete the module from the cache (go clean -modcache, or remove its files) and download it again",
                    );
                problems.push(Problem { rank: 5, info });
            }
        }
        self.problems.append(&mut problems);
    }

    /// What the go command says in `-mod=readonly` mode when go.sum lacks the line.
    fn missing_text(&self, kind: FileKind) -> String {
        match kind {
            FileKind::Mod => format!(
                "go: {}@{}: missing go.sum entry for go.mod file; to add it:\n\tgo mod download {}",
                self.module(),
                self.version(),
                self.module()
            ),
            FileKind::Zip => format!(
                "go: {}@{}: missing go.sum entry",
                self.module(),
                self.version()
            ),
        }
    }

    /// Lines of other algorithms next to a hash the go command would add.
    fn warn_unknown_hashes(&mut self, kind: FileKind, hash: &str, unknown: &[String]) {
        if unknown.is_empty() {
            return;
        }
        let mut w = Warning::new(
            Code::GosumMissing,
            format!(
                "go.sum lists {} only with hashes of unknown algorithms: {}",
                self.key(kind),
                unknown.join(", ")
            ),
            Some(
                "the go command cannot use these lines; add the h1: line with `go mod download`"
                    .to_string(),
            ),
        );
        w.go_error = Some(format!(
            "warning: verifying {}: unknown hashes in go.sum: {}; adding {hash}{HASH_VERSION_MISMATCH}",
            self.key(kind),
            unknown.join(", ")
        ));
        self.warnings.push(w);
    }

    /// A later `h1:` line that contradicts the accepted one: harmless to the go command
    /// only because of where it is.
    fn warn_later_conflicts(&mut self, kind: FileKind, hash: &str, accepted_line: usize) {
        let version = self.sum_version(kind);
        let conflicting: Vec<String> = self
            .sums
            .lines(self.module(), &version)
            .iter()
            .filter(|l| l.line != accepted_line && l.hash.starts_with("h1:") && l.hash != hash)
            .map(|l| l.at())
            .collect();
        if !conflicting.is_empty() {
            self.warnings.push(Warning::new(
                Code::GosumMismatch,
                format!(
                    "go.sum has other h1: lines for {} that differ from {hash} ({}); the go command ignores them only because the right line comes first",
                    self.key(kind),
                    conflicting.join(", ")
                ),
                Some("remove them (go mod tidy rewrites go.sum)".to_string()),
            ));
        }
    }

    fn cause_hint(&self, cause: Cause, source: &Source) -> String {
        let mv = format!("{}@{}", self.module(), self.version());
        match cause {
            Cause::RetaggedUpstream => format!(
                "the origin's {mv} changed after it was first published (a moved tag or a force-push): keep the recorded hash, fetch it through a proxy that kept the original (GOPROXY=https://proxy.golang.org), and ask the module's owner for a new version"
            ),
            Cause::ProxyContentDiffers => format!(
                "{} serves different content for {mv} than the checksum database records: take it out of GOPROXY and tell its operator (a corrupted cache, or a re-fetched tag)",
                source.name
            ),
            Cause::LocalCorruption => format!(
                "the local copy ({}) differs from the recorded hash: delete it (go clean -modcache) and download it again",
                source.zip_path.as_deref().unwrap_or(&source.name)
            ),
            Cause::PrivateNotInSumdb => not_found_hint(self.module(), self.private),
            Cause::SumdbProxyFailed => match self.proxy_relay() {
                Some((proxy, url, key)) => self.proxy_relay_hint(proxy, url, key),
                None => not_found_hint(self.module(), self.private),
            },
            Cause::GosumWrong => {
                "go.sum is the odd one out: remove its line and run `go mod download`".to_string()
            }
        }
    }

    fn verdict(&self, error: Option<&ErrorInfo>, body: &SumBody) -> Verdict {
        match error.map(|e| e.code) {
            Some(Code::GosumMismatch | Code::SumdbMismatch | Code::HashMismatch) => {
                Verdict::Mismatch
            }
            Some(Code::GosumMissing) => Verdict::Missing,
            Some(Code::SumdbNotFound) => Verdict::NotFound,
            Some(_) => Verdict::Failed,
            None if body.sumdb.as_ref().is_some_and(|d| d.verified) => Verdict::Verified,
            None => {
                let all_in_gosum = !body.sources.is_empty()
                    && self.target.sources.iter().all(|s| {
                        FileKind::GO_ORDER.iter().all(|k| match s.hash(*k) {
                            Some(h) => matches!(
                                self.sums.check(self.module(), &self.sum_version(*k), h),
                                SumCheck::Accepted(_)
                            ),
                            None => true,
                        })
                    })
                    && self
                        .target
                        .sources
                        .iter()
                        .any(|s| s.zip.is_some() || s.r#mod.is_some());
                if all_in_gosum {
                    Verdict::Consistent
                } else {
                    Verdict::Unverified
                }
            }
        }
    }
}

/// The hashes as the go command would download them: the first source that has any.
fn computed(sources: &[Source]) -> Option<ComputedHashes> {
    sources
        .iter()
        .find(|s| s.zip.is_some() || s.r#mod.is_some())
        .map(|s| ComputedHashes {
            zip: s.zip.clone(),
            r#mod: s.r#mod.clone(),
            source: s.name.clone(),
        })
}

/// "the zip downloaded from X", "the go.mod in the module cache".
fn source_words(source: &Source, kind: FileKind) -> String {
    match (source.kind, &source.zip_path) {
        (SourceKind::Local, Some(path)) if kind == FileKind::Zip => {
            format!("the module cache's zip ({path})")
        }
        (SourceKind::Local, _) if source.name == "modcache" => {
            format!("the module cache's {}", kind.what())
        }
        _ => format!("the {} from {}", kind.what(), source.name),
    }
}

fn via_name(via: &BaseVia) -> &'static str {
    match via {
        BaseVia::Gosumdb => "gosumdb",
        BaseVia::Proxy(_) => "proxy",
        BaseVia::Direct => "direct",
    }
}

fn head_info(head: &TreeHead) -> TreeHeadInfo {
    // The note's text is `go.sum database tree\n<size>\n<base64 hash>\n`: the hash as
    // the database wrote it.
    TreeHeadInfo {
        size: head.size,
        hash: head.note.lines().nth(2).unwrap_or_default().to_string(),
        note: head.note.clone(),
    }
}

/// The settings that would keep a module away from the checksum database: the values of
/// GOPRIVATE and GONOSUMDB with its glob added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrivateFix {
    /// GOPRIVATE's new value; None when GONOSUMDB is set, so GOPRIVATE no longer
    /// decides which modules skip the database.
    pub goprivate: Option<String>,
    /// GONOSUMDB's new value.
    pub gonosumdb: String,
}

/// The hint for a module the database does not know.
fn not_found_hint(module: &str, fix: &PrivateFix) -> String {
    match &fix.goprivate {
        Some(goprivate) => format!(
            "if {module} is private, set GOPRIVATE={goprivate} (or only GONOSUMDB={}, to keep fetching it through GOPROXY); otherwise check that the version exists",
            fix.gonosumdb
        ),
        None => format!(
            "if {module} is private, set GONOSUMDB={} (GONOSUMDB is set, so GOPRIVATE does not decide this); otherwise check that the version exists",
            fix.gonosumdb
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    use gomod_common::sumdb::client::Fork;
    use serde_json::Value;

    use crate::targets::From;

    const M: &str = "example.com/hello";
    const V: &str = "v1.0.0";
    const ZIP: &str = "h1:YdH98tGxleleSc0AoVVCSWC4I2WDc1g0KPMQj//W6lY=";
    const MOD: &str = "h1:RslnPMa/nR3RpskRbvoDBlr6/b2RhFS0EEnq72RQTo0=";
    const OTHER: &str = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    fn source(name: &str, zip: Option<&str>, r#mod: Option<&str>) -> Source {
        let mut s = Source::named(name);
        s.zip = zip.map(str::to_string);
        s.r#mod = r#mod.map(str::to_string);
        s
    }

    fn target(sources: Vec<Source>) -> Target {
        Target {
            module: M.to_string(),
            version: V.to_string(),
            from: if sources.is_empty() {
                From::Lookup
            } else {
                From::Fetch
            },
            sources,
            invalid: None,
        }
    }

    fn sums(text: &str) -> GoSums {
        let mut sums = GoSums::none();
        sums.add(Path::new("go.sum"), text.as_bytes()).unwrap();
        sums
    }

    fn head(size: i64, byte: u8) -> TreeHead {
        TreeHead {
            size,
            hash: [byte; 32],
            note: format!("go.sum database tree\n{size}\nxx\n\n\u{2014} sumdb.test sig\n"),
        }
    }

    fn answered(zip: Option<&str>, r#mod: Option<&str>) -> Database {
        Database::Answered {
            name: "sumdb.test".to_string(),
            lookup: Box::new(Lookup {
                module: M.to_string(),
                version: V.to_string(),
                record_id: 3,
                lines: zip
                    .map(|h| format!("{M} {V} {h}"))
                    .into_iter()
                    .chain(r#mod.map(|h| format!("{M} {V}/go.mod {h}")))
                    .collect(),
                zip_hash: zip.map(str::to_string),
                mod_hash: r#mod.map(str::to_string),
                tree: head(5, 1),
                served_size: 5,
                cached: false,
            }),
            base: None,
            unconfirmed: None,
        }
    }

    fn failed(code: Code, go_text: &str) -> Database {
        Database::Failed {
            name: "sumdb.test".to_string(),
            base: None,
            key: "sumdb.test+00000000+AAAA".to_string(),
            error: Box::new(SumdbError {
                code,
                message: "the lookup failed".to_string(),
                go_text: go_text.to_string(),
                fork: None,
                clear: None,
                go_waits: false,
            }),
            state: "/state/sumdb.test".to_string(),
        }
    }

    fn fix() -> PrivateFix {
        PrivateFix {
            goprivate: Some("example.com".to_string()),
            gonosumdb: "example.com".to_string(),
        }
    }

    fn run(target: &Target, sums: &GoSums, db: &Database) -> Outcome {
        compare(target, sums, db, &fix())
    }

    fn code(outcome: &Outcome) -> Option<Code> {
        outcome.error.as_ref().map(|e| e.code)
    }

    /// Every gosum.json case, as `go build` saw it (GOSUMDB=off, readonly): the same
    /// outcome, and the go command's own text where it printed one.
    #[test]
    fn go_sum_vectors_as_go_build_sees_them() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vectors/gosum.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let download = target(vec![source("file:///proxy", Some(ZIP), Some(MOD))]);
        let db = Database::Skipped("GOSUMDB=off".to_string());
        let mut checked = 0;
        for case in doc["cases"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let mut sums = GoSums::none();
            if sums
                .add(
                    Path::new("go.sum"),
                    case["go_sum"].as_str().unwrap().as_bytes(),
                )
                .is_err()
            {
                // Malformed go.sum: fatal since Go 1.22, a fatal error here too.
                continue;
            }
            let outcome = run(&download, &sums, &db);
            for go in case["go_command"].as_array().unwrap() {
                if !go["command"].as_str().unwrap().starts_with("go build") {
                    continue;
                }
                let stderr = go["stderr"].as_str().unwrap();
                let mod_mode =
                    go.get("extra_env").and_then(Value::as_str) == Some("GOFLAGS=-mod=mod");
                if mod_mode {
                    // -mod=mod adds what is missing; the warnings are the same text.
                    let texts = outcome
                        .warnings
                        .iter()
                        .filter_map(|w| w.go_error.as_deref());
                    for w in texts.filter(|t| t.starts_with("warning: ")) {
                        assert!(stderr.contains(w), "{name}: {w:?} not in {stderr:?}");
                    }
                    continue;
                }
                checked += 1;
                if go["exit_code"] == 0 {
                    assert_eq!(outcome.error, None, "{name}");
                    assert_eq!(outcome.body.verdict, Verdict::Consistent, "{name}");
                } else if stderr.contains("checksum mismatch") {
                    let err = outcome.error.as_ref().unwrap();
                    assert_eq!(err.code, Code::GosumMismatch, "{name}");
                    assert!(
                        stderr.contains(err.go_error.as_deref().unwrap()),
                        "{name}: {err:?}"
                    );
                    assert_eq!(outcome.body.verdict, Verdict::Mismatch, "{name}");
                } else {
                    assert!(stderr.contains("missing go.sum entry"), "{name}: {stderr}");
                    assert_eq!(code(&outcome), Some(Code::GosumMissing), "{name}");
                    assert_eq!(outcome.body.verdict, Verdict::Missing, "{name}");
                }
            }
        }
        assert_eq!(checked, 23);
    }

    #[test]
    fn everything_agrees_with_the_database() {
        let t = target(vec![source(
            "https://proxy.golang.org",
            Some(ZIP),
            Some(MOD),
        )]);
        let s = sums(&format!("{M} {V} {ZIP}\n{M} {V}/go.mod {MOD}\n"));
        let out = run(&t, &s, &answered(Some(ZIP), Some(MOD)));
        assert_eq!(out.error, None);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(out.body.verdict, Verdict::Verified);
        assert_eq!(out.body.cause, None);
        assert_eq!(out.body.sources[0].verdict, "agrees");
        let db = out.body.sumdb.unwrap();
        assert!(db.verified);
        assert_eq!((db.tree_size, db.record_id), (Some(5), Some(3)));
        assert_eq!(out.body.gosum.unwrap().zip_at.as_deref(), Some("go.sum:1"));
    }

    #[test]
    fn a_proxy_serving_other_bits_is_named() {
        let t = target(vec![
            source("https://proxy.golang.org", Some(ZIP), Some(MOD)),
            source("https://goproxy.corp.example", Some(OTHER), Some(MOD)),
        ]);
        let out = run(&t, &GoSums::none(), &answered(Some(ZIP), Some(MOD)));
        let err = out.error.unwrap();
        assert_eq!(err.code, Code::SumdbMismatch);
        // As fixture scenario B of the shared sumdb fixture shows the go command's text.
        assert_eq!(
            err.go_error.unwrap(),
            format!(
                "go: {M}@{V}: verifying module: checksum mismatch\n\tdownloaded: {OTHER}\n\tsumdb.test: {ZIP}\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n"
            )
        );
        assert!(
            err.hint
                .unwrap()
                .contains("https://goproxy.corp.example serves different content")
        );
        assert_eq!(out.body.verdict, Verdict::Mismatch);
        assert_eq!(out.body.cause, Some(Cause::ProxyContentDiffers));
        let verdicts: Vec<_> = out
            .body
            .sources
            .iter()
            .map(|s| (s.verdict, s.cause))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("agrees", None),
                ("differs", Some(Cause::ProxyContentDiffers))
            ]
        );
        assert_eq!(
            out.body.computed.unwrap().source,
            "https://proxy.golang.org"
        );
    }

    #[test]
    fn the_origin_and_a_proxy_that_mirrors_it_are_a_retag() {
        let t = target(vec![
            source("https://goproxy.corp.example", Some(OTHER), Some(MOD)),
            source("direct", Some(OTHER), Some(MOD)),
        ]);
        let s = sums(&format!("{M} {V} {ZIP}\n"));
        let out = run(&t, &s, &answered(Some(ZIP), Some(MOD)));
        let err = out.error.unwrap();
        // go.sum is consulted first, as the go command does.
        assert_eq!(err.code, Code::GosumMismatch);
        assert_eq!(
            err.go_error.unwrap(),
            format!(
                "verifying {M}@{V}: checksum mismatch\n\tdownloaded: {OTHER}\n\tgo.sum:     {ZIP}{GOSUM_MISMATCH}"
            )
        );
        assert_eq!(out.body.cause, Some(Cause::RetaggedUpstream));
        assert!(
            out.body
                .sources
                .iter()
                .all(|s| s.cause == Some(Cause::RetaggedUpstream))
        );
        // The second source's mismatch is a warning, not lost.
        assert!(out.warnings.iter().any(|w| w.code == Code::GosumMismatch));
    }

    #[test]
    fn go_sum_is_the_odd_one_out() {
        let t = target(vec![source(
            "https://proxy.golang.org",
            Some(ZIP),
            Some(MOD),
        )]);
        let s = sums(&format!("{M} {V} {OTHER}\n{M} {V}/go.mod {MOD}\n"));
        let out = run(&t, &s, &answered(Some(ZIP), Some(MOD)));
        let err = out.error.unwrap();
        assert_eq!(err.code, Code::GosumMismatch);
        assert!(
            err.hint
                .unwrap()
                .starts_with("the line at go.sum:1 is wrong")
        );
        assert_eq!(out.body.cause, Some(Cause::GosumWrong));
        assert_eq!(out.body.sources[0].verdict, "agrees");
        // Without a download, go.sum against the database.
        let out = run(&target(vec![]), &s, &answered(Some(ZIP), Some(MOD)));
        assert_eq!(code(&out), Some(Code::SumdbMismatch));
        assert_eq!(out.body.cause, Some(Cause::GosumWrong));
        assert_eq!(out.body.from, "lookup");
    }

    #[test]
    fn go_sum_that_agrees_with_a_bad_download_is_not_trusted_blindly() {
        let t = target(vec![source("direct", Some(OTHER), Some(MOD))]);
        let s = sums(&format!("{M} {V} {OTHER}\n"));
        let out = run(&t, &s, &answered(Some(ZIP), Some(MOD)));
        let err = out.error.unwrap();
        assert_eq!(err.code, Code::SumdbMismatch);
        assert_eq!(
            err.go_error, None,
            "the go command accepts what go.sum lists"
        );
        assert_eq!(out.body.cause, Some(Cause::RetaggedUpstream));
    }

    #[test]
    fn a_changed_module_cache_zip_is_local_corruption() {
        let mut cache = source("modcache", Some(OTHER), Some(MOD));
        cache.kind = SourceKind::Local;
        cache.ziphash = Some(ZIP.to_string());
        cache.zip_path = Some("/c/cache/download/example.com/hello/@v/v1.0.0.zip".to_string());
        cache.verify = vec![crate::modcache::VerifyFailure {
            kind: VerifyKind::ZipModified,
            text: format!(
                "{M} {V}: zip has been modified (/c/cache/download/example.com/hello/@v/v1.0.0.zip)"
            ),
        }];
        let t = target(vec![cache]);
        let s = sums(&format!("{M} {V} {ZIP}\n{M} {V}/go.mod {MOD}\n"));
        let out = run(&t, &s, &answered(Some(ZIP), Some(MOD)));
        let err = out.error.unwrap();
        assert_eq!(err.code, Code::HashMismatch);
        assert_eq!(
            err.go_error.unwrap(),
            format!(
                "{M} {V}: zip has been modified (/c/cache/download/example.com/hello/@v/v1.0.0.zip)"
            )
        );
        assert_eq!(out.body.cause, Some(Cause::LocalCorruption));
        assert_eq!(out.body.sources[0].ziphash.as_deref(), Some(ZIP));
    }

    #[test]
    fn unknown_to_the_database() {
        let go_text = format!(
            "reading https://sumdb.test/lookup/{M}@{V}: 404 Not Found\n\tserver response: not found"
        );
        let db = failed(Code::SumdbNotFound, &go_text);
        // A plain lookup: maybe private, maybe no such version.
        let out = run(&target(vec![]), &GoSums::none(), &db);
        let err = out.error.as_ref().unwrap();
        assert_eq!(err.code, Code::SumdbNotFound);
        assert_eq!(
            err.go_error.as_deref().unwrap(),
            format!("go: {M}@{V}: verifying go.mod: {M}@{V}/go.mod: {go_text}")
        );
        assert!(
            err.hint
                .as_deref()
                .unwrap()
                .contains("GOPRIVATE=example.com")
        );
        assert_eq!(out.body.verdict, Verdict::NotFound);
        assert_eq!(out.body.cause, None);
        // A version that exists: a private module.
        let t = target(vec![source("direct", Some(ZIP), Some(MOD))]);
        let out = run(&t, &GoSums::none(), &db);
        assert_eq!(out.body.cause, Some(Cause::PrivateNotInSumdb));
        assert!(out.error.unwrap().message.contains("a private module"));
    }

    #[test]
    fn a_record_without_the_line_asked_for() {
        let t = target(vec![source(
            "https://proxy.golang.org",
            Some(ZIP),
            Some(MOD),
        )]);
        let out = run(&t, &GoSums::none(), &answered(None, Some(MOD)));
        let err = out.error.unwrap();
        // The client's code: the record does not prove what it was asked to.
        assert_eq!(err.code, Code::SumdbProofFailed);
        assert!(
            err.go_error
                .unwrap()
                .contains("checksum missing from sumdb response")
        );
    }

    #[test]
    fn without_a_database() {
        let t = target(vec![source(
            "https://goproxy.corp.example",
            Some(ZIP),
            Some(MOD),
        )]);
        let skipped = Database::Skipped("GONOSUMDB matches \"example.com\"".to_string());
        let s = sums(&format!("{M} {V} {ZIP}\n{M} {V}/go.mod {MOD}\n"));
        let out = run(&t, &s, &skipped);
        assert_eq!(
            (out.error.is_none(), out.body.verdict),
            (true, Verdict::Consistent)
        );
        assert_eq!(
            out.body.sumdb_skipped.as_deref(),
            Some("GONOSUMDB matches \"example.com\"")
        );
        let out = run(&t, &GoSums::none(), &skipped);
        assert_eq!(
            (out.error.is_none(), out.body.verdict),
            (true, Verdict::Unverified)
        );
        assert_eq!(out.body.sources[0].verdict, "unknown");
        // go.sum lacks the zip line and nothing vouches: what -mod=readonly refuses.
        let out = run(&t, &sums(&format!("{M} {V}/go.mod {MOD}\n")), &skipped);
        assert_eq!(code(&out), Some(Code::GosumMissing));
        assert_eq!(
            out.error.unwrap().go_error.as_deref(),
            Some(format!("go: {M}@{V}: missing go.sum entry").as_str())
        );
        // With the database vouching, a missing line is only a warning.
        let out = run(
            &t,
            &sums(&format!("{M} {V}/go.mod {MOD}\n")),
            &answered(Some(ZIP), Some(MOD)),
        );
        assert_eq!(out.error, None);
        assert_eq!(out.warnings[0].code, Code::GosumMissing);
        assert_eq!(out.body.verdict, Verdict::Verified);
    }

    #[test]
    fn sources_that_disagree_with_nothing_to_decide() {
        let t = target(vec![
            source("direct", Some(OTHER), Some(MOD)),
            source("https://goproxy.corp.example", Some(ZIP), Some(MOD)),
        ]);
        let skipped = Database::Skipped("GOSUMDB=off".to_string());
        let out = run(&t, &GoSums::none(), &skipped);
        let err = out.error.unwrap();
        assert_eq!(err.code, Code::HashMismatch);
        assert!(
            err.message
                .contains("but https://goproxy.corp.example served"),
            "{}",
            err.message
        );
        assert_eq!(out.body.cause, Some(Cause::RetaggedUpstream));
        let verdicts: Vec<_> = out.body.sources.iter().map(|s| s.verdict).collect();
        assert_eq!(verdicts, ["differs", "agrees"]);
        // Sources that agree with each other: nothing to say.
        let t = target(vec![
            source("direct", Some(ZIP), Some(MOD)),
            source("https://goproxy.corp.example", Some(ZIP), Some(MOD)),
        ]);
        let out = run(&t, &GoSums::none(), &skipped);
        assert_eq!((out.error, out.body.verdict), (None, Verdict::Unverified));
    }

    #[test]
    fn a_fork_carries_both_tree_heads() {
        let report = "SECURITY ERROR\ngo.sum database server misbehavior detected!\n";
        let mut db = failed(Code::SumdbFork, report);
        if let Database::Failed { error, .. } = &mut db {
            error.fork = Some(Box::new(Fork {
                old: head(5, 1),
                new: head(6, 2),
                computed: [3; 32],
                proof: Vec::new(),
                report: report.to_string(),
            }));
        }
        let out = run(&target(vec![]), &GoSums::none(), &db);
        let err = out.error.unwrap();
        assert_eq!(err.code, Code::SumdbFork);
        assert!(err.go_error.unwrap().starts_with("SECURITY ERROR\n"));
        assert!(err.hint.unwrap().contains("/state/sumdb.test"));
        let fork = out.body.fork.unwrap();
        assert_eq!((fork.old.size, fork.new.size), (5, 6));
        assert_eq!(out.body.verdict, Verdict::Failed);
    }
}
