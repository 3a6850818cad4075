import type * as X509 from "@peculiar/x509"

type MetadataReflect = typeof Reflect & {
  defineMetadata?: (key: unknown, value: unknown, target: object) => void
  getOwnMetadata?: (key: unknown, target: object) => unknown
  getMetadata?: (key: unknown, target: object) => unknown
}

// @peculiar/x509 pulls in tsyringe, which refuses to load without a Reflect metadata polyfill and the
// repo does not ship `reflect-metadata`. tsyringe only needs these three functions, so a WeakMap-backed
// shim (installed only when nothing else provides them) is enough and avoids a new dependency.
const installReflectMetadataShim = (): void => {
  const R = Reflect as MetadataReflect
  if (typeof R.getMetadata === "function") return
  const store = new WeakMap<object, Map<unknown, unknown>>()
  const bag = (target: object, create: boolean): Map<unknown, unknown> | undefined => {
    let m = store.get(target)
    if (m === undefined && create) {
      m = new Map()
      store.set(target, m)
    }
    return m
  }
  R.defineMetadata = (key, value, target) => {
    bag(target, true)!.set(key, value)
  }
  R.getOwnMetadata = (key, target) => bag(target, false)?.get(key)
  R.getMetadata = (key, target) => {
    for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o) as object | null) {
      const v = bag(o, false)?.get(key)
      if (v !== undefined) return v
    }
    return undefined
  }
}

let loaded: Promise<typeof X509> | undefined

/** Loads @peculiar/x509 (once) with Node's WebCrypto as its provider. */
export const loadX509 = (): Promise<typeof X509> => {
  if (loaded === undefined) {
    installReflectMetadataShim()
    loaded = import("@peculiar/x509").then((m) => {
      m.cryptoProvider.set(globalThis.crypto)
      return m
    })
  }
  return loaded
}
