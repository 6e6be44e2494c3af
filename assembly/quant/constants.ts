// Constants of the quantization kernels, cited in docs/quantization.md and mirrored in src/quantize/schemes.ts.

/** Centroids per PQ sub-space (fastText ProductQuantizer::ksub_): codes are one byte. */
export const PQ_KSUB: i32 = 256;
/** k-means iterations (fastText ProductQuantizer::niter_). */
export const PQ_NITER: i32 = 25;
/** At most this many training points per centroid are sampled (fastText max_points_per_cluster_). */
export const PQ_MAX_POINTS_PER_CLUSTER: i32 = 256;
/** Relative perturbation used when an empty cluster is split off a large one (fastText eps_). */
export const PQ_EPS: f32 = 1e-7;
/** Ternary threshold factor: Δ = TWN_DELTA · mean|x| (Li & Liu 2016, Ternary Weight Networks). */
export const TWN_DELTA: f32 = 0.7;
/** k-means++ seeds from an evenly strided subset of at most this many points per centroid. */
export const PQ_PLUSPLUS_PER_CENTROID: i32 = 16;
