//! MISP core format: events, attributes, objects and tags.
