//! The downloaded zip, checked as the go command checks it (the `module@version/`
//! prefix, x/mod/zip's rules, size limits) and hashed (h1:), on the blocking pool so
//! that both cores inflate while the network side goes on.

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
/// zip when it checks it (`$GOMODCACHE/cache/download/.../@v/<version>.zip`): errors
/// name it, as the go command's do, not the temporary file.
pub async fn check(
    file: tempfile::NamedTempFile,
    module: String,
    version: String,
    bytes: u64,
    go_path: std::path::PathBuf,
) -> Result<Zip, OpError> {
    let outcome = tokio::task::spawn_blocking(move || {
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
        Ok((file, Err(err))) => {
            let code = match err {
                modzip::ZipError::DirectoryTooLarge => Code::LimitExceeded,
                _ => Code::ZipInvalid,
            };
            let text = err.to_string().replace(
                &file.path().display().to_string(),
                &go_path.display().to_string(),
            );
            Err(OpError::new(code, text))
        }
        Err(err) => Err(OpError::new(
            Code::InternalError,
            format!("hashing the zip failed: {err}"),
        )),
    }
}
