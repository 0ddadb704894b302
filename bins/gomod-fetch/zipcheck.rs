//! The downloaded zip, checked as the go command checks it (the `module@version/`
//! prefix, x/mod/zip's rules, size limits) and hashed (h1:), on the bounded blocking
//! pool ([`gomod_common::blocking`]) so that every core inflates while the network side
//! goes on, without a thread per module.

use gomod_common::modzip;
use gomod_common::record::Code;

use crate::http::OpError;

/// A checked and hashed zip, still in its temporary file.
pub struct Zip {
    /// The temporary file holding it.
    pub file: tempfile::NamedTempFile,
    /// Its `h1:` hash.
    pub h1: String,
    /// Its size.
    pub bytes: u64,
    /// How many files it holds.
    pub files: u64,
}

/// Checks and hashes the zip in `file`. `go_path` is where the go command keeps the
/// zip when it checks it (`$GOMODCACHE/cache/download/.../@v/<version>.zip`, or under
/// --cache): errors name it, as the go command's do, not the temporary file.
pub async fn check(
    file: tempfile::NamedTempFile,
    module: String,
    version: String,
    bytes: u64,
    go_path: Option<String>,
) -> Result<Zip, OpError> {
    let outcome = gomod_common::blocking::run(move || {
        let result = modzip::check_and_hash_zip(file.path(), &module, &version);
        (file, result)
    })
    .await;
    match outcome {
        Ok((file, Ok(summary))) => Ok(Zip {
            file,
            h1: summary.h1.unwrap_or_default(),
            bytes,
            files: summary.files as u64,
        }),
        Ok((_, Err(mut err))) => {
            if let (modzip::ZipError::Unzip { path, .. }, Some(go_path)) = (&mut err, go_path) {
                *path = go_path;
            }
            // The zip is refused for the module version it is of, not for its content;
            // one too large for this tool's checks is this tool's limit, not go's.
            let code = match &err {
                modzip::ZipError::Unzip {
                    reason: modzip::UnzipError::Module(_) | modzip::UnzipError::NotCanonical { .. },
                    ..
                } => Code::VersionInvalid,
                modzip::ZipError::DirectoryTooLarge => Code::LimitExceeded,
                _ => Code::ZipInvalid,
            };
            Err(OpError::new(code, err.to_string()))
        }
        Err(err) => Err(OpError::new(
            Code::InternalError,
            format!("hashing the zip failed: {err}"),
        )),
    }
}
