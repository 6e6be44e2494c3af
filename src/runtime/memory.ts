import { QuantextError } from '../errors.js';

const PAGE = 65536;
export const ALIGN = 16;

/**
 * The one allocator over a wasm instance's linear memory. Kernels never allocate; TypeScript does, here.
 *
 * Best-fit over an address-ordered free list with coalescing, 16-byte aligned, growing the memory on
 * demand up to `maxPages`. A freed block at the top of the heap lowers the top, so repeated
 * alloc/free cycles stay bounded. Sizes are tracked in a Map, so a double free or a foreign pointer
 * is detected instead of corrupting the heap.
 *
 * Typed views are never kept: `f32(ptr, n)` and friends build a fresh view on `memory.buffer`
 * at the moment of use, so growth (which detaches or replaces the buffer) cannot leave stale views.
 */
export class Arena {
  readonly memory: WebAssembly.Memory;
  readonly base: number;
  readonly maxPages: number;
  private top: number;
  /** free blocks, sorted by address: parallel arrays of start and size */
  private freeStart: number[] = [];
  private freeSize: number[] = [];
  private sizes = new Map<number, number>();
  /**
   * Test mode (`QUANTEXT_DETACH=1`, or `detachOnAlloc` set by a test): every alloc() calls `memory.grow(0)`, which on
   * plain (non-shared) memory detaches `memory.buffer` just as a real growth does, so any typed view kept across
   * an allocation throws "detached ArrayBuffer" at its next use instead of working by luck. No effect on shared
   * memory, whose old buffers stay valid after growth.
   */
  detachOnAlloc: boolean;

  constructor(memory: WebAssembly.Memory, base: number, maxPages: number, detachOnAlloc = false) {
    this.memory = memory;
    this.base = alignUp(base, ALIGN);
    this.top = this.base;
    this.maxPages = maxPages;
    this.detachOnAlloc = detachOnAlloc;
  }

  /**
   * Bytes freed by the garbage-collection safety net (objects never disposed, collected by the host): a check that
   * compares `used` before and after an operation adds what this grew by in between.
   */
  reclaimed = 0;

  /** Bytes handed out and not yet freed. */
  get used(): number {
    let s = 0;
    for (const v of this.sizes.values()) s += v;
    return s;
  }
  /** The heap's high-water mark: everything below is allocated or on the free list. */
  get heapTop(): number {
    return this.top;
  }
  get liveBlocks(): number {
    return this.sizes.size;
  }

  /** Allocates `bytes` (rounded up to 16) and returns the address. Contents are not zeroed unless `zero`. */
  alloc(bytes: number, zero = false): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new QuantextError('E_OPTION', `alloc: invalid size ${bytes}`);
    const size = Math.max(ALIGN, alignUp(bytes, ALIGN));
    // best fit
    let best = -1;
    for (let i = 0; i < this.freeSize.length; i++) {
      const s = this.freeSize[i];
      if (s >= size && (best < 0 || s < this.freeSize[best])) {
        best = i;
        if (s === size) break;
      }
    }
    let ptr: number;
    if (best >= 0) {
      ptr = this.freeStart[best];
      const rest = this.freeSize[best] - size;
      if (rest > 0) {
        this.freeStart[best] += size;
        this.freeSize[best] = rest;
      } else {
        this.freeStart.splice(best, 1);
        this.freeSize.splice(best, 1);
      }
    } else {
      ptr = this.top;
      this.ensure(ptr + size);
      this.top = ptr + size;
    }
    this.sizes.set(ptr, size);
    if (this.detachOnAlloc) this.memory.grow(0);
    if (zero) new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  /**
   * Allocates every size (`undefined`: none, address 0) or nothing: when one fails (E_OOM), those made before it are
   * freed, so that `const [a, b] = arena.allocAll([x, y])` ahead of a try/finally leaks nothing.
   */
  allocAll(sizes: readonly (number | undefined)[]): number[] {
    const out: number[] = [];
    try {
      for (const s of sizes) out.push(s === undefined ? 0 : this.alloc(s));
    } catch (e) {
      for (const p of out) this.free(p);
      throw e;
    }
    return out;
  }

  /** Frees a block from alloc(). Freeing 0 is a no-op; a double free throws. */
  free(ptr: number): void {
    if (ptr === 0) return;
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new QuantextError('E_OPTION', `free: ${ptr} is not a live allocation (double free?)`);
    this.sizes.delete(ptr);
    // insert in address order, then coalesce with neighbours
    let lo = 0, hi = this.freeStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.freeStart[mid] < ptr) lo = mid + 1;
      else hi = mid;
    }
    this.freeStart.splice(lo, 0, ptr);
    this.freeSize.splice(lo, 0, size);
    let i = lo;
    if (i + 1 < this.freeStart.length && this.freeStart[i] + this.freeSize[i] === this.freeStart[i + 1]) {
      this.freeSize[i] += this.freeSize[i + 1];
      this.freeStart.splice(i + 1, 1);
      this.freeSize.splice(i + 1, 1);
    }
    if (i > 0 && this.freeStart[i - 1] + this.freeSize[i - 1] === this.freeStart[i]) {
      this.freeSize[i - 1] += this.freeSize[i];
      this.freeStart.splice(i, 1);
      this.freeSize.splice(i, 1);
      i--;
    }
    // a free block at the top gives its space back to the bump region
    const last = this.freeStart.length - 1;
    if (last >= 0 && this.freeStart[last] + this.freeSize[last] === this.top) {
      this.top = this.freeStart[last];
      this.freeStart.pop();
      this.freeSize.pop();
    }
  }

  /** Makes sure linear memory reaches `end` bytes, growing it, or throws E_OOM. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    const now = have / PAGE;
    if (now + pages > this.maxPages) {
      throw new QuantextError(
        'E_OOM',
        `out of wasm memory: need ${fmtBytes(end)}, the maximum is ${fmtBytes(this.maxPages * PAGE)} (raise it with init({ maxMemoryMB }))`,
        { need: end, max: this.maxPages * PAGE },
      );
    }
    // grow geometrically to keep the number of growths small
    const want = Math.min(this.maxPages - now, Math.max(pages, Math.ceil(now / 4)));
    try {
      this.memory.grow(want);
    } catch (e) {
      try {
        this.memory.grow(pages);
      } catch (e2) {
        throw new QuantextError('E_OOM', `out of wasm memory: the host refused to grow to ${fmtBytes(end)}`, { need: end }, { cause: e2 });
      }
    }
  }

  // ---- views, derived at the moment of use ----
  u8(ptr: number, n: number): Uint8Array { return new Uint8Array(this.memory.buffer, ptr, n); }
  i8(ptr: number, n: number): Int8Array { return new Int8Array(this.memory.buffer, ptr, n); }
  u16(ptr: number, n: number): Uint16Array { return new Uint16Array(this.memory.buffer, ptr, n); }
  i32(ptr: number, n: number): Int32Array { return new Int32Array(this.memory.buffer, ptr, n); }
  u32(ptr: number, n: number): Uint32Array { return new Uint32Array(this.memory.buffer, ptr, n); }
  f32(ptr: number, n: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, n); }
  f64(ptr: number, n: number): Float64Array { return new Float64Array(this.memory.buffer, ptr, n); }
  /** Copies `src` into wasm memory at a new allocation and returns its address. */
  put(src: ArrayBufferView): number {
    const ptr = this.alloc(src.byteLength);
    this.u8(ptr, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    return ptr;
  }
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
