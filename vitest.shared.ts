import { defaultServerConditions } from "vite"
import { defineProject } from "vitest/config"

/**
 * The test settings every project shares: run workspace packages from their TypeScript source
 * (the `@idconnect/source` export condition) and allow for tests that start servers and databases.
 */
export const sharedProject = (name: string) =>
  defineProject({
    resolve: { conditions: ["@idconnect/source", ...defaultServerConditions] },
    ssr: { resolve: { conditions: ["@idconnect/source", ...defaultServerConditions] } },
    test: {
      name,
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 120_000,
      hookTimeout: 180_000,
      globalSetup: [new URL("./tools/scripts/vitest-global-setup.ts", import.meta.url).pathname]
    }
  })
