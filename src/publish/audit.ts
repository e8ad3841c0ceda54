/**
 * The resolution audit as a run step: when the sync branch holds a resolution made after the action's commit (a
 * maintainer's or a bot's commits, so publishing left the branch alone), the run compares what the branch kept of
 * every path both sides changed since the merge base with the path's rule (merge/audit.ts), without touching the
 * branch. The findings go to ONE comment on the PR, found again by its hidden marker and edited in place (a rerun
 * with the same findings writes nothing), and to the `resolution-review` label while any contradiction stands.
 * The caller puts them in the `resolution-audit` output and the job summary.
 */
import type { Git } from '../git/git.js'
import type { GitHubApi, LabelSpec, PullInfo } from '../github/api.js'
import { auditResolution, type AuditRow } from '../merge/audit.js'
import { ensureTrees } from '../merge/last-time.js'
import { compileRules } from '../merge/rules.js'
import { AUDIT_MARKER, auditComment, auditMarkdown, contradictionCount } from '../report/audit.js'
import type { Log } from '../runner.js'
import type { MergeResult, PathRule } from '../types.js'

/** The label a sync PR carries while its resolution contradicts a rule. */
export const RESOLUTION_REVIEW_LABEL: LabelSpec = { name: 'resolution-review', color: 'b60205', description: "The resolution keeps the side a fork rule says not to keep" }

export interface AuditRequest {
  api: GitHubApi
  git: Git
  log: Log
  /** The sync PR, when one is open: it gets the comment and the label. */
  pull?: PullInfo
  syncBranch: string
  /** The sync branch's head: the resolution to audit. */
  branchSha: string
  /** The run's own merge of the tag into the target (its target and tag commits). */
  merge: Pick<MergeResult, 'targetSha' | 'tagSha'>
  rules: readonly PathRule[]
  /** The fork's web page, for links. */
  forkUrl: string
}

/** What the audit found, for the output and the job summary. */
export interface ResolutionAudit {
  rows: AuditRow[]
  contradictions: number
  /** The section for the job summary (every row). */
  markdown: string
}

/**
 * Audits the sync branch's resolution; undefined when the branch merged none of the target (commits on top of the
 * tag alone resolve nothing yet). "Ours" is the newest target commit the branch merged, so a target that moved on
 * since the resolution is not held against it.
 */
export async function auditSyncBranch(req: AuditRequest): Promise<ResolutionAudit | undefined> {
  const { git, log, merge } = req
  const ours = await git.mergeBase(req.branchSha, merge.targetSha)
  const base = ours === undefined ? undefined : await git.mergeBase(ours, merge.tagSha)
  if (ours === undefined || base === undefined || ours === base) {
    log.info(`The sync branch ${req.syncBranch} does not merge the target branch yet: no resolution to audit.`)
    return undefined
  }
  await ensureTrees(git, [base, ours, merge.tagSha, req.branchSha])
  const rules = compileRules(req.rules)
  const rows = await auditResolution(git.process, {
    base,
    ours,
    theirs: merge.tagSha,
    result: req.branchSha,
    ruleOf: (path) => {
      const match = rules.match(path)
      return match.ruleIndex === undefined ? undefined : match.resolution
    },
    log
  })
  const facts = { rows, syncBranch: req.syncBranch, head: req.branchSha, forkUrl: req.forkUrl }
  const contradictions = contradictionCount(rows)
  log.info(`Resolution audit of ${req.syncBranch}: ${rows.length} file(s) changed on both sides, ${contradictions} against their rule.`)
  if (req.pull) await publishAudit(req.api, req.pull, auditComment(facts), rows.length > 0, contradictions > 0)
  return { rows, contradictions, markdown: auditMarkdown(facts) }
}

/** One comment, edited in place; the label follows the contradictions. */
async function publishAudit(api: GitHubApi, pull: PullInfo, body: string, worthAComment: boolean, contradicted: boolean): Promise<void> {
  const existing = (await api.pullComments(pull)).find((comment) => comment.body.includes(AUDIT_MARKER))
  if (existing) {
    if (existing.body !== body) await api.updateComment(pull, existing.id, body)
  } else if (worthAComment) {
    await api.comment(pull, body)
  }
  if (contradicted) {
    await api.ensureLabels([RESOLUTION_REVIEW_LABEL])
    await api.setPullLabels(pull, [RESOLUTION_REVIEW_LABEL.name], [])
  } else {
    await api.setPullLabels(pull, [], [RESOLUTION_REVIEW_LABEL.name])
  }
}
