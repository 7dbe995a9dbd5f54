//! The vocabulary of beltwatch: documents and the facts extracted from them, the border
//! sectors they are assessed in, the alerts they raise, and who may see each of them.
//!
//! This crate owns types only. It does no I/O and reads no clock: every timestamp is given
//! to it. Values that input can get wrong are newtypes with fallible constructors, so a
//! value of one of these types is known to be valid wherever it travels.
//!
//! Conventions that hold for every type here:
//! - coordinates are WGS 84 degrees in the order longitude, latitude ([`LonLat`]);
//! - distances and lengths are metres;
//! - text spans are UTF-8 byte offsets into a document's *normalised* text ([`Span`]);
//! - timestamps are UTC, with the precision the source gave ([`When`]).

mod access;
mod document;
mod event;
mod geo;
mod ids;
mod rating;
mod time;

pub use access::{Distribution, Marking, Organisation, Role, SharingGroup, Tlp, User, Viewer, may_see};
pub use document::{ContentHash, Document, DocumentFormat, Language, Mention, MentionKind, Span};
pub use event::{
    Actor, ActorKind, ActorRole, Alert, AlertCondition, AlertRule, AlertStatus, Category, Claim, Event, EventActor,
    EventPlace, EventType, LinkRelation, Quantity, QuantityKind, Sector, Stance, ThreatLevel, Unit,
};
pub use geo::{CountryCode, GeoPrecision, LonLat, Place, PlaceKind};
pub use ids::{
    ActorId, AlertId, AlertRuleId, ClaimId, DocumentId, EventId, OrganisationId, PlaceId, SectorId, SharingGroupId,
    SourceId, TokenId, UserId,
};
pub use rating::{Credibility, Reliability, Source, SourceKind};
pub use time::{Precision, When};

/// A value that input supplied and that failed validation. The message names the value
/// and what was expected; callers add where it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {value:?}: expected {expected}")]
pub struct InvalidValue {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl InvalidValue {
    pub(crate) fn new(what: &'static str, value: &str, expected: &'static str) -> Self {
        Self { what, value: value.chars().take(80).collect(), expected }
    }
}

/// Declares an enum whose variants have stable lower-case names used in JSON, in the
/// store and on the command line, with `as_str`, `FromStr`, `Display` and `ALL`.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name used in JSON, the store and the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::InvalidValue::new(
                        $what,
                        s,
                        concat!("one of: ", $($text, " "),+),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use named_enum;

#[cfg(test)]
mod tests;
