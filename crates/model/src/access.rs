//! Who owns a record and who else may see it: organisations, sharing groups, the Traffic
//! Light Protocol 2.0 marking and the distribution level. The policy that combines them
//! lives with the server; this module only names the values.

use serde::{Deserialize, Serialize};

use crate::{InvalidValue, OrganisationId, SharingGroupId, named_enum};

named_enum! {
    /// A TLP 2.0 marking. Names are the standard's labels without the `TLP:` prefix,
    /// lower-case: `clear`, `green`, `amber`, `amber+strict`, `red`.
    pub enum Tlp ("TLP marking") {
        Clear = "clear",
        Green = "green",
        Amber = "amber",
        AmberStrict = "amber+strict",
        Red = "red",
    }
}

impl Tlp {
    /// Reads a marking as people write it: `amber`, `TLP:AMBER`, `tlp:amber+strict`;
    /// `white` is TLP 1.0's name for `clear`.
    pub fn parse_loose(text: &str) -> Result<Self, InvalidValue> {
        let lower = text.trim().to_ascii_lowercase();
        let bare = lower.strip_prefix("tlp:").unwrap_or(&lower);
        match bare {
            "white" => Ok(Tlp::Clear),
            other => other.parse(),
        }
    }

    /// The label as TLP 2.0 prints it, such as `TLP:AMBER+STRICT`.
    pub fn label(self) -> String {
        format!("TLP:{}", self.as_str().to_ascii_uppercase())
    }
}

/// Which organisations a record is distributed to, beyond the marking's own limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "level", rename_all = "snake_case")]
pub enum Distribution {
    /// Only the owning organisation.
    Organisation,
    /// The owner and the members of one sharing group.
    SharingGroup { group: SharingGroupId },
    /// Every partner organisation of the instance.
    AllPartners,
}

impl Distribution {
    /// The level's stable name, as stored (`organisation`, `sharing_group`, `all_partners`).
    pub fn level(&self) -> &'static str {
        match self {
            Distribution::Organisation => "organisation",
            Distribution::SharingGroup { .. } => "sharing_group",
            Distribution::AllPartners => "all_partners",
        }
    }

    /// The inverse of [`Distribution::level`], with the group for `sharing_group`.
    pub fn from_parts(level: &str, group: Option<SharingGroupId>) -> Result<Self, InvalidValue> {
        match (level, group) {
            ("organisation", _) => Ok(Distribution::Organisation),
            ("all_partners", _) => Ok(Distribution::AllPartners),
            ("sharing_group", Some(group)) => Ok(Distribution::SharingGroup { group }),
            _ => Err(InvalidValue::new(
                "distribution",
                level,
                "organisation, sharing_group (with a group) or all_partners",
            )),
        }
    }
}

/// Ownership and handling of one record: every document and event carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marking {
    pub owner: OrganisationId,
    pub tlp: Tlp,
    pub distribution: Distribution,
}

/// A partner centre. Each instance has at least its own (the local organisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
}

/// A named set of organisations that share records marked for the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingGroup {
    pub id: SharingGroupId,
    pub name: String,
    pub members: Vec<OrganisationId>,
}

named_enum! {
    /// What a user may do: read; also write records; also manage organisations and users.
    pub enum Role ("role") {
        Viewer = "viewer",
        Analyst = "analyst",
        Admin = "admin",
    }
}

impl Role {
    pub fn may_write(self) -> bool {
        matches!(self, Role::Analyst | Role::Admin)
    }

    pub fn may_administer(self) -> bool {
        self == Role::Admin
    }
}

/// Whoever is reading: their organisation and the sharing groups it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub organisation: OrganisationId,
    pub groups: Vec<SharingGroupId>,
}

/// The visibility policy, the one place that decides who may see a record:
///
/// - the owning organisation always sees its records;
/// - TLP:RED and TLP:AMBER+STRICT records stay with their owner (beltwatch keeps no
///   named-recipient lists, so RED goes no further than AMBER+STRICT);
/// - otherwise the distribution decides: the owner alone, the members of the sharing
///   group, or every partner organisation.
///
/// The store renders the same rule as SQL (`store::sqlite::visibility_sql`); a test
/// checks that the two agree on every combination.
pub fn may_see(viewer: &Viewer, marking: &Marking) -> bool {
    if marking.owner == viewer.organisation {
        return true;
    }
    if matches!(marking.tlp, Tlp::Red | Tlp::AmberStrict) {
        return false;
    }
    match &marking.distribution {
        Distribution::Organisation => false,
        Distribution::SharingGroup { group } => viewer.groups.contains(group),
        Distribution::AllPartners => true,
    }
}

/// A person who uses the server, in one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: crate::UserId,
    pub organisation: OrganisationId,
    pub name: String,
    pub role: Role,
}
