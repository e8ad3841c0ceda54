/**
 * One run of upstream-sync, step by step. This file only orchestrates: each step is a module with one job (inputs,
 * releases, merge, publish, report, notify); the order and the hand-offs live here.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { Git } from './git/git.js'
import { GitHubApi, type PullInfo } from './github/api.js'
import { createClient } from './github/client.js'
import { prepareRepository } from './merge/fetch.js'
import { mergeTag } from './merge/merge.js'
import { updateMirror } from './publish/mirror.js'
import { reportFailure, reportOutcome, writeReport, type Outcome } from './outputs.js'
import { tagMovedSince } from './publish/ownership.js'
import { keepIfOnlyRunLinkDiffers, publishSync, type LabelPlan } from './publish/pull.js'
import { chooseRelease } from './releases/choose.js'
import type { ReleaseDecision, SyncDecision } from './releases/decision.js'
import { compareVersions, parseVersion, type Version } from './releases/version.js'
import { buildReportView, compileTemplate, readSyncMarker, renderDryRunPreview, renderPrBody, renderTitle, type ReportInput } from './report/index.js'
import type { ActionInputs } from './settings/inputs.js'
import { loadLowerBound, loadPolicy, readSettings } from './settings/load.js'
import type { SyncPolicy } from './settings/policy.js'
import { isValidRefName } from './git/refname.js'
import type { MergeResult } from './types.js'
import { actionsRunner, type Runner } from './runner.js'
import { timingFromEnv } from './timing.js'

type Step = <T>(name: string, work: () => Promise<T>) => Promise<T>

/** Runs each step in a log group and keeps its wall time for the debug log: where a run spends its time. */
function stepper(runner: Runner, timings: Array<{ step: string; ms: number }>): Step {
  return async (name, work) => {
    const started = performance.now()
    try {
      return await runner.group(name, work)
    } finally {
      const ms = Math.round(performance.now() - started)
      timings.push({ step: name, ms })
      runner.debug(`timing: ${name}: ${ms} ms`)
    }
  }
}

function repoUrl(inputs: ActionInputs, repo: { owner: string; repo: string }): string {
  return `${inputs.serverUrl}/${repo.owner}/${repo.repo}.git`
}

function labelPlan(inputs: ActionInputs, merge: MergeResult): LabelPlan {
  const autoResolved = merge.status === 'clean' && merge.autoResolved.length > 0
  const status = merge.status === 'clean' ? [inputs.cleanLabel, ...(autoResolved ? [inputs.autoResolvedLabel] : [])] : [inputs.conflictLabel]
  const allStatus = [inputs.cleanLabel, inputs.conflictLabel, inputs.autoResolvedLabel]
  return {
    always: inputs.labels,
    status,
    stale: allStatus.filter((label) => !status.includes(label)),
    specs: [
      ...inputs.labels.map((name, index) => ({
        name,
        color: index === 0 ? '1d76db' : 'ededed',
        description: index === 0 ? 'Sync of an upstream stable release' : 'Opened by automation'
      })),
      { name: inputs.cleanLabel, color: '0e8a16', description: 'Upstream sync merged without conflicts' },
      { name: inputs.conflictLabel, color: 'd93f0b', description: 'Upstream sync has conflicts to resolve' },
      { name: inputs.autoResolvedLabel, color: 'fbca04', description: 'Conflicts resolved by the fork rules; check the listed files' }
    ]
  }
}

/**
 * The run's own bare repository under RUNNER_TEMP, created on first use (a run with nothing new needs none) and
 * removed at the end, with the token's auth header, whatever happened.
 */
class WorkRepository {
  private dir?: string
  private git?: Git

  constructor(private readonly inputs: ActionInputs) {}

  async get(): Promise<Git> {
    if (!this.git) {
      this.dir = await fs.mkdtemp(path.join(this.inputs.runnerTemp, 'upstream-sync-'))
      this.git = await Git.init(path.join(this.dir, 'repo.git'))
      await this.git.configureAuth(this.inputs.serverUrl, this.inputs.token)
    }
    return this.git
  }

  async dispose(): Promise<void> {
    await this.git?.removeAuth().catch(() => undefined)
    if (this.dir) await fs.rm(this.dir, { recursive: true, force: true }).catch(() => undefined)
  }
}

/** What every step of one run shares. */
interface RunContext {
  runner: Runner
  step: Step
  inputs: ActionInputs
  api: GitHubApi
  target: string
  work: WorkRepository
}

/** Asks the release module which upstream tag to sync, answering its questions through the API. */
function chooseUpstreamRelease({ runner, step, inputs, api, target }: RunContext, minVersion: Version | undefined): Promise<ReleaseDecision<PullInfo>> {
  return step('Choose the upstream release', () =>
    chooseRelease(
      {
        listTags: (prefix) => api.listUpstreamTags(prefix),
        peel: (tag) => api.peelUpstreamTag(tag),
        targetContains: (sha) => api.forkBranchContains(target, sha),
        getRelease: (tag) => api.upstreamRelease(tag),
        findSyncPulls: (tag) => api.pullsForBranch(inputs.branchPrefix + tag, 'all'),
        commitDate: (sha) => api.upstreamCommitDate(sha)
      },
      {
        upstream: `${inputs.upstream.owner}/${inputs.upstream.repo}`,
        channel: inputs.channel,
        tag: inputs.tag,
        requireRelease: inputs.requireRelease,
        minVersion,
        minReleaseAgeMs: inputs.minReleaseAgeMs,
        now: new Date(),
        log: runner
      }
    )
  )
}

/** Merges the chosen tag, renders the PR and publishes it (or, in a dry run, prints it). */
async function syncRelease(
  context: RunContext,
  decision: SyncDecision<PullInfo>,
  policy: SyncPolicy,
  template: string | undefined
): Promise<Outcome> {
  const { runner, step, inputs, api, target } = context
  const log = runner
  const candidate = decision.candidate
  const syncBranch = inputs.branchPrefix + candidate.tag
  if (!isValidRefName(`refs/heads/${syncBranch}`)) {
    throw new Error(`Upstream tag "${candidate.tag}" does not make a valid branch name with prefix ${inputs.branchPrefix}; it was not synced.`)
  }
  const git = await context.work.get()
  const forkUrl = repoUrl(inputs, inputs.fork)

  const fetched = await step('Fetch what the merge needs', () =>
    prepareRepository(git, {
      forkUrl,
      upstreamUrl: repoUrl(inputs, inputs.upstream),
      targetBranch: target,
      tag: candidate.tag,
      syncBranch,
      fetchUpstreamBlobs: !inputs.dryRun,
      log
    })
  )
  if (fetched.tagSha !== decision.commitSha) {
    runner.debug(`Tag ${candidate.tag} resolved to ${fetched.tagSha} by git (the API said ${decision.commitSha}); using git's.`)
  }
  const merge = await step('Merge', () =>
    mergeTag(git, {
      targetSha: fetched.targetSha,
      tagSha: fetched.tagSha,
      tag: candidate.tag,
      rules: policy.rules,
      autoResolve: policy.autoResolve,
      author: inputs.author,
      log
    })
  )

  const openPull = decision.openPull
  // The body records the upstream commit it was made from: the only witness when upstream re-cuts a tag.
  const recorded = openPull ? readSyncMarker(openPull.body) : undefined
  const recordedCommit = recorded?.tag === candidate.tag ? recorded.commit : undefined
  const reportInput: ReportInput = {
    upstream: inputs.upstream,
    fork: inputs.fork,
    serverUrl: inputs.serverUrl,
    tag: candidate.tag,
    version: candidate.version.text,
    previousVersion: decision.previous?.text,
    previousTag: decision.previous?.tag,
    targetBranch: target,
    syncBranch,
    release: decision.release,
    merge,
    runUrl: inputs.runUrl,
    checklist: policy.checklist,
    dryRun: inputs.dryRun,
    refreshedFrom: await tagMovedSince(git, fetched.syncBranchSha, merge, openPull, recordedCommit)
  }
  const view = buildReportView(reportInput)
  const title = renderTitle(view)
  const prTemplate = template === undefined ? undefined : compileTemplate(template, 'the custom template')
  const body = keepIfOnlyRunLinkDiffers(openPull?.body, renderPrBody(view, prTemplate))
  const plan = labelPlan(inputs, merge)
  const reportFile = await writeReport(inputs, candidate.tag, view)
  const shared = { decision, syncBranch, merge, view, reportFile }

  if (inputs.dryRun) {
    runner.info(renderDryRunPreview(title, [...plan.always, ...plan.status], body))
    return { ...shared, result: 'dry-run', message: `Dry run: would ${openPull ? 'update' : 'open'} the PR for ${candidate.tag}.` }
  }

  const published = await step('Publish the sync branch and PR', () =>
    publishSync({
      api,
      git,
      log,
      forkUrl,
      targetBranch: target,
      syncBranch,
      tag: candidate.tag,
      merge,
      branchSha: fetched.syncBranchSha,
      upstreamShas: recordedCommit ? [recordedCommit] : [],
      openPull,
      title,
      body,
      labels: plan,
      // The new PR names the ones it replaces, as they name it in their closing comment.
      ...(inputs.supersede
        ? {
            supersede: {
              branchPrefix: inputs.branchPrefix,
              isOlderTag: (tag: string) => {
                const version = parseVersion(tag)
                return version !== undefined && compareVersions(version, candidate.version) < 0
              },
              renderBody: (supersedes: Array<{ number: number; url: string }>) => renderPrBody(buildReportView({ ...reportInput, supersedes }), prTemplate)
            }
          }
        : {})
    })
  )
  const pull = published.pull
  if (pull && inputs.dispatchWorkflow && published.pushed) {
    const workflow = inputs.dispatchWorkflow
    await step('Dispatch the CI workflow', () => api.dispatchWorkflow(workflow, syncBranch, {}))
  }
  const changed = published.changed
  const message = published.humanCommitsOn
    ? `Sync branch ${syncBranch} has a maintainer's commits; left as is.`
    : published.result === 'created'
      ? `Opened PR #${pull?.number} for ${candidate.tag} (${merge.status}).`
      : changed
        ? `Updated PR #${pull?.number} for ${candidate.tag} (${merge.status}).`
        : `PR #${pull?.number} for ${candidate.tag} is up to date and waiting for review (${merge.status}).`
  return { ...shared, result: published.result, ...(pull ? { pull } : {}), message, changed }
}

/** Runs the action. Never throws: failures end as `runner.setFailed` with one clear message. */
export async function run(runner: Runner = actionsRunner()): Promise<void> {
  const timings: Array<{ step: string; ms: number }> = []
  const step = stepper(runner, timings)
  let inputs: ActionInputs | undefined
  let work: WorkRepository | undefined
  try {
    inputs = await step('Read inputs', async () => readSettings(runner))
    work = new WorkRepository(inputs)
    const api = new GitHubApi(createClient({ token: inputs.token, apiUrl: inputs.apiUrl, log: runner, timing: timingFromEnv(runner.env) }), inputs.fork, inputs.upstream)
    const settings = inputs
    const target = inputs.targetBranch ?? (await step('Find the default branch', () => api.forkDefaultBranch()))
    if (inputs.mirrorBranch === target) throw new Error(`Input 'mirror-branch' (${target}) must differ from the target branch.`)
    const context: RunContext = { runner, step, inputs, api, target, work }

    const { policy, template } = await step('Read the fork policy', () => loadPolicy(api, settings, target, (warning) => runner.warning(warning)))
    const decision = await chooseUpstreamRelease(context, await loadLowerBound(api, inputs, target))
    const outcome: Outcome =
      decision.kind === 'sync'
        ? await syncRelease(context, decision, policy, template)
        : // `waiting` (min-release-age) is reported as skipped: this run syncs nothing, and the message says until when.
          { result: decision.kind === 'up-to-date' ? 'up-to-date' : 'skipped', decision, message: decision.reason }
    if (inputs.mirrorBranch) await maintainMirror(context, await work.get())
    await reportOutcome(runner, inputs, outcome, target)
  } catch (error) {
    await reportFailure(runner, inputs, error instanceof Error ? error.message : String(error))
  } finally {
    await work?.dispose()
    runner.debug(`timings: ${timings.map((t) => `${t.step}=${t.ms}ms`).join(', ')}`)
  }
}

/** Keeps `mirror-branch` equal to upstream's default branch. A problem there is a warning: the sync is what matters. */
async function maintainMirror({ runner, step, inputs, api }: RunContext, git: Git): Promise<void> {
  const mirrorBranch = inputs.mirrorBranch as string
  await step(`Fast-forward mirror branch ${mirrorBranch}`, async () => {
    try {
      const upstreamBranch = await api.upstreamDefaultBranch()
      const mirror = await updateMirror(git, {
        forkUrl: repoUrl(inputs, inputs.fork),
        upstreamUrl: repoUrl(inputs, inputs.upstream),
        upstreamBranch,
        mirrorBranch,
        dryRun: inputs.dryRun
      })
      if (mirror.status === 'diverged') {
        runner.warning(
          `Mirror branch ${mirrorBranch} has commits that are not on upstream's ${upstreamBranch} (${mirror.mirrorSha.slice(0, 12)}); it was left alone. Reset it to upstream or remove 'mirror-branch'.`
        )
      } else {
        runner.info(`Mirror branch ${mirrorBranch}: ${mirror.status} (upstream ${upstreamBranch} at ${mirror.sha.slice(0, 12)}).`)
      }
    } catch (error) {
      runner.warning(`Mirror branch ${mirrorBranch} not updated: ${error instanceof Error ? error.message : String(error)}`)
    }
  })
}

