/** Signatures of the Word2Vec training kernels in assembly/w2v/. */
export interface W2vKernels {}
