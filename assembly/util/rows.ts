// Row addressing shared by the scans that take an optional list of row indices (`idx`) and the gathers.
// Units: idx holds i32 row indices; touchRows takes the row stride `sb` and the row length in bytes (its callers
// convert from their element strides); pointers are byte addresses.

// @ts-ignore: decorator
@inline
export function rowOf(idx: usize, r: i32): i32 {
  return idx ? load<i32>(idx + (<usize>r << 2)) : r;
}

/** Reads one byte of every cache line of the listed rows, in a loop of independent loads. */
let touched: i32 = 0;
export function touchRows(mat: usize, sb: usize, rowBytes: i32, idx: usize, n: i32): void {
  if (rowBytes <= 0) return;
  let acc = 0;
  for (let j = 0; j < n; j++) {
    const p = mat + <usize>load<i32>(idx + (<usize>j << 2)) * sb;
    for (let o = 0; o < rowBytes; o += 64) acc += <i32>load<u8>(p + <usize>o);
    acc += <i32>load<u8>(p + <usize>(rowBytes - 1));
  }
  touched = acc;
}
