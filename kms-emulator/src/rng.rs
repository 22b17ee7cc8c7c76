//! A small seedable generator (xorshift64*) shared by every request, so that `--seed` makes fault
//! decisions and new store ids repeatable without an RNG dependency.

use std::sync::atomic::{AtomicU64, Ordering};

pub struct Rng {
    state: AtomicU64,
}

/// SplitMix64: spreads any seed (0 included) over the xorshift state space.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn step(mut x: u64) -> u64 {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    x
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        // xorshift never leaves 0, so the state must not start there.
        Self {
            state: AtomicU64::new(mix(seed).max(1)),
        }
    }

    pub fn next_u64(&self) -> u64 {
        let prev = self
            .state
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |x| Some(step(x)))
            .unwrap_or_else(|x| x);
        step(prev).wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    pub fn unit(&self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`; certain outcomes draw nothing.
    pub fn chance(&self, p: f64) -> bool {
        if p >= 1.0 {
            true
        } else if p > 0.0 {
            self.unit() < p
        } else {
            false
        }
    }

    /// Uniform in 0..=max.
    pub fn below_or_eq(&self, max: u64) -> u64 {
        if max == 0 {
            0
        } else {
            self.next_u64() % max.saturating_add(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_rates_hold() {
        let (a, b) = (Rng::new(7), Rng::new(7));
        let xs: Vec<u64> = (0..100).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], Rng::new(8).next_u64());
        let r = Rng::new(0);
        let hits = (0..10_000).filter(|_| r.chance(0.2)).count();
        assert!((1_700..2_300).contains(&hits), "{hits}");
        assert!(r.chance(1.0) && !r.chance(0.0));
        assert!((0..1000).all(|_| r.below_or_eq(5) <= 5));
    }
}
