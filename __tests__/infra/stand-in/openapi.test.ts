/**
 * The stand-in's fidelity, checked against GitHub's own description of its API: every response it serves for the
 * calls the action makes (the `octokit.rest.<namespace>.<method>` calls found in src/), success and error bodies,
 * validated with the JSON schemas of GitHub's OpenAPI description (`@octokit/openapi`, for api.github.com and the
 * newest GitHub Enterprise Server), formats included (uri, date-time, email).
 *
 * An error status an operation does not describe is validated against GitHub's generic bodies: `validation-error` when
 * it carries `errors`, `basic-error` otherwise.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { REPO_ROOT } from '../../../test/support/action.js'
import { addFault, asOwner, configure, type ApiResponse } from '../../../test/support/control.js'
import { commitFiles, setBranch } from '../../../test/support/repos.js'
import { createWorld, type World } from './helpers/world.js'

interface Operation {
  operationId: string
  method: string
  template: string
  responses: Record<string, { content?: Record<string, { schema?: unknown }> } | { $ref: string }>
}

interface Description {
  name: string
  ops: Map<string, Operation>
  ajv: Ajv
  cache: Map<string, ValidateFunction>
}

const DESCRIPTIONS = ['api.github.com', 'ghes-3.19']
const SCHEMA_ID = 'https://github.com/octokit/openapi'

/**
 * Where GitHub's description is narrower than GitHub itself: a label's `description` is null when it has none (as the
 * issue and label schemas say), but the pull-request-simple schema declares it a string.
 */
const DESCRIPTION_GAPS: { operationId: string; instancePath: RegExp }[] = [{ operationId: 'pulls/list', instancePath: /^\/\d+\/labels\/\d+\/description$/ }]

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `null` joins the type (and the enum), or, beside `allOf`/`$ref`
 * without a type, the schema becomes `anyOf: [schema, null]`.
 */
function withNullable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withNullable)
  if (value === null || typeof value !== 'object') return value
  const { nullable, ...rest } = value as Record<string, unknown>
  const schema = Object.fromEntries(Object.entries(rest).map(([key, inner]) => [key, withNullable(inner)]))
  if (nullable !== true) return schema
  if (typeof schema.type === 'string') {
    return { ...schema, type: [schema.type, 'null'], ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}) }
  }
  return { anyOf: [schema, { type: 'null' }] }
}

async function loadDescription(name: string): Promise<Description> {
  const file = path.join(REPO_ROOT, 'node_modules/@octokit/openapi/generated', `${name}.json`)
  const spec = withNullable(JSON.parse(await fs.readFile(file, 'utf8'))) as { paths: Record<string, Record<string, Omit<Operation, 'method' | 'template'>>>; components: unknown }
  const ops = new Map<string, Operation>()
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op && typeof op === 'object' && 'operationId' in op) ops.set(op.operationId, { ...op, method: method.toUpperCase(), template })
    }
  }
  // OpenAPI 3.0 schemas: `example` and the x- extensions are not JSON Schema keywords; strict off.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true })
  addFormats.default(ajv)
  ajv.addSchema({ $id: SCHEMA_ID, components: spec.components })
  return { name, ops, ajv, cache: new Map() }
}

/** `compareCommitsWithBasehead` → `compare-commits-with-basehead` (Octokit's method names come from operation ids). */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/** The operations the action calls, from its sources: `rest.repos.get` → `repos/get`. */
async function actionOperations(): Promise<string[]> {
  const ids = new Set<string>()
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(full)
      else if (entry.name.endsWith('.ts')) {
        for (const match of (await fs.readFile(full, 'utf8')).matchAll(/\brest\s*\.\s*(\w+)\s*\.\s*(\w+)/g)) ids.add(`${match[1]}/${kebab(match[2] ?? '')}`)
      }
    }
  }
  await walk(path.join(REPO_ROOT, 'src'))
  return [...ids].sort()
}

let w: World
let descriptions: Description[]
const checked: { operationId: string; status: number; described: boolean }[] = []
const failures: string[] = []

function schemaRef(op: Operation, status: number, body: unknown): { ref: string; described: boolean } {
  const response = op.responses[String(status)]
  const ref = response && '$ref' in response ? response.$ref : undefined
  if (ref) return { ref: `${ref}/content/application~1json/schema`, described: true }
  if (response && 'content' in response && response.content?.['application/json']) {
    return { ref: `#/paths/${op.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${op.method.toLowerCase()}/responses/${status}/content/application~1json/schema`, described: true }
  }
  const generic = typeof body === 'object' && body !== null && 'errors' in body ? 'validation-error' : 'basic-error'
  return { ref: `#/components/schemas/${generic}`, described: false }
}

/** Validates a response against every description; failures are collected and reported together. */
function check(operationId: string, response: ApiResponse<unknown>): void {
  for (const description of descriptions) {
    const op = description.ops.get(operationId)
    if (!op) {
      failures.push(`${description.name}: no operation ${operationId}`)
      continue
    }
    if (response.status === 204 || response.data === null) {
      checked.push({ operationId, status: response.status, described: String(response.status) in op.responses })
      if (!(String(response.status) in op.responses)) failures.push(`${description.name} ${operationId}: status ${response.status} is not described`)
      continue
    }
    const { ref, described } = schemaRef(op, response.status, response.data)
    let validate = description.cache.get(ref)
    if (!validate) {
      // Path-level responses live outside `components`: compile them from the operation itself.
      const target = (ref.startsWith('#/paths/') ? pathSchema(op, response.status) : { $ref: `${SCHEMA_ID}${ref}` }) as object
      validate = description.ajv.compile(target)
      description.cache.set(ref, validate)
    }
    checked.push({ operationId, status: response.status, described })
    const gaps = DESCRIPTION_GAPS.filter((gap) => gap.operationId === operationId)
    const errors = validate(response.data) ? [] : (validate.errors ?? []).filter((error) => !gaps.some((gap) => gap.instancePath.test(error.instancePath)))
    if (errors.length > 0) failures.push(`${description.name} ${operationId} ${response.status}: ${description.ajv.errorsText(errors, { separator: '\n  ' })}`)
  }
}

/** An operation's inline response schema, with its `#/components` references pointed at the registered description. */
function pathSchema(op: Operation, status: number): unknown {
  const response = op.responses[String(status)] as { content: Record<string, { schema: unknown }> }
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite)
    if (value === null || typeof value !== 'object') return value
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, key === '$ref' && typeof inner === 'string' ? `${SCHEMA_ID}${inner}` : rewrite(inner)]))
  }
  return rewrite(response.content['application/json']?.schema)
}

const FORK = '/repos/carto/gateway-fork'
const UPSTREAM = '/repos/acme/gateway'

beforeAll(async () => {
  descriptions = await Promise.all(DESCRIPTIONS.map(loadDescription))
  // The token of the fork without issues: write, so the label refusals are served too.
  w = await createWorld({ tokenRepo: 'carto/gateway-fork', permissions: 'contents:write,pull-requests:write,actions:write' })
})

afterAll(async () => {
  await w.close()
})

describe("the stand-in's answers to the action's calls match GitHub's OpenAPI description", () => {
  it('repositories, refs, tags, commits, contents and compare', async () => {
    check('repos/get', await w.api('GET', FORK))
    check('repos/get', await w.api('GET', UPSTREAM))
    check('repos/get', await w.api('GET', '/repos/acme/nothing'))
    check('git/get-ref', await w.api('GET', `${FORK}/git/ref/heads/carto/main`))
    check('git/get-ref', await w.api('GET', `${FORK}/git/ref/heads/nope`))
    check('repos/get-content', await w.api('GET', `${FORK}/contents/.github/workflows/carto-build.yml?ref=carto/main`))
    check('repos/get-content', await w.api('GET', `${FORK}/contents/.github/workflows?ref=carto/main`))
    check('repos/get-content', await w.api('GET', `${FORK}/contents/nope.yml?ref=carto/main`))
    const tags = await w.api('GET', `${UPSTREAM}/git/matching-refs/tags/v`)
    check('git/list-matching-refs', tags)
    check('git/list-matching-refs', await w.api('GET', `${UPSTREAM}/git/matching-refs/tags/none`))
    const annotated = (tags.data as { object: { type: string; sha: string } }[]).find((ref) => ref.object.type === 'tag')
    check('git/get-tag', await w.api('GET', `${UPSTREAM}/git/tags/${annotated?.object.sha}`))
    check('git/get-tag', await w.api('GET', `${UPSTREAM}/git/tags/${'0'.repeat(40)}`))
    check('git/get-commit', await w.api('GET', `${UPSTREAM}/git/commits/${w.upstream.tags['v1.1.0-stable']}`))
    check('git/get-commit', await w.api('GET', `${UPSTREAM}/git/commits/${'0'.repeat(40)}`))
    const basehead = `carto/main...${w.upstream.tags['v1.1.0-stable']}`
    check('repos/compare-commits-with-basehead', await w.api('GET', `${FORK}/compare/${basehead}?per_page=1`))
    check('repos/compare-commits-with-basehead', await w.api('GET', `${FORK}/compare/${basehead}`))
    check('repos/compare-commits-with-basehead', await w.api('GET', `${FORK}/compare/carto/main...${'1'.repeat(40)}`))
    await configure(w.standIn, { compareDiffLimit: 1 })
    const tooLong = await w.api('GET', `${FORK}/compare/${basehead}?per_page=1`)
    await configure(w.standIn, { compareDiffLimit: null })
    expect(tooLong.status).toBe(500)
    check('repos/compare-commits-with-basehead', tooLong)
  })

  it('releases, drafts included', async () => {
    await asOwner(w.standIn, 'POST', `${UPSTREAM}/releases`, { tag_name: 'v1.1.0-stable', name: '1.1.0', body: 'notes' })
    await asOwner(w.standIn, 'POST', `${UPSTREAM}/releases`, { tag_name: 'v1.2.0-nightly', draft: true })
    check('repos/list-releases', await w.api('GET', `${UPSTREAM}/releases?per_page=100`))
    check('repos/list-releases', await asOwner(w.standIn, 'GET', `${UPSTREAM}/releases?per_page=100`))
    check('repos/list-releases', await w.api('GET', '/repos/acme/nothing/releases'))
    check('repos/get-release-by-tag', await w.api('GET', `${UPSTREAM}/releases/tags/v1.1.0-stable`))
    check('repos/get-release-by-tag', await w.api('GET', `${UPSTREAM}/releases/tags/v1.2.0-nightly`))
  })

  it('pull requests, labels, comments, branches and dispatches', async () => {
    const created = await w.api('POST', `${FORK}/pulls`, { title: 'Sync v1.1.0-stable', head: 'carto/main', base: 'main', body: 'body', maintainer_can_modify: false })
    expect(created.status).toBe(201)
    // GitHub percent-encodes a bot's login in URLs.
    expect(created.data.user.url).toMatch(/\/users\/github-actions%5Bbot%5D$/)
    check('pulls/create', created)
    check('pulls/create', await w.api('POST', `${FORK}/pulls`, { title: 'again', head: 'carto/main', base: 'main' }))
    const number = (created.data as { number: number }).number
    check('pulls/update', await w.api('PATCH', `${FORK}/pulls/${number}`, { body: 'new body' }))
    check('pulls/update', await w.api('PATCH', `${FORK}/pulls/${number}`, { state: 'nope' }))

    check('issues/create-label', await w.api('POST', `${FORK}/labels`, { name: 'upstream-sync', color: '0e8a16', description: 'sync' }))
    check('issues/create-label', await asOwner(w.standIn, 'POST', `${FORK}/labels`, { name: 'upstream-sync', color: '0e8a16', description: 'sync' }))
    check('issues/create-label', await asOwner(w.standIn, 'POST', `${FORK}/labels`, { name: 'upstream-sync', color: '0e8a16' }))
    await asOwner(w.standIn, 'POST', `${FORK}/labels`, { name: 'conflicts', color: 'd93f0b' })
    check('issues/list-labels-for-repo', await w.api('GET', `${FORK}/labels?per_page=100`))
    check('issues/add-labels', await w.api('POST', `${FORK}/issues/${number}/labels`, { labels: ['upstream-sync', 'conflicts'] }))
    check('issues/add-labels', await w.api('POST', `${FORK}/issues/${number}/labels`, { labels: ['missing'] }))
    await addFault(w.standIn, { preset: 'not-yet-consistent' })
    check('issues/add-labels', await w.api('POST', `${FORK}/issues/${number}/labels`, { labels: ['conflicts'] }))
    check('pulls/list', await w.api('GET', `${FORK}/pulls?head=carto:carto/main&state=all&sort=created&direction=desc&per_page=100`))
    check('pulls/list', await w.api('GET', `${FORK}/pulls?state=open&base=main&per_page=100`))
    check('issues/remove-label', await w.api('DELETE', `${FORK}/issues/${number}/labels/conflicts`))
    check('issues/remove-label', await w.api('DELETE', `${FORK}/issues/${number}/labels/conflicts`))
    check('issues/create-comment', await w.api('POST', `${FORK}/issues/${number}/comments`, { body: 'superseded' }))
    const auditComment = await w.api('POST', `${FORK}/issues/${number}/comments`, { body: 'audit' })
    check('issues/update-comment', await w.api('PATCH', `${FORK}/issues/comments/${auditComment.data.id}`, { body: 'audit, edited' }))
    check('issues/list-comments', await w.api('GET', `${FORK}/issues/${number}/comments?per_page=100`))
    check('issues/update-comment', await w.api('PATCH', `${FORK}/issues/comments/999999`, { body: 'x' }))
    check('issues/create-comment', await w.api('POST', `${FORK}/issues/999/comments`, { body: 'x' }))

    await setBranch(w.fork.dir, 'upstream-sync/v1.1.0-stable', w.fork.targetSha)
    check('git/delete-ref', await w.api('DELETE', `${FORK}/git/refs/heads/upstream-sync/v1.1.0-stable`))
    check('git/delete-ref', await w.api('DELETE', `${FORK}/git/refs/heads/upstream-sync/v1.1.0-stable`))
    // The channel-drift marker: a ref outside branches and tags, created once and refused (422) when it exists.
    const marker = { ref: 'refs/upstream-sync/channel-drift/v1.85.0', sha: w.fork.targetSha }
    check('git/create-ref', await w.api('POST', `${FORK}/git/refs`, marker))
    check('git/create-ref', await w.api('POST', `${FORK}/git/refs`, marker))
    check('git/list-matching-refs', await w.api('GET', `${FORK}/git/matching-refs/upstream-sync/channel-drift/`))

    await setBranch(w.fork.dir, 'ci', w.fork.targetSha)
    await commitFiles(w.fork.dir, 'ci', { '.github/workflows/carto-build.yml': 'on:\n  workflow_dispatch:\njobs: {}\n' }, 'dispatchable')
    check('actions/create-workflow-dispatch', await w.api('POST', `${FORK}/actions/workflows/carto-build.yml/dispatches`, { ref: 'ci', inputs: { tag: 'v1.1.0-stable' } }))
    const noTrigger = await w.api('POST', `${FORK}/actions/workflows/carto-build.yml/dispatches`, { ref: 'carto/main' })
    expect(noTrigger.status).toBe(422)
    check('actions/create-workflow-dispatch', noTrigger)
  })

  it('the dashboard issue (created, listed, edited by a maintainer) and the merge settings', async () => {
    const issue = { title: 'Upstream sync dashboard', body: '- [ ] <!-- retry:v1.1.0-stable --> v1.1.0-stable', labels: ['upstream-sync'] }
    // The world's token lacks issues: write: GitHub's 403.
    const refused = await w.api('POST', `${FORK}/issues`, issue)
    expect(refused.status).toBe(403)
    check('issues/create', refused)
    const created = await asOwner(w.standIn, 'POST', `${FORK}/issues`, issue)
    expect(created.status).toBe(201)
    check('issues/create', created)
    const number = (created.data as { number: number }).number
    check('issues/list-for-repo', await w.api('GET', `${FORK}/issues?labels=upstream-sync&state=all&sort=created&direction=asc&per_page=100`))
    const edited = await asOwner(w.standIn, 'PATCH', `${FORK}/issues/${number}`, { body: '- [x] <!-- retry:v1.1.0-stable --> v1.1.0-stable' })
    check('issues/update', edited)
    expect((edited.data as { body: string }).body).toContain('- [x]')
    check('issues/update', await asOwner(w.standIn, 'PATCH', `${FORK}/issues/${number}`, { state: 'closed', state_reason: 'not_planned', body: 'Duplicate' }))
    check('issues/update', await w.api('PATCH', `${FORK}/issues/${number}`, { body: 'no issues: write' }))
    check('issues/update', await w.api('PATCH', `${FORK}/issues/99999`, { body: 'x' }))
    const settings = await asOwner(w.standIn, 'PATCH', FORK, { allow_merge_commit: false })
    check('repos/update', settings)
    expect(settings.data).toMatchObject({ allow_merge_commit: false, allow_squash_merge: true })
    check('repos/get', await w.api('GET', FORK))
    const none = await asOwner(w.standIn, 'PATCH', FORK, { allow_squash_merge: false, allow_rebase_merge: false })
    expect(none.status).toBe(422)
    check('repos/update', none)
    await asOwner(w.standIn, 'PATCH', FORK, { allow_merge_commit: true })
  })

  it('every response validates, and every call the action makes was answered successfully at least once', async () => {
    expect(failures).toEqual([])
    const operations = await actionOperations()
    expect(operations.length).toBeGreaterThan(10)
    const succeeded = new Set(checked.filter((c) => c.status < 300).map((c) => c.operationId))
    expect(operations.filter((id) => !succeeded.has(id))).toEqual([])
  })
})
