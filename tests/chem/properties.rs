//! (filled by the properties work)
