//! The two pieces of scikit-learn the tutorial uses, reproduced exactly: NumPy's legacy
//! `RandomState(seed).permutation(n)` (behind `train_test_split`) and `LinearRegression`'s
//! minimum-norm least-squares fit.

/// NumPy's legacy random generator: the 32-bit Mersenne Twister (MT19937) seeded with the
/// reference `init_genrand`, as `numpy.random.RandomState(seed)` does for an integer seed.
pub struct RandomState {
    state: [u32; 624],
    position: usize,
}

impl RandomState {
    /// The generator for `RandomState(seed)` (seeds above 2³² − 1 keep their low 32 bits).
    pub fn new(seed: u64) -> Self {
        let mut state = [0u32; 624];
        state[0] = (seed & 0xffff_ffff) as u32;
        for k in 1..624 {
            let previous = state[k - 1];
            state[k] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(k as u32);
        }
        Self {
            state,
            position: 624,
        }
    }

    /// The next 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.position >= 624 {
            self.twist();
        }
        let mut y = self.state[self.position];
        self.position += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        for k in 0..624 {
            let y = (self.state[k] & UPPER) | (self.state[(k + 1) % 624] & LOWER);
            let mut next = self.state[(k + 397) % 624] ^ (y >> 1);
            if y & 1 == 1 {
                next ^= 0x9908_b0df;
            }
            self.state[k] = next;
        }
        self.position = 0;
    }

    /// A uniform integer in `[0, max]` by masked rejection, as NumPy's legacy `random_interval`.
    fn interval(&mut self, max: u32) -> u32 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        loop {
            let value = self.next_u32() & mask;
            if value <= max {
                return value;
            }
        }
    }

    /// `RandomState.permutation(n)`: a Fisher–Yates shuffle of `0..n` from the last position
    /// down.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut values: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            // NumPy draws 32-bit values for any `i` below 2³²; larger tables are not a use case.
            let j = self.interval(u32::try_from(i).unwrap_or(u32::MAX)) as usize;
            values.swap(i, j);
        }
        values
    }
}

/// The rows of `train_test_split(..., test_size, random_state)`: `(train, test)` positions.
///
/// As scikit-learn: `n_test = ceil(test_size × n)`, `n_train = n − n_test`, and a
/// `ShuffleSplit` whose permutation puts the test rows first.
pub fn train_test_split(n: usize, test_size: f64, random_state: u64) -> (Vec<usize>, Vec<usize>) {
    let n_test = (test_size * n as f64).ceil() as usize;
    train_test_split_rows(n, n_test, random_state)
}

/// [`train_test_split`] with the number of test rows given.
pub fn train_test_split_rows(
    n: usize,
    n_test: usize,
    random_state: u64,
) -> (Vec<usize>, Vec<usize>) {
    let n_test = n_test.min(n);
    let permutation = RandomState::new(random_state).permutation(n);
    let test = permutation[..n_test].to_vec();
    let train = permutation[n_test..].to_vec();
    (train, test)
}

fn rotate_pair(columns: &mut [Vec<f64>], i: usize, j: usize, c: f64, s: f64) {
    let (left, right) = columns.split_at_mut(j);
    for (x, z) in left[i].iter_mut().zip(right[0].iter_mut()) {
        let (old_x, old_z) = (*x, *z);
        *x = c * old_x - s * old_z;
        *z = s * old_x + c * old_z;
    }
}

/// The least-squares solution of minimum norm of `x · b ≈ y`, with `x` given by columns.
///
/// Householder QR first (`x = Q R`, a few passes over the rows per column), then a one-sided
/// Jacobi SVD of the small `R` against `Qᵀ y`: accurate to machine precision, and a column that is
/// constant zero (the tutorial's `moon_clearance_complete` after centring) gets a zero singular
/// value and so a zero coefficient, as with LAPACK's `gelsd` behind scikit-learn.
pub fn least_squares(columns: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let p = columns.len();
    let n = y.len();
    let mut a: Vec<Vec<f64>> = columns.to_vec();
    let mut qty = y.to_vec();
    let mut reflector = Vec::with_capacity(n);
    for k in 0..p.min(n) {
        let norm = a[k][k..].iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue;
        }
        let alpha = if a[k][k] > 0.0 { -norm } else { norm };
        reflector.clear();
        reflector.extend_from_slice(&a[k][k..]);
        reflector[0] -= alpha;
        let length2: f64 = reflector.iter().map(|v| v * v).sum();
        if length2 == 0.0 {
            continue;
        }
        let reflect = |target: &mut [f64]| {
            let dot: f64 = reflector
                .iter()
                .zip(target.iter())
                .map(|(v, t)| v * t)
                .sum();
            let scale = 2.0 * dot / length2;
            for (t, v) in target.iter_mut().zip(&reflector) {
                *t -= scale * v;
            }
        };
        for column in a.iter_mut().skip(k + 1) {
            reflect(&mut column[k..]);
        }
        reflect(&mut qty[k..]);
        a[k][k] = alpha;
        a[k][k + 1..].fill(0.0);
    }
    // R's columns (the top p × p of the reduced columns) against the top of Qᵀ y: the rows
    // below contribute the same residual to every candidate, so the solution is unchanged.
    let rows = p.min(n);
    let r: Vec<Vec<f64>> = a.iter().map(|column| column[..rows].to_vec()).collect();
    jacobi_least_squares(r, &qty[..rows], n.max(p))
}

/// The minimum-norm solution of `a · b ≈ y` (columns of `a`) by one-sided Jacobi SVD; singular
/// values below `largest × ε × rows` count as zero.
fn jacobi_least_squares(mut a: Vec<Vec<f64>>, y: &[f64], rows: usize) -> Vec<f64> {
    let p = a.len();
    // v starts as the identity and accumulates the rotations.
    let mut v: Vec<Vec<f64>> = (0..p)
        .map(|i| (0..p).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for _sweep in 0..100 {
        let mut rotated = false;
        for i in 0..p {
            for j in (i + 1)..p {
                let alpha: f64 = a[i].iter().map(|x| x * x).sum();
                let beta: f64 = a[j].iter().map(|x| x * x).sum();
                let gamma: f64 = a[i].iter().zip(&a[j]).map(|(x, y)| x * y).sum();
                if gamma == 0.0 || gamma.abs() <= f64::EPSILON * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let t = if zeta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                rotate_pair(&mut a, i, j, c, s);
                rotate_pair(&mut v, i, j, c, s);
            }
        }
        if !rotated {
            break;
        }
    }
    // a = U Σ (columns), x = A V  =>  b = V Σ⁺ Uᵀ y.
    let sigma: Vec<f64> = a
        .iter()
        .map(|column| column.iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    let largest = sigma.iter().copied().fold(0.0, f64::max);
    let cutoff = largest * f64::EPSILON * rows as f64;
    let mut coefficients = vec![0.0; p];
    for k in 0..p {
        if sigma[k] <= cutoff || sigma[k] == 0.0 {
            continue;
        }
        // (Uᵀ y)_k / σ_k = (a_k · y) / σ_k².
        let weight = a[k].iter().zip(y).map(|(u, y)| u * y).sum::<f64>() / (sigma[k] * sigma[k]);
        for (coefficient, v) in coefficients.iter_mut().zip(&v[k]) {
            *coefficient += v * weight;
        }
    }
    coefficients
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_match_numpy() {
        // numpy.random.RandomState(0).permutation(10)
        assert_eq!(
            RandomState::new(0).permutation(10),
            [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]
        );
        // numpy.random.RandomState(3).permutation(6027)[:12]
        assert_eq!(
            RandomState::new(3).permutation(6027)[..12],
            [
                2820, 454, 671, 1081, 2848, 317, 1100, 3685, 1553, 2418, 2650, 5431
            ]
        );
    }

    #[test]
    fn first_outputs_match_the_reference_generator() {
        // mt19937ar.c with init_genrand(5489): the first output is 3499211612.
        assert_eq!(RandomState::new(5489).next_u32(), 3_499_211_612);
    }

    #[test]
    fn split_sizes_follow_scikit_learn() {
        let (train, test) = train_test_split(6027, 0.2, 3);
        assert_eq!((train.len(), test.len()), (4821, 1206));
        let (train, test) = train_test_split(10, 0.25, 0);
        assert_eq!((train.len(), test.len()), (7, 3));
        assert_eq!(test, [2, 8, 4]);
    }

    #[test]
    fn least_squares_recovers_an_exact_fit_and_zeroes_a_null_column() {
        let x1 = vec![1.0, -2.0, 3.0, 0.5, -1.5];
        let x2 = vec![0.0; 5];
        let x3 = vec![2.0, 1.0, -1.0, 4.0, 0.0];
        let y: Vec<f64> = x1.iter().zip(&x3).map(|(a, b)| 3.0 * a - 0.5 * b).collect();
        let b = least_squares(&[x1, x2, x3], &y);
        assert!((b[0] - 3.0).abs() < 1e-12, "{b:?}");
        assert_eq!(b[1], 0.0);
        assert!((b[2] + 0.5).abs() < 1e-12, "{b:?}");
    }

    #[test]
    fn least_squares_of_collinear_columns_is_minimum_norm() {
        // Two identical columns: the minimum-norm solution splits the weight equally.
        let x = vec![1.0, 2.0, 3.0];
        let y = vec![2.0, 4.0, 6.0];
        let b = least_squares(&[x.clone(), x], &y);
        assert!(
            (b[0] - 1.0).abs() < 1e-12 && (b[1] - 1.0).abs() < 1e-12,
            "{b:?}"
        );
    }
}
