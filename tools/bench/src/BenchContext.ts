import type { BenchArgs } from "./BenchArgs.ts"
import type { BenchPostgres } from "./BenchPostgres.ts"

/** What every scenario gets from the harness. */
export interface BenchContext {
  readonly args: BenchArgs
  readonly postgres: BenchPostgres
  /** A temp dir for generated inputs, removed at the end unless --keep-temp. */
  readonly tempDir: string
  /** The bench run's store encryption key (base64), handed to children on stdin. */
  readonly encryptionKey: string
  /** Repetitions for a figure: --runs when given, else the scenario's default. */
  readonly runsFor: (defaultRuns: number) => number
  /** Progress lines (stderr, so stdout keeps only the table). */
  readonly log: (line: string) => void
}

/** The published data of the large tenant, left by scenario 1 for scenario 5's API reads. */
export interface LargeTenantStore {
  readonly databaseUrl: string
  readonly tenantId: string
  readonly integrationId: string
  /** A user with many nested group memberships, and a group many hold (chosen from the simulator's ground truth). */
  readonly identitySourceId: string
  readonly groupSourceId: string
  readonly groupMembers: number
}
