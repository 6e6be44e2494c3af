// Setup of Vitest's browser mode (scripts/browser-test/vitest.config.mjs): the shared tests compare bytes with Node's
// `Buffer.from(x).equals(y)`; browsers have no Buffer, so this gives them that much of it (and nothing else).
if (typeof (globalThis as { Buffer?: unknown }).Buffer === 'undefined') {
  const bytes = (x: ArrayBufferLike | ArrayBufferView): Uint8Array =>
    ArrayBuffer.isView(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : new Uint8Array(x);
  (globalThis as { Buffer?: unknown }).Buffer = {
    from(x: ArrayBufferLike | ArrayBufferView) {
      const a = bytes(x);
      return Object.assign(a, {
        equals(other: ArrayBufferLike | ArrayBufferView): boolean {
          const b = bytes(other);
          return a.length === b.length && a.every((v, i) => v === b[i]);
        },
      });
    },
  };
}
