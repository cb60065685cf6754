//! (filled by the t5 work)
