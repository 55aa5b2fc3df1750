//! Keyed randomness: every random draw belongs to a (seed, queue, local day, stream) key, so any
//! calendar range can be generated in any order and the same day always gets the same numbers.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::Gamma;

/// SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Mixes three words into one well-spread key.
pub fn mix(a: u64, b: u64, c: u64) -> u64 {
    splitmix(splitmix(splitmix(a) ^ b) ^ c)
}

/// FNV-1a of a string: stable across runs, platforms and Rust versions (unlike `std`'s hasher).
pub fn key(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// Independent draw sequences of one queue-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Day factor and inbound arrivals (regenerated alone for e-mail backlogs).
    Arrivals = 1,
    /// Abandonment and handle times of inbound contacts.
    Service = 2,
    /// Outbound attempts, connects and their handle times.
    Outbound = 3,
    /// The org-wide day factor (queue key 0).
    Org = 4,
    /// Per-queue parameters of generated variant queues (day 0).
    Variant = 5,
}

/// The generator of one (seed, queue, day, stream). `StdRng` is ChaCha12 in rand 0.9; the lock
/// file pins it, so the same build gives the same numbers bit for bit.
pub fn day_rng(seed: u64, queue_key: u64, day: i32, stream: Stream) -> StdRng {
    let k = mix(
        seed,
        queue_key,
        (i64::from(day) as u64) ^ ((stream as u64) << 56),
    );
    StdRng::seed_from_u64(k)
}

/// Gamma with mean 1 and coefficient of variation `cv` (shape 1/cv², scale cv²).
pub fn gamma_unit_mean(cv: f64) -> Gamma<f64> {
    let shape = 1.0 / (cv * cv);
    Gamma::new(shape, 1.0 / shape).expect("positive shape and scale")
}
