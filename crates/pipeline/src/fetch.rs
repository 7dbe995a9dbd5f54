//! Reading inputs from HTTP(S) URLs.

use std::time::Duration;

use formats::{Diagnostic, InputKind, Problem};

use crate::inputs::read_at_most;

/// The longest a fetch may take, connection to last byte.
const TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) struct Fetcher {
    agent: ureq::Agent,
}

pub(crate) struct Fetched {
    pub kind: InputKind,
    pub body: Vec<u8>,
}

impl Fetcher {
    pub(crate) fn new() -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .user_agent(concat!("beltwatch/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self { agent }
    }

    /// Fetches `url`, whose body may be at most `max_bytes`: reading stops past it.
    pub(crate) fn fetch(&self, url: &str, max_bytes: u64) -> Result<Fetched, Diagnostic> {
        let fail = |problem| Diagnostic::new(url, None, problem);
        let mut response = self.agent.get(url).call().map_err(|e| fail(Problem::Unreachable(e.to_string())))?;
        let status = response.status();
        if !status.is_success() {
            return Err(fail(Problem::Unreachable(format!("HTTP {status}"))));
        }
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        // Refused unread when the server says it is too large; the limit holds while
        // reading too, on the decompressed bytes, whatever the server said.
        let expected = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0);
        if expected > max_bytes {
            return Err(fail(Problem::InputTooLarge { limit: max_bytes }));
        }
        let body = read_at_most(response.body_mut().as_reader(), max_bytes, expected)
            .map_err(|e| fail(Problem::Unreachable(e.to_string())))?
            .ok_or_else(|| fail(Problem::InputTooLarge { limit: max_bytes }))?;
        let from_path = url
            .split(['?', '#'])
            .next()
            .and_then(|path| path.rsplit('/').next())
            .and_then(|name| name.rsplit_once('.'))
            .and_then(|(_, extension)| InputKind::from_extension(extension));
        // A generic content type says less than the URL's extension does.
        let generic = matches!(
            content_type.as_deref().and_then(|c| c.split(';').next()).map(str::trim),
            None | Some("text/plain" | "application/octet-stream" | "text/xml" | "application/xml")
        );
        let kind = match from_path {
            Some(kind) if generic => Some(kind),
            _ => InputKind::from_content_type(content_type.as_deref(), &body).or(from_path),
        };
        let kind = kind.ok_or_else(|| {
            fail(Problem::UnsupportedType(content_type.clone().unwrap_or_else(|| "no content type".into())))
        })?;
        Ok(Fetched { kind, body })
    }
}
