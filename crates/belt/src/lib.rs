//! The security belt: the watched borders cut into sectors, events assigned to them,
//! reports of one incident merged, and every sector's threat level computed, explained and
//! followed over time.
//!
//! The crate is pure: it takes events and returns assessments. The store keeps what must
//! last (merge records); the binary loads events and prints.
//!
//! - [`sectors`]: borders, sectors and the spatial index that assigns points to them.
//! - [`corroborate`]: which events report the same incident, and how credible it is.
//! - [`assess`]: threat levels per sector and category, with their explanation.
//! - [`trend`]: weekly counts and the spike detector.

pub mod assess;
pub mod corroborate;
pub mod geo;
pub mod sectors;
pub mod trend;

use chrono::NaiveDate;
use model::{ActorId, Category, CountryCode, EventType, Quantity, Reliability, Stance};

pub use assess::{Assessment, Contribution, LevelModel, SectorLevel};
pub use corroborate::{Incident, Link, LinkKind, Rules};
pub use sectors::{Assignment, BeltSector, Border, Landmark, SectorIndex, SectorSpec};

#[derive(Debug, thiserror::Error)]
pub enum BeltError {
    #[error("embedded data is damaged: {0}")]
    Data(String),
    #[error("no border {border} in the data; known borders: {known}")]
    UnknownBorder { border: String, known: String },
    #[error("{0}")]
    Spec(String),
}

/// A document that reports an event, as the belt weighs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub document: String,
    /// The outlet: reports from one outlet are not independent of each other.
    pub outlet: String,
    pub reliability: Reliability,
    pub language: Option<String>,
}

/// An event as the belt sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct BeltEvent {
    pub id: String,
    pub category: Category,
    pub event_type: EventType,
    pub date: NaiveDate,
    /// (lon, lat), when the event is geolocated.
    pub point: Option<[f64; 2]>,
    pub place_name: Option<String>,
    pub country: Option<CountryCode>,
    pub province: Option<String>,
    pub stance: Stance,
    /// Armed groups and criminal networks named as involved.
    pub groups: Vec<ActorId>,
    /// Every actor named: groups, services, governments.
    pub actors: Vec<ActorId>,
    pub quantities: Vec<Quantity>,
    pub sources: Vec<Source>,
}
