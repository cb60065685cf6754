//! Surviving panics on the model's threads: locks that stay usable after a holder panicked,
//! and a panic's message for the error the user sees.

use std::any::Any;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m` even if a holder panicked: the flags and lists kept behind these locks are
/// consistent after every single update.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The text a panic was raised with.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
