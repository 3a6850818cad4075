// `npm start` (the root script points here): the one-command platform demo. It composes the API
// and the worker in one process on the embedded database, which only the cross-app project may do
// (apps never import each other), so the demo lives in test/e2e/src/demo.ts; this file forwards to
// it. The connector-only walk-through that used to be here is `npm run connector -- --help`.
await import("@idconnect/e2e/demo")
