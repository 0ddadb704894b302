//! The `tls` record: one connection to one endpoint as Go's HTTPS client makes it.

use serde::Serialize;

use super::{Code, Documented, RecordBody, untrusted};
use crate::net::certinfo::CertInfo;

/// Body of the `tls` record.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TlsBody {
    /// The host name (or IP literal) connected to and verified against.
    pub host: String,
    pub port: u16,
    /// `https`, or `http` for a plain-HTTP endpoint (TCP and proxy only).
    pub scheme: String,
    /// The URL the endpoint came from, when the input gave one (redacted).
    pub url: Option<String>,
    /// The address of the host connected to (`ip:port`); null through a proxy, which
    /// connects by name.
    pub addr: Option<String>,
    /// The proxy Go uses for this URL (redacted), or null.
    pub via_proxy: Option<String>,
    /// The proxy's address (`ip:port`).
    pub proxy_addr: Option<String>,
    /// The proxy's answer to CONNECT.
    pub proxy_status: Option<u16>,
    /// Its reason phrase.
    pub proxy_reason: Option<String>,
    /// Time to establish TCP (to the host, or to the proxy), lookup included.
    pub tcp_ms: Option<u64>,
    /// Time of the proxy part: TLS to an https:// proxy and the CONNECT exchange.
    pub proxy_ms: Option<u64>,
    /// Time of the TLS handshake with the host.
    pub tls_ms: Option<u64>,
    /// The server name sent (SNI); null for an IP address, as Go sends none.
    pub sni: Option<String>,
    /// `TLS 1.3` or `TLS 1.2`.
    pub tls_version: Option<String>,
    /// The cipher suite, by its IANA name (as Go's `tls.CipherSuiteName`).
    pub cipher: Option<String>,
    /// The key exchange group, as Go names it (`X25519MLKEM768`, `X25519`,
    /// `CurveP256`, ...).
    pub group: Option<String>,
    /// The negotiated application protocol (`h2`, `http/1.1`), or null.
    pub alpn: Option<String>,
    /// The chain the server presented, leaf first.
    pub chain: Vec<CertInfo>,
    /// The verdicts on the chain.
    pub trust: Option<Trust>,
    /// True when a public name is served by a chain that leads to no public root
    /// (TLS inspection); false when it leads to one; null when it cannot be said.
    pub intercepted: Option<bool>,
    /// Who intercepts: the issuing CA and, when its name says so, the product.
    pub interception: Option<Interception>,
    /// Go's exact ClientHello sent as raw bytes, and the server's first answer.
    pub hello: Option<HelloProbe>,
    /// The classic hello (go's with `GODEBUG=tlsmlkem=0`), sent when go's own hello
    /// got no ServerHello.
    pub classic_hello: Option<HelloProbe>,
    /// The GODEBUG settings in effect for the go checked (its hello and its x509
    /// rules), with their sources.
    pub godebug: Vec<super::env::GodebugInfo>,
}

/// One hello probe: what was sent and what came back.
#[derive(Clone, Debug, Default, Serialize)]
pub struct HelloProbe {
    /// The go release whose hello this is (`go1.27`).
    pub go: String,
    /// The GODEBUG settings applied to it (`tlsmlkem=0`), empty for none.
    pub godebug: String,
    /// Its size on the wire (the TLS record).
    pub bytes: usize,
    /// The supported groups, in order (Go's names).
    pub groups: Vec<String>,
    /// The key shares: `{group, bytes}`.
    pub key_shares: Vec<KeyShare>,
    /// Its JA4 fingerprint.
    pub ja4: String,
    /// The first answer: server_hello, hello_retry_request, alert, reset, closed,
    /// silence, not_tls.
    pub answer: String,
    /// Go's text for an alert answer (`remote error: tls: handshake failure`).
    pub alert: Option<String>,
    /// The group the server chose (ServerHello) or asked for (HelloRetryRequest).
    pub server_group: Option<String>,
    /// Time from sending to the answer.
    pub ms: u64,
}

/// A key share of a hello.
#[derive(Clone, Debug, Serialize)]
pub struct KeyShare {
    /// Its group (Go's name).
    pub group: String,
    /// The share's size.
    pub bytes: usize,
}

/// The `trust` field.
#[derive(Clone, Debug, Serialize)]
pub struct Trust {
    /// With the trust store the go command uses on this machine.
    pub go: Verdict,
    /// With the public roots (Mozilla's, or `--public-roots`).
    pub public: Verdict,
}

/// One verification.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    pub ok: bool,
    /// The error code when not ok.
    pub code: Option<Code>,
    /// Go's text for the failure (`tls: failed to verify certificate: x509: ...`).
    pub error: Option<String>,
    /// How many root certificates the store holds.
    pub roots: usize,
    /// Where the roots came from.
    pub source: String,
}

/// The `interception` field.
#[derive(Clone, Debug, Serialize)]
pub struct Interception {
    /// The CA that issued the chain (the subject of its top certificate's issuer).
    pub issuer: String,
    /// The SHA-256 of that CA's certificate when the server presented it.
    pub issuer_sha256: Option<String>,
    /// The TLS-inspection product its name points to, if any.
    pub product: Option<String>,
}

impl Documented for TlsBody {
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        (
            "host",
            "the host name (or IP address) connected to and verified against",
        ),
        ("port", "the port"),
        (
            "scheme",
            "https, or http for a plain-HTTP endpoint (TCP and proxy only)",
        ),
        (
            "url",
            "the URL the endpoint came from, when the input gave one (redacted)",
        ),
        (
            "addr",
            "the address connected to (ip:port); null through a proxy, which connects by name",
        ),
        (
            "via_proxy",
            "the proxy Go uses for this URL (redacted), or null",
        ),
        ("proxy_addr", "the proxy's address (ip:port)"),
        (
            "proxy_status",
            "the proxy's answer to CONNECT (200, 407, ...)",
        ),
        ("proxy_reason", "its reason phrase"),
        (
            "tcp_ms",
            "time to establish TCP (to the host or the proxy), lookup included",
        ),
        (
            "proxy_ms",
            "time of TLS to an https:// proxy and of the CONNECT exchange",
        ),
        ("tls_ms", "time of the TLS handshake with the host"),
        (
            "sni",
            "the server name sent; null for an IP address, as Go sends none",
        ),
        ("tls_version", "TLS 1.3 or TLS 1.2"),
        ("cipher", "the cipher suite (IANA name, as Go names it)"),
        (
            "group",
            "the key exchange group, as Go names it (X25519MLKEM768, SecP256r1MLKEM768, X25519, CurveP256, ...)",
        ),
        (
            "alpn",
            "the negotiated application protocol (h2, http/1.1), or null",
        ),
        (
            "chain",
            "the presented chain, leaf first: {subject, issuer, sans, not_before, not_after, serial, sha256, key, signature_algorithm, is_ca, self_issued}",
        ),
        (
            "trust",
            "{go, public}, each {ok, code, error, roots, source}: the chain verified with Go's trust store on this machine (or --ca-file) and with the public roots (Mozilla's, or --public-roots)",
        ),
        (
            "intercepted",
            "true when a public name is served by a chain that leads to no public root (TLS inspection), false when it leads to one, null when it cannot be said",
        ),
        (
            "interception",
            "{issuer, issuer_sha256, product}: the CA that issued an intercepted chain, and the TLS-inspection product its name points to",
        ),
        (
            "hello",
            "go's exact ClientHello sent again as raw bytes, and the server's first answer: {go, godebug, bytes, groups, key_shares: [{group, bytes}], ja4, answer, alert, server_group, ms}; answer is server_hello, hello_retry_request, alert (alert: go's text), reset, closed, silence (nothing within 10 s or --timeout) or not_tls",
        ),
        (
            "classic_hello",
            "the same fields for the classic hello (go's with GODEBUG=tlsmlkem=0: no post-quantum share, one packet), sent only when go's own hello got no ServerHello",
        ),
        (
            "godebug",
            "the GODEBUG settings in effect for the go checked (the go found, or --go), as in the env record: [{name, value, source: \"env\"|\"default\"}]; they decide its hello (tlsmlkem, tlssecpmlkem, tlssha1) and its x509 rules (x509negativeserial)",
        ),
    ];
}

impl RecordBody for TlsBody {
    const TYPE: &'static str = "tls";
    /// `tls HOST:PORT at ADDR: TLS 1.3, certificate for NAME issued by CA; trusted by
    /// Go here, and by the public roots`, or what went wrong before that.
    fn text(&self) -> String {
        let endpoint = format!("{}:{}", self.host, self.port);
        let mut line = if self.scheme == "http" {
            format!("tcp {} (plain http)", untrusted(&endpoint, 300))
        } else {
            format!("tls {}", untrusted(&endpoint, 300))
        };
        if let Some(addr) = &self.addr
            && *addr != endpoint
            && *addr != format!("[{}]:{}", self.host, self.port)
        {
            line.push_str(&format!(" at {}", untrusted(addr, 100)));
        }
        if let Some(proxy) = &self.via_proxy {
            line.push_str(&format!(" through the proxy {}", untrusted(proxy, 200)));
            if let Some(status) = self.proxy_status {
                line.push_str(&format!(" (CONNECT answered {status})"));
            }
        }
        let mut facts = Vec::new();
        if let Some(version) = &self.tls_version {
            facts.push(untrusted(version, 50));
        }
        if let Some(leaf) = self.chain.first() {
            facts.push(format!(
                "certificate {} issued by {}",
                untrusted(&leaf.subject, 200),
                untrusted(&leaf.issuer, 200)
            ));
        }
        if let Some(trust) = &self.trust {
            let verdict = |ok: bool| if ok { "trusted" } else { "not trusted" };
            facts.push(format!(
                "{} by Go on this machine, {} by the public roots",
                verdict(trust.go.ok),
                verdict(trust.public.ok)
            ));
        }
        if self.intercepted == Some(true) {
            let by = self
                .interception
                .as_ref()
                .map(|i| match &i.product {
                    Some(product) => format!(
                        " by {} ({})",
                        untrusted(&i.issuer, 200),
                        untrusted(product, 100)
                    ),
                    None => format!(" by {}", untrusted(&i.issuer, 200)),
                })
                .unwrap_or_default();
            facts.push(format!("INTERCEPTED{by}"));
        }
        if self.scheme == "http" && self.tcp_ms.is_some() && facts.is_empty() {
            facts.push("connected".to_string());
        }
        if !facts.is_empty() {
            line.push_str(": ");
            line.push_str(&facts.join("; "));
        }
        line
    }
}
