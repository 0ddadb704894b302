//! An HTTP client that behaves like the go command's (`cmd/go/internal/web` on top of
//! `net/http.DefaultTransport`):
//!
//! * the proxy is chosen by Go's HTTP_PROXY/HTTPS_PROXY/NO_PROXY rules; https targets
//!   go through an HTTP CONNECT tunnel, http targets as absolute-URI requests;
//! * TLS uses Go's trust store and Go's verification rules ([`super::tls`]);
//! * credentials: netrc for https only, matched as the go release in use matches it
//!   (by host name before go1.24, by URL prefix since); URL userinfo as Basic auth,
//!   refused over plain http;
//! * redirects: at most 10, never from https to http, never to a scheme other than
//!   http and https; credentials are forwarded only to the same host or its
//!   subdomains and stay dropped once dropped;
//! * `User-Agent: GoCommand/1 (+https://go.dev/cmd/go)` as Go 1.27 sends it;
//! * failures classified with a [`Code`] and worded as Go prints them
//!   (`Get "<url>": <error>`).
//!
//! Differences kept on purpose: the time bounds of [`super::bounds`] (Go has none and
//! can hang forever), and no `Accept-Encoding: gzip` (Go asks for gzip and decompresses
//! transparently; servers answer the same content either way).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;

use super::conn::{self, Io};
use super::dial::{self, NetError, Resolver};
use super::goauth::{self, AuthOutcome, Credentials, GoAuth, Spec};
use super::httpproxy::ProxyConfig;
use super::netrc::{self, NetrcEntry, NetrcMode};
use super::roots::LazyRoots;
use super::tls::{self, GoVerifier, LazyVerifier};
use super::transport::{self, Body, Outgoing, Proto, Transport};
use crate::gourl;
use crate::record::{Code, redact_url};

/// The User-Agent newest Go's go command sends.
pub const GO_USER_AGENT: &str = "GoCommand/1 (+https://go.dev/cmd/go)";

/// What the go command does where this client's `--timeout` ran out: it has no limit
/// for a response or a body, so it waits for ever and prints nothing.
pub const GO_WAITS: &str =
    "the go command has no time limit here: it would keep waiting and print nothing";

/// How many redirects Go follows before giving up.
pub const MAX_REDIRECTS: usize = 10;

/// Everything the client needs to know about the machine.
#[derive(Clone)]
pub struct HttpSettings {
    /// Go's proxy configuration (process environment).
    pub proxy: ProxyConfig,
    /// Go's trust store, loaded at the first HTTPS connection.
    pub roots: Arc<LazyRoots>,
    /// Netrc entries, or None when GOAUTH does not include `netrc`.
    pub netrc: Option<Arc<Vec<NetrcEntry>>>,
    /// How a request finds its netrc entry: by host name for the go releases before
    /// GOAUTH (1.23 and older), by URL prefix since.
    pub netrc_mode: NetrcMode,
    /// Name resolution for direct connections.
    pub resolver: Arc<dyn Resolver>,
    /// Limit for each TCP connection attempt.
    pub connect_timeout: Duration,
    /// What go's ClientHello offers (its release and GODEBUG): every HTTPS connection
    /// offers the same groups and key shares.
    pub hello: super::hello::GoHello,
    /// GOAUTH as the go release in use reads it, with the credential cache of the run
    /// ([`super::goauth`]; the default sends nothing and retries nothing).
    pub goauth: Arc<GoAuth>,
}

impl HttpSettings {
    /// The settings Go would use in this environment: proxy variables, trust store,
    /// and the netrc file as the go release in use reads it: always, matched by host
    /// name, before GOAUTH existed (go1.23 and older); when GOAUTH includes `netrc`,
    /// matched by URL prefix, since go1.24. An unreadable netrc file counts as empty,
    /// as it does for the go command.
    pub fn from_config(cfg: &crate::goenv::GoConfig, connect_timeout: Duration) -> HttpSettings {
        let env = cfg.environment();
        let getenv = |k: &str| env.raw(k).map(str::to_string);
        let go_minor = cfg.install.as_ref().and_then(|i| i.minor);
        let netrc_mode = netrc_mode_for(go_minor);
        let spec = match netrc_mode {
            NetrcMode::Go119 => Spec::BeforeGoauth,
            NetrcMode::Newest => goauth::parse(cfg.get("GOAUTH"), goauth::stat_dir),
        };
        let reads_netrc = match &spec {
            Spec::BeforeGoauth => true,
            Spec::Methods(methods) => methods.contains(&goauth::Method::Netrc),
            Spec::Off | Spec::Invalid(_) => false,
        };
        let netrc = reads_netrc
            .then(|| netrc::netrc_path(getenv).ok())
            .flatten()
            .and_then(|path| crate::regular::read(&path, crate::regular::NETRC).ok())
            .map(|data| Arc::new(netrc::parse(&String::from_utf8_lossy(&data))));
        // Every password in the file is a secret, used for this run or not.
        for entry in netrc.iter().flat_map(|entries| entries.iter()) {
            crate::redact::register_login(&entry.login, &entry.password);
        }
        HttpSettings {
            proxy: ProxyConfig::from_env(getenv),
            roots: Arc::new(LazyRoots::for_config(cfg)),
            netrc_mode,
            resolver: Arc::new(dial::SystemResolver::from_etc()),
            connect_timeout,
            hello: super::hello::GoHello::from_config(cfg),
            goauth: Arc::new(GoAuth::new(spec, netrc.clone(), netrc_mode, go_minor, env)),
            netrc,
        }
    }
}

/// The netrc rules of a go release (its minor version; None: unknown, taken as the
/// newest): GOAUTH and URL-prefix matching arrived in go1.24.
pub fn netrc_mode_for(go_minor: Option<u32>) -> NetrcMode {
    match go_minor {
        Some(minor) if minor < 24 => NetrcMode::Go119,
        _ => NetrcMode::Newest,
    }
}

/// Options for one GET.
#[derive(Clone, Copy, Debug)]
pub struct GetOptions {
    /// Skip certificate verification (GOINSECURE direct fetches).
    pub insecure_tls: bool,
    /// Limit for the whole exchange up to the response headers of the last hop, and
    /// the window over which a body must keep its rate ([`super::bounds`]).
    pub timeout: Duration,
    /// An `Accept` header to send (the go command sends none; DNS over HTTPS needs
    /// `application/dns-message`).
    pub accept: Option<&'static str>,
}

/// One request made while following redirects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// The URL requested, credentials redacted.
    pub url: String,
    /// The status received, if any.
    pub status: Option<u16>,
    /// The proxy used for it, credentials redacted.
    pub via_proxy: Option<String>,
    /// The netrc login sent (never the password).
    pub netrc_login: Option<String>,
    /// On the last request of a GET: what GOAUTH did for it (the answer's `auth`).
    pub auth: Option<AuthOutcome>,
}

/// A response whose headers have arrived; the body is still to be read.
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Go's `resp.Status`: `404 Not Found`, with the server's own reason phrase.
    pub status_text: String,
    /// The response headers.
    pub headers: http::HeaderMap,
    /// The URL that answered (after redirects).
    pub url: gourl::Url,
    /// Every request made, first to last.
    pub hops: Vec<Hop>,
    /// Time until the headers arrived.
    pub elapsed: Duration,
    /// The connection that answered: address, proxy, ALPN protocol.
    pub conn: Option<ConnInfo>,
    /// The protocol the response came over.
    pub proto: Proto,
    /// What GOAUTH (netrc included) did for the request.
    pub auth: AuthOutcome,
    /// For a 4xx: the status line and headers as the go command writes them to a
    /// GOAUTH command's input.
    goauth_head: Option<String>,
    body: Body,
    /// The length of one window of the body-rate rule: the request's timeout.
    window: Duration,
    /// When the current window ends.
    window_end: Instant,
    /// Body bytes received in the current window.
    window_bytes: u64,
}

impl Response {
    /// Reads the whole body, failing when it exceeds `limit` bytes (this tool's limit:
    /// [`Code::LimitExceeded`]) or arrives too slowly ([`super::bounds`]). Errors are
    /// worded as Go's `read "<url>": <error>`.
    pub async fn bytes(mut self, limit: usize) -> Result<Vec<u8>, NetError> {
        let mut out = Vec::new();
        while let Some(data) = self.chunk().await? {
            if out.len() + data.len() > limit {
                return Err(self.too_large(limit as u64));
            }
            out.extend_from_slice(&data);
        }
        Ok(out)
    }

    /// The error for a body larger than this tool reads: `read "<url>": response body
    /// larger than N bytes, this tool's limit`.
    fn too_large(&self, limit: u64) -> NetError {
        NetError::new(
            Code::LimitExceeded,
            format!(
                "read {}: response body larger than {limit} bytes, this tool's limit (the go command reads any size)",
                self.quoted_url()
            ),
        )
    }

    /// The next piece of the body, or None at its end. The body must keep arriving at
    /// [`super::bounds::MIN_BODY_RATE`] bytes per second or more, counted over each
    /// window of the request's timeout, and within the probe's deadline: a large zip
    /// over a slow link is not cut off, a trickle or a stall is.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, NetError> {
        loop {
            let now = Instant::now();
            if now >= self.window_end {
                let needed = super::bounds::bytes_per_window(self.window);
                if self.window_bytes < needed {
                    return Err(NetError::go_waits(
                        Code::HttpTimeout,
                        format!(
                            "read {}: {} body bytes in {}, slower than {} bytes per second; {GO_WAITS}",
                            self.quoted_url(),
                            self.window_bytes,
                            humantime::format_duration(self.window),
                            super::bounds::MIN_BODY_RATE
                        ),
                    ));
                }
                self.window_end += self.window;
                self.window_bytes = 0;
                continue;
            }
            let (until, is_probe) = super::bounds::bounded(self.window_end);
            if is_probe && now >= until {
                return Err(NetError::go_waits(
                    Code::HttpTimeout,
                    format!(
                        "read {}: {}",
                        self.quoted_url(),
                        super::bounds::deadline_text()
                    ),
                ));
            }
            let next = tokio::time::timeout(until - now, next_data(&mut self.body)).await;
            let data = match next {
                // The window (or the probe) ended: judged at the top of the loop.
                Err(_) => continue,
                Ok(Ok(None)) => return Ok(None),
                Ok(Err(err)) => {
                    return Err(err.prefixed(&format!("read {}: ", self.quoted_url())));
                }
                Ok(Ok(Some(data))) => data,
            };
            if !data.is_empty() {
                self.window_bytes += data.len() as u64;
                return Ok(Some(data));
            }
        }
    }

    /// Up to `limit` bytes of the body (the rest is not read), for error details; with
    /// every credential in it replaced, and where the body was cut, the start of one
    /// there too ([`crate::redact::scrub_cut_bytes`]).
    pub async fn prefix(&mut self, limit: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while out.len() < limit {
            match self.chunk().await {
                Ok(Some(data)) => {
                    let take = data.len().min(limit - out.len());
                    out.extend_from_slice(&data[..take]);
                }
                _ => break,
            }
        }
        if out.len() >= limit {
            crate::redact::scrub_cut_bytes(&out)
        } else {
            crate::redact::scrub_bytes(&out)
        }
    }

    /// The URL as Go's `url.Error` prints it: redacted and `%q`-quoted.
    fn quoted_url(&self) -> String {
        crate::goquote::quote(&redact_url(&self.url.to_string()))
    }

    /// The Content-Type header, if present and readable.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }
}

/// The next piece of a body (possibly empty), or None at its end. An HTTP/2 stream's
/// flow-control window is given back as soon as a piece is taken, as go's transport
/// does, so the server keeps sending while the caller works on what it has.
async fn next_data(body: &mut Body) -> Result<Option<Bytes>, NetError> {
    match body {
        Body::H1 { body, pooled } => match body.frame().await {
            None => {
                // The connection goes back to the pool first (bounded: a connection
                // that never becomes ready is simply not reused).
                if let Some(pooled) = pooled.take() {
                    let _ = tokio::time::timeout(Duration::from_secs(1), pooled).await;
                }
                Ok(None)
            }
            Some(Err(err)) => Err(body_error(&err)),
            Some(Ok(frame)) => Ok(Some(frame.into_data().unwrap_or_default())),
        },
        Body::H2 {
            stream, stream_id, ..
        } => match stream.data().await {
            None => Ok(None),
            Some(Err(err)) => Err(transport::h2_error(&err, Some(*stream_id))),
            Some(Ok(data)) => {
                let _ = stream.flow_control().release_capacity(data.len());
                Ok(Some(data))
            }
        },
    }
}

/// A failed request: what failed and Go's full text for it.
#[derive(Clone, Debug)]
pub struct HttpError {
    /// The classified innermost error.
    pub net: NetError,
    /// Go's text for the whole failure: `Get "<url>": <inner>` (or Go's own text for
    /// failures outside the transport, such as refused credentials).
    pub go_text: String,
    /// Every request made before the failure.
    pub hops: Vec<Hop>,
    /// What GOAUTH (netrc included) did for the request.
    pub auth: AuthOutcome,
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.go_text)
    }
}

impl std::error::Error for HttpError {}

/// The go command's HTTP client: one per run, its connections kept per host
/// ([`transport`]).
pub struct HttpClient {
    settings: Arc<HttpSettings>,
    secure: Transport,
    insecure: Transport,
}

impl HttpClient {
    /// A client for these settings.
    pub fn new(settings: HttpSettings) -> HttpClient {
        let settings = Arc::new(settings);
        let verifier = Arc::new(LazyVerifier::new(Arc::clone(&settings.roots)));
        let alpn = settings.hello.alpn();
        let build = |target: Arc<dyn rustls::client::danger::ServerCertVerifier>| {
            let connector = GoConnector {
                settings: Arc::clone(&settings),
                target_tls: tls::go_client_config(target, &alpn, &settings.hello),
                // A proxy's certificate is always checked against the trust store.
                proxy_tls: tls::go_client_config(verifier.clone(), &[b"http/1.1"], &settings.hello),
            };
            Transport::new(Arc::new(connector))
        };
        HttpClient {
            secure: build(verifier.clone()),
            insecure: build(Arc::new(GoVerifier::insecure())),
            settings,
        }
    }

    /// The settings in use.
    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// Opens a connection to `url`'s host (through the proxy go's rules choose, with
    /// TLS for https, verified against the trust store), when the client has none there
    /// yet, and keeps it for the requests to come; sends no request, so no credentials.
    /// For a tool that knows where its first request will go before it knows what it
    /// will ask: the handshakes then overlap with the wait. The dial is bounded by the
    /// connect and TLS handshake timeouts, as a request's is; a wait for a dial already
    /// under way is the caller's to bound.
    pub async fn preconnect(&self, url: &gourl::Url) -> Result<(), NetError> {
        let uri = without_userinfo(url).parse::<http::Uri>().map_err(|err| {
            NetError::new(
                Code::HttpInvalidResponse,
                format!(
                    "invalid URL {}",
                    crate::goquote::quote(&redact_url(&without_userinfo(url)))
                ),
            )
            .with_detail(err.to_string())
        })?;
        self.secure.preconnect(&uri).await
    }

    /// GETs `url` as the go command would, following redirects. Any status is returned
    /// as a response; only transport failures, refused redirects and refused
    /// credentials are errors.
    ///
    /// https requests carry GOAUTH's credentials (netrc included) as the go release in
    /// use sends them; after a 4xx, go1.24 and later run the GOAUTH methods again with
    /// the URL and send the request once more ([`super::goauth`]). What was done is in
    /// the answer's `auth`.
    pub async fn get(&self, url: &gourl::Url, opts: GetOptions) -> Result<Response, HttpError> {
        let goauth = &self.settings.goauth;
        let https = url.scheme == "https";
        let mut auth = AuthOutcome::default();
        let mut credentials = None;
        if https {
            match goauth.before_request(url, opts.timeout).await {
                Err(text) => {
                    return Err(HttpError {
                        net: NetError::new(Code::GoauthInvalid, text.clone()),
                        go_text: text,
                        hops: Vec::new(),
                        auth,
                    });
                }
                Ok((found, errors)) => {
                    credentials = found;
                    auth.errors = errors;
                }
            }
            auth.off = matches!(goauth.spec(), Spec::Off);
        }
        let mut result = self.get_once(url, opts, credentials.as_ref()).await;
        if let Ok(response) = &result
            && https
            && goauth.retries_after_4xx()
            && (400..500).contains(&response.status)
        {
            let status = response.status;
            let head = response.goauth_head.clone().unwrap_or_default();
            // The go command closes the first answer's body unread.
            drop(result);
            let (found, errors) = goauth.after_failure(url, &head, opts.timeout).await;
            auth.retried_after = Some(status);
            auth.errors.extend(errors);
            credentials = found;
            result = self.get_once(url, opts, credentials.as_ref()).await;
        }
        let sent_header = credentials
            .as_ref()
            .is_some_and(|c| c.headers.iter().any(|(n, _)| n == "Authorization"));
        auth.source = match (credentials, &url.user) {
            (Some(found), _) if sent_header => Some(found.source),
            (found, Some(user)) => Some(goauth::Source {
                provider: "userinfo",
                login: Some(user.username.clone()),
                prefix: found.and_then(|f| f.source.prefix),
            }),
            (found, None) => found.map(|f| f.source),
        };
        if auth.source.is_some() {
            auth.errors.clear();
        } else if https && !auth.off {
            auth.note = goauth.unsent_netrc_note(url);
        } else if !https {
            auth.note = Some(
                "plain http: the go command sends GOAUTH and netrc credentials over https only"
                    .to_string(),
            );
        }
        let (hops, outcome) = match &mut result {
            Ok(response) => (&mut response.hops, &mut response.auth),
            Err(err) => (&mut err.hops, &mut err.auth),
        };
        if let Some(last) = hops.last_mut() {
            last.auth = Some(auth.clone());
        }
        *outcome = auth;
        result
    }

    /// One GET as `http.Client.Do` makes it, following redirects, with `credentials`
    /// added to the request (the URL's userinfo is sent as Basic auth only when they
    /// hold no `Authorization`, as net/http does).
    async fn get_once(
        &self,
        url: &gourl::Url,
        opts: GetOptions,
        credentials: Option<&Credentials>,
    ) -> Result<Response, HttpError> {
        let started = Instant::now();
        let (deadline, probe_bound) = super::bounds::bounded(started + opts.timeout);
        let original_host = url.hostname().to_ascii_lowercase();
        let first_secure = url.scheme == "https";
        let mut hops: Vec<Hop> = Vec::new();
        let mut current = url.clone();
        let mut send_credentials = true;
        // The caller's credentials are secrets (not those a redirect makes up: the
        // server chose them).
        if let Some(user) = &url.user {
            crate::redact::register_userinfo(user);
        }

        // The go command refuses to put URL credentials on plain http.
        if current.user.is_some() && current.scheme == "http" {
            let text = format!(
                "refusing to pass credentials to insecure URL: {}",
                current.redacted()
            );
            return Err(HttpError {
                net: NetError::new(Code::HttpInsecureCredentials, text.clone()),
                go_text: text,
                hops,
                auth: AuthOutcome::default(),
            });
        }
        let header_auth = credentials.is_some_and(|c| {
            c.headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        });

        loop {
            let via_proxy = self
                .settings
                .proxy
                .proxy_for_url(&current)
                .ok()
                .flatten()
                .map(|choice| redact_url(&choice.url.to_string()));
            let mut headers = http::HeaderMap::new();
            headers.insert(
                http::header::USER_AGENT,
                http::HeaderValue::from_static(GO_USER_AGENT),
            );
            if let Some(accept) = opts.accept {
                headers.insert(http::header::ACCEPT, http::HeaderValue::from_static(accept));
            }
            let mut netrc_login = None;
            // GOAUTH's headers; on a redirect to another domain net/http drops the
            // sensitive ones and keeps the rest. go sets its User-Agent over any.
            for (name, value) in credentials.iter().flat_map(|c| c.headers.iter()) {
                let sensitive = name.eq_ignore_ascii_case("authorization");
                if (sensitive && !send_credentials)
                    || name.eq_ignore_ascii_case("user-agent")
                    || name.eq_ignore_ascii_case("host")
                {
                    continue;
                }
                if let (Ok(name), Ok(mut value)) = (
                    http::header::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_str(value),
                ) {
                    // Every header a GOAUTH provider supplies may carry a secret.
                    value.set_sensitive(true);
                    headers.append(name, value);
                }
                if sensitive && let Some(c) = credentials.filter(|c| c.source.provider == "netrc") {
                    netrc_login = c.source.login.clone();
                }
            }
            if send_credentials
                && !header_auth
                && let Some(user) = &current.user
            {
                let password = user.password.as_deref().unwrap_or("");
                insert_secret(
                    &mut headers,
                    http::header::AUTHORIZATION,
                    &goauth::basic(&user.username, password),
                );
            }
            if current.scheme == "http"
                && let Ok(Some(choice)) = self.settings.proxy.proxy_for_url(&current)
                && let Some(user) = &choice.url.user
            {
                crate::redact::register_userinfo(user);
                let password = user.password.as_deref().unwrap_or("");
                insert_secret(
                    &mut headers,
                    http::header::PROXY_AUTHORIZATION,
                    &goauth::basic(&user.username, password),
                );
            }
            let uri_text = without_userinfo(&current);
            let redacted = redact_url(&without_userinfo(&current));
            let uri = match uri_text.parse::<http::Uri>() {
                Ok(uri) => uri,
                Err(err) => {
                    let net = NetError::new(
                        Code::HttpInvalidResponse,
                        format!("invalid URL {}", crate::goquote::quote(&redacted)),
                    )
                    .with_detail(err.to_string());
                    return Err(transport_error(&redacted, net, hops));
                }
            };
            hops.push(Hop {
                url: redact_url(&current.to_string()),
                status: None,
                via_proxy: via_proxy.clone(),
                netrc_login,
                auth: None,
            });
            let transport = if opts.insecure_tls {
                &self.insecure
            } else {
                &self.secure
            };
            let remaining = deadline.saturating_duration_since(Instant::now());
            let outgoing = Outgoing {
                uri: &uri,
                headers: &headers,
            };
            let response = match tokio::time::timeout(remaining, transport.get(outgoing)).await {
                Err(_) => {
                    let text = if probe_bound {
                        super::bounds::deadline_text()
                    } else {
                        format!(
                            "no response within {}; {GO_WAITS}",
                            humantime::format_duration(opts.timeout)
                        )
                    };
                    let net = NetError::go_waits(Code::HttpTimeout, text);
                    return Err(transport_error(&redacted, net, hops));
                }
                Ok(Err(err)) => return Err(transport_error(&redacted, err, hops)),
                Ok(Ok(response)) => response,
            };
            let status = response.status.as_u16();
            if let Some(hop) = hops.last_mut() {
                hop.status = Some(status);
            }
            let location = response
                .headers
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let is_redirect = matches!(status, 301 | 302 | 303 | 307 | 308);
            if let (true, Some(location)) = (is_redirect, location) {
                let next = match resolve_reference(&current, &location) {
                    Ok(next) => next,
                    Err(err) => {
                        let net = NetError::new(
                            Code::HttpInvalidResponse,
                            format!(
                                "failed to parse Location header {}: {err}",
                                crate::goquote::quote(&location)
                            ),
                        );
                        return Err(transport_error(&redacted, net, hops));
                    }
                };
                if first_secure && next.scheme != "https" {
                    let text = format!(
                        "redirected from secure URL {} to insecure URL {}",
                        redact_url(&current.to_string()),
                        redact_url(&next.to_string())
                    );
                    let net = NetError::new(Code::HttpInsecureRedirect, text);
                    return Err(transport_error(&redact_url(&next.to_string()), net, hops));
                }
                if hops.len() >= MAX_REDIRECTS {
                    let net =
                        NetError::new(Code::HttpTooManyRedirects, "stopped after 10 redirects");
                    return Err(transport_error(&redact_url(&next.to_string()), net, hops));
                }
                // Go's transport speaks http and https only; anything else fails at
                // the next request, before any connection is made.
                if next.scheme != "http" && next.scheme != "https" {
                    let net = NetError::new(
                        Code::HttpUnsupportedScheme,
                        format!(
                            "unsupported protocol scheme {}",
                            crate::goquote::quote(&next.scheme)
                        ),
                    );
                    return Err(transport_error(&redact_url(&next.to_string()), net, hops));
                }
                let next_host = next.hostname().to_ascii_lowercase();
                if next_host != original_host && !next_host.ends_with(&format!(".{original_host}"))
                {
                    send_credentials = false;
                }
                current = next;
                continue;
            }
            let status_text = status_text(response.status, response.reason.as_deref());
            let goauth_head = (400..500)
                .contains(&status)
                .then(|| goauth_head(response.proto, &response.headers, &status_text));
            return Ok(Response {
                status,
                status_text,
                headers: response.headers,
                url: current,
                hops,
                elapsed: started.elapsed(),
                conn: Some(response.info),
                proto: response.proto,
                auth: AuthOutcome::default(),
                goauth_head,
                body: response.body,
                window: opts.timeout,
                window_end: Instant::now() + opts.timeout,
                window_bytes: 0,
            });
        }
    }
}

/// Adds a header that carries a credential, marked sensitive (HTTP/2 then keeps it out
/// of its header compression table). A value that is not a valid header value is left
/// out; go sends it as it is.
fn insert_secret(headers: &mut http::HeaderMap, name: http::header::HeaderName, value: &str) {
    if let Ok(mut value) = http::HeaderValue::from_str(value) {
        value.set_sensitive(true);
        headers.insert(name, value);
    }
}

/// `Get "<url>": <inner>`, Go's `url.Error` for a failed GET.
fn transport_error(redacted_url: &str, net: NetError, hops: Vec<Hop>) -> HttpError {
    let go_text = format!(
        "Get {}: {}",
        crate::goquote::quote(redacted_url),
        net.go_text
    );
    HttpError {
        net,
        go_text,
        hops,
        auth: AuthOutcome::default(),
    }
}

/// A response's status line and headers as the go command writes them to a GOAUTH
/// command's input (`writeResponseToStdin`): `HTTP/1.1 401 Unauthorized`, then each
/// header as `Name: v1, v2`, then a blank line.
fn goauth_head(proto: Proto, headers: &http::HeaderMap, status_text: &str) -> String {
    // go writes resp.Proto, which names HTTP/2 `HTTP/2.0`.
    let proto = match proto {
        Proto::Http2 => "HTTP/2.0",
        Proto::Http1 => "HTTP/1.1",
    };
    let mut head = format!("{proto} {status_text}\n");
    for name in headers.keys() {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        head.push_str(&format!(
            "{}: {}\n",
            goauth::canonical_header_key(name.as_str()),
            values.join(", ")
        ));
    }
    head.push('\n');
    head
}

/// The URL as it is put on the wire and named in errors: credentials removed (they
/// travel in headers) and no fragment.
fn without_userinfo(url: &gourl::Url) -> String {
    let mut copy = url.clone();
    copy.user = None;
    copy.fragment.clear();
    copy.raw_fragment.clear();
    copy.to_string()
}

/// Go's `resp.Status`: the code and the server's reason phrase (canonical text when the
/// server sent none, as over HTTP/2).
fn status_text(status: http::StatusCode, reason: Option<&str>) -> String {
    let code = status.as_u16();
    let reason = reason
        .map(str::to_string)
        .or_else(|| status.canonical_reason().map(str::to_string))
        .unwrap_or_default();
    if reason.is_empty() {
        code.to_string()
    } else {
        format!("{code} {reason}")
    }
}

/// Resolves a Location header against the URL it came from, as Go's `URL.Parse` on
/// the request URL does (`ResolveReference` with RFC 3986 dot-segment removal).
pub fn resolve_reference(base: &gourl::Url, reference: &str) -> Result<gourl::Url, gourl::Error> {
    let r = gourl::parse(reference)?;
    let mut url = r.clone();
    if r.scheme.is_empty() {
        url.scheme = base.scheme.clone();
    }
    if !r.scheme.is_empty() || !r.host.is_empty() || r.user.is_some() {
        set_escaped_path(&mut url, &resolve_path(&r.escaped_path(), ""));
        return Ok(url);
    }
    if !r.opaque.is_empty() {
        url.user = None;
        url.host.clear();
        url.path.clear();
        return Ok(url);
    }
    if r.path.is_empty() && !r.force_query && r.raw_query.is_empty() {
        url.raw_query = base.raw_query.clone();
        if r.fragment.is_empty() {
            url.fragment = base.fragment.clone();
            url.raw_fragment = base.raw_fragment.clone();
        }
    }
    url.host = base.host.clone();
    url.user = base.user.clone();
    set_escaped_path(
        &mut url,
        &resolve_path(&base.escaped_path(), &r.escaped_path()),
    );
    Ok(url)
}

/// Go's `URL.setPath`: the decoded path, with the escaped form kept as `RawPath`.
fn set_escaped_path(url: &mut gourl::Url, escaped: &str) {
    match gourl::path_unescape(escaped) {
        Ok(path) => {
            url.path = path;
            url.raw_path = escaped.to_string();
        }
        Err(_) => {
            url.path = escaped.to_string();
            url.raw_path.clear();
        }
    }
}

/// Go's `resolvePath`: merges a reference path with its base and removes `.` and `..`
/// segments, keeping a trailing slash where the last segment was one of them.
fn resolve_path(base: &str, reference: &str) -> String {
    let full = if reference.is_empty() {
        base.to_string()
    } else if !reference.starts_with('/') {
        let cut = base.rfind('/').map_or(0, |i| i + 1);
        format!("{}{reference}", &base[..cut])
    } else {
        reference.to_string()
    };
    if full.is_empty() {
        return String::new();
    }
    let mut dst = String::from("/");
    let mut first = true;
    let mut last = "";
    for elem in full.split('/') {
        last = elem;
        match elem {
            "." => first = false,
            ".." => {
                let rest = dst[1..].to_string();
                dst = String::from("/");
                match rest.rfind('/') {
                    Some(index) => dst.push_str(&rest[..index]),
                    None => first = true,
                }
            }
            _ => {
                if !first {
                    dst.push('/');
                }
                dst.push_str(elem);
                first = false;
            }
        }
    }
    if last == "." || last == ".." {
        dst.push('/');
    }
    if dst.len() > 1 && dst.as_bytes()[1] == b'/' {
        dst.remove(0);
    }
    dst
}

/// Go's words for a failure while reading a body (Go's `read "<url>": ` goes in
/// front): a body cut short is `unexpected EOF`, a broken chunked encoding `invalid
/// byte in chunk length`; hyper's own text stays in `detail`.
fn body_error(err: &hyper::Error) -> NetError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::InvalidData && io.to_string().contains("chunk") {
                return NetError::new(Code::HttpInvalidResponse, "invalid byte in chunk length")
                    .with_detail(io.to_string());
            }
            return dial::classify_io(io, None, None, "read");
        }
        source = s.source();
    }
    NetError::new(Code::TcpReset, "unexpected EOF").with_detail(err.to_string())
}

/// Classifies a failure hyper reported for a request: a connection closed before a
/// whole response (`EOF`), a response that is not HTTP, or the I/O error under it.
pub(crate) fn classify_hyper_error(err: &hyper::Error) -> NetError {
    if err.is_incomplete_message() || err.is_canceled() {
        return NetError::new(Code::TcpReset, "EOF")
            .with_detail("the server closed the connection without a complete response");
    }
    if err.is_parse() {
        // Go quotes the status line it could not parse; hyper does not keep it.
        return NetError::new(
            Code::HttpInvalidResponse,
            "net/http: HTTP/1.x transport connection broken: malformed HTTP response",
        )
        .with_detail(err.to_string());
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return dial::classify_io(io, None, None, "read");
        }
        source = s.source();
    }
    NetError::new(Code::TcpReset, "EOF").with_detail(err.to_string())
}

/// A connection made by [`GoConnector`].
pub struct GoConn {
    io: TokioIo<Box<dyn Io>>,
    pub(crate) info: ConnInfo,
    pub(crate) negotiated_h2: bool,
}

/// What a connection went through, attached to responses as an extension.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnInfo {
    /// The address connected to (the proxy's, when one is used).
    pub remote: Option<SocketAddr>,
    /// The proxy, credentials redacted.
    pub via_proxy: Option<String>,
    /// The negotiated ALPN protocol.
    pub alpn: Option<String>,
}

impl GoConn {
    /// The byte stream, for a protocol that reads it with tokio's traits.
    pub(crate) fn into_tokio_io(self) -> Box<dyn Io> {
        self.io.into_inner()
    }
}

#[cfg(test)]
impl GoConn {
    /// A connection over `io` as if [`GoConnector`] had made it, for the tests of the
    /// transport's pools.
    pub(crate) fn over(io: impl Io + 'static, negotiated_h2: bool) -> GoConn {
        GoConn {
            io: TokioIo::new(Box::new(io)),
            info: ConnInfo::default(),
            negotiated_h2,
        }
    }
}

impl hyper::rt::Read for GoConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for GoConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Opens connections the way Go's transport does: direct or through the proxy Go's
/// rules choose, then TLS for https targets.
#[derive(Clone)]
struct GoConnector {
    settings: Arc<HttpSettings>,
    target_tls: Arc<rustls::ClientConfig>,
    proxy_tls: Arc<rustls::ClientConfig>,
}

impl transport::Dialer for GoConnector {
    fn dial(
        &self,
        uri: http::Uri,
    ) -> Pin<Box<dyn Future<Output = Result<GoConn, NetError>> + Send>> {
        let this = self.clone();
        Box::pin(async move { this.connect(uri).await })
    }
}

impl GoConnector {
    async fn connect(&self, uri: http::Uri) -> Result<GoConn, NetError> {
        let scheme = uri.scheme_str().unwrap_or("http").to_string();
        let host = uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = uri
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        let opener = conn::Opener {
            proxy: &self.settings.proxy,
            resolver: self.settings.resolver.as_ref(),
            proxy_tls: Arc::clone(&self.proxy_tls),
            connect_timeout: self.settings.connect_timeout,
        };
        let target = conn::Target {
            scheme: &scheme,
            host: &host,
            port,
            addr: None,
        };
        let mut trace = conn::ConnTrace::default();
        let (stream, _) = opener.open(target, &mut trace).await?;
        let mut info = ConnInfo {
            remote: trace.remote,
            via_proxy: trace.via_proxy,
            alpn: None,
        };
        if scheme == "https" {
            let (tls_stream, alpn) =
                tls::handshake(stream, &host, Arc::clone(&self.target_tls)).await?;
            let negotiated_h2 = alpn.as_deref() == Some("h2");
            info.alpn = alpn;
            let boxed: Box<dyn Io> = Box::new(tls_stream);
            return Ok(GoConn {
                io: TokioIo::new(boxed),
                info,
                negotiated_h2,
            });
        }
        Ok(GoConn {
            io: TokioIo::new(stream),
            info,
            negotiated_h2: false,
        })
    }
}

/// Go's error text for a non-200 answer (`web.HTTPError`): `reading <url>: <status>`,
/// followed by the server's own explanation when it sent one as plain text
/// (`\n\tserver response: ...`). `body_start` is the start of the body (Go looks at
/// the first 648 bytes); credentials in it are replaced before it is cut, and the start
/// of one where a body of 648 bytes or more ends (the go command prints them as they
/// are).
pub fn status_error_text(
    redacted_url: &str,
    status_text: &str,
    content_type: Option<&str>,
    body_start: &[u8],
) -> String {
    // A caller may have cut the body where Go stops looking.
    let body = if body_start.len() >= MAX_ERROR_DETAIL_BYTES {
        crate::redact::scrub_cut_bytes(body_start)
    } else {
        crate::redact::scrub_bytes(body_start)
    };
    let detail = error_detail(content_type, &body);
    if detail.is_empty() {
        return format!("reading {redacted_url}: {status_text}");
    }
    let separator = if detail.contains('\n') { "\n\t" } else { " " };
    format!("reading {redacted_url}: {status_text}\n\tserver response:{separator}{detail}")
}

/// The record code for a non-200 answer. 404 and 410 are the ones Go treats as "not
/// found" (they fall through a `,` GOPROXY list).
pub fn status_code(status: u16) -> Code {
    match status {
        404 => Code::HttpNotFound,
        410 => Code::HttpGone,
        401 => Code::HttpUnauthorized,
        403 => Code::HttpForbidden,
        500..=599 => Code::HttpServerError,
        _ => Code::HttpStatus,
    }
}

/// The most body bytes Go keeps for an error detail (8 lines of 81 bytes).
pub const MAX_ERROR_DETAIL_BYTES: usize = 8 * 81;
const MAX_ERROR_DETAIL_LINES: usize = 8;

/// Go's `formatErrorDetail`: only for `text/plain` in UTF-8 or US-ASCII (or no
/// charset); dropped entirely if any character is neither graphic nor space; cut at
/// the first blank line, 8 lines and 648 bytes.
fn error_detail(content_type: Option<&str>, body_start: &[u8]) -> String {
    let Some(content_type) = content_type else {
        return String::new();
    };
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    if media != "text/plain" {
        return String::new();
    }
    let charset = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(charset.as_str(), "" | "us-ascii" | "utf-8") {
        return String::new();
    }
    let captured = &body_start[..body_start.len().min(MAX_ERROR_DETAIL_BYTES)];
    let Ok(text) = std::str::from_utf8(captured) else {
        return String::new();
    };
    if text
        .chars()
        .any(|c| !is_go_graphic(c) && !c.is_whitespace())
    {
        return String::new();
    }
    let mut detail = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if i > 0 {
            detail.push_str("\n\t");
        }
        if i >= MAX_ERROR_DETAIL_LINES {
            detail.push_str("[Truncated: too many lines.]");
            break;
        }
        if detail.len() + line.len() > MAX_ERROR_DETAIL_BYTES {
            detail.push_str("[Truncated: too long.]");
            break;
        }
        detail.push_str(line);
    }
    detail
}

/// Go's `unicode.IsGraphic`: letters, marks, numbers, punctuation, symbols and the
/// space separators; control and format characters are not graphic.
fn is_go_graphic(c: char) -> bool {
    !c.is_control()
        && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_errors_carry_plain_text_detail() {
        let url = "https://p.example/m/@v/list";
        assert_eq!(
            status_error_text(url, "404 Not Found", None, b"x"),
            "reading https://p.example/m/@v/list: 404 Not Found"
        );
        assert_eq!(
            status_error_text(
                url,
                "404 Not Found",
                Some("text/plain; charset=utf-8"),
                b"not found: m\n"
            ),
            "reading https://p.example/m/@v/list: 404 Not Found\n\tserver response: not found: m"
        );
        assert_eq!(
            status_error_text(url, "410 Gone", Some("text/plain"), b"a\nb\n\nc"),
            "reading https://p.example/m/@v/list: 410 Gone\n\tserver response:\n\ta\n\tb"
        );
        // A control character drops the whole detail.
        assert_eq!(
            status_error_text(
                url,
                "500 Internal Server Error",
                Some("text/plain"),
                b"\x1b[31mred"
            ),
            "reading https://p.example/m/@v/list: 500 Internal Server Error"
        );
        assert_eq!(
            status_error_text(url, "500 Internal Server Error", Some("text/html"), b"oops"),
            "reading https://p.example/m/@v/list: 500 Internal Server Error"
        );
        let many: String = (0..10).map(|i| format!("line{i}\n")).collect();
        assert!(
            status_error_text(url, "404 Not Found", Some("text/plain"), many.as_bytes())
                .ends_with("\n\tline7\n\t[Truncated: too many lines.]")
        );
    }

    #[test]
    fn resolve_path_follows_go() {
        // Cases from Go's net/url resolvePath tests.
        let cases = [
            ("a/b", ".", "/a/"),
            ("a/b", "c", "/a/c"),
            ("a/b", "..", "/"),
            ("a/", "..", "/"),
            ("a/", "../..", "/"),
            ("a/b/c", "..", "/a/"),
            ("a/b/c", "../d", "/a/d"),
            ("a/b/c", ".././d", "/a/d"),
            ("a/b", "./..", "/"),
            ("a/./b", ".", "/a/"),
            ("a/../", ".", "/"),
            ("a/.././b", "c", "/c"),
        ];
        for (base, reference, want) in cases {
            assert_eq!(
                resolve_path(base, reference),
                want,
                "resolve_path({base:?}, {reference:?})"
            );
        }
    }
}
