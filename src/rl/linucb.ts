import { Matrix } from 'ml-matrix';

/**
 * Disjoint LinUCB (Li, Chu, Langford, Schapire 2010, Alg. 1), pure maths, no I/O.
 *
 * Per arm the source of truth is the data part of the sufficient statistics, Σxxᵀ, Σr·x and n. The ridge
 * design matrix is A = λI + Σxxᵀ and the response b = λ·θ0 + Σr·x, where θ0 is an optional prior
 * (repair-policy.md §1.3 "prior trick": θ̂ starts at θ0 and data overrides it). A Cholesky factor A = LLᵀ and
 * θ̂ = A⁻¹b are cached and rebuilt (drift-free refactor, O(d³/6)) the first time an arm is scored after an update.
 * The variance xᵀA⁻¹x is computed as ‖L⁻¹x‖², so it is never negative.
 */
export interface ArmEstimate {
  /** θ̂ᵀx */
  mean: number;
  /** xᵀA⁻¹x, ≥ 0 */
  variance: number;
  /** α·sqrt(variance) */
  width: number;
  /** mean + width */
  score: number;
}

/** JSON-safe data part of one arm's statistics (row-major d×d `xx`). */
export interface SerializedArmStats {
  xx: number[];
  rx: number[];
  n: number;
}

export interface LinUcbModelOptions {
  armCount: number;
  d: number;
  /** Ridge λ (A₀ = λI); default 1. */
  lambda?: number;
  /** Per arm prior θ0 (length d) or undefined for 0. */
  priorTheta?: readonly (Float64Array | undefined)[];
}

export interface LinUcbModel {
  readonly armCount: number;
  readonly d: number;
  readonly lambda: number;
  estimate(arm: number, x: Float64Array, alpha: number): ArmEstimate;
  /** θ̂_a = A_a⁻¹b_a */
  theta(arm: number): Float64Array;
  /** Rewarded observation: A += xxᵀ, b += r·x, n += 1. */
  update(arm: number, x: Float64Array, r: number): void;
  /** Relabelled reward: b += delta·x (A and n unchanged, the observation was already counted). */
  addReward(arm: number, x: Float64Array, delta: number): void;
  count(arm: number): number;
  /** Full A = λI + Σxxᵀ (a fresh ml-matrix Matrix). */
  designMatrix(arm: number): Matrix;
  /** Full b = λθ0 + Σr·x. */
  response(arm: number): Float64Array;
  exportStats(): SerializedArmStats[];
  importStats(stats: readonly SerializedArmStats[]): void;
}

interface ArmSlot {
  xx: Float64Array;
  rx: Float64Array;
  n: number;
  prior: Float64Array;
  /** Cholesky factor of A and θ̂, each rebuilt in place when stale (no allocation on the step path). */
  lower: Float64Array;
  theta: Float64Array;
  isLowerStale: boolean;
  isThetaStale: boolean;
}

export function createLinUcbModel(options: LinUcbModelOptions): LinUcbModel {
  const { armCount, d } = options;
  const lambda = options.lambda ?? 1;
  if (!(lambda > 0)) throw new RangeError(`lambda must be > 0, got ${lambda}`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer, got ${d}`);
  const slots: ArmSlot[] = Array.from({ length: armCount }, (_, a) => {
    const prior = options.priorTheta?.[a] ?? new Float64Array(d);
    if (prior.length !== d) throw new RangeError(`prior for arm ${a} has length ${prior.length}, expected ${d}`);
    return { xx: new Float64Array(d * d), rx: new Float64Array(d), n: 0, prior, lower: new Float64Array(d * d), theta: new Float64Array(d), isLowerStale: true, isThetaStale: true };
  });

  const slot = (arm: number): ArmSlot => {
    const s = slots[arm];
    if (s === undefined) throw new RangeError(`arm ${arm} out of range 0..${armCount - 1}`);
    return s;
  };
  const checkX = (x: Float64Array): void => {
    if (x.length !== d) throw new RangeError(`context has length ${x.length}, expected ${d}`);
  };
  const fullA = (s: ArmSlot): Matrix => {
    const m = new Matrix(d, d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) m.set(i, j, (s.xx[i * d + j] ?? 0) + (i === j ? lambda : 0));
    }
    return m;
  };
  const fullB = (s: ArmSlot): Float64Array => s.rx.map((v, i) => v + lambda * (s.prior[i] ?? 0));

  const refactor = (s: ArmSlot): ArmSlot => {
    if (s.isLowerStale) {
      choleskyLower(s);
      s.isLowerStale = false;
    }
    if (s.isThetaStale) {
      backSolve(s.lower, forwardSolve(s.lower, fullB(s)), s.theta);
      s.isThetaStale = false;
    }
    return s;
  };

  /**
   * Lower factor L of A = λI + Σxxᵀ (Cholesky–Banachiewicz on the flat arrays). Not ml-matrix's
   * CholeskyDecomposition: this runs after every reward on the step path, where building a Matrix and going through
   * get/set cost ~10× the arithmetic; the tests check it against ml-matrix.
   */
  const choleskyLower = (s: ArmSlot): void => {
    // why no zeroing: only the lower triangle is ever written or read.
    const { lower, xx } = s;
    for (let i = 0; i < d; i++) {
      const rowI = i * d;
      for (let j = 0; j <= i; j++) {
        const rowJ = j * d;
        let sum = xx[rowI + j]! + (i === j ? lambda : 0);
        for (let k = 0; k < j; k++) sum -= lower[rowI + k]! * lower[rowJ + k]!;
        if (i === j) {
          if (!(sum > 0)) throw new Error('LinUCB design matrix lost positive definiteness');
          lower[rowI + i] = Math.sqrt(sum);
        } else {
          lower[rowI + j] = sum / lower[rowJ + j]!;
        }
      }
    }
  };

  /** z = L⁻¹v, into `z` (length d). */
  const forwardSolve = (lower: Float64Array, v: Float64Array, z = new Float64Array(d)): Float64Array => {
    for (let i = 0; i < d; i++) {
      const row = i * d;
      let sum = v[i]!;
      for (let k = 0; k < i; k++) sum -= lower[row + k]! * z[k]!;
      z[i] = sum / lower[row + i]!;
    }
    return z;
  };
  /** y = L⁻ᵀz, into `y` (length d). */
  const backSolve = (lower: Float64Array, z: Float64Array, y: Float64Array): Float64Array => {
    for (let i = d - 1; i >= 0; i--) {
      let sum = z[i]!;
      for (let k = i + 1; k < d; k++) sum -= lower[k * d + i]! * y[k]!;
      y[i] = sum / lower[i * d + i]!;
    }
    return y;
  };
  // why one scratch vector: estimate() runs once per arm on every decision, and L⁻¹x is only summed, never kept.
  const scratch = new Float64Array(d);

  const addOuter = (s: ArmSlot, x: Float64Array): void => {
    // why: write both triangles from one value so A stays exactly symmetric (ml-matrix Cholesky demands it).
    for (let i = 0; i < d; i++) {
      const xi = x[i] ?? 0;
      for (let j = i; j < d; j++) {
        const v = (s.xx[i * d + j] ?? 0) + xi * (x[j] ?? 0);
        s.xx[i * d + j] = v;
        s.xx[j * d + i] = v;
      }
    }
  };

  const invalidate = (s: ArmSlot): void => {
    s.isLowerStale = true;
    s.isThetaStale = true;
  };

  return {
    armCount,
    d,
    lambda,
    estimate(arm, x, alpha) {
      checkX(x);
      const { lower, theta } = refactor(slot(arm));
      const z = forwardSolve(lower, x, scratch);
      let mean = 0;
      let variance = 0;
      for (let i = 0; i < d; i++) {
        mean += theta[i]! * x[i]!;
        variance += z[i]! * z[i]!;
      }
      const width = alpha * Math.sqrt(variance);
      return { mean, variance, width, score: mean + width };
    },
    theta(arm) {
      return Float64Array.from(refactor(slot(arm)).theta);
    },
    update(arm, x, r) {
      checkX(x);
      const s = slot(arm);
      addOuter(s, x);
      for (let i = 0; i < d; i++) s.rx[i] = (s.rx[i] ?? 0) + r * (x[i] ?? 0);
      s.n += 1;
      invalidate(s);
    },
    addReward(arm, x, delta) {
      checkX(x);
      const s = slot(arm);
      for (let i = 0; i < d; i++) s.rx[i] = (s.rx[i] ?? 0) + delta * (x[i] ?? 0);
      s.isThetaStale = true;
    },
    count: (arm) => slot(arm).n,
    designMatrix: (arm) => fullA(slot(arm)),
    response: (arm) => fullB(slot(arm)),
    exportStats: () => slots.map((s) => ({ xx: Array.from(s.xx), rx: Array.from(s.rx), n: s.n })),
    importStats(stats) {
      if (stats.length !== armCount) throw new RangeError(`stats for ${stats.length} arms, expected ${armCount}`);
      stats.forEach((st, a) => {
        if (st.xx.length !== d * d || st.rx.length !== d) throw new RangeError(`stats of arm ${a} do not have d=${d}`);
        const s = slot(a);
        s.xx = Float64Array.from(st.xx);
        s.rx = Float64Array.from(st.rx);
        s.n = st.n;
        invalidate(s);
      });
    },
  };
}
