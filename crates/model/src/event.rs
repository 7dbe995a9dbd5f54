//! What happened, who said what, where it happened on the belt, and the alerts it raised.
//! Extraction fills these in from documents; the belt and the alert rules read them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    ActorId, AlertId, AlertRuleId, ClaimId, CountryCode, Credibility, DocumentId, EventId, GeoPrecision, LonLat,
    Marking, Mention, OrganisationId, PlaceId, SectorId, Span, When, named_enum,
};

named_enum! {
    /// The threat categories, and the two non-threat ones.
    pub enum Category ("category") {
        Terrorism = "terrorism",
        IllegalMigration = "illegal_migration",
        WeaponsTrafficking = "weapons_trafficking",
        DrugTrafficking = "drug_trafficking",
        /// Shootings, clashes and infiltration at the border.
        BorderIncident = "border_incident",
        /// Agreements, exercises, joint operations and policy such as the security belt.
        Cooperation = "cooperation",
        /// Warnings, accusations and denials.
        Statement = "statement",
    }
}

impl Category {
    /// Whether the category is one of the threats that raise a sector's level.
    pub fn is_threat(self) -> bool {
        !matches!(self, Category::Cooperation | Category::Statement)
    }
}

named_enum! {
    /// Event types, after the public event ontologies (ACLED, CAMEO/PLOVER).
    pub enum EventType ("event type") {
        Attack = "attack",
        ArmedClash = "armed_clash",
        Seizure = "seizure",
        Arrest = "arrest",
        IllegalCrossing = "illegal_crossing",
        Threat = "threat",
        Accusation = "accusation",
        Denial = "denial",
        Agreement = "agreement",
        ExerciseOrDeployment = "exercise_or_deployment",
        PolicyAnnouncement = "policy_announcement",
    }
}

named_enum! {
    /// Whether the reports assert that something happened, or someone denies it.
    pub enum Stance ("stance") {
        Asserted = "asserted",
        Denied = "denied",
        /// One side asserts and another denies.
        Disputed = "disputed",
    }
}

named_enum! {
    /// What an actor did in an event.
    pub enum ActorRole ("actor role") {
        /// Carried out an attack, smuggled, crossed illegally.
        Perpetrator = "perpetrator",
        /// Was attacked or targeted.
        Target = "target",
        /// Acted against the perpetrator: seized, arrested, intercepted.
        Authority = "authority",
        /// Took part in an agreement, exercise or joint operation.
        Participant = "participant",
        /// Made the statement reported.
        Speaker = "speaker",
    }
}

named_enum! {
    /// What a quantity counts (the evaluation format's vocabulary).
    pub enum QuantityKind ("quantity kind") {
        Heroin = "heroin",
        Opium = "opium",
        Hashish = "hashish",
        Cannabis = "cannabis",
        Methamphetamine = "methamphetamine",
        Cocaine = "cocaine",
        OtherDrugs = "other_drugs",
        Firearms = "firearms",
        Ammunition = "ammunition",
        Explosives = "explosives",
        Killed = "killed",
        Injured = "injured",
        Detained = "detained",
        Migrants = "migrants",
    }
}

named_enum! {
    /// Units of a quantity: masses, volume, counts.
    pub enum Unit ("unit") {
        Kilogram = "kg",
        Gram = "g",
        Tonne = "t",
        Litre = "l",
        Items = "items",
        Persons = "persons",
    }
}

impl Unit {
    /// The factor that converts this unit to kilograms, for masses.
    pub fn to_kg(self) -> Option<f64> {
        match self {
            Unit::Kilogram => Some(1.0),
            Unit::Gram => Some(0.001),
            Unit::Tonne => Some(1000.0),
            Unit::Litre | Unit::Items | Unit::Persons => None,
        }
    }
}

/// An amount reported in a document: "1.5 tonnes of hashish", "17 militants killed".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    pub kind: QuantityKind,
    pub value: f64,
    pub unit: Unit,
    pub span: Span,
}

/// An actor taking part in an event, with the spans that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventActor {
    pub actor: ActorId,
    pub role: ActorRole,
    #[serde(default)]
    pub spans: Vec<Span>,
}

/// Where an event happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPlace {
    /// The gazetteer entry, when the place resolved to one.
    pub place: Option<PlaceId>,
    pub name: String,
    pub country: Option<CountryCode>,
    pub point: Option<LonLat>,
    pub precision: GeoPrecision,
}

/// Something that happened, or was claimed to, as one or more documents report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub category: Category,
    pub event_type: EventType,
    pub when: Option<When>,
    pub place: Option<EventPlace>,
    pub stance: Stance,
    /// The documents that report the event; more than one after corroboration.
    #[serde(default)]
    pub documents: Vec<DocumentId>,
    /// How sure beltwatch is that the event happened as described, from 0 to 1.
    pub confidence: f32,
    pub credibility: Credibility,
    pub sector: Option<SectorId>,
    pub marking: Marking,
    // The bulky parts come last, in this order: stores keep them together as one JSON
    // object and may append it to the fields above as it is.
    // Exchange formats leave out empty lists: a missing one reads as empty.
    #[serde(default)]
    pub actors: Vec<EventActor>,
    #[serde(default)]
    pub quantities: Vec<Quantity>,
    /// The spans that support each field, so an analyst can see why.
    #[serde(default)]
    pub evidence: Vec<Mention>,
}

/// A statement by an actor: a warning, an accusation, a denial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub id: ClaimId,
    pub document: DocumentId,
    pub speaker: Option<ActorId>,
    /// A person's name only as the quoted speaker, exactly as the source printed it.
    pub speaker_name: Option<String>,
    pub stance: Stance,
    pub span: Span,
    /// The event the claim is about, when it is about one.
    pub about: Option<EventId>,
}

named_enum! {
    /// What kind of organisation or group an actor is.
    pub enum ActorKind ("actor kind") {
        ArmedGroup = "armed_group",
        CriminalNetwork = "criminal_network",
        BorderService = "border_service",
        SecurityService = "security_service",
        Military = "military",
        Government = "government",
        RegionalOrganisation = "regional_organisation",
        InternationalOrganisation = "international_organisation",
        Media = "media",
    }
}

/// An organisation or group in the actor dictionary. beltwatch keeps no profiles of
/// private persons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: ActorId,
    pub name: String,
    pub kind: ActorKind,
    pub country: Option<CountryCode>,
    /// Names in English, Russian and local spellings, abbreviations included.
    pub aliases: Vec<String>,
}

named_enum! {
    /// A sector's threat level, after the impact levels of Europe's border surveillance.
    pub enum ThreatLevel ("threat level") {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
}

/// A stretch of a monitored border with a buffer on each side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sector {
    pub id: SectorId,
    /// Named after the nearest notable place.
    pub name: String,
    pub countries: [CountryCode; 2],
    /// The border line through the sector.
    pub line: Vec<LonLat>,
    pub length_m: f64,
    /// How far the sector reaches into each country from the line.
    pub depth_m: f64,
}

named_enum! {
    /// Where an alert is in its lifecycle.
    pub enum AlertStatus ("alert status") {
        New = "new",
        Acknowledged = "acknowledged",
        Closed = "closed",
    }
}

/// A rule that fired, for one incident or one sector's week; an organisation's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub rule: AlertRuleId,
    pub organisation: OrganisationId,
    pub fired_at: DateTime<Utc>,
    pub title: String,
    pub status: AlertStatus,
    /// The reports behind it (an incident's events), when it is about an incident.
    pub events: Vec<EventId>,
    pub sector: Option<SectorId>,
    /// What made it unique: the incident's first event, or a sector and week.
    pub dedup_key: String,
    pub acknowledged: Option<(crate::UserId, DateTime<Utc>)>,
    pub closed: Option<(crate::UserId, DateTime<Utc>)>,
}

/// What a rule watches for. Every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<ActorId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<EventType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<SectorId>,
    /// A polygon, as (lon, lat) points; the event must lie inside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<Vec<[f64; 2]>>,
    /// Fire when a sector's level (of `category`, or overall) reaches this level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_at_least: Option<ThreatLevel>,
    /// Fire when the spike detector flags a sector's week.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spike: bool,
}

impl AlertCondition {
    /// Whether the rule is about sectors (levels, spikes) rather than single incidents.
    pub fn is_sector_rule(&self) -> bool {
        self.level_at_least.is_some() || self.spike
    }
}

/// A stored rule: whose it is, what it watches, where it delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    pub id: AlertRuleId,
    pub organisation: OrganisationId,
    pub name: String,
    pub condition: AlertCondition,
    /// Where alerts are posted, signed with the rule's secret (never shown again).
    pub webhook_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

named_enum! {
    /// How an event belongs to an incident that several reports describe.
    pub enum LinkRelation ("link relation") {
        /// Reports the same incident.
        Corroborates = "corroborates",
        /// Disputes or denies it.
        Contests = "contests",
    }
}
