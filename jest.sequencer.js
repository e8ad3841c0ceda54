// The order test files start in. The workers take files from one queue, so a long file that starts last stretches the
// run by its whole length. Jest orders files by the durations it cached on the last run on this machine; a fresh
// checkout (CI) has none, and Jest then orders by file size, which puts a short file with many assertions before a
// long one with few (the integration tests' time goes into action runs, not lines). WEIGHTS says roughly how many
// seconds each of the longest files takes on a 2-core machine (3 workers); files without a cached duration or a weight start
// after them, largest first. Update the list when a file grows past the last entry or a file on it gets much shorter.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Sequencer from '@jest/test-sequencer'

const ROOT = path.dirname(fileURLToPath(import.meta.url))

const WEIGHTS = {
  '__tests__/integration/safety.test.ts': 31,
  '__tests__/integration/merge-report.test.ts': 30,
  '__tests__/engine/merge/merge.test.ts': 27,
  '__tests__/integration/releases-decisions.test.ts': 27,
  '__tests__/integration/faults.test.ts': 22,
  '__tests__/integration/real-github.test.ts': 22,
  '__tests__/integration/real-github-releases.test.ts': 21,
  '__tests__/e2e/smoke.test.ts': 20,
  '__tests__/integration/releases.test.ts': 18,
  '__tests__/integration/dashboard.test.ts': 15,
  '__tests__/integration/history-audit.test.ts': 14,
  '__tests__/integration/reporting.test.ts': 13,
  '__tests__/integration/channels.test.ts': 13,
  '__tests__/infra/stand-in/cli.test.ts': 12,
  '__tests__/integration/rebrand.test.ts': 12,
  '__tests__/integration/cross-host.test.ts': 11,
  '__tests__/integration/untrusted-data.test.ts': 11,
  '__tests__/infra/bench.test.ts': 11,
  '__tests__/integration/sync.test.ts': 11,
  '__tests__/engine/merge/history.test.ts': 10,
  '__tests__/infra/workflows.test.ts': 10,
  '__tests__/infra/stand-in/openapi.test.ts': 8,
  '__tests__/integration/channels-branch.test.ts': 7,
  '__tests__/engine/publish/branch.test.ts': 6,
  '__tests__/integration/grouped-report.test.ts': 6,
  '__tests__/engine/merge/rebrand.test.ts': 6,
  '__tests__/infra/stand-in/api.test.ts': 6,
  '__tests__/infra/docs.test.ts': 5,
  '__tests__/integration/budget.test.ts': 5
}

export default class WeightedSequencer extends Sequencer {
  sort(tests) {
    const size = new Map()
    const sizeOf = (test) => {
      if (!size.has(test.path)) size.set(test.path, test.context.hasteFS.getSize(test.path) ?? 0)
      return size.get(test.path)
    }
    for (const test of tests) {
      const weight = WEIGHTS[path.relative(ROOT, test.path).split(path.sep).join('/')]
      test.duration = this.time(test) ?? (weight === undefined ? undefined : weight * 1000)
    }
    return tests.sort((a, b) => {
      const failedA = this.hasFailed(a)
      const failedB = this.hasFailed(b)
      if (failedA !== failedB) return failedA ? -1 : 1
      if (a.duration !== b.duration) return (b.duration ?? -1) - (a.duration ?? -1)
      return sizeOf(b) - sizeOf(a)
    })
  }
}
