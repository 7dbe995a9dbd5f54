//! Stable identifiers. Records that travel between instances (documents, events, claims,
//! alerts, organisations) carry UUIDs; documents' and sources' UUIDs are derived from their
//! content or name, so two instances that ingest the same report agree on its id. Reference
//! data (actors, places, sectors) carries readable slugs that stay the same across releases.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::InvalidValue;

/// The namespace of beltwatch's name-based (version 5) UUIDs.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x6b1f_4c2e_93a7_4d0b_8e55_2f0c_b3e1_7a94);

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an existing UUID (for example one read back from the store).
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside. New records get theirs (version 7, time-ordered) from the
            /// store or the pipeline, since this crate reads no clock.
            pub fn uuid(&self) -> Uuid {
                self.0
            }

            /// The id named by `key` in this kind's namespace: the same key always gives
            /// the same id, on every instance.
            pub fn derived(key: &[u8]) -> Self {
                let kind = Uuid::new_v5(&NAMESPACE, stringify!($name).as_bytes());
                Self(Uuid::new_v5(&kind, key))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| InvalidValue::new(stringify!($name), s, "a UUID"))
            }
        }
    };
}

uuid_id!(
    /// A document, derived from its content hash.
    DocumentId
);
uuid_id!(
    /// A source of documents, derived from its normalised name.
    SourceId
);
uuid_id!(
    /// An event.
    EventId
);
uuid_id!(
    /// A claim made by an actor.
    ClaimId
);
uuid_id!(
    /// An alert that a rule raised.
    AlertId
);
uuid_id!(
    /// An alert rule.
    AlertRuleId
);
uuid_id!(
    /// An organisation (a partner centre); unique across instances.
    OrganisationId
);
uuid_id!(
    /// A sharing group of organisations.
    SharingGroupId
);
uuid_id!(
    /// A user of the server.
    UserId
);
uuid_id!(
    /// An API token (its id, never its secret).
    TokenId
);

macro_rules! slug_id {
    ($(#[$meta:meta])* $name:ident, $expected:literal, $valid:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                let valid: fn(&str) -> bool = $valid;
                if valid(&s) {
                    Ok(Self(s))
                } else {
                    Err(InvalidValue::new(stringify!($name), &s, $expected))
                }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::try_from(s.to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

slug_id!(
    /// An actor in the actor dictionary: a lower-case slug such as `iskp` or `csto`.
    ActorId,
    "a lower-case slug of letters, digits, '-' and '_' (at most 64)",
    is_slug
);
slug_id!(
    /// A place in the gazetteer: `<namespace>:<key>`, such as `geonames:1221874` or
    /// `bw:hairatan` for the curated entries.
    PlaceId,
    "'<namespace>:<key>' with a lower-case namespace",
    |s| match s.split_once(':') {
        Some((ns, key)) => is_slug(ns) && !key.is_empty() && key.len() <= 64 && !key.contains(char::is_whitespace),
        None => false,
    }
);
slug_id!(
    /// A border sector: the two countries' ISO codes and a three-digit index along the
    /// border, such as `AF-TJ-017`.
    SectorId,
    "'CC-CC-NNN', such as AF-TJ-017",
    |s| {
        let b = s.as_bytes();
        b.len() == 9
            && b[..2].iter().all(u8::is_ascii_uppercase)
            && b[2] == b'-'
            && b[3..5].iter().all(u8::is_ascii_uppercase)
            && b[5] == b'-'
            && b[6..].iter().all(u8::is_ascii_digit)
    }
);

impl SectorId {
    /// The id of sector `number` (counted from 1) along the border between `a` and `b`.
    pub fn new(a: crate::CountryCode, b: crate::CountryCode, number: u16) -> Result<Self, InvalidValue> {
        format!("{a}-{b}-{number:03}").parse()
    }
}
