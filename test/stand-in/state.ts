/**
 * The stand-in's in-memory state: everything GitHub keeps outside git (issues and pull requests, labels, releases,
 * comments, workflow dispatches) plus the test controls (faults, request log, git traffic counters).
 * Refs are NOT here: they live in the bare repositories, so git and the API can never disagree.
 */

export interface LabelRecord {
  id: number
  name: string
  color: string
  description: string | null
}

export interface PullRecord {
  headRef: string
  /** `owner/name` of the repository holding the head branch (always this repository: no cross-repo PRs). */
  headRepo: string
  baseRef: string
  draft: boolean
  maintainerCanModify: boolean
  merged: boolean
  mergedAt: string | null
  mergeCommitSha: string | null
  mergedBy: string | null
  /** Head and base commits frozen when the PR is closed or merged (open PRs read them live from git). */
  closedHeadSha?: string
  closedBaseSha?: string
}

/** An issue or a pull request: they share GitHub's number sequence, and every PR is an issue too. */
export interface IssueRecord {
  number: number
  id: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  stateReason: 'completed' | 'not_planned' | 'reopened' | null
  user: string
  /** Keys (lower-cased names) into the repository's label map, in the order they were added. */
  labels: string[]
  createdAt: string
  /** When it was created, in milliseconds (the eventual-consistency window counts from it). */
  createdMs?: number
  updatedAt: string
  closedAt: string | null
  comments: number
  pull?: PullRecord
}

export interface CommentRecord {
  id: number
  issueNumber: number
  body: string
  user: string
  createdAt: string
  updatedAt: string
}

export interface ReleaseRecord {
  id: number
  tagName: string
  targetCommitish: string
  name: string | null
  body: string | null
  draft: boolean
  prerelease: boolean
  createdAt: string
  publishedAt: string | null
  author: string
}

export interface RepoState {
  /** `owner/name` as on disk. */
  fullName: string
  nextNumber: number
  issues: Map<number, IssueRecord>
  /** By lower-cased name: GitHub label names are case-insensitive. */
  labels: Map<string, LabelRecord>
  releases: ReleaseRecord[]
  comments: CommentRecord[]
  /** The merge settings (`PATCH /repos/{owner}/{repo}` as the owner); GitHub's defaults allow all three. */
  mergeSettings: MergeSettings
}

export interface MergeSettings {
  allow_merge_commit: boolean
  allow_squash_merge: boolean
  allow_rebase_merge: boolean
}

export interface FaultSpec {
  /** HTTP method to match (any when absent). */
  method?: string
  /** Regular expression matched against the request path (with `/api/v3` for API calls, `/o/n.git/...` for git). */
  path?: string
  /** Status to answer with. Absent with `delayMs` only: the request is delayed, then served normally. */
  status?: number
  /** How many matching requests fail (default 1); each match consumes one. */
  times?: number
  headers?: Record<string, string>
  /** Response body: an object is sent as JSON, a string as is. Default: GitHub's error body for the status. */
  body?: unknown
  /** `"push"`: the next receive-pack is refused with `message`, the way GitHub refuses a push. */
  git?: 'push'
  /** The refusal reason the git client prints in `! [remote rejected] <ref> (<message>)`. */
  message?: string
  /** Waits this long before answering (or before serving normally when no status is given). */
  delayMs?: number
  /** Holds each matching request until the test releases it (`POST /_stand-in/faults/{id}/release`), then serves it. */
  hold?: boolean
  /**
   * A named GitHub failure that fills `status`, `body` and a default `path`: `diff-too-long` (compare's 500 on a big
   * diff) or `not-yet-consistent` (422 on an issue or PR that GitHub has not finished creating).
   */
  preset?: 'diff-too-long' | 'not-yet-consistent'
}

export interface FaultRecord extends FaultSpec {
  id: number
  remaining: number
  regex?: RegExp
}

/** Requests held by a `hold` fault: how many arrived so far, and the release functions of those still waiting. */
export interface HoldRecord {
  arrived: number
  waiting: (() => void)[]
  /** Resolvers of controls waiting until `arrived` reaches a number. */
  watchers: { atLeast: number; resolve: () => void }[]
}

/** Behaviours of GitHub a test can switch on at run time (`POST /_stand-in/settings`); all off by default. */
export interface StandInSettings {
  /** `GET /compare` answers GitHub's 500 "diff is taking too long" when the diff has more files than this. */
  compareDiffLimit?: number
  /** Issue and label calls on a PR created less than this many milliseconds ago answer 422 (eventual consistency). */
  consistencyWindowMs?: number
  /** A dispatch needs the `workflow_dispatch` trigger in the workflow file at the dispatched ref (on with a token model). */
  dispatchNeedsTrigger?: boolean
}

export type AuthScheme = 'token' | 'bearer' | 'basic' | 'none'

export interface RequestLogEntry {
  kind: 'api' | 'git'
  method: string
  /** The path without the query string. */
  path: string
  /** The query string without `?` ('' when none). */
  query: string
  status: number
  /** Which credential form the request carried, never its value. */
  auth: AuthScheme
  /** True when an injected fault answered the request. */
  fault?: boolean
  durationMs: number
  /** When the request arrived, in epoch milliseconds (a timeline's resolution; `at` has GitHub's whole seconds). */
  startedMs: number
  at: string
}

export interface TrafficCounters {
  /** Response body bytes sent for upload-pack (fetch/clone): the ref advertisement and the packs. */
  fetchBytes: number
  /** Request body bytes received for receive-pack (push), after gzip decoding. */
  pushBytes: number
  /** The same push bodies as they came over the wire (before gzip decoding). */
  pushWireBytes: number
  /** All git request body bytes received on the wire (fetch negotiation included). */
  receivedBytes: number
  /** All git response body bytes sent (push advertisements and status reports included). */
  sentBytes: number
  /** Git HTTP requests of any kind. */
  requests: number
  /** `POST git-upload-pack` requests (one or more per fetch). */
  fetches: number
  /** `POST git-receive-pack` requests (one per push). */
  pushes: number
  /** Requests answered from the refs-state cache without starting http-backend (see refs-state.ts). */
  replayed: number
}

export interface DispatchRecord {
  repository: string
  workflowId: string
  ref: string
  inputs: Record<string, unknown>
  at: string
}

export function emptyTraffic(): TrafficCounters {
  return { fetchBytes: 0, pushBytes: 0, pushWireBytes: 0, receivedBytes: 0, sentBytes: 0, requests: 0, fetches: 0, pushes: 0, replayed: 0 }
}

export class StandInState {
  /** By lower-cased `owner/name`: GitHub repository names are case-insensitive. */
  readonly repos = new Map<string, RepoState>()
  faults: FaultRecord[] = []
  requests: RequestLogEntry[] = []
  traffic = { total: emptyTraffic(), repos: new Map<string, TrafficCounters>() }
  dispatches: DispatchRecord[] = []
  /** By fault id; kept after the fault is used up, so a test can still wait for and release its requests. */
  holds = new Map<number, HoldRecord>()
  settings: StandInSettings = {}
  private lastId = 1000

  /** A fresh id for any object (GitHub ids are unique across types, which also keeps them unique here). */
  nextId(): number {
    this.lastId += 1
    return this.lastId
  }

  repo(fullName: string): RepoState {
    const key = fullName.toLowerCase()
    let state = this.repos.get(key)
    if (!state) {
      state = { fullName, nextNumber: 1, issues: new Map(), labels: new Map(), releases: [], comments: [], mergeSettings: { allow_merge_commit: true, allow_squash_merge: true, allow_rebase_merge: true } }
      this.repos.set(key, state)
    }
    return state
  }

  /** Clears the request log and the git traffic counters (faults, dispatches and repository state stay). */
  resetLog(): void {
    this.requests = []
    this.traffic = { total: emptyTraffic(), repos: new Map() }
  }

  /** Forgets issues, pull requests and comments of one repository (or all), keeping labels and releases. */
  resetIssues(fullName?: string): void {
    const targets = fullName ? [this.repos.get(fullName.toLowerCase())] : [...this.repos.values()]
    for (const repo of targets) {
      if (!repo) continue
      repo.issues.clear()
      repo.comments = []
      repo.nextNumber = 1
    }
  }

  /** Counters of one repository, keyed by its `owner/name` as spelled on disk. */
  trafficFor(fullName: string): TrafficCounters {
    let counters = this.traffic.repos.get(fullName)
    if (!counters) {
      counters = emptyTraffic()
      this.traffic.repos.set(fullName, counters)
    }
    return counters
  }

  /** Adds to both the repository's and the total counters. */
  countTraffic(fullName: string, delta: Partial<TrafficCounters>): void {
    const repo = this.trafficFor(fullName)
    for (const [key, value] of Object.entries(delta) as [keyof TrafficCounters, number][]) {
      repo[key] += value
      this.traffic.total[key] += value
    }
  }

  trafficJson(): { total: TrafficCounters; repos: Record<string, TrafficCounters> } {
    return { total: { ...this.traffic.total }, repos: Object.fromEntries([...this.traffic.repos].map(([k, v]) => [k, { ...v }])) }
  }
}
