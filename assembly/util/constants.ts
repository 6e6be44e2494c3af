// Shared constants. Every hyperparameter a kernel relies on lives here and is cited in docs/.

/** Which build this module is: 0 scalar, 1 simd (standard SIMD only), 2 simd plus relaxed SIMD (simd-relaxed). */
export const BUILD_SCALAR: i32 = 0;
export const BUILD_SIMD: i32 = 1;
export const BUILD_RELAXED: i32 = 2;

/** word2vec's sigmoid table (word2vec.c EXP_TABLE_SIZE / MAX_EXP; gensim uses the same). */
export const EXP_TABLE_SIZE: i32 = 1000;
export const MAX_EXP: f32 = 6.0;
