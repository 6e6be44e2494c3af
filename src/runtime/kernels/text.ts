/** Signatures of the text kernels in assembly/text/ (the vocabulary pass; the state block is laid out in src/train/vocab.ts). */
export interface TextKernels {
  /** Tokenizes state.pos..len of src (byte address); returns a TEXT_* status (src/train/vocab.ts). */
  text_scan(st: number, src: number, len: number, final: number): number;
  /** One token given as bytes: looked up, added, counted, written as the state's flags say. */
  text_token(st: number, src: number, len: number): number;
  /** Re-inserts every word into the state's new (zeroed) table. */
  text_rehash(st: number): void;
  /** Bytes of the state block. */
  text_state_size(): number;
}
