/** Request statistics per path class (e.g. `GET /groups/{id}/members`). */
export interface PathCounters {
  requests: number
  resourceUnits: number
  throttled: number
  errors: number
}

/** What an operator or a benchmark reads from the simulator. */
export interface CounterSnapshot {
  readonly requests: number
  readonly resourceUnits: number
  readonly throttled: number
  readonly errors: number
  readonly writes: number
  readonly batchRequests: number
  readonly tokenRequests: number
  readonly tokenErrors: number
  readonly faults: { readonly "503": number; readonly "504": number; readonly reset: number; readonly "504AfterApply": number }
  readonly byStatus: Readonly<Record<string, number>>
  readonly byPath: Readonly<Record<string, PathCounters>>
}

export type FaultKind = "503" | "504" | "reset" | "504AfterApply"

export class Counters {
  private requests = 0
  private resourceUnits = 0
  private throttled = 0
  private errors = 0
  private writes = 0
  private batchRequests = 0
  private tokenRequests = 0
  private tokenErrors = 0
  private faults = { "503": 0, "504": 0, reset: 0, "504AfterApply": 0 }
  private byStatus: Record<string, number> = {}
  private byPath: Record<string, PathCounters> = {}

  /** Records one Graph request (a $batch item counts as a request of its own). */
  graph(pathClass: string, status: number, ru: number, isWrite: boolean): void {
    this.requests++
    this.resourceUnits += ru
    if (status === 429) this.throttled++
    if (status >= 400) this.errors++
    if (isWrite && status < 400) this.writes++
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1
    const p = (this.byPath[pathClass] ??= { requests: 0, resourceUnits: 0, throttled: 0, errors: 0 })
    p.requests++
    p.resourceUnits += ru
    if (status === 429) p.throttled++
    if (status >= 400) p.errors++
  }

  batch(): void {
    this.batchRequests++
  }

  token(ok: boolean): void {
    this.tokenRequests++
    if (!ok) this.tokenErrors++
  }

  fault(kind: FaultKind): void {
    this.faults[kind]++
  }

  snapshot(): CounterSnapshot {
    return {
      requests: this.requests,
      resourceUnits: this.resourceUnits,
      throttled: this.throttled,
      errors: this.errors,
      writes: this.writes,
      batchRequests: this.batchRequests,
      tokenRequests: this.tokenRequests,
      tokenErrors: this.tokenErrors,
      faults: { ...this.faults },
      byStatus: { ...this.byStatus },
      byPath: Object.fromEntries(Object.entries(this.byPath).map(([k, v]) => [k, { ...v }]))
    }
  }

  reset(): void {
    this.requests = 0
    this.resourceUnits = 0
    this.throttled = 0
    this.errors = 0
    this.writes = 0
    this.batchRequests = 0
    this.tokenRequests = 0
    this.tokenErrors = 0
    this.faults = { "503": 0, "504": 0, reset: 0, "504AfterApply": 0 }
    this.byStatus = {}
    this.byPath = {}
  }
}
