// The constants of constants.ts as exported functions, so that TypeScript can check it mirrors them.
import { PQ_KSUB, PQ_NITER, PQ_MAX_POINTS_PER_CLUSTER, TWN_DELTA } from './constants';

export function pq_ksub(): i32 { return PQ_KSUB; }
export function pq_niter(): i32 { return PQ_NITER; }
export function pq_max_points_per_cluster(): i32 { return PQ_MAX_POINTS_PER_CLUSTER; }
export function twn_delta(): f32 { return TWN_DELTA; }
