//! The Text+Chem T5 model: tokenizer, model sources, tasks, the network on candle, its weights,
//! quantization and generation. Running it for a user (device choice, the engine, the
//! background worker) is `runtime`'s job.

pub mod catalogue;
pub mod checkpoint;
pub mod config;
pub mod folder;
pub mod generate;
pub mod hub;
mod pytorch_archive;
pub mod quantize;
pub mod random;
pub mod source;
pub mod spiece;
pub mod t5;
pub mod task;
pub mod tokenizer;
pub mod weights;

/// Fixes the worker-thread count for candle and rayon in the environment.
///
/// candle 0.11 asks for its thread count on every CPU matmul and, without
/// `RAYON_NUM_THREADS`, re-reads /proc/cpuinfo each time; measured ~20% of the CPU time of
/// quantized t5-small decoding. Setting the variable once makes that lookup cheap.
///
/// # Safety
/// Must run before any other thread exists (it writes the process environment): call it
/// first thing in `main`.
pub unsafe fn pin_thread_count() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: the caller guarantees the process is still single-threaded.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", n.to_string()) };
    }
}
