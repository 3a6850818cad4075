// Runs before the test suite under whatever `node` npm put first on PATH. The repo brings Node 24
// through the `node` devDependency; if its install script was skipped, npm silently falls back to the
// system Node and half the toolchain breaks in confusing ways. Fail here, loudly, instead.
const major = Number(process.versions.node.split(".")[0])
if (major !== 24) {
  console.error(
    `This repository runs on Node 24, but npm scripts got Node ${process.version} (${process.execPath}).\n` +
      "The 'node' devDependency installs Node 24 into node_modules/.bin; its install script must run.\n" +
      "Fix: rm -rf node_modules && npm ci  (package.json allowScripts must keep \"node\": true)."
  )
  process.exit(1)
}
