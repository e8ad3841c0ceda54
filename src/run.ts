/**
 * One run of upstream-sync: read the settings, decide which upstream release to sync, merge it, render and publish
 * the PR, report. This file only orchestrates: each step is a stage folder with one job, and the order and the
 * hand-offs live here. Everything a run says comes from the one Outcome it ends with (outcome.ts).
 */
import { isUserError, UserError } from './errors.js'
import { isValidRefName } from './git/refname.js'
import { WorkRepository } from './git/work-repository.js'
import type { GitHubApi, PullInfo } from './github/api.js'
import { connect } from './github/connect.js'
import { chooseUpstreamBranch, releaseQueries } from './github/release-queries.js'
import { containmentWithFallback, LocalContainment } from './merge/containment.js'
import { prepareRepository, whilePushObjectsArrive } from './merge/fetch.js'
import { mergeTag } from './merge/merge.js'
import { failedOutcome, idleOutcome, outcomeContext, reportOutcome, type Outcome, type SyncedOutcome } from './outcome.js'
import { auditSyncBranch } from './publish/audit.js'
import { updateDashboard } from './publish/dashboard.js'
import { checkDrift } from './publish/drift-marker.js'
import { labelPlan } from './publish/labels.js'
import { ciNotDispatchedNote, dispatchCi } from './publish/dispatch.js'
import { maintainMirror } from './publish/mirror.js'
import { tagMovedSince } from './publish/ownership.js'
import { keepIfOnlyRunLinkDiffers, publishedMessage, publishSync, startPublish, type PublishStart } from './publish/pull.js'
import { branchTitle } from './releases/branch.js'
import { chooseRelease } from './releases/choose.js'
import { withPrevious, type SyncDecision } from './releases/decision.js'
import { isOlderTag } from './releases/version.js'
import { writeReportFile } from './report/file.js'
import { syncReportInput } from './report/input.js'
import { buildReportView, readSyncMarker, renderDryRunPreview, renderPrBody, renderTitle, type CompiledTemplate } from './report/index.js'
import { actionsRunner, timedSteps, type Runner, type Step } from './runner.js'
import { loadLowerBound, loadPolicy, readSettings, type Settings } from './settings/load.js'
import type { SyncPolicy } from './settings/policy.js'
import { forkGitUrl, gitCredentials, upstreamGitUrl } from './settings/urls.js'
import { timingFromEnv } from './timing.js'
import type { MergeHead } from './types.js'

/** What every step of one run shares. */
interface Run {
  runner: Runner
  step: Step
  settings: Settings
  api: GitHubApi
  target: string
  work: WorkRepository
  /** The fork's and the upstream's clone URLs, each on its own server. */
  urls: { fork: string; upstream: string }
  /** Answers the search for the fork's previous release from the fetched commits (previousContains). */
  previous: LocalContainment
}

/** Runs the action. Never throws: a failure ends as the step's failure with one clear message, and is reported. */
export async function run(runner: Runner = actionsRunner()): Promise<void> {
  const { step, timings } = timedSteps(runner)
  let settings: Settings | undefined
  let target: string | undefined
  let work: WorkRepository | undefined
  let outcome: Outcome
  try {
    settings = await step('Read inputs', async () => readSettings(runner))
    const api = connect(settings, { log: runner, timing: timingFromEnv(runner.env), env: runner.env })
    const known = settings
    target = settings.targetBranch ?? (await step('Find the default branch', () => api.forkDefaultBranch()))
    if (settings.mirrorBranch === target) throw new UserError('input', `Input 'mirror-branch' (${target}) must differ from the target branch.`)
    work = new WorkRepository({ parentDir: settings.runnerTemp, auth: gitCredentials(settings), env: runner.env, twoServers: !settings.upstreamHost.sameServer })
    const urls = { fork: forkGitUrl(settings), upstream: upstreamGitUrl(settings) }
    const context: Run = { runner, step, settings, api, target, work, urls, previous: new LocalContainment((sha) => queries.targetContains(sha)) }
    const queries = releaseQueries(api, target, known.branchPrefix, known.dashboard ? { log: runner } : undefined, (viaApi) => containmentWithFallback(viaApi, { git: () => context.work.get(), forkUrl: urls.fork, upstreamUrl: urls.upstream, target: context.target }, runner))

    const decision = await step('Choose the upstream release', async () =>
      known.channel.source === 'branch' && !known.tag ? chooseUpstreamBranch(api, known, context.target) : chooseRelease(queries, {
        upstream: `${known.upstream.owner}/${known.upstream.repo}`,
        channel: known.channel,
        tag: known.tag,
        requireRelease: known.requireRelease,
        minVersion: await loadLowerBound(api, known, context.target),
        minReleaseAgeMs: known.minReleaseAgeMs,
        pick: known.pick,
        deferPrevious: true,
        previousContains: context.previous.contains,
        // The run's repository (a folder, git's version, `git init`) is set up while GitHub answers about the tag.
        onTagLacking: () => void context.work.get().catch(() => undefined),
        log: runner
      })
    )
    // The fork's policy (rules, template, checklist, rebrand) matters only to a sync: a run with nothing to sync
    // does not read it, which keeps it within four API requests even while it checks the channel's health.
    const policy = decision.kind === 'sync' ? loadPolicy(api, known, context.target, (warning) => runner.warning(warning)) : undefined
    policy?.catch(() => undefined)
    const drift = known.tag ? undefined : await step('Check the channel health', () => checkDrift(api, known, context.target, runner))
    outcome = { ...(decision.kind === 'sync' && policy ? await syncRelease(context, decision, policy) : idleOutcome(decision)), ...(drift ? { drift } : {}) }
    if (settings.dashboard) await step('Update the dashboard', () => updateDashboard({ api, outcome, settings: known, target: context.target, dryRun: known.dryRun, log: runner, ...(drift ? { drift: { tag: drift.drift.release.tag } } : {}) }))
    if (settings.mirrorBranch) await step(`Fast-forward mirror branch ${settings.mirrorBranch}`, () => mirror(context))
  } catch (error) {
    outcome = failedOutcome(error)
    if (!isUserError(error) && error instanceof Error && error.stack) runner.debug(error.stack)
  } finally {
    await work?.dispose()
  }
  await reportOutcome(runner, outcome, outcomeContext(settings, target), settings)
  runner.debug(`timings: ${timings.join(', ')}`)
}

/** Merges the chosen tag, renders the PR once and publishes it (or, in a dry run, prints it). */
async function syncRelease(run: Run, chosen: SyncDecision<PullInfo>, policyRead: Promise<{ policy: SyncPolicy; template?: CompiledTemplate }>): Promise<SyncedOutcome> {
  const { runner, step, settings, target, urls } = run
  const candidate = chosen.candidate
  const followsBranch = settings.channel.source === 'branch' && !chosen.explicit
  const branch = settings.branchPrefix + candidate.tag
  if (!isValidRefName(`refs/heads/${branch}`)) {
    throw new UserError('upstream', `Upstream tag "${candidate.tag}" does not make a valid branch name with prefix ${settings.branchPrefix}; it was not synced.`)
  }
  // What the compare that chose the tag showed: the fork's server has its commit (true), lacks it, or was not asked.
  const onFork = run.api.forkServerHas(chosen.commitSha)
  // While the policy is read: the run's repository is set up and the early prefetch's tree ids are asked (no fetch:
  // a bad config file fails the run before anything is fetched).
  const mergeTrees = onFork ? run.api.mergeTreesOnFork(chosen.commitSha) : undefined
  mergeTrees?.catch(() => undefined)
  const git = await run.work.get()
  const { policy, template } = await step('Read the fork policy', () => policyRead)
  const fetched = await step('Fetch what the merge needs', () =>
    prepareRepository(git, { forkUrl: urls.fork, upstreamUrl: urls.upstream, targetBranch: target, tag: candidate.tag, ...(followsBranch ? { upstreamRef: `refs/heads/${candidate.tag}` } : {}), syncBranch: branch, pushSendsUpstreamHistory: !settings.dryRun && onFork !== true, ...(mergeTrees ? { tagCommitOnFork: chosen.commitSha, mergeTrees } : {}), log: runner })
  )
  // The search for the fork's previous release waited for these commits (previousContains), and runs during the merge.
  run.previous.answerLocally(git, fetched.targetSha)
  if (fetched.tagSha !== chosen.commitSha) runner.debug(`Tag ${candidate.tag} resolved to ${fetched.tagSha} by git (the API said ${chosen.commitSha}); using git's.`)
  const openPull = chosen.openPull
  // The body records the upstream commit it was made from: the only witness when upstream re-cuts a tag.
  const recorded = openPull ? readSyncMarker(openPull.body) : undefined
  const recordedCommit = recorded?.tag === candidate.tag ? recorded.commit : undefined
  // The push starts once the merge's head is decided (onHead: often before the merge has read the fork's history)
  // and the push's objects are here; it runs while the PR is rendered, and publishSync awaits it.
  let pushing: PublishStart | undefined
  const startPush = (head: MergeHead): PublishStart | undefined =>
    (pushing ??= settings.dryRun ? undefined : startPublish({
      api: run.api, git, log: runner, forkUrl: urls.fork, targetBranch: target, syncBranch: branch, tag: candidate.tag, merge: head, openPull, after: fetched.pushObjects,
      branchSha: fetched.syncBranchSha, negotiate: onFork !== false, upstreamShas: recordedCommit ? [recordedCommit] : [],
      // The new PR names the ones it replaces, as they name it in their closing comment.
      ...(settings.supersede ? { supersede: { branchPrefix: settings.branchPrefix, isOlderTag: (tag: string) => isOlderTag(tag, candidate.version) } } : {})
    }))
  const merge = await step('Merge', () =>
    whilePushObjectsArrive(fetched, () => mergeTag(git, { targetSha: fetched.targetSha, tagSha: fetched.tagSha, tag: candidate.tag, rules: policy.rules, autoResolve: policy.autoResolve, rebrand: policy.rebrand, author: settings.author, log: runner, history: fetched.history, upstreamOnFork: fetched.upstreamOnFork, blobsPrefetched: fetched.blobsPrefetched, onHead: startPush }))
  )
  const publishing = startPush(merge)
  const decision = await withPrevious(chosen)
  const refreshedFrom = await tagMovedSince(git, fetched.syncBranchSha, merge, openPull, recordedCommit)
  const report = syncReportInput(settings, decision, { targetBranch: target, syncBranch: branch, merge, checklist: policy.checklist, refreshedFrom, ciNote: ciNotDispatchedNote(settings.dispatchWorkflow, merge) })
  const view = buildReportView(report)
  const title = followsBranch ? branchTitle(`${settings.upstream.owner}/${settings.upstream.repo}`, candidate.tag, fetched.tagSha, await git.countCommits(`${fetched.targetSha}..${fetched.tagSha}`)) : renderTitle(view)
  const renderBody = (supersedes: Array<{ number: number; url: string }>) =>
    keepIfOnlyRunLinkDiffers(openPull?.body, renderPrBody(supersedes.length > 0 ? buildReportView({ ...report, supersedes }) : view, template))
  const labels = labelPlan(settings, merge)
  const synced = { decision, branch, merge, view, reportFile: await writeReportFile(settings.runnerTemp, candidate.tag, view) }

  if (!publishing) {
    runner.info(renderDryRunPreview(title, [...labels.always, ...labels.status], renderBody([])))
    return { ...synced, result: 'dry-run', changed: true, message: `Dry run: would ${openPull ? 'update' : 'open'} the PR for ${candidate.tag}.` }
  }
  const published = await step('Publish the sync branch and PR', () =>
    publishSync({ ...publishing.request, title, renderBody, labels }, publishing)
  )
  const pull = published.pull
  const humanHead = published.humanCommitsOn
  const audit = humanHead
    ? await step('Audit the resolution on the sync branch', () =>
        auditSyncBranch({ api: run.api, git, log: runner, ...(pull ? { pull } : {}), syncBranch: branch, branchSha: humanHead, merge, rules: policy.rules, forkUrl: view.forkUrl })
      )
    : undefined
  const ci = pull && published.pushed && settings.dispatchWorkflow ? await step('Dispatch the CI workflow', () => dispatchCi(run.api, settings.dispatchWorkflow, branch, merge, runner)) : undefined
  return { ...synced, ...(audit ? { audit } : {}), result: published.result, ...(pull ? { pull } : {}), changed: published.changed, message: [publishedMessage(published, branch, candidate.tag, merge.status), ci].filter(Boolean).join(' ') }
}

function mirror({ runner, settings, api, work, urls }: Run): Promise<void> {
  const request = { forkUrl: urls.fork, upstreamUrl: urls.upstream, mirrorBranch: settings.mirrorBranch as string, dryRun: settings.dryRun }
  return maintainMirror(() => work.get(), () => api.upstreamDefaultBranch(), request, runner)
}
