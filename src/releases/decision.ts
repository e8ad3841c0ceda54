/**
 * What the release walk answers: the types of the decision (a union tagged by `kind`, so a `sync` decision always has
 * its candidate and commit), the questions it asks GitHub (`ReleaseQueries`) and its options.
 */
import type { Log } from '../runner.js'
import type { ReleaseInfo, TagRef } from '../types.js'
import type { Channel } from './channel.js'
import type { Version } from './version.js'

/** An upstream tag that may be synced: in the channel, with a version, newer than the fork's lower bound. */
export interface Candidate {
  /** The tag name, without `refs/tags/`. */
  tag: string
  /** What the ref points at: the commit (lightweight tag) or the annotated tag object (peel it). */
  sha: string
  type: TagRef['type']
  version: Version
}

/** A sync pull request of the fork for one tag (head branch `<branch-prefix><tag>`). */
export interface SyncPull {
  number: number
  /** The PR's web URL (`html_url`), for the `skipped` report and links. */
  url: string
  state: 'open' | 'closed'
  /** True when the PR was merged (`merged_at` set). */
  merged: boolean
  /** The PR head's commit, when known. */
  headSha?: string
}

/**
 * What the walk needs from GitHub. Every method is one API request (the implementation may paginate `listTags` but
 * GitHub's matching-refs endpoint answers in one), and the walk calls them only when it must.
 */
export interface ReleaseQueries<P extends SyncPull = SyncPull> {
  /**
   * Upstream tags whose name starts with `prefix` (`''`: all tags), names without `refs/tags/`:
   * `GET /repos/{upstream}/git/matching-refs/tags/{prefix}` (one request for thousands of tags).
   */
  listTags(prefix: string): Promise<TagRef[]>
  /**
   * The commit an annotated tag points at (`GET /repos/{upstream}/git/tags/{sha}`, following tag-of-tag chains).
   * Only ever called for `type: 'tag'`; a lightweight tag's sha is its commit.
   */
  peel(tag: TagRef): Promise<string>
  /**
   * "Already synced": true when the upstream commit is reachable from the fork's target branch (e.g. the compare
   * API on the fork, `{target}...{sha}` with status `behind` or `identical`; a 404 because the fork does not know
   * the commit means false).
   */
  targetContains(commitSha: string): Promise<boolean>
  /**
   * Upstream's recent releases (drafts included when the token sees them), one page of 100: `GET …/releases`. The
   * `releases` channel and the channel health check read it; the implementation memoises it, and `getRelease`
   * answers from it when it can.
   */
  listReleases(): Promise<ReleaseInfo[]>
  /** The upstream release published for this tag, or undefined when it has none (`GET …/releases/tags/{tag}`). */
  getRelease(tag: string): Promise<ReleaseInfo | undefined>
  /** The fork's pull requests, any state, whose head branch is `<branch-prefix><tag>`, newest first. */
  findSyncPulls(tag: string): Promise<P[]>
  /** The committer date of an upstream commit (`min-release-age` for a tag without a release). */
  commitDate(commitSha: string): Promise<Date>
  /**
   * Tags of upstream's recent releases that the token sees (drafts only with push access upstream), from the same
   * listing `getRelease` reads first: no extra request. Absent: `require-release: auto` acts as false.
   */
  releasedTags?(): Promise<ReadonlySet<string>>
}

/** Why a newer candidate (with `pick: next`, an older one) was passed over on the way to the decision; `declined`: its sync PR was closed or squash-merged; `unreleased`: it waits for its upstream release (`require-release: auto`). */
export type PassOverReason = 'draft' | 'prerelease' | 'no-release' | 'unreleased' | 'too-recent' | 'declined'

export interface PassedOver {
  candidate: Candidate
  why: PassOverReason
  /** For `too-recent`: when the tag becomes old enough to sync. */
  eligibleAt?: Date
  /** One line for logs and the summary, e.g. `v1.82.0-stable: its release is a draft`. */
  detail: string
}

/** The fork's current upstream version, for `previous-version` and the `previous → new` line. */
export interface PreviousRelease {
  version: Version
  /** `version.text`: what the `previous-version` output and the `previous → new` line show. */
  text: string
  /**
   * The upstream tag the target branch contains (use it for the compare link `previous...tag`). Undefined when the
   * version comes from `current-version` / `version-file` and no contained tag was found.
   */
  tag?: string
}

interface DecisionBase {
  /**
   * The newest channel tag the target branch contains, or else the fork's lower bound (`current-version` /
   * `version-file`); undefined when neither is known.
   */
  previous?: PreviousRelease
  /** Newer candidates the walk passed over and why, newest first (drafts, pre-releases, no release, too recent). */
  passedOver: PassedOver[]
  /** True when the `tag` input chose the tag (channel, release and age rules were not applied). */
  explicit: boolean
  /** One sentence for the log, summary and notifications, saying why. */
  reason: string
}

/** Merge `candidate` (at `commitSha`); update `openPull` when set, else open a new PR. */
export interface SyncDecision<P extends SyncPull = SyncPull> extends DecisionBase {
  kind: 'sync'
  candidate: Candidate
  /** The commit `candidate` points at (peeled). */
  commitSha: string
  /** `candidate`'s upstream release, if it has one (its notes feed the PR body). */
  release?: ReleaseInfo
  /** The open sync PR of this tag, to refresh instead of opening a duplicate. */
  openPull?: P
  /**
   * The search for `previous` still running (`deferPrevious`): await it with `withPrevious` when the report needs it.
   */
  previousLookup?: Promise<PreviousRelease | undefined>
}

/**
 * Nothing to sync: the target contains the newest eligible tag, or no tag is eligible at all. `candidate` is set only
 * for an explicit `tag` the target already contains (otherwise see `previous`).
 */
export interface UpToDateDecision extends DecisionBase {
  kind: 'up-to-date'
  candidate?: Candidate
  commitSha?: string
}

/**
 * The newest eligible tag not yet in the target has a sync PR that was closed without merging (`skippedPull`): that
 * release is skipped, and older tags are not proposed in its place; the next newer tag will get its own PR. Its
 * release is not read.
 */
export interface SkippedDecision<P extends SyncPull = SyncPull> extends DecisionBase {
  kind: 'skipped'
  candidate: Candidate
  commitSha: string
  skippedPull: P
  /** `skippedPull.url`, for the `pr-url` output and the report. */
  skippedPullUrl: string
}

/** The only tags left to sync are younger than `min-release-age`; `candidate` becomes eligible first, at `eligibleAt`. */
export interface WaitingDecision extends DecisionBase {
  kind: 'waiting'
  candidate: Candidate
  commitSha: string
  eligibleAt: Date
}

/** What to do this run. */
export type ReleaseDecision<P extends SyncPull = SyncPull> = SyncDecision<P> | UpToDateDecision | SkippedDecision<P> | WaitingDecision

export type ReleaseDecisionKind = ReleaseDecision['kind']

export const PICK_MODES = ['newest', 'next'] as const
export type PickMode = (typeof PICK_MODES)[number]

export interface ChooseReleaseOptions {
  /** `owner/name` of the upstream, for messages. */
  upstream: string
  channel: Channel
  /** The `tag` input: sync exactly this tag. Empty or undefined: choose from the channel. */
  tag?: string
  /** The fork's own version lower bound (`current-version`, or read from `version-file`). */
  minVersion?: Version
  /**
   * `require-release`: true passes over tags without an upstream release; false syncs them; `auto` (the default)
   * passes them over when upstream publishes releases for the channel (most of its recent channel tags have one).
   */
  requireRelease?: boolean | 'auto'
  /** `min-release-age` in milliseconds (see {@link parseDuration}); 0 or undefined: no wait. */
  minReleaseAgeMs?: number
  /**
   * `pick`: `newest` (default) proposes the newest eligible release; `next` the oldest channel release the target
   * lacks, so a fork far behind catches up one reviewable step at a time.
   */
  pick?: PickMode
  /**
   * For a sync, leave the search for `previous` running and return the decision at once (`previousLookup`). The
   * search costs a few sequential lookups (a peel and a containment check per probe) that only the PR body needs,
   * so the run fetches meanwhile.
   */
  deferPrevious?: boolean
  /**
   * With `deferPrevious`, the containment check of that search instead of `targetContains`: the run answers it from
   * its own repository once the merge's fetch has brought the target's and the tag's commits, so the search costs
   * no compare request (a diff GitHub builds each time) and waits for the fetch instead.
   */
  previousContains?: (commit: string) => Promise<boolean>
  /**
   * Told once, when the walk first meets a tag the target lacks: a sync is then likely, and the run starts what
   * costs no request (its local repository) while the walk asks GitHub about that tag.
   */
  onTagLacking?: () => void
  /** The current time (tests pin it). */
  now?: Date
  /** Debug lines (each tag skipped, each candidate passed over) and warnings (nothing matches, squash-merged PR). */
  log?: Log
}

/** `decision` with its deferred `previous` search (`deferPrevious`) settled. */
export async function withPrevious<P extends SyncPull, D extends SyncDecision<P>>(decision: D): Promise<D> {
  const { previousLookup, ...rest } = decision
  if (!previousLookup) return decision
  const previous = await previousLookup
  return { ...rest, ...(previous ? { previous } : {}) } as D
}
