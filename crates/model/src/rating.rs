//! Sources of documents and the Admiralty (NATO) scale on which analysts rate them:
//! reliability of the source A–F, credibility of a piece of information 1–6.

use serde::{Deserialize, Serialize};

use crate::{SourceId, named_enum};

named_enum! {
    /// Reliability of a source, as the Admiralty scale grades it.
    #[derive(Default)]
    pub enum Reliability ("reliability") {
        /// Completely reliable.
        A = "A",
        /// Usually reliable.
        B = "B",
        /// Fairly reliable.
        C = "C",
        /// Not usually reliable.
        D = "D",
        /// Unreliable.
        E = "E",
        /// Reliability cannot be judged: the grade of every source nobody has rated yet.
        #[default]
        F = "F",
    }
}

named_enum! {
    /// Credibility of a piece of information, as the Admiralty scale grades it.
    pub enum Credibility ("credibility") {
        /// Confirmed by other sources.
        Confirmed = "1",
        /// Probably true.
        ProbablyTrue = "2",
        /// Possibly true.
        PossiblyTrue = "3",
        /// Doubtful.
        Doubtful = "4",
        /// Improbable.
        Improbable = "5",
        /// Truth cannot be judged.
        CannotBeJudged = "6",
    }
}

named_enum! {
    /// How documents from a source reach beltwatch.
    pub enum SourceKind ("source kind") {
        /// Files given to `beltwatch ingest`.
        File = "file",
        /// An RSS or Atom feed.
        Feed = "feed",
        /// A web page fetched by its address.
        Web = "web",
        /// Documents pushed through the API.
        Api = "api",
        /// A partner instance or TAXII server.
        Partner = "partner",
    }
}

/// Where documents come from: an outlet, an agency, a partner. Sources are identified by
/// their name, so the same outlet reached through a feed and through files is one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub id: SourceId,
    pub name: String,
    pub kind: SourceKind,
    /// The feed's or site's address, when there is one.
    pub url: Option<String>,
    pub reliability: Reliability,
}

impl Source {
    /// The id every instance gives the source of this name: names are compared after
    /// trimming and lower-casing, so "TASS" and "tass " are one source.
    pub fn id_for_name(name: &str) -> SourceId {
        SourceId::derived(name.trim().to_lowercase().as_bytes())
    }

    pub fn new(name: &str, kind: SourceKind, url: Option<String>) -> Self {
        Self {
            id: Self::id_for_name(name),
            name: name.trim().to_owned(),
            kind,
            url,
            reliability: Reliability::default(),
        }
    }
}
