// The memory model (src/runtime/memory.ts, handle.ts): the Arena allocator over linear memory, growth
// and views, out-of-memory errors, and the handles that own wasm memory (dispose, FinalizationRegistry).
import { describe, it, expect } from 'vitest';
import v8 from 'node:v8';
import vm from 'node:vm';
import '../../src/index.node.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { Arena, ALIGN } from '../../src/runtime/memory.js';
import { F32Buffer, disposeSymbol } from '../../src/runtime/handle.js';
import { DenseMatrix } from '../../src/vectors/matrix.js';
import { QuantextError } from '../../src/errors.js';
import { rng, randomF32 } from '../helpers.js';

const MiB = 1 << 20;
const PAGE = 65536;

const plain = (opts = {}) => createRuntime(undefined, { shared: false, ...opts });

/** The QuantextError `f` throws (fails the test if it returns or throws anything else). */
function thrown(f: () => unknown): QuantextError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a QuantextError').toBeInstanceOf(QuantextError);
  return err as QuantextError;
}

describe('memory: growth and views', () => {
  it('a view derived after growth sees what was written before it; the old view is detached', async () => {
    const rt = await plain({ initialMemoryMB: 1 });
    const { arena } = rt;
    const n = 1000;
    const data = randomF32(n, rng(1));
    const p = arena.alloc(n * 4);
    arena.f32(p, n).set(data);
    const stale = arena.f32(p, n);
    const before = rt.memory.buffer.byteLength;

    const big = arena.alloc(8 * MiB); // more than the initial 1 MiB: memory.grow()
    expect(rt.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(rt.memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 8 * MiB);

    const fresh = arena.f32(p, n);
    expect(Array.from(fresh)).toEqual(Array.from(data));
    let want = 0;
    for (let i = 0; i < n; i++) want += data[i] * data[i];
    expect(rt.kernels.dot_f32(p, p, n)).toBeCloseTo(want, 2);

    // growing a non-shared memory detaches the old ArrayBuffer: a kept view silently reads nothing.
    // This is why nothing in quantext keeps a view across a call that can allocate.
    expect(stale.length).toBe(0);
    expect(stale.buffer.byteLength).toBe(0);
    expect(stale[0]).toBeUndefined();

    // the new tail is usable too
    arena.u8(big + 8 * MiB - 1, 1)[0] = 42;
    expect(new Uint8Array(rt.memory.buffer)[big + 8 * MiB - 1]).toBe(42);
  });

  it('shared memory: growth does not detach, but an old view still covers only the old length', async () => {
    const rt = await createRuntime(undefined, { shared: true, initialMemoryMB: 1 });
    const { arena } = rt;
    const oldBuffer = rt.memory.buffer;
    const p = arena.alloc(64);
    const stale = arena.f32(p, 16);
    stale.set([1, 2, 3]);
    arena.alloc(4 * MiB);
    expect(rt.memory.buffer).not.toBe(oldBuffer);
    expect(oldBuffer.byteLength).toBe(MiB);
    expect(rt.memory.buffer.byteLength).toBeGreaterThan(4 * MiB);
    expect(stale.length).toBe(16); // still attached, the same memory
    stale[3] = 4;
    expect(Array.from(arena.f32(p, 4))).toEqual([1, 2, 3, 4]);
    // but a view of the old buffer cannot reach the new pages
    expect(() => new Float32Array(oldBuffer, 2 * MiB, 1)).toThrow(RangeError);
  });
});

describe('memory: the Arena allocator', () => {
  it('16-byte alignment for every size, including 0 and odd sizes', async () => {
    const { arena } = await plain();
    expect(arena.base % ALIGN).toBe(0);
    const ptrs: number[] = [];
    for (let size = 0; size <= 100; size++) {
      const p = arena.alloc(size);
      expect(p % 16).toBe(0);
      if (ptrs.length) expect(p).toBeGreaterThanOrEqual(ptrs[ptrs.length - 1] + Math.max(16, size - 1)); // no overlap
      ptrs.push(p);
    }
    expect(new Set(ptrs).size).toBe(ptrs.length);
    for (const p of ptrs) arena.free(p);
    expect(arena.heapTop).toBe(arena.base);
  });

  it('alloc(bytes, zero) zeroes a reused block', async () => {
    const { arena } = await plain();
    const p = arena.alloc(256);
    arena.u8(p, 256).fill(0xab);
    const guard = arena.alloc(16);
    arena.free(p);
    const q = arena.alloc(256, true);
    expect(q).toBe(p);
    expect(arena.u8(q, 256).every((b) => b === 0)).toBe(true);
    arena.free(q);
    arena.free(guard);
  });

  it('best fit: a request takes the smallest free block that holds it', async () => {
    const { arena } = await plain();
    // free blocks of 64, 256 and 128 bytes, kept apart by live 16-byte guards
    const a = arena.alloc(64), g1 = arena.alloc(16), b = arena.alloc(256), g2 = arena.alloc(16), c = arena.alloc(128), g3 = arena.alloc(16);
    const top = arena.heapTop;
    arena.free(a);
    arena.free(b);
    arena.free(c);
    expect(arena.alloc(100)).toBe(c); // 128 fits 100 better than 256
    expect(arena.alloc(64)).toBe(a); // exact fit
    const d = arena.alloc(200);
    expect(d).toBe(b);
    expect(arena.alloc(32)).toBe(b + 208); // the 48-byte rest of b's block
    expect(arena.heapTop).toBe(top); // nothing came from the top
    for (const p of [g1, g2, g3]) arena.free(p);
  });

  it('coalescing: freeing neighbours in any order merges them, and a free block at the top lowers the top', async () => {
    const { arena } = await plain();
    const base = arena.heapTop;
    const [a, b, c] = [arena.alloc(64), arena.alloc(64), arena.alloc(64)];
    const guard = arena.alloc(16);
    arena.free(a);
    arena.free(c);
    arena.free(b); // merges a, b, c into one 192-byte block
    const top = arena.heapTop;
    expect(arena.alloc(192)).toBe(a);
    expect(arena.heapTop).toBe(top);
    arena.free(a);
    arena.free(guard); // guard was at the top: it and the merged block before it return to the top
    expect(arena.heapTop).toBe(base);
    expect(arena.liveBlocks).toBe(0);
  });

  it('double free and foreign pointers throw E_OPTION; free(0) does nothing', async () => {
    const { arena } = await plain();
    const p = arena.alloc(64);
    arena.free(p);
    expect(thrown(() => arena.free(p)).code).toBe('E_OPTION');
    const q = arena.alloc(64);
    expect(thrown(() => arena.free(q + 16)).code).toBe('E_OPTION'); // inside a block, not its start
    expect(thrown(() => arena.alloc(-1)).code).toBe('E_OPTION');
    expect(thrown(() => arena.alloc(NaN)).code).toBe('E_OPTION');
    arena.free(0);
    arena.free(q);
    expect(arena.liveBlocks).toBe(0);
  });

  it('10,000 alloc/free cycles of mixed sizes: no overlap, contents intact, memory bounded', async () => {
    const rt = await plain();
    const { arena } = rt;
    const r = rng(10_000);
    const base = arena.heapTop;
    const live = new Map<number, { size: number; tag: number }>();
    let liveBytes = 0, peakLive = 0, peakTop = 0;
    const intact = (p: number, size: number, tag: number) => {
      const u = arena.u8(p, size);
      for (let i = 0; i < size; i += 509) if (u[i] !== tag) return false;
      return u[size - 1] === tag;
    };
    for (let i = 0; i < 10_000; i++) {
      if (live.size < 64 && (live.size === 0 || r() < 0.55)) {
        // mostly small blocks, some up to 64 KiB
        const size = r() < 0.8 ? 1 + Math.floor(r() * 512) : 1 + Math.floor(r() * 65536);
        const p = arena.alloc(size);
        expect(p % 16).toBe(0);
        for (const [q, blk] of live) {
          if (p < q + blk.size && q < p + size) throw new Error(`block ${p}+${size} overlaps live block ${q}+${blk.size}`);
        }
        const tag = i & 0xff;
        arena.u8(p, size).fill(tag);
        live.set(p, { size, tag });
        liveBytes += size;
      } else {
        const keys = [...live.keys()];
        const p = keys[Math.floor(r() * keys.length)];
        const blk = live.get(p)!;
        if (!intact(p, blk.size, blk.tag)) throw new Error(`block ${p} was overwritten`);
        arena.free(p);
        live.delete(p);
        liveBytes -= blk.size;
      }
      peakLive = Math.max(peakLive, liveBytes);
      peakTop = Math.max(peakTop, arena.heapTop - base);
    }
    // the heap stays within 2× the peak of live bytes (measured: 1.15×, 0.8 MiB); never reusing would need tens of MiB
    expect(peakTop).toBeLessThan(2 * peakLive + 64 * 1024);
    expect(rt.memory.buffer.byteLength).toBeLessThanOrEqual(Math.max(MiB, 2 * (base + 2 * peakLive + 64 * 1024)));
    for (const p of live.keys()) arena.free(p);
    expect(arena.heapTop).toBe(base);
    expect(arena.liveBlocks).toBe(0);
    expect(arena.used).toBe(0);
  });
});

describe('memory: out of memory', () => {
  it('exceeding maxMemoryMB is QuantextError E_OOM, not a RangeError; the arena stays usable', async () => {
    for (const shared of [false, true]) {
      const rt = await createRuntime(undefined, { shared, maxMemoryMB: 4 });
      const { arena } = rt;
      const top = arena.heapTop;
      const e = thrown(() => arena.alloc(6 * MiB));
      expect(e.code).toBe('E_OOM');
      expect(e.message).toContain('maxMemoryMB');
      expect(e.details?.max).toBe(4 * MiB);
      expect(arena.heapTop).toBe(top);
      // up to the maximum still works, and growth stops there
      const p = arena.alloc(2 * MiB);
      expect(rt.memory.buffer.byteLength).toBeLessThanOrEqual(4 * MiB);
      expect(thrown(() => arena.alloc(3 * MiB)).code).toBe('E_OOM');
      arena.free(p);
      expect(thrown(() => arena.alloc(2 ** 33)).code).toBe('E_OOM'); // beyond wasm32 altogether
    }
  });

  it('a memory that refuses to grow (host limit below ours) is E_OOM with the RangeError as cause', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const arena = new Arena(memory, 1024, 100); // we believe in 100 pages; the host allows 2
    const e = thrown(() => arena.alloc(4 * PAGE));
    expect(e.code).toBe('E_OOM');
    expect(e.cause).toBeInstanceOf(RangeError);
    expect(arena.alloc(PAGE / 2)).toBe(1024); // the arena was not corrupted
  });

  it('handles surface E_OOM too', async () => {
    const rt = await plain({ maxMemoryMB: 2 });
    expect(thrown(() => new F32Buffer(1 << 20, rt)).code).toBe('E_OOM');
    expect(thrown(() => new DenseMatrix(1000, 1000, { rt })).code).toBe('E_OOM');
    expect(rt.arena.liveBlocks).toBe(0);
  });
});

describe('memory: handles (dispose, use after dispose, FinalizationRegistry)', () => {
  it('F32Buffer: dispose frees its memory; a second dispose() is safe; use after dispose is E_DISPOSED', async () => {
    const rt = await plain();
    const before = rt.arena.used;
    const b = F32Buffer.from([1, 2, 3], rt);
    expect(Array.from(b.toArray())).toEqual([1, 2, 3]);
    expect(rt.arena.used).toBe(before + 16);
    b.dispose();
    expect(b.isDisposed).toBe(true);
    expect(rt.arena.used).toBe(before);
    b.dispose();
    b[disposeSymbol]();
    expect(rt.arena.used).toBe(before);
    for (const use of [() => b.view(), () => b.toArray()]) {
      const e = thrown(use);
      expect(e.code).toBe('E_DISPOSED');
      expect(e.message).toContain('F32Buffer');
    }
  });

  it('Symbol.dispose is dispose()', async () => {
    const rt = await plain();
    const b = new F32Buffer(8, rt);
    expect(disposeSymbol).toBe(Symbol.dispose);
    b[Symbol.dispose]();
    expect(b.isDisposed).toBe(true);
    expect(rt.arena.liveBlocks).toBe(0);
  });

  it('DenseMatrix: every method after dispose is E_DISPOSED; its memory is freed once', async () => {
    const rt = await plain();
    const m = DenseMatrix.from([1, 2, 3, 4, 5, 6], 2, 3, rt);
    expect(m.dotRow(1, [1, 1, 1])).toBe(15);
    const q = rt.arena.alloc(16), out = rt.arena.alloc(16);
    const live = rt.arena.liveBlocks;
    m.dispose();
    m.dispose();
    expect(rt.arena.liveBlocks).toBe(live - 1);
    const uses: Array<() => unknown> = [
      () => m.data(),
      () => m.row(0),
      () => m.dotRow(0, [1, 1, 1]),
      () => m.addRowTo(0, new Float32Array(3)),
      () => m.decodeRow(0),
      () => m.scoreRows(q, out),
      () => m.rowNorms(out),
    ];
    for (const use of uses) expect(thrown(use).code).toBe('E_DISPOSED');
  });

  it('the FinalizationRegistry frees handles that were never disposed (real GC via --expose-gc at run time)', async () => {
    // vitest's config passes no --expose-gc; V8 accepts the flag at run time and a fresh context exposes gc()
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const rt: Runtime = await plain();
    const before = rt.arena.liveBlocks;
    (() => {
      for (let i = 0; i < 10; i++) new F32Buffer(1000, rt).view()[0] = i;
    })();
    expect(rt.arena.liveBlocks).toBe(before + 10);
    for (let i = 0; i < 50 && rt.arena.liveBlocks > before; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(rt.arena.liveBlocks).toBe(before);
    if (before === 0) expect(rt.arena.heapTop).toBe(rt.arena.base);
  });

  it('a disposed handle is unregistered: collecting it later never frees a block that was reused', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const rt = await plain();
    let reused = 0;
    (() => {
      const a = new F32Buffer(64, rt);
      const ptr = a.ptr;
      a.dispose();
      reused = rt.arena.alloc(256); // best fit hands the same address out again
      expect(reused).toBe(ptr);
    })();
    for (let i = 0; i < 10; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(rt.arena.liveBlocks).toBe(1);
    rt.arena.free(reused); // still live: a stray finalizer would have made this a double free
    expect(rt.arena.liveBlocks).toBe(0);
  });
});
