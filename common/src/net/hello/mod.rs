//! Go's ClientHello: what decides it (the go release and the GODEBUG settings
//! `tlsmlkem`/`tlssecpmlkem`), its exact bytes ([`build`]), a parser for any
//! ClientHello ([`parse`]) and its JA4 fingerprint ([`ja4`]).
//!
//! From go1.27's `crypto/tls` (`makeClientHello`, `defaults.go`, the marshal order in
//! `handshake_messages.go`) as `net/http` uses it for the go command: TLS 1.3 and 1.2,
//! no session tickets, a 32-byte session ID; the groups in go's fixed order, a key
//! share for the first one plus the ECDH share a hybrid carries. What changed by
//! release (internal/godebugs: `tlsrsakex` 1.22, `tls3des` and `tlskyber` 1.23,
//! `tlsmlkem` 1.24, `tlssha1` 1.25, `tlssecpmlkem` 1.26; ML-DSA in 1.27) is kept here.

pub mod build;
pub mod ja4;
pub mod parse;
pub mod probe;

pub use build::build;
pub use ja4::ja4;
pub use parse::{ClientHello, parse};

/// The newest go release modelled; an unknown go is taken as this one.
pub const NEWEST_GO_MINOR: u32 = 27;

/// Named groups (IANA code points).
pub mod group {
    /// X25519MLKEM768 (go1.24+).
    pub const X25519_MLKEM768: u16 = 0x11ec;
    /// SecP256r1MLKEM768 (go1.26+).
    pub const SECP256R1_MLKEM768: u16 = 0x11eb;
    /// SecP384r1MLKEM1024 (go1.26+).
    pub const SECP384R1_MLKEM1024: u16 = 0x11ed;
    /// X25519Kyber768Draft00 (go1.23 only).
    pub const X25519_KYBER768_DRAFT00: u16 = 0x6399;
    /// X25519.
    pub const X25519: u16 = 0x001d;
    /// P-256.
    pub const P256: u16 = 0x0017;
    /// P-384.
    pub const P384: u16 = 0x0018;
    /// P-521.
    pub const P521: u16 = 0x0019;

    /// The name Go's `CurveID.String` gives a group.
    pub fn name(id: u16) -> String {
        match id {
            X25519_MLKEM768 => "X25519MLKEM768".into(),
            SECP256R1_MLKEM768 => "SecP256r1MLKEM768".into(),
            SECP384R1_MLKEM1024 => "SecP384r1MLKEM1024".into(),
            X25519_KYBER768_DRAFT00 => "X25519Kyber768Draft00".into(),
            X25519 => "X25519".into(),
            P256 => "CurveP256".into(),
            P384 => "CurveP384".into(),
            P521 => "CurveP521".into(),
            other => format!("CurveID({other})"),
        }
    }

    /// Whether a group carries a post-quantum share.
    pub fn is_post_quantum(id: u16) -> bool {
        matches!(
            id,
            X25519_MLKEM768 | SECP256R1_MLKEM768 | SECP384R1_MLKEM1024 | X25519_KYBER768_DRAFT00
        )
    }

    /// The size of the client's key share for a group, and the group of the ECDH
    /// share a hybrid sends beside it (the same key), as Go's `keyShares` does.
    pub fn share(id: u16) -> (usize, Option<u16>) {
        match id {
            X25519_MLKEM768 => (1184 + 32, Some(X25519)),
            X25519_KYBER768_DRAFT00 => (32 + 1184, Some(X25519)),
            SECP256R1_MLKEM768 => (65 + 1184, Some(P256)),
            SECP384R1_MLKEM1024 => (97 + 1568, Some(P384)),
            X25519 => (32, None),
            P256 => (65, None),
            P384 => (97, None),
            P521 => (133, None),
            _ => (0, None),
        }
    }
}

/// The GODEBUG settings that change go's ClientHello, as Go reads `GODEBUG`: a
/// comma-separated list of `name=value` where a later setting wins and `#...` after a
/// value is ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelloGodebug {
    /// `tlsmlkem` (0 drops every post-quantum group, go1.24+).
    pub tlsmlkem: Option<String>,
    /// `tlssecpmlkem` (0 drops SecP256r1MLKEM768 and SecP384r1MLKEM1024, go1.26+).
    pub tlssecpmlkem: Option<String>,
    /// `tlssha1` (1 offers the SHA-1 signature algorithms in TLS 1.2 again, go1.25+).
    pub tlssha1: Option<String>,
    /// `http2client` (0 turns go's HTTP/2 client off: ALPN offers `http/1.1` only).
    pub http2client: Option<String>,
}

impl HelloGodebug {
    /// Reads the settings from a GODEBUG value.
    pub fn parse(godebug: &str) -> HelloGodebug {
        let settings = crate::godebug::Godebug::new(None, godebug);
        HelloGodebug {
            tlsmlkem: settings.env_value("tlsmlkem"),
            tlssecpmlkem: settings.env_value("tlssecpmlkem"),
            tlssha1: settings.env_value("tlssha1"),
            http2client: settings.env_value("http2client"),
        }
    }

    /// The settings found, as `name=value` in GODEBUG's form (empty: none).
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = &self.tlsmlkem {
            parts.push(format!("tlsmlkem={v}"));
        }
        if let Some(v) = &self.tlssecpmlkem {
            parts.push(format!("tlssecpmlkem={v}"));
        }
        if let Some(v) = &self.tlssha1 {
            parts.push(format!("tlssha1={v}"));
        }
        if let Some(v) = &self.http2client {
            parts.push(format!("http2client={v}"));
        }
        parts.join(",")
    }
}

/// What decides the ClientHello of one go: its release and GODEBUG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoHello {
    /// The go release's minor version (27 for go1.27.3).
    pub go_minor: u32,
    /// The GODEBUG settings applied.
    pub godebug: HelloGodebug,
    /// Whether this machine has AES-GCM hardware (Go then prefers AES-GCM suites).
    pub aes_hardware: bool,
}

impl GoHello {
    /// The hello of go1.`go_minor` (None: the newest) with this GODEBUG.
    pub fn new(go_minor: Option<u32>, godebug: &str) -> GoHello {
        GoHello {
            go_minor: go_minor.unwrap_or(NEWEST_GO_MINOR),
            godebug: HelloGodebug::parse(godebug),
            aes_hardware: aes_gcm_hardware(),
        }
    }

    /// The hello of the go found in this configuration, with GODEBUG from its
    /// environment.
    pub fn from_config(cfg: &crate::goenv::GoConfig) -> GoHello {
        GoHello::new(
            cfg.install.as_ref().and_then(|i| i.minor),
            cfg.environment().get("GODEBUG"),
        )
    }

    /// The same go with `GODEBUG=tlsmlkem=0`: the classic hello without any
    /// post-quantum share.
    pub fn classic(&self) -> GoHello {
        let mut classic = self.clone();
        classic.godebug.tlsmlkem = Some("0".to_string());
        classic
    }

    fn enabled(value: &Option<String>) -> bool {
        value.as_deref() != Some("0")
    }

    /// The ALPN protocols go's transport offers: `h2` and `http/1.1`, or only
    /// `http/1.1` with `GODEBUG=http2client=0`.
    pub fn alpn(&self) -> Vec<&'static [u8]> {
        if self.godebug.http2client.as_deref() == Some("0") {
            vec![b"http/1.1"]
        } else {
            vec![b"h2", b"http/1.1"]
        }
    }

    /// The supported groups, in go's order.
    pub fn groups(&self) -> Vec<u16> {
        use group::*;
        let mut groups = Vec::new();
        let mlkem = Self::enabled(&self.godebug.tlsmlkem);
        match self.go_minor {
            // tlskyber is not read here: go1.23 is taken with its default.
            23 => groups.push(X25519_KYBER768_DRAFT00),
            m if m >= 24 && mlkem => {
                groups.push(X25519_MLKEM768);
                if m >= 26 && Self::enabled(&self.godebug.tlssecpmlkem) {
                    groups.extend([SECP256R1_MLKEM768, SECP384R1_MLKEM1024]);
                }
            }
            _ => {}
        }
        groups.extend([X25519, P256, P384, P521]);
        groups
    }

    /// The key shares (group, size): the first group's, then the ECDH share a
    /// hybrid carries when that group is offered too.
    pub fn key_shares(&self) -> Vec<(u16, usize)> {
        let groups = self.groups();
        let first = groups[0];
        let (size, component) = group::share(first);
        let mut shares = vec![(first, size)];
        if let Some(ecdh) = component.filter(|g| groups.contains(g)) {
            shares.push((ecdh, group::share(ecdh).0));
        }
        shares
    }

    /// Whether the hello offers a post-quantum key share.
    pub fn post_quantum(&self) -> bool {
        group::is_post_quantum(self.groups()[0])
    }

    /// The cipher suites, in go's order: TLS 1.2 suites (AES-GCM first with AES
    /// hardware, ChaCha20 first without), then the TLS 1.3 ones.
    pub fn cipher_suites(&self) -> Vec<u16> {
        let gcm = [0xc02b, 0xc02f, 0xc02c, 0xc030];
        let chacha = [0xcca9, 0xcca8];
        let mut suites: Vec<u16> = if self.aes_hardware {
            gcm.into_iter().chain(chacha).collect()
        } else {
            chacha.into_iter().chain(gcm).collect()
        };
        suites.extend([0xc009, 0xc013, 0xc00a, 0xc014]);
        if self.go_minor <= 21 {
            // RSA key exchange (tlsrsakex, go1.22).
            suites.extend([0x009c, 0x009d, 0x002f, 0x0035]);
        }
        if self.go_minor <= 22 {
            // 3DES (tls3des, go1.23).
            suites.push(0xc012);
        }
        if self.go_minor <= 21 {
            suites.push(0x000a);
        }
        if self.aes_hardware {
            suites.extend([0x1301, 0x1302, 0x1303]);
        } else {
            suites.extend([0x1303, 0x1301, 0x1302]);
        }
        suites
    }

    /// The signature_algorithms extension: ML-DSA first since go1.27, SHA-1 gone
    /// since go1.25 unless `tlssha1=1` (go's `isDisabledSignatureAlgorithm` for TLS 1.2).
    pub fn signature_algorithms(&self) -> Vec<u16> {
        let mut algs = self.all_signature_algorithms();
        if self.go_minor >= 25 && self.godebug.tlssha1.as_deref() != Some("1") {
            algs.retain(|a| !matches!(a, 0x0201 | 0x0203));
        }
        algs
    }

    /// The signature_algorithms_cert extension (go1.25+, SHA-1 kept), if sent.
    pub fn signature_algorithms_cert(&self) -> Option<Vec<u16>> {
        (self.go_minor >= 25).then(|| self.all_signature_algorithms())
    }

    fn all_signature_algorithms(&self) -> Vec<u16> {
        let mut algs = Vec::new();
        if self.go_minor >= 27 {
            algs.extend([0x0904, 0x0905, 0x0906]);
        }
        algs.extend([
            0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0503, 0x0603, 0x0201,
            0x0203,
        ]);
        algs
    }

    /// The go release, as `go1.N`.
    pub fn go_release(&self) -> String {
        format!("go1.{}", self.go_minor)
    }
}

/// Whether Go on this machine has AES-GCM hardware support (`hasAESGCMHardwareSupport`:
/// AES-NI and CLMUL on amd64, AES and PMULL on arm64).
pub fn aes_gcm_hardware() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("aes")
            && std::arch::is_x86_feature_detected!("pclmulqdq")
    }
    #[cfg(target_arch = "aarch64")]
    {
        std::arch::is_aarch64_feature_detected!("aes")
            && std::arch::is_aarch64_feature_detected!("pmull")
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(minor: u32, godebug: &str) -> GoHello {
        GoHello {
            aes_hardware: true,
            ..GoHello::new(Some(minor), godebug)
        }
    }

    #[test]
    fn go127_offers_three_hybrids_and_two_shares() {
        let hello = go(27, "");
        assert_eq!(
            hello.groups(),
            [0x11ec, 0x11eb, 0x11ed, 0x001d, 0x0017, 0x0018, 0x0019]
        );
        assert_eq!(hello.key_shares(), [(0x11ec, 1216), (0x001d, 32)]);
        assert_eq!(&hello.signature_algorithms()[..3], [0x0904, 0x0905, 0x0906]);
        assert!(hello.post_quantum());
    }

    #[test]
    fn godebug_drops_groups_later_setting_wins() {
        assert_eq!(
            go(27, "tlsmlkem=1,tlsmlkem=0").groups(),
            [0x001d, 0x0017, 0x0018, 0x0019]
        );
        assert_eq!(go(27, "tlsmlkem=0").key_shares(), [(0x001d, 32)]);
        assert_eq!(
            go(26, "tlssecpmlkem=0#x").groups(),
            [0x11ec, 0x001d, 0x0017, 0x0018, 0x0019]
        );
        assert_eq!(
            go(25, "").groups(),
            [0x11ec, 0x001d, 0x0017, 0x0018, 0x0019]
        );
        assert_eq!(go(22, "").groups(), [0x001d, 0x0017, 0x0018, 0x0019]);
        assert_eq!(go(27, "").classic().godebug.text(), "tlsmlkem=0");
        assert!(!go(27, "").classic().post_quantum());
    }

    #[test]
    fn releases_before_25_send_sha1_and_no_cert_list() {
        assert!(go(24, "").signature_algorithms().contains(&0x0201));
        assert_eq!(go(24, "").signature_algorithms_cert(), None);
        assert!(!go(26, "").signature_algorithms().contains(&0x0201));
        // tlssha1=1 offers them again in TLS 1.2.
        let sha1 = go(27, "tlssha1=1").signature_algorithms();
        assert_eq!(sha1[sha1.len() - 2..], [0x0201, 0x0203]);
        assert_eq!(go(27, "tlssha1=1").godebug.text(), "tlssha1=1");
        assert_eq!(go(21, "").cipher_suites().len(), 19);
        assert_eq!(go(27, "").cipher_suites().len(), 13);
    }
}
