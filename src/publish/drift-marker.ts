/**
 * Remembering a channel drift, so its notification goes out once per new drift and not every scheduled run.
 *
 * The memory is one ref in the fork, `refs/upstream-sync/channel-drift/<tag>`, pointing at the target branch's commit
 * (any commit the fork has would do; the name is the data). It lives outside `refs/heads/` and `refs/tags/`, so it
 * shows in no branch or tag list and triggers no workflow; GitHub's create-a-reference endpoint accepts any name that
 * starts with `refs/` and has two slashes (docs.github.com/rest/git/refs#create-a-reference). It is read (one
 * `matching-refs` request) only on runs that found a drift, so a healthy run costs nothing here; a new drift costs
 * three more (the target's commit, the new marker, the old one's removal), once.
 */
import { describeError } from '../errors.js'
import type { GitHubApi } from '../github/api.js'
import { releaseQueries } from '../github/release-queries.js'
import type { DriftReport } from '../outcome.js'
import { describeChannel, type Channel } from '../releases/channel.js'
import { checkChannelHealth } from '../releases/health.js'
import type { Log } from '../runner.js'

export const DRIFT_MARKER_PREFIX = 'upstream-sync/channel-drift/'

export interface DriftMemory {
  /** True when this drift was not remembered yet: notify. */
  isNew: boolean
}

/**
 * Records that the run saw upstream's release `tag` outside the channel and says whether it is news. A dry run reads
 * but never writes. Failing to write the marker only costs a repeated notification later: it is a warning, not a
 * failure of the run.
 */
export async function rememberDrift(api: GitHubApi, tag: string, target: string, options: { dryRun: boolean; log: Log }): Promise<DriftMemory> {
  const wanted = `refs/${DRIFT_MARKER_PREFIX}${tag}`
  const existing = await api.listForkRefs(DRIFT_MARKER_PREFIX)
  if (existing.includes(wanted)) return { isNew: false }
  if (options.dryRun) return { isNew: true }
  try {
    const sha = await api.forkBranchSha(target)
    if (sha) await api.createForkRef(wanted, sha)
    for (const old of existing) await api.deleteForkRef(old)
  } catch (error) {
    options.log.warning(`The channel drift to ${tag} could not be remembered (${(error as Error).message}); the next run notifies it again.`)
  }
  return { isNew: true }
}

/**
 * The run's channel health: the drift, if any, and whether it is news (remembered in the fork unless `dryRun`). A
 * failure to check is a warning: channel health must never stop a sync.
 */
export async function checkDrift(api: GitHubApi, settings: { channel: Channel; dryRun: boolean }, target: string, log: Log): Promise<DriftReport | undefined> {
  if (settings.channel.source === 'branch') return undefined
  try {
    const drift = await checkChannelHealth(releaseQueries(api, target, ''), settings.channel)
    if (!drift) return undefined
    const { isNew } = await rememberDrift(api, drift.release.tag, target, { dryRun: settings.dryRun, log })
    return { drift, channel: describeChannel(settings.channel), isNew }
  } catch (error) {
    log.warning(`Channel health not checked: ${describeError(error)}`)
    return undefined
  }
}
