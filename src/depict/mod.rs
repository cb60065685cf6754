//! 2D depiction: coordinates (`layout`), and later a backend-neutral scene with SVG/PNG output.

pub mod layout;
