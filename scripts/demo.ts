/**
 * `npm run demo`: the whole action, as a runner would run it, against the local GitHub stand-in.
 *
 * It generates a sample upstream (`acme/gateway`, with stable, nightly and release-candidate tags) and a fork
 * (`carto/gateway-fork`, target branch `carto/main`, with its own Dockerfile sections and workflows), starts the
 * stand-in, runs the action with the runner's environment, and prints the pull request it opened: first a clean
 * sync, then a sync whose fork changes conflict with the release, with its resolution guide (the conflict table, one
 * command per group of files). Pass `--conflicts` (or `--clean`) to show only that one.
 */
import { createScenario } from '../test/support/scenario.js'

const only = process.argv.includes('--conflicts') ? [true] : process.argv.includes('--clean') ? [false] : [false, true]

interface PullView {
  number: number
  title: string
  html_url: string
  body: string
  labels: Array<{ name: string }>
  head: { ref: string }
  base: { ref: string }
}

const rule = '─'.repeat(100)

async function main(): Promise<void> {
  for (const conflicts of only) await showSync(conflicts)
}

async function showSync(conflicts: boolean): Promise<void> {
  console.log(`\n${conflicts ? 'A sync with conflicts' : 'A clean sync'}: generating sample repositories and starting the local GitHub stand-in${conflicts ? ' (fork with conflicting changes)' : ''}…`)
  const scenario = await createScenario({ conflict: conflicts })
  try {
    console.log(`Stand-in: ${scenario.standIn.url}  upstream ${scenario.upstream.fullName}  fork ${scenario.fork.fullName} (${scenario.fork.targetBranch})`)
    console.log('Running node dist/index.js with the runner environment…\n')
    const run = await scenario.run({ 'dry-run': 'false' })
    if (run.exitCode !== 0) {
      console.error(run.stdout)
      console.error(run.stderr)
      throw new Error(`The action failed (exit ${run.exitCode}).`)
    }
    console.log(`Outputs: ${JSON.stringify(run.outputs, null, 2)}\n`)
    const number = run.outputs['pr-number']
    if (!number) throw new Error(`The action opened no PR (result: ${run.outputs.result}).`)
    const { data: pull } = await scenario.api<PullView>('GET', `/repos/${scenario.fork.fullName}/pulls/${number}`)
    console.log(rule)
    console.log(`PR #${pull.number}: ${pull.title}`)
    console.log(`${pull.head.ref} → ${pull.base.ref}    ${pull.html_url}`)
    console.log(`Labels: ${pull.labels.map((label) => label.name).join(', ')}`)
    console.log(rule)
    console.log(pull.body)
    console.log(rule)
    const again = await scenario.run({ 'dry-run': 'false' })
    console.log(`A second run right after: result=${again.outputs.result}, PR #${again.outputs['pr-number']} (no duplicate).`)
    await run.cleanup()
    await again.cleanup()
  } finally {
    await scenario.cleanup()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
})
