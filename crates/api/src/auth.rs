//! Who is calling: bearer tokens (random, shown once, stored as SHA-256, revocable, with an
//! expiry), the caller's role and what their organisation may see, and the per-token rate
//! limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use chrono::Utc;
use model::{Role, TokenId, User, Viewer};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::problem::Problem;

/// The prefix that marks a beltwatch token, so that a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "bwt_";

/// A new token secret: the prefix and 32 random bytes in hex.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{TOKEN_PREFIX}{}", hex(&bytes)))
}

/// The SHA-256 of a secret, in hex: what the store keeps.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub token: TokenId,
    pub viewer: Viewer,
    /// The SHA-256 of the token's secret, to check it again during a long request.
    hash: String,
}

impl Caller {
    /// Refuses callers who may not write (viewers).
    pub fn must_write(&self) -> Result<(), Problem> {
        if self.user.role.may_write() {
            Ok(())
        } else {
            Err(Problem::forbidden(format!(
                "a {} may read but not write; ask an admin for the analyst role",
                self.user.role
            )))
        }
    }

    /// Refuses callers who are not admins.
    pub fn must_administer(&self) -> Result<(), Problem> {
        if self.user.role == Role::Admin {
            Ok(())
        } else {
            Err(Problem::forbidden("only admins manage organisations, users, groups and the audit trail"))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| Problem::unauthorized("send a token: Authorization: Bearer bwt_..."))?;
        let secret = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Problem::unauthorized("the Authorization header must be `Bearer <token>`"))?;
        let hash = hash_secret(secret);
        let (token, user) = valid_token(state, &hash).await?;
        state.limiter.admit(token)?;
        let viewer = state.viewer_of(user.organisation).await?;
        Ok(Caller { user, token, viewer, hash })
    }
}

/// The token of a secret's hash, and its user, while the token is neither revoked nor
/// expired and its user is the same; what the store says is at most the token cache's
/// second old.
async fn valid_token(state: &AppState, hash: &str) -> Result<(TokenId, User), Problem> {
    let Some((token, user)) = state.token(hash.to_owned()).await? else {
        return Err(Problem::unauthorized("unknown token"));
    };
    if token.revoked_at.is_some() {
        return Err(Problem::unauthorized("this token was revoked"));
    }
    if token.expires_at <= Utc::now() {
        return Err(Problem::unauthorized(format!("this token expired at {}", token.expires_at)));
    }
    Ok((token.id, user))
}

impl Caller {
    /// Whether the caller's token still admits it: a long request (the alert stream)
    /// asks every second and ends when it no longer does.
    pub async fn still_admitted(&self, state: &AppState) -> bool {
        match valid_token(state, &self.hash).await {
            Ok((token, user)) => token == self.token && user == self.user,
            Err(_) => false,
        }
    }
}

/// A token bucket per token: `rate` requests a second on average, bursts up to `burst`.
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<TokenId, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> Self {
        Self { rate, burst: burst.max(1.0), buckets: Mutex::new(HashMap::new()) }
    }

    pub fn admit(&self, token: TokenId) -> Result<(), Problem> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, at) = buckets.entry(token).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - *tokens) / self.rate).ceil().max(1.0) as u64;
            Err(Problem::too_many(wait))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashed() {
        let (a, b) = (new_secret().expect("random"), new_secret().expect("random"));
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(hash_secret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn the_limiter_allows_a_burst_then_refuses() {
        let limiter = RateLimiter::new(1.0, 3.0);
        let token = TokenId::derived(b"t");
        for _ in 0..3 {
            assert!(limiter.admit(token).is_ok());
        }
        assert!(limiter.admit(token).is_err());
        assert!(limiter.admit(TokenId::derived(b"other")).is_ok(), "buckets are per token");
    }
}
