//! The records, decoded into structs that reject unknown fields: the schema is pinned
//! here, and a field added to a record must be added here too.

use serde::Deserialize;

/// `{code, layer, message, detail, go_error, hint}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorInfo {
    pub code: String,
    pub layer: String,
    pub message: String,
    pub detail: Option<String>,
    pub go_error: Option<String>,
    pub hint: Option<String>,
}

/// `{code, message, hint, go_error?}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    pub code: String,
    pub message: String,
    pub hint: Option<String>,
    #[serde(default)]
    pub go_error: Option<String>,
}

fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value, line: &str) -> T {
    serde_json::from_value(value)
        .unwrap_or_else(|e| panic!("record does not match the schema: {e}\n{line}"))
}

/// Any record: its type first, then decoded by type.
#[derive(Debug)]
pub enum Record {
    Env(Box<EnvRecord>),
    Route(Box<RouteRecord>),
    Dns(Box<DnsRecord>),
    Tls(Box<TlsRecord>),
    Fetch(Box<FetchRecord>),
    Toolchain(Box<ToolchainRecord>),
    InputError(InputErrorRecord),
    Summary(SummaryRecord),
}

impl Record {
    /// Decodes one line, failing on unknown types and fields.
    pub fn parse(line: &str) -> Record {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let kind = value["type"]
            .as_str()
            .unwrap_or_else(|| panic!("no type: {line}"))
            .to_string();
        match kind.as_str() {
            "env" => Record::Env(Box::new(decode(value, line))),
            "route" => Record::Route(Box::new(decode(value, line))),
            "dns" => Record::Dns(Box::new(decode(value, line))),
            "tls" => Record::Tls(Box::new(decode(value, line))),
            "fetch" => Record::Fetch(Box::new(decode(value, line))),
            "toolchain" => Record::Toolchain(Box::new(decode(value, line))),
            "input_error" => Record::InputError(decode(value, line)),
            "summary" => Record::Summary(decode(value, line)),
            other => panic!("unknown record type {other}: {line}"),
        }
    }

    pub fn route(self) -> RouteRecord {
        match self {
            Record::Route(r) => *r,
            other => panic!("expected a route record, got {other:?}"),
        }
    }

    pub fn fetch(self) -> FetchRecord {
        match self {
            Record::Fetch(r) => *r,
            other => panic!("expected a fetch record, got {other:?}"),
        }
    }

    pub fn toolchain(self) -> ToolchainRecord {
        match self {
            Record::Toolchain(r) => *r,
            other => panic!("expected a toolchain record, got {other:?}"),
        }
    }

    /// The record as a dns record.
    pub fn dns(self) -> DnsRecord {
        match self {
            Record::Dns(r) => *r,
            other => panic!("expected a dns record, got {other:?}"),
        }
    }

    pub fn tls(self) -> TlsRecord {
        match self {
            Record::Tls(r) => *r,
            other => panic!("expected a tls record, got {other:?}"),
        }
    }

    pub fn env(self) -> EnvRecord {
        match self {
            Record::Env(r) => *r,
            other => panic!("expected an env record, got {other:?}"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub vars: std::collections::BTreeMap<String, Var>,
    pub go: Option<GoInfo>,
    pub env_file: EnvFile,
    pub godebug: Vec<GodebugEntry>,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Var {
    pub value: String,
    pub source: String,
    pub file: Option<String>,
    pub derived_from: Option<String>,
    pub spelled: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoInfo {
    pub goroot: String,
    pub version: Option<String>,
    pub binary: Option<String>,
    pub found_via: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GodebugEntry {
    pub name: String,
    pub value: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvFile {
    pub path: Option<String>,
    pub status: String,
    pub error: Option<String>,
}

/// `toolchain`: the go command's toolchain decision for a go.mod or go.work.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolchainRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub file: Option<String>,
    pub go_line: Option<String>,
    pub toolchain_line: Option<String>,
    pub local: Option<LocalGo>,
    pub gotoolchain: Option<Gotoolchain>,
    pub selected: Option<String>,
    pub reason: Option<String>,
    pub switch: bool,
    pub found_in_path: Option<String>,
    pub module: Option<String>,
    pub version: Option<String>,
    pub route: Option<ToolchainRoute>,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

impl ToolchainRecord {
    /// The error code, if any.
    pub fn code(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.code.as_str())
    }

    /// The error's go_error, which must be present.
    pub fn go_error(&self) -> &str {
        self.error
            .as_ref()
            .and_then(|e| e.go_error.as_deref())
            .unwrap_or_else(|| panic!("no go_error in {self:?}"))
    }
}

/// `toolchain.local`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalGo {
    pub toolchain: String,
    pub source: String,
    pub goroot: Option<String>,
}

/// `toolchain.gotoolchain`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gotoolchain {
    pub value: String,
    pub source: String,
    pub file: Option<String>,
    pub mode: String,
    pub minimum: String,
}

/// `toolchain.route`: a route record's own fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolchainRoute {
    pub module: String,
    pub version: Option<String>,
    pub query: Option<String>,
    pub valid: bool,
    pub escaped: Option<String>,
    pub escaped_version: Option<String>,
    pub from: Option<From>,
    pub replaced_by: Option<Replacement>,
    pub endpoints: Vec<Endpoint>,
    pub skipped: Vec<Skipped>,
    pub sumdb: Option<Sumdb>,
    pub sumdb_skipped: Option<String>,
    pub private: Option<Private>,
    pub exposed_to: Vec<Exposure>,
    pub keep_private: Option<String>,
    pub privacy_rule: Option<String>,
    pub vcs: Option<Vcs>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub module: String,
    pub version: Option<String>,
    pub query: Option<String>,
    pub valid: bool,
    pub escaped: Option<String>,
    pub escaped_version: Option<String>,
    pub from: Option<From>,
    pub replaced_by: Option<Replacement>,
    pub endpoints: Vec<Endpoint>,
    pub skipped: Vec<Skipped>,
    pub sumdb: Option<Sumdb>,
    pub sumdb_skipped: Option<String>,
    pub private: Option<Private>,
    pub exposed_to: Vec<Exposure>,
    pub keep_private: Option<String>,
    pub privacy_rule: Option<String>,
    pub vcs: Option<Vcs>,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

impl RouteRecord {
    /// The kinds of the endpoints, in order.
    pub fn kinds(&self) -> Vec<&str> {
        self.endpoints.iter().map(|e| e.kind.as_str()).collect()
    }

    /// The error code, if any.
    pub fn code(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.code.as_str())
    }

    /// The error's go_error, which must be present.
    pub fn go_error(&self) -> &str {
        self.error
            .as_ref()
            .and_then(|e| e.go_error.as_deref())
            .unwrap_or_else(|| panic!("no go_error in {self:?}"))
    }

    /// The warning codes.
    pub fn warning_codes(&self) -> Vec<&str> {
        self.warnings.iter().map(|w| w.code.as_str()).collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct From {
    pub file: String,
    pub line: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    pub path: String,
    pub version: Option<String>,
    pub local: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub kind: String,
    pub url: Option<String>,
    pub scheme: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub fallback: String,
    pub requests: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    pub entry: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sumdb {
    pub name: String,
    pub url: String,
    pub key: String,
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
    pub known: bool,
    pub proxied_via: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Private {
    pub noproxy: Decision,
    pub nosumdb: Decision,
    pub insecure: Decision,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub matched: bool,
    pub variable: String,
    pub source: String,
    pub glob: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    pub host: String,
    pub role: String,
    pub when: String,
    pub public: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vcs {
    pub vcs: Option<String>,
    pub repo: Option<String>,
    pub root: Option<String>,
    pub via: String,
    pub status: String,
    pub url: Option<String>,
    pub sub_dir: Option<String>,
    pub schemes: Vec<String>,
    pub govcs: Option<Govcs>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Govcs {
    pub allowed: bool,
    pub scope: String,
    pub rule: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputErrorRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub source: String,
    pub line: u64,
    pub input: String,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub records: u64,
    pub passed: u64,
    pub failed: u64,
    pub error_codes: std::collections::BTreeMap<String, u64>,
    pub warning_codes: std::collections::BTreeMap<String, u64>,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub host: String,
    pub port: Option<u16>,
    pub scheme: String,
    pub resolver: String,
    pub server: Option<String>,
    pub transport: Option<String>,
    pub addrs: Vec<String>,
    pub a: Vec<String>,
    pub aaaa: Vec<String>,
    pub cname: Vec<String>,
    pub ttl: Option<u32>,
    pub rcode: Option<String>,
    pub via_proxy: Option<String>,
    pub proxy_for: Option<String>,
    pub from_hosts: bool,
    pub candidates: Vec<String>,
    pub queries: Vec<DnsQuery>,
    pub config: Option<DnsConfig>,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

impl DnsRecord {
    /// The error code, if any.
    pub fn code(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.code.as_str())
    }

    /// The warning codes.
    pub fn warning_codes(&self) -> Vec<&str> {
        self.warnings.iter().map(|w| w.code.as_str()).collect()
    }

    /// The warning with this code, which must be there.
    pub fn warning(&self, code: &str) -> &Warning {
        self.warnings
            .iter()
            .find(|w| w.code == code)
            .unwrap_or_else(|| panic!("no {code} warning in {self:#?}"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsQuery {
    pub name: String,
    #[serde(rename = "type")]
    pub qtype: String,
    pub server: String,
    pub transport: String,
    pub rcode: Option<String>,
    pub answers: Vec<String>,
    pub ms: u64,
    pub error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {
    pub resolv_conf: String,
    pub hosts: String,
    pub order: String,
    pub servers: Vec<String>,
    pub search: Vec<String>,
    pub ndots: u32,
    pub timeout_ms: u64,
    pub attempts: u32,
    pub rotate: bool,
    pub single_request: bool,
    pub use_tcp: bool,
    pub trust_ad: bool,
    pub unknown_options: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub host: String,
    pub port: u16,
    pub scheme: String,
    pub url: Option<String>,
    pub addr: Option<String>,
    pub via_proxy: Option<String>,
    pub proxy_addr: Option<String>,
    pub proxy_status: Option<u16>,
    pub proxy_reason: Option<String>,
    pub tcp_ms: Option<u64>,
    pub proxy_ms: Option<u64>,
    pub tls_ms: Option<u64>,
    pub sni: Option<String>,
    pub tls_version: Option<String>,
    pub cipher: Option<String>,
    pub group: Option<String>,
    pub alpn: Option<String>,
    pub chain: Vec<CertInfo>,
    pub trust: Option<TlsTrust>,
    pub intercepted: Option<bool>,
    pub interception: Option<TlsInterception>,
    pub hello: Option<HelloProbe>,
    pub classic_hello: Option<HelloProbe>,
    pub godebug: Vec<GodebugEntry>,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

/// The `hello` and `classic_hello` fields of a `tls` record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelloProbe {
    pub go: String,
    pub godebug: String,
    pub bytes: usize,
    pub groups: Vec<String>,
    pub key_shares: Vec<KeyShare>,
    pub ja4: String,
    pub answer: String,
    pub alert: Option<String>,
    pub server_group: Option<String>,
    pub ms: u64,
}

/// A key share of a hello probe.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyShare {
    pub group: String,
    pub bytes: usize,
}

impl TlsRecord {
    /// The error code, if any.
    pub fn code(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.code.as_str())
    }

    /// The error's go_error, which must be present.
    pub fn go_error(&self) -> &str {
        self.error
            .as_ref()
            .and_then(|e| e.go_error.as_deref())
            .unwrap_or_else(|| panic!("no go_error in {self:#?}"))
    }

    /// The warning codes.
    pub fn warning_codes(&self) -> Vec<&str> {
        self.warnings.iter().map(|w| w.code.as_str()).collect()
    }

    /// The trust verdicts, which must be there.
    pub fn trust(&self) -> &TlsTrust {
        self.trust
            .as_ref()
            .unwrap_or_else(|| panic!("no trust in {self:#?}"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    pub not_before: String,
    pub not_after: String,
    pub serial: String,
    pub sha256: String,
    pub key: String,
    pub signature_algorithm: String,
    pub is_ca: bool,
    pub self_issued: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsTrust {
    pub go: TlsVerdict,
    pub public: TlsVerdict,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsVerdict {
    pub ok: bool,
    pub code: Option<String>,
    pub error: Option<String>,
    pub roots: usize,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsInterception {
    pub issuer: String,
    pub issuer_sha256: Option<String>,
    pub product: Option<String>,
}

/// A `fetch` record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub module: String,
    pub version: Option<String>,
    pub query: Option<String>,
    pub what: Vec<String>,
    pub source: Option<String>,
    pub attempts: Vec<FetchAttempt>,
    pub hosts: Vec<String>,
    pub versions: Option<Vec<String>>,
    pub info: Option<FetchInfo>,
    pub mod_h1: Option<String>,
    pub zip_h1: Option<String>,
    pub zip_bytes: Option<u64>,
    pub zip_files: Option<u64>,
    pub cached: Option<String>,
    pub direct: Option<DirectProbe>,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

impl FetchRecord {
    /// The error code, if any.
    pub fn code(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.code.as_str())
    }

    /// The error's go_error, which must be present.
    pub fn go_error(&self) -> &str {
        self.error
            .as_ref()
            .and_then(|e| e.go_error.as_deref())
            .expect("go_error")
    }

    /// `op url` of every attempt, in order.
    pub fn requests(&self) -> Vec<String> {
        self.attempts
            .iter()
            .map(|a| format!("{} {}", a.op, a.url.as_deref().unwrap_or("-")))
            .collect()
    }
}

/// One attempt of a `fetch` record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchAttempt {
    pub op: String,
    pub endpoint: String,
    pub url: Option<String>,
    pub status: Option<u16>,
    pub proto: Option<String>,
    pub bytes: u64,
    pub ms: u64,
    pub error: Option<String>,
    pub message: Option<String>,
    pub redirects: Vec<String>,
    pub via_proxy: Option<String>,
    pub netrc_login: Option<String>,
    pub auth: Option<AuthRecord>,
    pub body_excerpt: Option<String>,
    pub retry: u32,
    pub falls_through: Option<bool>,
}

/// What GOAUTH did for an attempt.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthRecord {
    pub provider: Option<String>,
    pub login: Option<String>,
    pub prefix: Option<String>,
    pub retried_after: Option<u16>,
    pub errors: Vec<String>,
    pub note: Option<String>,
}

/// The `.info` of a `fetch` record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchInfo {
    pub version: String,
    pub time: Option<String>,
    pub origin: Option<serde_json::Value>,
}

/// What a `direct` entry found.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectProbe {
    pub vcs: Option<String>,
    pub repo: Option<String>,
    pub root: Option<String>,
    pub dir: Option<String>,
    pub via: Option<String>,
    pub reachable: Option<bool>,
    pub auth_required: Option<bool>,
    pub tag: Option<String>,
    pub commit: Option<String>,
    pub refs: Option<u64>,
    pub git: Option<String>,
    pub git_env: Vec<String>,
    pub go_work_dir: Option<String>,
    pub work_dir: Option<String>,
    pub commands: Vec<GitCommand>,
    pub git_config: Option<GitConfig>,
    pub ssh: Option<SshRecord>,
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SshRecord {
    pub host: String,
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity_files: Vec<String>,
    pub proxy_command: Option<String>,
    pub proxy_jump: Option<String>,
    pub batch_mode: Option<String>,
    pub strict_host_key_checking: Option<String>,
    pub known_hosts: Vec<String>,
    pub banner: Option<String>,
    pub host_key: Option<String>,
    pub error: Option<String>,
    pub message: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct GitConfig {
    pub url: String,
    pub insteadof: Option<serde_json::Value>,
    pub proxy: Option<serde_json::Value>,
    pub no_proxy: Option<String>,
    pub ssl_ca_info: Option<serde_json::Value>,
    pub ssl_verify_off: Option<String>,
    pub credential_helpers: Vec<serde_json::Value>,
    pub netrc_login: Option<String>,
    pub ssh_command: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct GitCommand {
    pub argv: Vec<String>,
    pub cwd: String,
    pub exit: Option<i32>,
    pub ms: u64,
    pub error_line: Option<String>,
    pub timed_out: bool,
}

/// The `diagnosis` record of gomod-doctor.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub input: String,
    pub modules: Vec<String>,
    pub checks: Vec<DoctorCheck>,
    pub endpoint: Option<String>,
    pub consequences: Vec<DoctorConsequence>,
    pub fixes: Vec<DoctorFix>,
    pub evidence: Vec<usize>,
    pub steps: Vec<DoctorStep>,
    pub go_output: Option<serde_json::Value>,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

impl DiagnosisRecord {
    /// The root cause's code.
    pub fn code(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.code.as_str())
    }

    /// The check named `check` for `target`.
    pub fn check(&self, check: &str, target: &str) -> &DoctorCheck {
        self.checks
            .iter()
            .find(|c| c.check == check && c.target == target)
            .unwrap_or_else(|| panic!("no check {check} {target}: {:#?}", self.checks))
    }

    /// Every fix's command.
    pub fn commands(&self) -> Vec<&str> {
        self.fixes
            .iter()
            .filter_map(|f| f.command.as_deref())
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctorCheck {
    pub check: String,
    pub target: String,
    pub status: String,
    pub code: Option<String>,
    pub message: String,
    pub because: Option<String>,
    pub ms: u64,
    pub records: Vec<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctorConsequence {
    pub what: String,
    pub code: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctorFix {
    pub command: Option<String>,
    pub effect: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctorStep {
    pub tool: String,
    pub command: String,
    pub records: Option<[usize; 2]>,
    pub status: Option<i32>,
    pub ms: u64,
    pub problem: Option<String>,
}
