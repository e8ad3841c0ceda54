/**
 * Domain types shared by more than one step of a run. Each module owns the types only it uses; the ones here cross
 * module boundaries (merge → report, releases → main → report, inputs → everything).
 */

/** A GitHub repository, `owner/name`. */
export interface RepoId {
  owner: string
  repo: string
}

/** How a conflicted path is to be resolved, by the fork's rules. */
export type Resolution = 'ours' | 'theirs' | 'manual'

/** One of the fork's ordered path rules: the first rule whose `paths` globs match a file decides its resolution. */
export interface PathRule {
  paths: string[]
  resolution: Resolution
  note?: string
}

/** Conflict kinds as `git merge` names them in its CONFLICT lines. */
export type ConflictKind =
  | 'content'
  | 'add/add'
  | 'modify/delete'
  | 'rename/delete'
  | 'rename/rename'
  | 'rename involved in collision'
  | 'binary'
  | 'file/directory'
  | 'file location'
  | 'directory rename'
  | 'distinct types'
  | 'mode'
  | 'submodule'
  | 'other'

export interface Conflict {
  /** The path as it stands in the merge result (the path a resolver edits). */
  path: string
  kind: ConflictKind
  /** git's own one-line description of the conflict, for the report. */
  message: string
  /** What the fork's rules say for this path (`manual` when no rule matches). */
  resolution: Resolution
  /** The matching rule's note, if any. */
  note?: string
  /** Set when auto-resolve resolved this conflict, to the side kept. */
  autoResolved?: 'ours' | 'theirs'
  /**
   * Why taking one side whole cannot settle this kind of conflict (set for `file location`, `directory rename` and
   * `other`): auto-resolve leaves it for a person, whatever the rule, and the report says why.
   */
  whyManual?: string
  /** For a `file location` conflict: where the added file was, and git's suggested location (`path`). */
  addedAt?: string
  /** What the fork's most recent earlier sync that changed this path on both sides kept (absent: none did). */
  lastTime?: LastTime
  /** The rule (`ours` or `theirs`) would not produce what the fork kept last time: a reviewer must look. */
  againstHistory?: boolean
}

/** What an earlier sync of the fork kept of a path both sides had changed (merge/history.ts). */
export interface LastTime {
  /** `ours`: the fork's version, `theirs`: upstream's, `merged`: a combination, `deleted`: neither. */
  kept: 'ours' | 'theirs' | 'merged' | 'deleted'
  /** The sync's merge commit on the target branch. */
  merge: string
  /** The pull request that merged it, when its merge commit names one. */
  pullRequest?: number
  /** The merge commit's date, ISO 8601. */
  date: string
}

export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed'

/** Upstream's changes between the merge base and the tag, grouped by top-level folder. */
export interface FolderChanges {
  folder: string
  added: number
  modified: number
  deleted: number
  renamed: number
}

export interface ChangeSummary {
  /** Upstream commits the target branch does not have yet. */
  commits: number
  /** Files upstream changed since the merge base. */
  files: number
  byFolder: FolderChanges[]
}

/** What a merge points the sync branch at, and the two commits it merged: MergeResult's part the push needs. */
export type MergeHead = Pick<MergeResult, 'status' | 'targetSha' | 'tagSha' | 'headSha'>

export interface MergeResult {
  status: 'clean' | 'conflicts'
  /** The target branch's commit that was merged into (never written). */
  targetSha: string
  /** The upstream tag's commit. */
  tagSha: string
  mergeBase?: string
  /**
   * What the sync branch should point at: the merge commit when the merge is clean (or every conflict was
   * auto-resolved), otherwise the tag's commit itself, so GitHub shows its conflict banner and nothing with conflict
   * markers is ever committed.
   */
  headSha: string
  /** Conflicts left for a human (empty when clean). */
  conflicts: Conflict[]
  /** Conflicts auto-resolve settled, with the side kept. */
  autoResolved: Conflict[]
  /**
   * Conflicted paths auto-resolve would have settled by their rule but left for a person because the fork kept
   * another side last time (`againstHistory`); empty unless auto-resolve is on.
   */
  heldForHistory?: string[]
  changes: ChangeSummary
  /** Paths the fork changed since the merge base that upstream changed too (a reviewer's first suspects). */
  forkCustomizations: string[]
  /** Set when the fork has rebrand rules: what the rebranded merge did (merge/rebrand-merge.ts). */
  rebrand?: RebrandSummary
}

/** The rebrand's part of a merge, for the report. */
export interface RebrandSummary {
  /** Each rule in config order, with the upstream files it changed and its replacements in them. */
  rules: Array<{ from: string; to: string; files: number; replacements: number }>
  /** Upstream files the merge carries rebranded, in path order. */
  files: Array<{ path: string; replacements: number }>
  /** Upstream files that conflict without the rebrand and merged with it. */
  conflictsAvoided: string[]
  /** Files merged untransformed because the rebrand alone made them conflict (the fork kept old names there). */
  notRebranded: string[]
  /** Files under the globs left as upstream has them: binary or not UTF-8. */
  skipped: Array<{ path: string; reason: string }>
}

/** An upstream GitHub release, as far as the action cares. */
export interface ReleaseInfo {
  tag: string
  name?: string
  body?: string
  htmlUrl?: string
  draft: boolean
  prerelease: boolean
  publishedAt?: string
  createdAt?: string
}

/** One upstream tag as listed through the API. */
export interface TagRef {
  name: string
  /** The object the ref points at: a commit, or an annotated tag object to peel. */
  sha: string
  type: 'commit' | 'tag'
}
