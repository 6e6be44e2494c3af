// Word2Vec training kernels. Re-exports only.
export const W2V_PLACEHOLDER: i32 = 0;
