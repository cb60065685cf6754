//! (filled by the canonical work)
