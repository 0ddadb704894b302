//! A hostile server that sends back every credential it is given, in every place a
//! client might print: error bodies, reason phrases, `Location` headers, JSON fields.
//! It is what a misconfigured or malicious proxy, module server or checksum database
//! does (and what the go command prints, unredacted); the tools promise never to.
//!
//! [`credentials`] writes what a request carried (`Authorization` and
//! `Proxy-Authorization`) as one line, in every form: the header as sent, the decoded
//! `user:password`, the password alone, its base64 and its percent-encoding. [`handler`]
//! answers every endpoint the tools ask for with that line somewhere in the answer;
//! [`crate::ConnectMode::Echo`] makes the CONNECT proxy do the same.

use base64::Engine;

use crate::{Handler, Request, Response, handler as make_handler};

/// Every credential `request` carried, in every form, on one line (no CR or LF, so it
/// also fits a reason phrase or a header); `no credentials` when it carried none.
pub fn credentials(request: &Request) -> String {
    let mut parts = Vec::new();
    for name in ["authorization", "proxy-authorization"] {
        let Some(value) = request.headers.get(name) else {
            continue;
        };
        parts.push(format!("{name}: {value}"));
        let Some((_, token)) = value.split_once(' ') else {
            continue;
        };
        let Some(login) = base64::engine::general_purpose::STANDARD
            .decode(token.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
        else {
            continue;
        };
        let password = login.split_once(':').map_or("", |(_, p)| p);
        parts.push(format!("login={login}"));
        parts.push(format!("password={password}"));
        parts.push(format!("password-base64={}", base64(password)));
        parts.push(format!("password-escaped={}", percent_encode(password)));
    }
    if parts.is_empty() {
        return "no credentials".to_string();
    }
    parts.join(" | ")
}

/// Standard base64 with padding, as a Basic header carries a login.
pub fn base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Every byte but ASCII letters and digits as `%XX`.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A handler that answers every request with the credentials it carried, in a place
/// that depends on what was asked for, so that one server serves as GOPROXY, GOSUMDB,
/// a DNS-over-HTTPS resolver and a go-get page at once:
///
/// * `…/@v/list`, `/lookup/…`: 403 with the echo as a `text/plain` body;
/// * `/dns-query`: 200 with the echo in the `Content-Type` (which a DNS-over-HTTPS
///   client names when it is not `application/dns-message`);
/// * `…/@latest` and `….info`: 200 with `{"Version":"v1.0.0","Time":"<echo>"}`;
/// * `….mod`: 302 to `/echoed/<password>/<echo percent-encoded>?<echo percent-encoded>`;
/// * `….zip`, `/tile/…`: 500 with the echo as the body;
/// * `/sumdb/<name>/supported`: 200 (the checksum database is proxied here);
/// * `…/latest` (a checksum database's signed tree head): 200 with the echo as the
///   note;
/// * anything else (`/echoed/…` too): 404 with the echo as the body.
pub fn handler() -> Handler {
    make_handler(|request| {
        let echo = credentials(request);
        let path = request.path();
        let text = |status: u16| {
            Response::new(status, format!("{echo}\n"))
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("X-Echo", &echo)
        };
        if path.ends_with("/@v/list") || path.contains("/lookup/") {
            text(403)
        } else if path == "/dns-query" {
            Response::new(200, Vec::new()).header("Content-Type", &format!("text/echo; {echo}"))
        } else if path.ends_with("/@latest") || path.ends_with(".info") {
            let time = echo.replace('\\', "\\\\").replace('"', "\\\"");
            Response::new(
                200,
                format!("{{\"Version\":\"v1.0.0\",\"Time\":\"{time}\"}}\n"),
            )
            .header("Content-Type", "application/json")
        } else if path.ends_with(".mod") {
            let password = echo
                .split(" | ")
                .find_map(|p| p.strip_prefix("password="))
                .unwrap_or("none");
            let escaped = percent_encode(&echo);
            Response::new(302, Vec::new()).header(
                "Location",
                &format!("/echoed/{}/{escaped}?{escaped}", percent_encode(password)),
            )
        } else if path.ends_with(".zip") || path.contains("/tile/") {
            text(500)
        } else if path.ends_with("/supported") {
            Response::new(200, Vec::new())
        } else if path.ends_with("/latest") {
            Response::new(200, format!("{echo}\n\n— echo {echo}\n"))
                .header("Content-Type", "text/plain; charset=utf-8")
        } else {
            text(404)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn every_form_of_a_basic_login() {
        let request = Request {
            method: "GET".to_string(),
            target: "/".to_string(),
            host: "h".to_string(),
            headers: HashMap::from([(
                "authorization".to_string(),
                "Basic dXNlcjpzM2NyM3Qh".to_string(),
            )]),
            scheme: "http",
        };
        assert_eq!(
            credentials(&request),
            "authorization: Basic dXNlcjpzM2NyM3Qh | login=user:s3cr3t! | password=s3cr3t! \
             | password-base64=czNjcjN0IQ== | password-escaped=s3cr3t%21"
        );
    }
}
