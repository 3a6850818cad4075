// Member lists are sorted Uint32Arrays of encoded refs: 4 bytes per membership, binary-searchable for
// "already a member?" checks on 50k-member groups, and a stable order for skiptoken cursors.

export const EMPTY_REFS: Uint32Array = new Uint32Array(0)

/** Index of the first element >= value. */
export const lowerBound = (arr: Uint32Array, value: number): number => {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (arr[mid] < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

export const hasRef = (arr: Uint32Array, value: number): boolean => {
  const i = lowerBound(arr, value)
  return i < arr.length && arr[i] === value
}

export const insertRef = (arr: Uint32Array, value: number): Uint32Array => {
  const i = lowerBound(arr, value)
  if (i < arr.length && arr[i] === value) return arr
  const out = new Uint32Array(arr.length + 1)
  out.set(arr.subarray(0, i), 0)
  out[i] = value
  out.set(arr.subarray(i), i + 1)
  return out
}

export const removeRef = (arr: Uint32Array, value: number): Uint32Array => {
  const i = lowerBound(arr, value)
  if (i >= arr.length || arr[i] !== value) return arr
  const out = new Uint32Array(arr.length - 1)
  out.set(arr.subarray(0, i), 0)
  out.set(arr.subarray(i + 1), i)
  return out
}

/** Sorted, de-duplicated typed array from arbitrary numbers (a Uint32Array argument is sorted in place). */
export const toSortedRefs = (values: Iterable<number> | Uint32Array): Uint32Array => {
  const arr = (values instanceof Uint32Array ? values : Uint32Array.from(values)).sort()
  let w = 0
  for (let r = 0; r < arr.length; r++) {
    if (r === 0 || arr[r] !== arr[r - 1]) arr[w++] = arr[r]
  }
  return w === arr.length ? arr : arr.slice(0, w)
}
