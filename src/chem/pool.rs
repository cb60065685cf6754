//! Reused working vectors. Reading and writing a molecule needs a few dozen short-lived arrays
//! (neighbour lists, ranks, marks, ring lists...); allocating and freeing each one cost about a
//! sixth of all the work. A [`Pooled`] vector is taken from a small per-thread pool of emptied
//! vectors of its element type and goes back there when dropped, keeping its capacity.

use std::fmt;
use std::ops::{Deref, DerefMut};

/// Vectors longer than this are freed rather than kept.
const MAX_KEPT_CAPACITY: usize = 1 << 12;
/// Vectors of one element type kept per thread.
const MAX_KEPT: usize = 48;

/// Element types with a per-thread pool.
pub(crate) trait Poolable: Sized + 'static {
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R;
}

/// Gives element types a per-thread pool (types private to a module can use it there).
macro_rules! poolable {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::chem::pool::Poolable for $t {
            fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R {
                thread_local! {
                    static POOL: std::cell::RefCell<Vec<Vec<$t>>> =
                        const { std::cell::RefCell::new(Vec::new()) };
                }
                // Not reentered in practice, but a vector may be dropped while the thread's
                // locals are being destroyed: an empty stand-in pool keeps both cases total.
                let mut f = Some(f);
                let pooled = POOL.try_with(|p| {
                    let f = f.take().expect("called once");
                    match p.try_borrow_mut() {
                        Ok(mut pool) => f(&mut pool),
                        Err(_) => f(&mut Vec::new()),
                    }
                });
                match pooled {
                    Ok(r) => r,
                    Err(_) => f.take().expect("not called")(&mut Vec::new()),
                }
            }
        }
    )*};
}

pub(crate) use poolable;

poolable!(
    bool,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    (usize, usize),
    (usize, usize, usize),
    (u32, u32, u32),
    (u32, u32),
    (u64, u32),
    (usize, bool, usize, usize, usize),
    Option<usize>,
    Option<bool>,
    crate::chem::mol::AtomIdx,
    crate::chem::mol::BondIdx,
);

/// A vector that returns to its thread's pool when dropped.
pub(crate) struct Pooled<T: Poolable> {
    v: Vec<T>,
}

impl<T: Poolable> Pooled<T> {
    /// An empty vector (with whatever capacity a pooled one had).
    pub fn new() -> Pooled<T> {
        Pooled {
            v: T::with_pool(|p| p.pop()).unwrap_or_default(),
        }
    }

    /// An empty vector with room for at least `capacity` elements.
    pub fn with_capacity(capacity: usize) -> Pooled<T> {
        let mut v = Pooled::new();
        v.v.reserve(capacity);
        v
    }

    /// `len` copies of `value`.
    pub fn filled(len: usize, value: T) -> Pooled<T>
    where
        T: Clone,
    {
        let mut v = Pooled::new();
        v.v.resize(len, value);
        v
    }
}

impl<T: Poolable> Drop for Pooled<T> {
    fn drop(&mut self) {
        let mut v = std::mem::take(&mut self.v);
        if v.capacity() == 0 || v.capacity() > MAX_KEPT_CAPACITY {
            return;
        }
        v.clear();
        T::with_pool(|p| {
            if p.len() < MAX_KEPT {
                p.push(v);
            }
        });
    }
}

impl<T: Poolable> Deref for Pooled<T> {
    type Target = Vec<T>;

    fn deref(&self) -> &Vec<T> {
        &self.v
    }
}

impl<T: Poolable> DerefMut for Pooled<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.v
    }
}

impl<T: Poolable> Default for Pooled<T> {
    fn default() -> Pooled<T> {
        Pooled { v: Vec::new() }
    }
}

impl<T: Poolable + Clone> Clone for Pooled<T> {
    fn clone(&self) -> Pooled<T> {
        let mut v = Pooled::with_capacity(self.len());
        v.extend_from_slice(&self.v);
        v
    }
}

impl<T: Poolable + fmt::Debug> fmt::Debug for Pooled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.v.fmt(f)
    }
}

impl<T: Poolable + PartialEq> PartialEq for Pooled<T> {
    fn eq(&self, other: &Pooled<T>) -> bool {
        self.v == other.v
    }
}

impl<'a, T: Poolable> IntoIterator for &'a Pooled<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> std::slice::Iter<'a, T> {
        self.v.iter()
    }
}

impl<'a, T: Poolable> IntoIterator for &'a mut Pooled<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;

    fn into_iter(self) -> std::slice::IterMut<'a, T> {
        self.v.iter_mut()
    }
}

impl<T: Poolable> FromIterator<T> for Pooled<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Pooled<T> {
        let mut v = Pooled::new();
        v.extend(iter);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_vector_is_reused_empty() {
        let mut a: Pooled<u128> = Pooled::filled(5, 7);
        a.push(1);
        let capacity = a.capacity();
        drop(a);
        let b: Pooled<u128> = Pooled::new();
        assert!(b.is_empty());
        assert!(b.capacity() >= capacity.min(6));
        let c: Pooled<u128> = Pooled::filled(3, 2);
        assert_eq!(&c[..], &[2, 2, 2]);
        assert_eq!(c.clone(), c);
    }

    #[test]
    fn a_vector_dropped_as_its_thread_ends_does_not_panic() {
        thread_local! {
            static KEPT: std::cell::RefCell<Option<Pooled<u64>>> =
                const { std::cell::RefCell::new(None) };
        }
        std::thread::spawn(|| {
            // Thread locals are destroyed in the reverse order of first use: the pool (first
            // used after `KEPT`) goes before the vector kept in `KEPT` is dropped.
            KEPT.with(|k| k.borrow_mut().take());
            drop(Pooled::<u64>::filled(4, 1));
            KEPT.with(|k| *k.borrow_mut() = Some(Pooled::filled(3, 2)));
        })
        .join()
        .expect("no panic when the thread's locals are destroyed");
    }
}
