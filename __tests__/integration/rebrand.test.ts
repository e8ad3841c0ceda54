/**
 * Issue 14 end to end: a rebranded fork (LiteLLM → OrizonLLM in the README, the package file and the UI strings)
 * syncs an upstream release that edits lines next to each renamed word. Without `rebrand` git merge conflicts on
 * those files; with it the sync is a clean merge whose tree holds upstream's edits under the fork's name, whose
 * second parent is upstream's tag itself, and whose PR says what was rebranded. run() in-process against the
 * stand-in, real git.
 */
import { describe, expect, it } from '@jest/globals'
import { git, readFile } from '../../test/support/repos.js'
import { errors, expectExit, labelNames, mergeOracle, openWorld, type World } from './helpers/releases-world.js'

const TAG = 'v1.3.0-stable'
const BRANCH = `upstream-sync/${TAG}`
/** A binary asset (NUL bytes, git's binary test) that spells the product name: never rewritten. */
const logo = (version: string): Buffer => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]), Buffer.from(`LiteLLM ${version}`), Buffer.from([0, 1, 2])])

const BASE = {
  'README.md': [
    '# LiteLLM',
    '',
    'LiteLLM is a gateway to many models.',
    'Run it with: docker run ghcr.io/acme/litellm-proxy:latest',
    'See the docs for LiteLLM settings.',
    ''
  ].join('\n'),
  'pyproject.toml': ['[project]', 'name = "litellm"', 'version = "1.2.0"', 'description = "LiteLLM proxy"', ''].join('\n'),
  'src/ui/strings.py': ['TITLE = "LiteLLM Dashboard"', 'WELCOME = "Welcome to LiteLLM"', 'LOGIN = "Log in to LiteLLM"', ''].join('\n'),
  'docs/legacy/history.md': 'LiteLLM started in 2023.\n',
  'assets/logo.bin': logo('1.2')
}

/** The fork's own rename, by hand, as rebranded distributions do it. */
const FORK = {
  'README.md': [
    '# OrizonLLM',
    '',
    'OrizonLLM is a gateway to many models.',
    'Run it with: docker run ghcr.io/acme/orizon-proxy:latest',
    'See the docs for OrizonLLM settings.',
    ''
  ].join('\n'),
  'pyproject.toml': ['[project]', 'name = "orizon-llm"', 'version = "1.2.0"', 'description = "OrizonLLM proxy"', ''].join('\n'),
  'src/ui/strings.py': ['TITLE = "OrizonLLM Dashboard"', 'WELCOME = "Welcome to OrizonLLM"', 'LOGIN = "Log in to OrizonLLM"', ''].join('\n')
}

/** Upstream's release: every edit sits on or next to a line the fork renamed. */
const RELEASE = {
  'README.md': [
    '# LiteLLM',
    '',
    'LiteLLM is a fast gateway to 100+ models.',
    'Run it with: docker run ghcr.io/acme/litellm-proxy:1.3.0',
    'See the docs for LiteLLM settings and the new LiteLLM router.',
    ''
  ].join('\n'),
  'pyproject.toml': ['[project]', 'name = "litellm"', 'version = "1.3.0"', 'description = "LiteLLM proxy and SDK"', ''].join('\n'),
  'src/ui/strings.py': [
    'TITLE = "LiteLLM Admin Dashboard"',
    'WELCOME = "Welcome to LiteLLM!"',
    'LOGIN = "Log in to LiteLLM"',
    'HELP = "Ask LiteLLM support (image litellm-helper)"',
    ''
  ].join('\n'),
  'docs/legacy/history.md': 'LiteLLM started in 2023 at Acme.\n',
  'assets/logo.bin': logo('1.3')
}

/** The merged files a reviewer expects: upstream's edits, the fork's names. */
const MERGED = {
  'README.md': [
    '# OrizonLLM',
    '',
    'OrizonLLM is a fast gateway to 100+ models.',
    'Run it with: docker run ghcr.io/acme/orizon-proxy:1.3.0',
    'See the docs for OrizonLLM settings and the new OrizonLLM router.',
    ''
  ].join('\n'),
  'pyproject.toml': ['[project]', 'name = "orizon-llm"', 'version = "1.3.0"', 'description = "OrizonLLM proxy and SDK"', ''].join('\n'),
  'src/ui/strings.py': [
    'TITLE = "OrizonLLM Admin Dashboard"',
    'WELCOME = "Welcome to OrizonLLM!"',
    'LOGIN = "Log in to OrizonLLM"',
    'HELP = "Ask OrizonLLM support (image orizon-helper)"',
    ''
  ].join('\n')
}

/** The README's example: a regex rule with a capture group first, then the literal renames. */
const REBRAND = `rebrand:
  - from: 'litellm-(\\w+)'
    to: 'orizon-$1'
    regex: true
    paths: ['README.md', 'src/**']
  - from: LiteLLM
    to: OrizonLLM
    exclude: 'docs/legacy/**'
  - from: 'name = "litellm"'
    to: 'name = "orizon-llm"'
    paths: pyproject.toml
`

/** Each side's files on top of the shared ones. */
type Extra = Partial<Record<'base' | 'fork' | 'release', Record<string, string>>>

async function rebrandedFork(config: string, extra: Extra = {}): Promise<World> {
  const world = await openWorld()
  const base = await world.upstreamCommit({ ...BASE, ...extra.base }, 'Release 1.2.0\n')
  await world.upstreamTag('v1.2.0-stable', base)
  await world.forkMerges(base, 'Merge upstream v1.2.0-stable')
  await world.forkCommit(world.scenario.fork.targetBranch, { ...FORK, ...extra.fork, '.github/upstream-sync.yml': config }, 'Rebrand LiteLLM as OrizonLLM\n')
  await world.upstreamTag(TAG, await world.upstreamCommit({ ...RELEASE, ...extra.release }, 'Release 1.3.0\n'))
  return world
}

async function parents(repoDir: string, sha: string): Promise<string[]> {
  return (await git(repoDir, ['rev-list', '--parents', '-n', '1', sha])).split(' ').slice(1)
}

describe('rebrand', () => {
  it('conflicts without rebrand; with it merges cleanly, upstream edits under the fork name, the tag as second parent', async () => {
    const world = await rebrandedFork(REBRAND)
    try {
      const { fork, upstream } = world.scenario
      const tagSha = await git(upstream.dir, ['rev-parse', `${TAG}^{commit}`])
      const targetSha = (await world.forkBranch(fork.targetBranch)) as string
      const conflicted = ['README.md', 'pyproject.toml', 'src/ui/strings.py']
      expect(mergeOracle(world, TAG).conflicts.map((conflict) => conflict.path).sort()).toEqual(conflicted)

      // Without rebrand (a config file that does not exist: defaults), a dry run: git merge's conflicts, unchanged.
      const plain = await world.run({ 'config-file': '.github/none.yml', 'dry-run': 'true' })
      expectExit(plain, 0)
      expect(plain.outputs['merge-status']).toBe('conflicts')
      expect((JSON.parse(plain.outputs.conflicts as string) as string[]).sort()).toEqual(conflicted)
      expect(plain.summary).not.toContain('### Rebrand')

      const run = await world.run()
      expectExit(run, 0)
      expect(run.outputs).toMatchObject({ result: 'created', 'merge-status': 'clean', conflicts: '[]' })
      const head = (await world.forkBranch(BRANCH)) as string
      // Upstream's history is intact: the real tag is the second parent; only the tree carries the rebrand.
      expect(await parents(fork.dir, head)).toEqual([targetSha, tagSha])
      for (const [file, text] of Object.entries(MERGED)) expect({ file, text: await readFile(fork.dir, head, file) }).toEqual({ file, text })
      // The excluded path stays as upstream has it, the binary file byte for byte.
      expect(await readFile(fork.dir, head, 'docs/legacy/history.md')).toBe(RELEASE['docs/legacy/history.md'])
      expect(await git(fork.dir, ['rev-parse', `${head}:assets/logo.bin`])).toBe(await git(upstream.dir, ['rev-parse', `${TAG}:assets/logo.bin`]))
      // The fork's own side is never touched: its config file is still there as written.
      expect(await readFile(fork.dir, head, '.github/upstream-sync.yml')).toBe(REBRAND)

      const pull = await world.pull(run.outputs['pr-number'] as string)
      expect(labelNames(pull)).toContain('clean-merge')
      const body = pull.body ?? ''
      const section = body.slice(body.indexOf('### Rebrand'), body.indexOf('### Fork customizations'))
      expect(section).toContain('3 upstream files arrive rebranded (12 replacements)')
      expect(section).toContain('| `litellm-(\\w+)` → `orizon-$1` | 2 | 2 |')
      expect(section).toContain('| `LiteLLM` → `OrizonLLM` | 3 | 9 |')
      expect(section).toContain('| `name = "litellm"` → `name = "orizon-llm"` | 1 | 1 |')
      expect(section).toMatch(/would have conflicted:\n\n- `README.md`\n- `pyproject.toml`\n- `src\/ui\/strings.py`\n/)
      expect(section).toContain('- `README.md` (5 replacements)\n- `pyproject.toml` (2 replacements)\n- `src/ui/strings.py` (5 replacements)')
      expect(section).toContain('- `assets/logo.bin` (binary)')
      // The job summary says the same.
      expect(run.summary).toContain('### Rebrand')
      expect(run.summary).toContain('- `src/ui/strings.py` (5 replacements)')
      expect(await world.forkBranch(fork.targetBranch)).toBe(targetSha)
    } finally {
      await world.close()
    }
  })

  it('leaves real conflicts to the rules; auto-resolve keeping theirs keeps upstream rebranded', async () => {
    // The fork changed the port as well as the name: upstream's new port is a real conflict, the rebrand or not.
    const server = (banner: string, port: number): string => `BANNER = "${banner}"\nPORT = ${port}\n`
    const extra = {
      base: { 'src/server.py': server('LiteLLM server', 4000) },
      fork: { 'src/server.py': server('OrizonLLM server', 8080) },
      release: { 'src/server.py': server('LiteLLM server v2', 4001) }
    }
    const world = await rebrandedFork(REBRAND, extra)
    try {
      const conflicted = await world.run({ 'dry-run': 'true' })
      expectExit(conflicted, 0)
      expect(conflicted.outputs).toMatchObject({ 'merge-status': 'conflicts', conflicts: '["src/server.py"]' })
      // The rebrand's section says which files it spared even when a real conflict remains.
      expect(conflicted.summary).toMatch(/would have conflicted:\n\n- `README.md`\n- `pyproject.toml`\n- `src\/ui\/strings.py`\n/)

      const rules = "- paths: src/server.py\n  resolution: theirs\n  note: 'Upstream owns the server'"
      const run = await world.run({ 'auto-resolve': 'true', rules })
      expectExit(run, 0)
      expect(run.outputs).toMatchObject({ 'merge-status': 'clean', conflicts: '[]', 'auto-resolved': '["src/server.py"]' })
      const head = (await world.forkBranch(BRANCH)) as string
      expect(await readFile(world.scenario.fork.dir, head, 'src/server.py')).toBe(server('OrizonLLM server v2', 4001))
      expect(await readFile(world.scenario.fork.dir, head, 'README.md')).toBe(MERGED['README.md'])
    } finally {
      await world.close()
    }
  })

  it.each([
    ["- from: ''\n  to: OrizonLLM", "Input 'rebrand': rebrand[0].from: must not be empty"],
    ['- from: LiteLLM\n  to: OrizonLiteLLM', 'rebrand[0].to: contains `from` ("LiteLLM"), so applying the rule twice would grow the text'],
    ["- from: 'litellm-(\\w+'\n  to: x\n  regex: true", 'rebrand[0].from: does not compile'],
    ['- from: LiteLLM\n  to: OrizonLLM\n  path: README.md', "rebrand[0]: unknown key 'path' (allowed: from, to, regex, paths, exclude)"]
  ])('rejects the inline rule %j before any network call', async (rebrand, message) => {
    const world = await openWorld()
    try {
      await world.resetLog()
      const run = await world.run({ rebrand })
      expectExit(run, 1)
      expect(errors(run).join('\n')).toContain(message)
      expect(await world.apiRequests()).toEqual([])
      expect(await world.gitRequests()).toEqual([])
    } finally {
      await world.close()
    }
  })

  it('rejects a bad rule in the config file as soon as it is read: nothing fetched, nothing pushed', async () => {
    const world = await rebrandedFork("rebrand:\n  - from: LiteLLM\n    to: OrizonLLM\n  - from: Orizon\n    to: 'Orizon Labs'\n")
    try {
      const refs = await world.forkRefs()
      await world.resetLog()
      const run = await world.run()
      expectExit(run, 1)
      expect(errors(run).join('\n')).toContain('config file .github/upstream-sync.yml (branch carto/main): rebrand[1].to: contains `from` ("Orizon")')
      expect(await world.gitRequests()).toEqual([])
      expect(await world.forkRefs()).toEqual(refs)
    } finally {
      await world.close()
    }
  })
})
