//! The trust store the go command uses on Linux (`crypto/x509` `loadOnDiskRoots`):
//! the first readable file of a fixed list (or `SSL_CERT_FILE`), plus every
//! certificate file in a fixed list of directories (or the colon-separated
//! `SSL_CERT_DIR`). Setting only `SSL_CERT_FILE` therefore adds to `/etc/ssl/certs`
//! rather than replacing it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::godebug::Godebug;
use crate::goenv::Environment;
use crate::{oserr, regular};

/// The bundle files Go tries, in order; the first that can be read is used.
pub const CERT_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The directories Go reads every certificate file from.
pub const CERT_DIRECTORIES: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// What was loaded from one file or directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootSource {
    /// The file or directory.
    pub path: PathBuf,
    /// True for a directory.
    pub is_dir: bool,
    /// Certificates it contributed (after de-duplication).
    pub certificates: usize,
    /// Go's text for a read error other than "does not exist", if any.
    pub error: Option<String>,
    /// Whether Go would read it at all (a later bundle file is not read once one was).
    pub used: bool,
}

/// Go's root pool on this machine.
#[derive(Clone, Debug, Default)]
pub struct GoRoots {
    /// Every distinct certificate, DER-encoded.
    pub certificates: Vec<CertificateDer<'static>>,
    /// Each file and directory considered, in Go's order.
    pub sources: Vec<RootSource>,
    /// Set when the pool is empty and a file or directory failed to load: Go then
    /// fails verification with `x509: failed to load system roots and no roots
    /// provided; <error>`.
    pub load_error: Option<String>,
    /// Whether SSL_CERT_FILE replaced the file list.
    pub cert_file_override: Option<String>,
    /// Whether SSL_CERT_DIR replaced the directory list.
    pub cert_dir_override: Option<String>,
    /// The go release and GODEBUG whose x509 rules apply: which certificates go parses
    /// (a negative serial number, go1.23+) and which signatures it accepts.
    pub godebug: Godebug,
    /// Certificates of the files that go refuses to parse (and so leaves out of the
    /// pool), with go's reason (`x509: negative serial number`).
    pub refused: Vec<(CertificateDer<'static>, &'static str)>,
}

/// Go's root pool, read when first needed: like Go, which loads the system roots on the
/// first verification, a run that makes no HTTPS connection never reads the trust store
/// (and does not carry it in memory).
#[derive(Debug)]
pub struct LazyRoots {
    pool: OnceLock<GoRoots>,
    /// SSL_CERT_FILE and SSL_CERT_DIR as they were when the settings were read.
    cert_file: String,
    cert_dir: String,
    /// The x509 rules of the go in use.
    godebug: Godebug,
}

impl LazyRoots {
    /// The pool Go would load in this environment, loaded on first use.
    pub fn system(env: &Environment) -> LazyRoots {
        LazyRoots {
            pool: OnceLock::new(),
            cert_file: env.get("SSL_CERT_FILE").to_owned(),
            cert_dir: env.get("SSL_CERT_DIR").to_owned(),
            godebug: Godebug::new(None, env.get("GODEBUG")),
        }
    }

    /// The pool the go of this configuration would load (its release's x509 rules and
    /// the environment's GODEBUG), loaded on first use.
    pub fn for_config(cfg: &crate::goenv::GoConfig) -> LazyRoots {
        LazyRoots {
            godebug: Godebug::from_config(cfg),
            ..LazyRoots::system(cfg.environment())
        }
    }

    /// The pool, loading it now if this is the first use.
    pub fn get(&self) -> &GoRoots {
        self.pool
            .get_or_init(|| GoRoots::load_from(&self.cert_file, &self.cert_dir, &self.godebug))
    }
}

impl From<GoRoots> for LazyRoots {
    fn from(roots: GoRoots) -> LazyRoots {
        LazyRoots {
            godebug: roots.godebug.clone(),
            pool: OnceLock::from(roots),
            cert_file: String::new(),
            cert_dir: String::new(),
        }
    }
}

impl GoRoots {
    /// Loads the pool as the newest go would for this environment (GODEBUG included).
    pub fn load(env: &Environment) -> GoRoots {
        GoRoots::load_for(env, &Godebug::new(None, env.get("GODEBUG")))
    }

    /// Loads the pool as the go with these x509 rules would for this environment.
    pub fn load_for(env: &Environment, godebug: &Godebug) -> GoRoots {
        GoRoots::load_from(env.get("SSL_CERT_FILE"), env.get("SSL_CERT_DIR"), godebug)
    }

    /// Loads the pool as Go would with these values of SSL_CERT_FILE and SSL_CERT_DIR.
    fn load_from(cert_file: &str, cert_dir: &str, godebug: &Godebug) -> GoRoots {
        let files: Vec<PathBuf> = if cert_file.is_empty() {
            CERT_FILES.iter().map(PathBuf::from).collect()
        } else {
            vec![PathBuf::from(cert_file)]
        };
        let dirs: Vec<PathBuf> = if cert_dir.is_empty() {
            CERT_DIRECTORIES.iter().map(PathBuf::from).collect()
        } else {
            cert_dir.split(':').map(PathBuf::from).collect()
        };
        let mut pool = Pool::new(godebug);
        let mut sources = Vec::new();
        let mut first_error: Option<String> = None;

        let mut found_file = false;
        for file in files {
            if found_file {
                sources.push(RootSource {
                    path: file,
                    is_dir: false,
                    certificates: 0,
                    error: None,
                    used: false,
                });
                continue;
            }
            match regular::read(&file, regular::CERTIFICATES) {
                Ok(data) => {
                    found_file = true;
                    let certificates = pool.add_pem(&data);
                    sources.push(RootSource {
                        path: file,
                        is_dir: false,
                        certificates,
                        error: None,
                        used: true,
                    });
                }
                Err(err) => {
                    let error = (!err.is_not_found()).then(|| err.to_string());
                    if first_error.is_none() {
                        first_error.clone_from(&error);
                    }
                    sources.push(RootSource {
                        path: file,
                        is_dir: false,
                        certificates: 0,
                        error,
                        used: true,
                    });
                }
            }
        }

        for dir in dirs {
            match read_unique_directory_entries(&dir) {
                Ok(names) => {
                    let mut certificates = 0;
                    for name in names {
                        // Go reads every entry and skips those it cannot; a pipe
                        // or device among them is skipped here instead of read.
                        if let Ok(data) = regular::read(&dir.join(&name), regular::CERTIFICATES) {
                            certificates += pool.add_pem(&data);
                        }
                    }
                    sources.push(RootSource {
                        path: dir,
                        is_dir: true,
                        certificates,
                        error: None,
                        used: true,
                    });
                }
                Err(err) => {
                    let error = (err.kind() != std::io::ErrorKind::NotFound)
                        .then(|| oserr::path_error("open", &dir, &err));
                    if first_error.is_none() {
                        first_error.clone_from(&error);
                    }
                    sources.push(RootSource {
                        path: dir,
                        is_dir: true,
                        certificates: 0,
                        error,
                        used: true,
                    });
                }
            }
        }

        let load_error = if pool.certificates.is_empty() {
            first_error
        } else {
            None
        };
        GoRoots {
            certificates: pool.certificates,
            sources,
            load_error,
            cert_file_override: (!cert_file.is_empty()).then(|| cert_file.to_string()),
            cert_dir_override: (!cert_dir.is_empty()).then(|| cert_dir.to_string()),
            godebug: godebug.clone(),
            refused: pool.refused,
        }
    }

    /// Mozilla's roots (the webpki-root-certs crate): the public reference set.
    pub fn mozilla() -> GoRoots {
        GoRoots {
            certificates: webpki_root_certs::TLS_SERVER_ROOT_CERTS.to_vec(),
            ..GoRoots::default()
        }
    }

    /// Loads the pool from explicit PEM files only (for `--ca-file` style checks).
    pub fn from_pem_files(files: &[PathBuf]) -> Result<GoRoots, String> {
        let mut pool = Pool::new(&Godebug::default());
        let mut sources = Vec::new();
        for file in files {
            let data = regular::read(file, regular::CERTIFICATES).map_err(|e| e.to_string())?;
            let certificates = pool.add_pem(&data);
            sources.push(RootSource {
                path: file.clone(),
                is_dir: false,
                certificates,
                error: None,
                used: true,
            });
        }
        Ok(GoRoots {
            certificates: pool.certificates,
            sources,
            refused: pool.refused,
            ..GoRoots::default()
        })
    }
}

struct Pool {
    certificates: Vec<CertificateDer<'static>>,
    seen: HashSet<Vec<u8>>,
    accepts_negative_serial: bool,
    refused: Vec<(CertificateDer<'static>, &'static str)>,
}

impl Pool {
    fn new(godebug: &Godebug) -> Pool {
        Pool {
            certificates: Vec::new(),
            seen: HashSet::new(),
            accepts_negative_serial: godebug.accepts_negative_serial(),
            refused: Vec::new(),
        }
    }

    /// Adds every CERTIFICATE block of a PEM text; returns how many were new.
    /// Blocks that do not decode are skipped, as `AppendCertsFromPEM` skips them, and
    /// so are certificates go's `ParseCertificate` refuses (a negative serial number,
    /// go1.23+ without `x509negativeserial=1`), kept in `refused`.
    fn add_pem(&mut self, data: &[u8]) -> usize {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(data).flatten() {
            if !self.accepts_negative_serial && super::certinfo::negative_serial(&cert) {
                if self.seen.insert(cert.as_ref().to_vec()) {
                    self.refused.push((cert, super::certinfo::NEGATIVE_SERIAL));
                }
                continue;
            }
            if self.seen.insert(cert.as_ref().to_vec()) {
                self.certificates.push(cert);
                added += 1;
            }
        }
        added
    }
}

/// Directory entries except symbolic links whose target has no `/` (the OpenSSL hash
/// links that point at another file of the same directory).
fn read_unique_directory_entries(dir: &Path) -> std::io::Result<Vec<std::ffi::OsString>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let is_symlink = entry.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        if is_symlink
            && let Ok(target) = std::fs::read_link(entry.path())
            && !target.as_os_str().as_encoded_bytes().contains(&b'/')
        {
            continue;
        }
        names.push(entry.file_name());
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory of its own, removed when the test ends.
    fn temp_dir(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("gomod-roots-{name}-"))
            .tempdir()
            .unwrap()
    }

    #[test]
    fn missing_everything_is_an_empty_pool_without_error() {
        let tmp = temp_dir("missing");
        let dir = tmp.path();
        let env = Environment::from_pairs([
            (
                "SSL_CERT_FILE",
                dir.join("nope.pem").to_string_lossy().into_owned(),
            ),
            (
                "SSL_CERT_DIR",
                dir.join("nodir").to_string_lossy().into_owned(),
            ),
        ]);
        let roots = GoRoots::load(&env);
        assert!(roots.certificates.is_empty());
        assert_eq!(roots.load_error, None);
        assert_eq!(roots.sources.len(), 2);
    }

    #[test]
    fn unreadable_directory_is_reported_when_pool_is_empty() {
        let tmp = temp_dir("notdir");
        let dir = tmp.path();
        let file = dir.join("plain");
        std::fs::write(&file, "not a directory").unwrap();
        let env = Environment::from_pairs([
            (
                "SSL_CERT_FILE",
                dir.join("nope.pem").to_string_lossy().into_owned(),
            ),
            ("SSL_CERT_DIR", file.to_string_lossy().into_owned()),
        ]);
        let roots = GoRoots::load(&env);
        assert_eq!(
            roots.load_error,
            Some(format!("open {}: not a directory", file.display()))
        );
    }
}
