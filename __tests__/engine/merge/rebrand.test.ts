/**
 * The rebranded merge against real git: a fork that renamed LiteLLM to OrizonLLM, an upstream release that edits
 * the lines around every renamed word, merged in a partial repository prepared exactly as a run prepares it.
 */
import path from 'node:path'
import { collectConflicts } from '../../../src/merge/conflicts.js'
import { Git } from '../../../src/git/git.js'
import { prepareRepository } from '../../../src/merge/fetch.js'
import { mergeTag } from '../../../src/merge/merge.js'
import { rebrandMerge, type RebrandResult } from '../../../src/merge/rebrand-merge.js'
import { compileRebrand, parseRebrandInput, type CompiledRebrand } from '../../../src/merge/rebrand-rules.js'
import { silentLog } from '../../../src/runner.js'
import { buildRebrandScenario, plainMergeConflicts, promisorPacks, type Files, type RebrandScenario } from '../helpers/rebrand-repos.js'

const README_BASE = `# LiteLLM

LiteLLM is a proxy for 100+ LLM APIs.
It speaks the OpenAI format.

## Install

pip install litellm

## Usage

Start LiteLLM with \`litellm --config config.yaml\`.
The proxy listens on port 4000.

## License

MIT
`

const SERVER_BASE = `import logging
import os

logger = logging.getLogger("LiteLLM Proxy")
MASTER_KEY = os.environ.get("LITELLM_MASTER_KEY")


def start(port):
    logger.info("Starting LiteLLM Proxy on port %d", port)
    return port


def banner():
    return "Welcome to LiteLLM"
`

const ROUTER_BASE = '# LiteLLM router\nimport os\n\ndef route(model):\n    return model\n'
const ABOUT_BASE = 'NAME = "LiteLLM"\nVERSION = "1"\n\nCREDITS = "Powered by LiteLLM"\nLICENSE = "MIT"\n'

/** A PNG signature (0x89 is not UTF-8, and a NUL follows): binary, and it throws the byte count of cat-file off. */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00])
const BINARY_BASE = Buffer.concat([PNG, Buffer.from('LiteLLM logo v1'), Buffer.alloc(64, 7)])
const BINARY_NEW = Buffer.concat([PNG, Buffer.from('LiteLLM logo v2'), Buffer.alloc(64, 9)])

const base: Files = {
  'README.md': README_BASE,
  'pyproject.toml': '[project]\nname = "litellm"\nversion = "1.79.0"\ndescription = "LiteLLM: call every LLM API"\n',
  'litellm/proxy/server.py': SERVER_BASE,
  'docs/guide.md': 'LiteLLM guide\n',
  'docs/history.md': 'LiteLLM history\n- 1.79\n',
  'docs/latin1.txt': Buffer.from('Caf\xe9 LiteLLM\n', 'latin1'),
  'assets/logo.bin': BINARY_BASE,
  'vendor/notes.txt': 'LiteLLM vendored\n',
  'litellm/router.py': ROUTER_BASE,
  'litellm/about.py': ABOUT_BASE
}

/** The fork renamed the product by hand in the files it ships, and added a section of its own. */
const ours: Files = {
  'README.md': README_BASE.replace(/LiteLLM/g, 'OrizonLLM').replace(/litellm/g, 'orizonllm') + '\n## Support\n\nContact the Orizon team.\n',
  'pyproject.toml': '[project]\nname = "orizonllm"\nversion = "1.79.0"\ndescription = "OrizonLLM: call every LLM API"\n',
  'litellm/proxy/server.py': SERVER_BASE.replace(/LiteLLM/g, 'OrizonLLM').replace('LITELLM_MASTER_KEY', 'ORIZONLLM_MASTER_KEY'),
  // An edit that renames nothing: the base stays untransformed for this file, so the fork's side is this edit only.
  'litellm/router.py': ROUTER_BASE.replace('return model', 'return model.lower()'),
  // Renamed, but the credits keep upstream's name: upstream's edit next to them conflicts only when rebranded.
  'litellm/about.py': ABOUT_BASE.replace('NAME = "LiteLLM"', 'NAME = "OrizonLLM"')
}

/** Upstream's release edits the lines next to (or holding) each renamed word and adds lines that name it. */
const theirs: Files = {
  'README.md': README_BASE.replace('It speaks the OpenAI format.', 'It speaks the OpenAI and Anthropic formats.')
    .replace('pip install litellm', "pip install 'litellm[proxy]'")
    .replace('The proxy listens on port 4000.', 'The proxy listens on port 4000 by default.\nLiteLLM also ships a UI.'),
  'pyproject.toml': '[project]\nname = "litellm"\nversion = "1.80.0"\ndescription = "LiteLLM: call every LLM API in one format"\n',
  'litellm/proxy/server.py': SERVER_BASE.replace('MASTER_KEY")\n', 'MASTER_KEY")\nSALT_KEY = os.environ.get("LITELLM_SALT_KEY")\n')
    .replace('def start(port):', 'def start(port, workers=1):')
    .replace('on port %d", port)', 'on port %d (workers=%d)", port, workers)')
    .replace('"Welcome to LiteLLM"', '"Welcome to LiteLLM, version 1.80"'),
  'litellm/proxy/ui.py': 'TITLE = "LiteLLM Admin UI"\n',
  'docs/guide.md': 'LiteLLM guide\nRun LiteLLM.\n',
  'docs/history.md': 'LiteLLM history\n- 1.79\n- 1.80: LiteLLM gets a UI\n',
  'docs/latin1.txt': Buffer.from('Caf\xe9 LiteLLM 2\n', 'latin1'),
  'assets/logo.bin': BINARY_NEW,
  'vendor/notes.txt': 'LiteLLM vendored v2\n',
  'litellm/router.py': ROUTER_BASE.replace('import os', 'import os, sys'),
  'litellm/about.py': ABOUT_BASE.replace('LICENSE = "MIT"', 'LICENSE = "MIT License"')
}

const RULES = `
- from: LiteLLM
  to: OrizonLLM
  paths: [README.md, pyproject.toml, "litellm/**", "docs/**", "assets/**"]
  exclude: [docs/history.md]
- from: litellm
  to: orizonllm
  paths: [README.md, pyproject.toml]
- from: 'LITELLM_([A-Z_]+)'
  to: 'ORIZONLLM_$1'
  regex: true
  paths: ["litellm/**"]
`

const EXPECTED: Record<string, string> = {
  'README.md': `# OrizonLLM

OrizonLLM is a proxy for 100+ LLM APIs.
It speaks the OpenAI and Anthropic formats.

## Install

pip install 'orizonllm[proxy]'

## Usage

Start OrizonLLM with \`orizonllm --config config.yaml\`.
The proxy listens on port 4000 by default.
OrizonLLM also ships a UI.

## License

MIT

## Support

Contact the Orizon team.
`,
  'pyproject.toml': '[project]\nname = "orizonllm"\nversion = "1.80.0"\ndescription = "OrizonLLM: call every LLM API in one format"\n',
  'litellm/proxy/server.py': `import logging
import os

logger = logging.getLogger("OrizonLLM Proxy")
MASTER_KEY = os.environ.get("ORIZONLLM_MASTER_KEY")
SALT_KEY = os.environ.get("ORIZONLLM_SALT_KEY")


def start(port, workers=1):
    logger.info("Starting OrizonLLM Proxy on port %d (workers=%d)", port, workers)
    return port


def banner():
    return "Welcome to OrizonLLM, version 1.80"
`,
  'litellm/proxy/ui.py': 'TITLE = "OrizonLLM Admin UI"\n',
  'docs/guide.md': 'OrizonLLM guide\nRun OrizonLLM.\n',
  'litellm/router.py': '# OrizonLLM router\nimport os, sys\n\ndef route(model):\n    return model.lower()\n',
  // Merged as without a rebrand.
  'litellm/about.py': 'NAME = "OrizonLLM"\nVERSION = "1"\n\nCREDITS = "Powered by LiteLLM"\nLICENSE = "MIT License"\n'
}

/** Paths whose merged blob must be exactly upstream's: excluded, binary, not UTF-8, outside the globs. */
const AS_UPSTREAM = ['docs/history.md', 'assets/logo.bin', 'docs/latin1.txt', 'vendor/notes.txt']

let scenario: RebrandScenario
let counter = 0

beforeAll(() => {
  scenario = buildRebrandScenario({ base, ours, theirs })
})
afterAll(() => scenario.cleanup())

interface Action {
  git: Git
  label: string
  gitDir: string
  targetSha: string
  tagSha: string
  mergeBase: string
  /** What the fetchBlobs hook was asked for, call by call, and how many objects each call added. */
  fetches: Array<{ remote: 'upstream' | 'fork'; oids: string[]; objects: number }>
  fetchBlobs: (oids: readonly string[], remote: 'upstream' | 'fork') => Promise<void>
}

async function objectCount(git: Git): Promise<number> {
  const out = await git.process.output(['count-objects', '-v'])
  const value = (key: string): number => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(out)?.[1] ?? 0)
  return value('count') + value('in-pack')
}

/** A dry run's repository (commits and trees, no blobs), plus the fork's blobs the caller prefetches for content merges. */
async function prepareAction(s: RebrandScenario = scenario, prefetch: string[] = Object.keys(ours)): Promise<Action> {
  const gitDir = path.join(s.root, `action-${++counter}.git`)
  const git = await Git.init(gitDir)
  const prepared = await prepareRepository(git, {
    forkUrl: s.forkUrl,
    upstreamUrl: s.upstreamUrl,
    targetBranch: 'main',
    tag: s.tag,
    syncBranch: `upstream-sync/${s.tag}`,
    pushSendsUpstreamHistory: false,
    log: silentLog
  })
  const ourBlobs = await Promise.all(prefetch.map((file) => git.process.output(['rev-parse', `${prepared.targetSha}:${file}`])))
  await git.process.exec(['fetch', 'origin', '--no-tags', '--no-write-fetch-head', '--filter=blob:none', '--stdin'], { input: ourBlobs.join('\n') + '\n' })
  const fetches: Action['fetches'] = []
  const fetchBlobs = async (oids: readonly string[], remote: 'upstream' | 'fork'): Promise<void> => {
    const before = await objectCount(git)
    await git.process.exec(['fetch', remote === 'fork' ? 'origin' : 'upstream', '--no-tags', '--no-write-fetch-head', '--filter=blob:none', '--stdin'], { input: oids.join('\n') + '\n' })
    fetches.push({ remote, oids: [...oids], objects: (await objectCount(git)) - before })
  }
  const mergeBase = await git.process.output(['merge-base', prepared.targetSha, prepared.tagSha])
  return { git, gitDir, label: s.tag, targetSha: prepared.targetSha, tagSha: prepared.tagSha, mergeBase, fetches, fetchBlobs }
}

function run(action: Action, rebrand: CompiledRebrand): Promise<RebrandResult> {
  return rebrandMerge(action.git.process, {
    mergeBase: action.mergeBase,
    targetSha: action.targetSha,
    tagSha: action.tagSha,
    label: action.label,
    rebrand,
    fetchBlobs: action.fetchBlobs,
    log: silentLog
  })
}

const conflictList = (output: RebrandResult['merge']): string[] =>
  collectConflicts(output.output)
    .flatMap((group) => group.conflicts.map((conflict) => conflict.path))
    .sort()

describe('rebrandMerge: a renamed product merges cleanly', () => {
  let action: Action
  let result: RebrandResult
  let promisorBefore: number
  let promisorAfter: number

  beforeAll(async () => {
    action = await prepareAction()
    promisorBefore = promisorPacks(action.gitDir)
    result = await run(action, compileRebrand(parseRebrandInput(RULES)))
    promisorAfter = promisorPacks(action.gitDir)
  })

  test('without the rebrand the same merge conflicts on the renamed files, as git merge says', () => {
    const expected = ['README.md', 'litellm/proxy/server.py', 'pyproject.toml']
    expect(plainMergeConflicts(scenario)).toEqual(expected)
    expect(result.plain.exitCode).toBe(1)
    expect(conflictList(result.plain)).toEqual(expected)
    expect(result.conflictsAvoided).toEqual(expected)
  })

  test('with it the merge is clean', () => {
    expect(result.merge.exitCode).toBe(0)
    expect(conflictList(result.merge)).toEqual([])
  })

  test('only the blobs of the transformed paths are fetched, in one batch, and nothing lazily', async () => {
    const blobs = (rev: string, files: string[]): Promise<string[]> => Promise.all(files.map((file) => action.git.process.output(['rev-parse', `${rev}:${file}`])))
    const changedByBoth = ['README.md', 'pyproject.toml', 'litellm/proxy/server.py', 'litellm/router.py', 'litellm/about.py']
    const theirsPaths = [...changedByBoth, 'litellm/proxy/ui.py', 'docs/guide.md', 'docs/latin1.txt', 'assets/logo.bin']
    const wanted = [...(await blobs(action.tagSha, theirsPaths)), ...(await blobs(action.mergeBase, changedByBoth))]
    expect(action.fetches.map(({ remote }) => remote)).toEqual(['upstream', 'fork'])
    expect([...(action.fetches[0]?.oids ?? [])].sort()).toEqual([...wanted].sort())
    expect(action.fetches[0]?.objects).toBe(wanted.length)
    // The fork's versions: already there, as the merge step prefetches them for the content merge.
    expect([...(action.fetches[1]?.oids ?? [])].sort()).toEqual((await blobs(action.targetSha, changedByBoth)).sort())
    expect(action.fetches[1]?.objects).toBe(0)
    // One promisor pack: upstream's batch. A lazy fetch during either merge would have added another.
    expect(promisorAfter - promisorBefore).toBe(1)
  })

  test('a file the rebrand alone would make conflict is merged as without it', () => {
    expect(result.notRebranded).toEqual(['litellm/about.py'])
  })

  test("the merged files hold upstream's edits with the fork's name everywhere under the globs", async () => {
    for (const [file, content] of Object.entries(EXPECTED)) {
      expect(await action.git.process.output(['cat-file', 'blob', `${result.merge.output.tree}:${file}`])).toBe(content.replace(/\n$/, ''))
    }
  })

  test("excluded, binary, non-UTF-8 and out-of-glob files are exactly upstream's", async () => {
    for (const file of AS_UPSTREAM) {
      expect(await action.git.process.output(['rev-parse', `${result.merge.output.tree}:${file}`])).toBe(await action.git.process.output(['rev-parse', `${action.tagSha}:${file}`]))
    }
    expect(result.skipped).toEqual([
      { path: 'assets/logo.bin', reason: 'binary' },
      { path: 'docs/latin1.txt', reason: 'not UTF-8' }
    ])
  })

  test('counts per rule and per file, on what upstream brings', () => {
    expect(result.rules).toEqual([
      { rule: 0, from: 'LiteLLM', to: 'OrizonLLM', files: 6, replacements: 12 },
      { rule: 1, from: 'litellm', to: 'orizonllm', files: 2, replacements: 3 },
      { rule: 2, from: 'LITELLM_([A-Z_]+)', to: 'ORIZONLLM_$1', files: 1, replacements: 2 }
    ])
    expect(result.files).toEqual([
      { path: 'README.md', replacements: 6 },
      { path: 'docs/guide.md', replacements: 2 },
      { path: 'litellm/proxy/server.py', replacements: 5 },
      { path: 'litellm/proxy/ui.py', replacements: 1 },
      { path: 'litellm/router.py', replacements: 1 },
      { path: 'pyproject.toml', replacements: 2 }
    ])
  })

  test('theirsTree is the tag transformed, for auto-resolving to the rebranded upstream side', async () => {
    expect(await action.git.process.output(['cat-file', 'blob', `${result.theirsTree}:litellm/proxy/ui.py`])).toBe('TITLE = "OrizonLLM Admin UI"')
    expect(await action.git.process.output(['rev-parse', `${result.theirsTree}:vendor/notes.txt`])).toBe(await action.git.process.output(['rev-parse', `${action.tagSha}:vendor/notes.txt`]))
  })

  test('the merge commit keeps the real parents: upstream history intact, the next sync of the tag is a no-op', async () => {
    const merge = await action.git.process.output(['commit-tree', result.merge.output.tree, '-p', action.targetSha, '-p', action.tagSha], {
      input: `Merge upstream tag ${scenario.tag}\n`,
      env: { GIT_AUTHOR_NAME: 'bot', GIT_AUTHOR_EMAIL: 'bot@example.com', GIT_COMMITTER_NAME: 'bot', GIT_COMMITTER_EMAIL: 'bot@example.com' }
    })
    expect(await action.git.process.output(['rev-parse', `${merge}^1`])).toBe(action.targetSha)
    expect(await action.git.process.output(['rev-parse', `${merge}^2`])).toBe(action.tagSha)
    expect(await action.git.isAncestor(action.tagSha, merge)).toBe(true)
    const again = await action.git.process.tryExec(['merge-tree', '--write-tree', merge, scenario.tag])
    expect(again.exitCode).toBe(0)
    expect(again.stdout.trim()).toBe(result.merge.output.tree)
  })

  test('no replace ref is left behind and HEAD is the target, as after the plain merge', async () => {
    expect(await action.git.process.output(['for-each-ref', '--format=%(refname)'])).not.toMatch(/rebrand|refs\/replace/)
    expect(await action.git.process.output(['rev-parse', 'HEAD'])).toBe(action.targetSha)
  })
})

describe('rebrandMerge: a fork without a rebrand merges exactly as today', () => {
  test('no rules: the plain merge, nothing fetched, the conflict list of git merge and of mergeTag', async () => {
    const action = await prepareAction()
    const result = await run(action, compileRebrand([]))
    expect(action.fetches).toEqual([])
    expect(result.merge).toBe(result.plain)
    expect(result.rules).toEqual([])
    expect(result.files).toEqual([])
    expect(conflictList(result.merge)).toEqual(plainMergeConflicts(scenario))

    const today = await prepareAction()
    const merged = await mergeTag(today.git, {
      targetSha: today.targetSha,
      tagSha: today.tagSha,
      tag: scenario.tag,
      rules: [],
      autoResolve: false,
      author: { name: 'bot', email: 'bot@example.com' },
      log: silentLog
    })
    expect(merged.conflicts.map((conflict) => conflict.path)).toEqual(conflictList(result.merge))
    const messages = collectConflicts(result.merge.output)
      .flatMap((group) => group.conflicts)
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((conflict) => conflict.message)
    expect(messages).toEqual(merged.conflicts.map((conflict) => conflict.message))
    expect(messages.join('\n')).toContain('CONFLICT (content): Merge conflict in README.md')
  })

  test('rules whose globs cover nothing upstream changed: the plain merge, nothing fetched', async () => {
    const action = await prepareAction()
    const result = await run(action, compileRebrand(parseRebrandInput('- {from: LiteLLM, to: OrizonLLM, paths: ["website/**"]}')))
    expect(action.fetches).toEqual([])
    expect(result.merge).toBe(result.plain)
    expect(result.rules).toEqual([{ rule: 0, from: 'LiteLLM', to: 'OrizonLLM', files: 0, replacements: 0 }])
  })
})

describe('rebrandMerge: rules that are not idempotent on the actual text', () => {
  test('a regex whose capture puts its own match back is refused, naming the rule and the file', async () => {
    const action = await prepareAction()
    const rebrand = compileRebrand(parseRebrandInput("- {from: 'Start (\\w+)', to: 'Start $1 Start', regex: true, paths: [README.md]}"))
    await expect(run(action, rebrand)).rejects.toThrow(/rebrand\[0\]: applying the rebrand twice changes README\.md again/)
    expect(await action.git.process.output(['for-each-ref', '--format=%(refname)'])).not.toMatch(/rebrand/)
  })
})

describe('rebrandMerge: real conflicts remain, reported as git merge reports them', () => {
  let other: RebrandScenario
  beforeAll(() => {
    other = buildRebrandScenario({
      base: { 'README.md': '# LiteLLM\nfast\n', 'litellm/config.py': '# LiteLLM config\nPORT = 4000\n', 'litellm/legacy.py': 'LiteLLM legacy\n' },
      ours: { 'README.md': '# OrizonLLM\nfast\n', 'litellm/config.py': '# OrizonLLM config\nPORT = 5000\n', 'litellm/legacy.py': null },
      theirs: { 'README.md': '# LiteLLM\nfaster\n', 'litellm/config.py': '# LiteLLM config\nPORT = 4001\n', 'litellm/legacy.py': 'LiteLLM legacy v2\n' },
      tag: 'v2.0.0'
    })
  })
  afterAll(() => other.cleanup())

  test('the same paths, kinds and messages naming HEAD and the tag; the rename-only conflict is gone', async () => {
    const action = await prepareAction(other, ['README.md', 'litellm/config.py'])
    const result = await run(action, compileRebrand(parseRebrandInput('- {from: LiteLLM, to: OrizonLLM}')))
    const conflicts = (output: RebrandResult['merge']): Array<{ path: string; kind: string; message: string }> =>
      collectConflicts(output.output)
        .flatMap((group) => group.conflicts)
        .map(({ path: file, kind, message }) => ({ path: file, kind, message }))
        .sort((a, b) => (a.path < b.path ? -1 : 1))
    expect(conflicts(result.plain).map(({ path: file }) => file)).toEqual(plainMergeConflicts(other))
    expect(conflicts(result.merge)).toEqual(conflicts(result.plain).filter(({ path: file }) => file !== 'README.md'))
    expect(conflicts(result.merge).map(({ message }) => message)).toEqual([
      'CONFLICT (content): Merge conflict in litellm/config.py',
      'CONFLICT (modify/delete): litellm/legacy.py deleted in HEAD and modified in v2.0.0.  Version v2.0.0 of litellm/legacy.py left in tree.'
    ])
    expect(result.conflictsAvoided).toEqual(['README.md'])
    // The upstream side of a remaining conflict is the rebranded one.
    const theirsStage = result.merge.output.stages.find((stage) => stage.path === 'litellm/legacy.py' && stage.stage === 3)
    expect(await action.git.process.output(['cat-file', 'blob', theirsStage?.oid ?? ''])).toBe('OrizonLLM legacy v2')
  })
})
