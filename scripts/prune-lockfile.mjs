#!/usr/bin/env node
/**
 * Makes package-lock.json installable with `npm ci` when the registry this project's machines reach does not serve
 * every platform's optional native binding (it serves Linux x64's, which is all these machines run; the others answer
 * 404, so npm cannot record them and `npm ci` then rejects its own lock with "Missing: … from lock file").
 *
 * It drops, from each package's `optionalDependencies` in the lock, the names that have no entry of their own.
 * Nothing that is installed changes. Run it after `npm install` changes the lock:
 *
 *   node scripts/prune-lockfile.mjs          rewrite package-lock.json
 *   node scripts/prune-lockfile.mjs --check  exit 1 when the lock needs pruning
 */
import { readFileSync, writeFileSync } from 'node:fs'

const file = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(file, 'utf8'))
const packages = lock.packages ?? {}
const pruned = []

/** Whether `name` required from the package at `location` has a lock entry (npm looks up the node_modules chain). */
function resolves(location, name) {
  for (let base = location; ; ) {
    if (packages[base ? `${base}/node_modules/${name}` : `node_modules/${name}`]) return true
    if (base === '') return false
    const cut = base.lastIndexOf('/node_modules/')
    base = cut === -1 ? '' : base.slice(0, cut)
  }
}

for (const [location, entry] of Object.entries(packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (resolves(location, name)) continue
    delete entry.optionalDependencies[name]
    pruned.push(`${location || '(root)'} → ${name}`)
  }
}

if (process.argv.includes('--check')) {
  if (pruned.length > 0) {
    console.error(`package-lock.json lists ${pruned.length} optional dependencies it has no entry for; run: node scripts/prune-lockfile.mjs`)
    process.exit(1)
  }
  console.log('package-lock.json: every optional dependency has an entry.')
} else {
  writeFileSync(file, JSON.stringify(lock, null, 2) + '\n')
  console.log(pruned.length ? `Pruned ${pruned.length} unavailable optional dependencies:\n  ${pruned.join('\n  ')}` : 'Nothing to prune.')
}
