//! (filled by the parse work)
