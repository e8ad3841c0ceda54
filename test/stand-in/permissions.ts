/**
 * GitHub's permission model for a GITHUB_TOKEN, opt-in (`--token-repo OWNER/NAME --permissions LIST`).
 *
 * The token is the installation token of one repository with the job's `permissions:` (GitHub's names and levels;
 * unlisted ones are `none`, `metadata` is always `read`). Every repository of the stand-in is public, so any token
 * may read any repository's public data; writes need the permission on the token's own repository and are refused
 * elsewhere. Drafts are public data only for tokens with push access (`contents: write`).
 *
 * Refusals are GitHub's exact answers:
 * - a missing permission: 403 `Resource not accessible by integration` with the endpoint's documentation URL
 *   (e.g. OWASP-BLT/BLT#4311 shows the bodies for create-a-label and add-labels-to-an-issue);
 * - adding a label that does not exist yet without `issues: write`: 403
 *   `You do not have permission to create labels on this repository.` with
 *   `errors: [{ resource: 'Repository', field: 'label', code: 'unauthorized' }]` (Songmu/tagpr#194 and
 *   wolfi-dev/os#49539 print the status, 403; actions/labeler#870 and googleapis/release-please-action#1105 the body);
 * - a push that creates or changes `.github/workflows/*` without `workflows: write`: the ref is rejected with
 *   ``refusing to allow a GitHub App to create or update workflow `PATH` without `workflows` permission``.
 */
import { HttpError, validationFailed } from './http.js'

export type Level = 'none' | 'read' | 'write'

/**
 * The `permissions:` keys a workflow may set, plus `workflows` and `administration` (GitHub App permissions a
 * GITHUB_TOKEN never has; the repository's settings are changed as the owner, `as-owner`).
 */
export const PERMISSION_NAMES = [
  'actions',
  'administration',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'metadata',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
  'workflows'
] as const

export type PermissionName = (typeof PERMISSION_NAMES)[number]

/** The repository a token belongs to and what it may do there. */
export interface TokenModel {
  /** `owner/name` of the repository whose GITHUB_TOKEN this is. */
  repo: string
  permissions: Partial<Record<PermissionName, Level>>
}

/**
 * Parses `contents:write,pull-requests:write,issues:read` (GitHub's names and levels). Throws an Error naming the
 * bad entry, so the CLI and startStandIn() report it.
 */
export function parsePermissions(list: string): Partial<Record<PermissionName, Level>> {
  const permissions: Partial<Record<PermissionName, Level>> = {}
  for (const entry of list.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [name = '', level = ''] = entry.split(':').map((s) => s.trim())
    if (!(PERMISSION_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown permission "${name}" in "${entry}"; GitHub's names are ${PERMISSION_NAMES.join(', ')}`)
    }
    if (level !== 'read' && level !== 'write' && level !== 'none') throw new Error(`permission "${entry}" needs a level: ${name}:read, ${name}:write or ${name}:none`)
    permissions[name as PermissionName] = level
  }
  return permissions
}

/** Builds the model from the CLI's / startStandIn()'s options; undefined (no model, everything allowed) without a repo. */
export function tokenModel(repo: string | undefined, permissions: string | Partial<Record<PermissionName, Level>> | undefined): TokenModel | undefined {
  if (repo === undefined || repo === '') {
    if (permissions !== undefined && permissions !== '') throw new Error('permissions need a token repository (--token-repo OWNER/NAME): they apply to that repository')
    return undefined
  }
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) throw new Error(`token repository must be OWNER/NAME, got "${repo}"`)
  return { repo, permissions: typeof permissions === 'string' ? parsePermissions(permissions) : { ...permissions } }
}

function rank(level: Level | undefined): number {
  return level === 'write' ? 2 : level === 'read' ? 1 : 0
}

/** Who is asking: a token (under the model, or unrestricted when there is none) or a repository's owner (test control). */
export type Principal = { kind: 'owner' } | { kind: 'token'; model?: TokenModel }

/** True when the principal may `level` `permission` in `repo` (`owner/name`). */
export function allows(principal: Principal, repo: string, permission: PermissionName, level: 'read' | 'write'): boolean {
  if (principal.kind === 'owner' || principal.model === undefined) return true
  if (level === 'read') return true // every repository is public: its public data is readable by any token
  if (principal.model.repo.toLowerCase() !== repo.toLowerCase()) return false
  const granted = permission === 'metadata' ? 'read' : principal.model.permissions[permission]
  return rank(granted) >= rank(level)
}

/** Drafts are listed only to tokens with push access (GitHub docs, "List releases"). */
export function seesDrafts(principal: Principal, repo: string): boolean {
  return allows(principal, repo, 'contents', 'write')
}

const DOCS = 'https://docs.github.com/rest'

/** GitHub's 403 for a missing permission, with the endpoint's documentation URL. */
export function notAccessible(docs: string): HttpError {
  return new HttpError(403, { message: 'Resource not accessible by integration', documentation_url: `${DOCS}/${docs}`, status: '403' })
}

/** GitHub's 403 for adding a label that does not exist without `issues: write` (see the file comment for sources). */
export function cannotCreateLabels(): HttpError {
  const error = validationFailed([{ resource: 'Repository', field: 'label', code: 'unauthorized' }], 'You do not have permission to create labels on this repository.')
  return new HttpError(403, { ...error.body, documentation_url: `${DOCS}/issues/labels#add-labels-to-an-issue`, status: '403' })
}

/** What a write needs: a permission, or `issue` (issues: write, or pull-requests: write when the issue is a PR). */
export type Requirement = { permission: PermissionName; docs: string } | { issue: true; docs: string }

interface Rule {
  method: string
  /** Matched against the path after `/repos/{owner}/{repo}`. */
  path: RegExp
  needs: Requirement
}

const ISSUE_WRITE = (docs: string): Requirement => ({ issue: true, docs })
const NEEDS = (permission: PermissionName, docs: string): Requirement => ({ permission, docs })

/** The writes of the stand-in's API and what GitHub asks of a GITHUB_TOKEN for each ("Permissions required for GitHub Apps"). */
const RULES: Rule[] = [
  { method: 'PATCH', path: /^$/, needs: NEEDS('administration', 'repos/repos#update-a-repository') },
  { method: 'POST', path: /^\/git\/refs$/, needs: NEEDS('contents', 'git/refs#create-a-reference') },
  { method: 'PATCH', path: /^\/git\/refs\//, needs: NEEDS('contents', 'git/refs#update-a-reference') },
  { method: 'DELETE', path: /^\/git\/refs\//, needs: NEEDS('contents', 'git/refs#delete-a-reference') },
  { method: 'POST', path: /^\/releases$/, needs: NEEDS('contents', 'releases/releases#create-a-release') },
  { method: 'PATCH', path: /^\/releases\/\d+$/, needs: NEEDS('contents', 'releases/releases#update-a-release') },
  { method: 'DELETE', path: /^\/releases\/\d+$/, needs: NEEDS('contents', 'releases/releases#delete-a-release') },
  { method: 'POST', path: /^\/pulls$/, needs: NEEDS('pull-requests', 'pulls/pulls#create-a-pull-request') },
  { method: 'PATCH', path: /^\/pulls\/\d+$/, needs: NEEDS('pull-requests', 'pulls/pulls#update-a-pull-request') },
  { method: 'PUT', path: /^\/pulls\/\d+\/merge$/, needs: NEEDS('contents', 'pulls/pulls#merge-a-pull-request') },
  { method: 'POST', path: /^\/labels$/, needs: NEEDS('issues', 'issues/labels#create-a-label') },
  { method: 'PATCH', path: /^\/labels\//, needs: NEEDS('issues', 'issues/labels#update-a-label') },
  { method: 'DELETE', path: /^\/labels\//, needs: NEEDS('issues', 'issues/labels#delete-a-label') },
  { method: 'POST', path: /^\/issues$/, needs: NEEDS('issues', 'issues/issues#create-an-issue') },
  { method: 'PATCH', path: /^\/issues\/\d+$/, needs: ISSUE_WRITE('issues/issues#update-an-issue') },
  { method: 'POST', path: /^\/issues\/\d+\/labels$/, needs: ISSUE_WRITE('issues/labels#add-labels-to-an-issue') },
  { method: 'PUT', path: /^\/issues\/\d+\/labels$/, needs: ISSUE_WRITE('issues/labels#set-labels-for-an-issue') },
  { method: 'DELETE', path: /^\/issues\/\d+\/labels$/, needs: ISSUE_WRITE('issues/labels#remove-all-labels-from-an-issue') },
  { method: 'DELETE', path: /^\/issues\/\d+\/labels\//, needs: ISSUE_WRITE('issues/labels#remove-a-label-from-an-issue') },
  { method: 'POST', path: /^\/issues\/\d+\/comments$/, needs: ISSUE_WRITE('issues/comments#create-an-issue-comment') },
  { method: 'PATCH', path: /^\/issues\/comments\/\d+$/, needs: ISSUE_WRITE('issues/comments#update-an-issue-comment') },
  { method: 'POST', path: /^\/actions\/workflows\/[^/]+\/dispatches$/, needs: NEEDS('actions', 'actions/workflows#create-a-workflow-dispatch-event') }
]

/** What a request on a repository needs; undefined for reads (public data). Unknown writes need `contents: write`. */
export function requirement(method: string, repoPath: string): Requirement | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined
  return RULES.find((rule) => rule.method === method && rule.path.test(repoPath))?.needs ?? NEEDS('contents', 'repos/repos')
}

/**
 * Checks a write on `repo`; `isPull` tells whether the issue a request addresses is a pull request (only asked for
 * issue endpoints). Throws GitHub's 403 when refused.
 */
export function checkWrite(principal: Principal, repo: string, needs: Requirement, isPull: () => boolean): void {
  if ('permission' in needs) {
    if (!allows(principal, repo, needs.permission, 'write')) throw notAccessible(needs.docs)
    return
  }
  if (allows(principal, repo, 'issues', 'write')) return
  if (isPull() && allows(principal, repo, 'pull-requests', 'write')) return
  throw notAccessible(needs.docs)
}
