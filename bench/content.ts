/**
 * Synthetic but realistic repository content for the benchmark: a seeded PRNG, path names shaped like an LLM gateway
 * (litellm/, tests/, docs/, ui/), source-like text per file type, and the big generated files such projects commit
 * (a model price list, lockfiles).
 *
 * The text is built from a code vocabulary with per-file identifiers, random literals and hashes, so it compresses
 * like real source (about 3–5x with zlib), not like random bytes and not like a repeated pattern: the byte counts the
 * benchmark compares depend on that. Everything is ASCII, so a string's length is its byte length.
 */

/** sfc32: small, fast, and good enough for test data; the same seed always gives the same repositories. */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 15; i++) this.next()
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Integer in [lo, hi], both included. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick: empty list')
    return items[this.int(items.length)] as T
  }

  /** Index in [0, n) skewed towards 0: a power law, so a few items get most of the picks (hot files). */
  skewed(n: number, power: number): number {
    return Math.min(n - 1, Math.floor(n * Math.pow(this.next(), power)))
  }

  /** Log-normal sample around `median` (sigma in natural-log units). */
  lognormal(median: number, sigma: number): number {
    const u = Math.max(this.next(), 1e-12)
    const v = this.next()
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    return median * Math.exp(sigma * normal)
  }

  hex(length: number): string {
    let out = ''
    while (out.length < length) out += ((this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0')
    return out.slice(0, length)
  }

  base64(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet[this.int(64)]
    return out
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

const WORDS = (
  'request response model provider stream chunk token usage cost router cache budget key team user spend log callback ' +
  'config param message content tool call function embedding image audio retry timeout client session proxy auth ' +
  'header status error exception handler transform validate parse format build get set update delete create list ' +
  'check async sync llm completion chat prompt system role choice delta finish reason index object created id name ' +
  'value data result payload body url endpoint route path query limit rate window max min total count batch file ' +
  'upload download vector store guardrail hook pre post moderation policy rule tag label metadata trace span event ' +
  'metric prometheus langfuse datadog slack alert webhook secret vault env variable setting default override fallback ' +
  'deployment region project org tenant organization member invite permission scope access jwt oauth sso login ' +
  'logout redirect callback_url spend_log daily weekly monthly report export import schema table column row index ' +
  'migration prisma db database connection pool async_client http_handler transport adapter wrapper mapping ' +
  'optional required supported unsupported beta legacy deprecated internal external public private cached warm cold ' +
  'priority queue worker job task scheduler cron interval health ready live probe version release build image'
).split(/\s+/)

const PROVIDERS =
  'openai azure anthropic bedrock vertex_ai gemini cohere mistral groq ollama together_ai fireworks_ai deepseek xai perplexity replicate huggingface sagemaker watsonx databricks cerebras sambanova nvidia_nim openrouter cloudflare voyage jina_ai triton vllm lm_studio hosted_vllm azure_ai dashscope moonshot novita nebius featherless_ai nscale snowflake oci'.split(
    ' '
  )

const TYPES = [
  'str',
  'int',
  'float',
  'bool',
  'dict',
  'list',
  'Dict[str, Any]',
  'List[str]',
  'Optional[str]',
  'Optional[int]',
  'ModelResponse',
  'httpx.Response',
  'LiteLLMLoggingObj',
  'UserAPIKeyAuth',
  'AllMessageValues',
  'ChatCompletionToolParam',
  'GenericStreamingChunk',
  'Usage',
  'Router',
  'DualCache'
]

const EXCEPTIONS = ['ValueError', 'BadRequestError', 'AuthenticationError', 'RateLimitError', 'APIConnectionError', 'ProxyException', 'HTTPException', 'Timeout']

const COMMIT_TYPES = ['fix', 'feat', 'chore', 'docs', 'test', 'refactor', 'perf', 'build', 'ci']

const FIRST_NAMES = 'Ishaan Krrish Ava Noah Mia Liam Zoe Omar Lena Ravi Yuki Carlos Sofia Mateo Ines Arjun Hana Felix Nora Tariq Elif Jonas Priya Diego Mei Lucas Amara Hugo Sara Kenji'.split(' ')
const LAST_NAMES = 'Jaffer Dholakia Garcia Kim Novak Singh Tanaka Rossi Silva Muller Haddad Chen Okafor Larsen Dubois Kowalski Ahmed Ito Moreau Park'.split(' ')

export interface Person {
  name: string
  email: string
}

/** A fixed cast of contributors; `pick` favours a few regulars like a real project's history. */
export function makePeople(rng: Random, count: number): Person[] {
  const people: Person[] = []
  const seen = new Set<string>()
  while (people.length < count) {
    const name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`
    if (seen.has(name)) continue
    seen.add(name)
    const login = name.toLowerCase().replace(/\s+/g, '.')
    people.push({ name, email: rng.chance(0.5) ? `${login}@users.noreply.example.com` : `${login}@example.com` })
  }
  return people
}

function ident(rng: Random, words = rng.range(1, 3)): string {
  const parts: string[] = []
  for (let i = 0; i < words; i++) parts.push(rng.pick(WORDS))
  return parts.join('_')
}

function pascal(rng: Random, words = rng.range(2, 3)): string {
  let out = ''
  for (let i = 0; i < words; i++) {
    const word = rng.pick(WORDS).replace(/_/g, '')
    out += word.charAt(0).toUpperCase() + word.slice(1)
  }
  return out
}

function camel(rng: Random, words = rng.range(1, 3)): string {
  const name = pascal(rng, words)
  return name.charAt(0).toLowerCase() + name.slice(1)
}

function sentence(rng: Random, min = 4, max = 14): string {
  const n = rng.range(min, max)
  const parts: string[] = []
  for (let i = 0; i < n; i++) parts.push(rng.pick(WORDS).replace(/_/g, ' '))
  const text = parts.join(' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

export function commitMessage(rng: Random, pr: number): string {
  const scope = rng.chance(0.3) ? rng.pick(PROVIDERS) : rng.pick(WORDS)
  let message = `${rng.pick(COMMIT_TYPES)}(${scope}): ${sentence(rng, 3, 9).toLowerCase()} (#${pr})\n`
  if (rng.chance(0.35)) {
    message += '\n'
    const bullets = rng.range(1, 5)
    for (let i = 0; i < bullets; i++) message += `* ${sentence(rng, 4, 12).toLowerCase()}\n`
  }
  return message
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

const AREAS: Array<{ weight: number; make: (rng: Random) => string }> = [
  {
    weight: 24,
    make: (rng) => `litellm/llms/${rng.pick(PROVIDERS)}/${rng.pick(['chat', 'completion', 'embed', 'common_utils', 'image_generation', 'audio_transcription', 'responses', 'rerank', 'files', 'batches'])}/${rng.pick(['transformation', 'handler', 'utils', 'streaming', 'cost_calculator', 'common_utils'])}${rng.chance(0.2) ? '_' + rng.pick(WORDS) : ''}.py`
  },
  {
    weight: 16,
    make: (rng) => `litellm/proxy/${rng.pick(['auth', 'management_endpoints', 'hooks', 'db', 'guardrails/guardrail_hooks', 'spend_tracking', 'pass_through_endpoints', 'common_utils', 'health_endpoints', 'ui_crud_endpoints', 'management_helpers', 'openai_files_endpoints'])}/${ident(rng, rng.range(1, 3))}.py`
  },
  {
    weight: 10,
    make: (rng) =>
      `litellm/${rng.pick(['integrations', 'router_utils', 'types/llms', 'caching', 'secret_managers', 'litellm_core_utils', 'responses', 'batches', 'files', 'experimental_mcp_client'])}/${ident(rng, rng.range(1, 2))}.py`
  },
  {
    weight: 26,
    make: (rng) =>
      `tests/${rng.pick(['local_testing', 'llm_translation', 'proxy_unit_tests', 'test_litellm/llms/' + rng.pick(PROVIDERS), 'test_litellm/proxy/' + rng.pick(['auth', 'hooks', 'management_endpoints', 'db']), 'router_unit_tests', 'logging_callback_tests', 'batches_tests', 'image_gen_tests'])}/test_${ident(rng, rng.range(1, 3))}.py`
  },
  {
    weight: 10,
    make: (rng) =>
      rng.chance(0.2)
        ? `docs/my-website/release_notes/v1.${rng.range(40, 90)}.${rng.range(0, 9)}-stable/index.md`
        : `docs/my-website/docs/${rng.pick(['providers', 'proxy', 'observability', 'tutorials', 'completion', 'embedding', 'caching', 'routing', 'pass_through', 'mcp'])}/${ident(rng, rng.range(1, 2))}.md`
  },
  {
    weight: 10,
    make: (rng) =>
      `ui/litellm-dashboard/src/${rng.pick(['components', 'components/' + rng.pick(['team', 'key_team_helpers', 'model_dashboard', 'organisms', 'molecules', 'usage', 'guardrails', 'mcp_tools']), 'app', 'lib', 'hooks'])}/${rng.chance(0.7) ? pascal(rng) + '.tsx' : camel(rng) + '.ts'}`
  },
  {
    weight: 2,
    make: (rng) =>
      rng.chance(0.5)
        ? `.github/workflows/${ident(rng, rng.range(1, 2)).replace(/_/g, '-')}.yml`
        : `deploy/charts/litellm-helm/templates/${ident(rng, rng.range(1, 2)).replace(/_/g, '-')}.yaml`
  },
  { weight: 2, make: (rng) => `cookbook/${ident(rng, rng.range(2, 3))}/${ident(rng, rng.range(1, 2))}.py` }
]
const AREA_TOTAL = AREAS.reduce((sum, area) => sum + area.weight, 0)

/** A new path in a realistic folder, never one in `taken`. */
export function makePath(rng: Random, taken: ReadonlySet<string>): string {
  for (let attempt = 0; ; attempt++) {
    let roll = rng.next() * AREA_TOTAL
    let area = AREAS[0]
    for (const candidate of AREAS) {
      roll -= candidate.weight
      if (roll < 0) {
        area = candidate
        break
      }
    }
    let candidatePath = (area ?? AREAS[0])!.make(rng)
    if (attempt > 5) candidatePath = candidatePath.replace(/(\.[a-z]+)$/, `_${attempt}$1`)
    if (!taken.has(candidatePath)) return candidatePath
  }
}

/** The big, hot hand-written modules every gateway has; they are touched by many commits. */
export const GIANT_FILES = [
  'litellm/main.py',
  'litellm/utils.py',
  'litellm/router.py',
  'litellm/__init__.py',
  'litellm/proxy/proxy_server.py',
  'litellm/proxy/_types.py',
  'litellm/proxy/utils.py',
  'litellm/litellm_core_utils/litellm_logging.py',
  'litellm/types/utils.py',
  'litellm/cost_calculator.py',
  'ui/litellm-dashboard/src/components/networking.tsx',
  'tests/local_testing/test_completion.py'
]

/** Root files a Python gateway project has from its first commit. */
export const ROOT_FILES = ['README.md', 'Dockerfile', 'Makefile', 'pyproject.toml', '.github/workflows/test-litellm.yml', 'docs/my-website/docs/index.md']

// ---------------------------------------------------------------------------------------------------------------
// Text files

export type FileKind = 'py' | 'md' | 'ts' | 'yml' | 'toml' | 'docker' | 'make'

export function kindOf(filePath: string): FileKind {
  if (filePath.endsWith('.py')) return 'py'
  if (filePath.endsWith('.md')) return 'md'
  if (filePath.endsWith('.tsx') || filePath.endsWith('.ts')) return 'ts'
  if (filePath.endsWith('.yml') || filePath.endsWith('.yaml')) return 'yml'
  if (filePath.endsWith('.toml')) return 'toml'
  if (filePath.endsWith('Dockerfile')) return 'docker'
  return 'make'
}

/** Identifiers private to one file, so two files never share most of their lines (as in real code). */
export function localIdents(rng: Random): string[] {
  const ids: string[] = []
  for (let i = 0; i < 8; i++) ids.push(`${ident(rng, rng.range(1, 2))}_${rng.hex(3)}`)
  return ids
}

function literal(rng: Random): string {
  const roll = rng.int(9)
  if (roll === 0) return String(rng.int(10000))
  if (roll === 1) return `${rng.int(100)}.${rng.int(1000)}`
  if (roll === 2) return rng.pick(['True', 'False', 'None'])
  if (roll === 3) return `"${rng.hex(rng.pick([8, 12, 32]))}"`
  if (roll === 4) return `"${rng.pick(PROVIDERS)}/${ident(rng, 2).replace(/_/g, '-')}"`
  return `"${ident(rng)}"`
}

function pyExpr(rng: Random, ids: string[]): string {
  const local = (): string => (rng.chance(0.45) ? rng.pick(ids) : ident(rng))
  switch (rng.int(7)) {
    case 0:
      return `${local()}.${ident(rng)}(${local()}, ${ident(rng, 1)}=${literal(rng)})`
    case 1:
      return `${local()}.get("${ident(rng)}", ${literal(rng)})`
    case 2:
      return `{"${ident(rng, 1)}": ${local()}, "${ident(rng, 1)}": ${literal(rng)}}`
    case 3:
      return `[${ident(rng, 1)} for ${ident(rng, 1)} in ${local()} if ${ident(rng, 1)} is not None]`
    case 4:
      return `await ${local()}.${ident(rng)}(${ident(rng, 1)}=${local()})`
    case 5:
      return literal(rng)
    default:
      return `${pascal(rng)}(${ident(rng, 1)}=${local()}, ${ident(rng, 1)}=${literal(rng)})`
  }
}

function pyStatement(rng: Random, ids: string[], indent: string): string[] {
  const local = (): string => (rng.chance(0.45) ? rng.pick(ids) : ident(rng))
  switch (rng.int(12)) {
    case 0:
    case 1:
    case 2:
      return [`${indent}${local()} = ${pyExpr(rng, ids)}`]
    case 3:
      return [`${indent}${local()}.${ident(rng)}(${local()}, ${local()})`]
    case 4:
      return [`${indent}if ${local()} is not None and ${local()}.${ident(rng, 1)}:`, ...pyStatement(rng, ids, indent + '    ')]
    case 5:
      return [`${indent}for ${ident(rng, 1)} in ${local()}:`, ...pyStatement(rng, ids, indent + '    ')]
    case 6:
      return [`${indent}# ${sentence(rng).toLowerCase()}`]
    case 7:
      return [`${indent}verbose_logger.debug(f"${sentence(rng, 2, 6).toLowerCase()}: {${local()}}")`]
    case 8:
      return [`${indent}raise ${rng.pick(EXCEPTIONS)}(message=f"${sentence(rng, 3, 8)} {${local()}}", status_code=${rng.pick([400, 401, 404, 429, 500])})`]
    case 9:
      return [`${indent}${local()}: ${rng.pick(TYPES)} = ${literal(rng)}`]
    case 10:
      return [`${indent}try:`, ...pyStatement(rng, ids, indent + '    '), `${indent}except ${rng.pick(EXCEPTIONS)} as e:`, `${indent}    ${local()} = str(e)`]
    default:
      return [`${indent}return ${pyExpr(rng, ids)}`]
  }
}

function pyBlock(rng: Random, ids: string[], test: boolean): string[] {
  const lines: string[] = []
  const indent = rng.chance(0.4) && !test ? '    ' : ''
  if (test && rng.chance(0.4)) lines.push('@pytest.mark.asyncio')
  const name = test ? `test_${ident(rng)}` : ident(rng)
  const args = test ? '' : `self, ${rng.pick(ids)}: ${rng.pick(TYPES)}, ${ident(rng, 1)}: ${rng.pick(TYPES)} = ${literal(rng)}`
  lines.push(`${indent}${rng.chance(0.3) ? 'async ' : ''}def ${name}(${args}) -> ${test ? 'None' : rng.pick(TYPES)}:`)
  if (rng.chance(0.4)) lines.push(`${indent}    """`, `${indent}    ${sentence(rng)}.`, `${indent}    """`)
  const statements = rng.range(3, 14)
  for (let i = 0; i < statements; i++) lines.push(...pyStatement(rng, ids, indent + '    '))
  if (test) lines.push(`${indent}    assert ${rng.pick(ids)} == ${literal(rng)}`)
  lines.push('')
  return lines
}

function tsLine(rng: Random, ids: string[], indent: string): string {
  const local = (): string => (rng.chance(0.45) ? rng.pick(ids) : camel(rng))
  switch (rng.int(8)) {
    case 0:
      return `${indent}const [${camel(rng, 1)}, set${pascal(rng, 1)}] = useState<${rng.pick(['string', 'number', 'boolean', 'string[]', pascal(rng)])}>(${literal(rng)});`
    case 1:
      return `${indent}const ${local()} = await ${camel(rng)}(accessToken, ${local()}, { ${camel(rng, 1)}: ${literal(rng)} });`
    case 2:
      return `${indent}<${pascal(rng, 1)} className="${rng.pick(['mt-4', 'mb-2', 'flex items-center', 'w-full', 'text-sm text-gray-500'])}" onClick={() => ${local()}(${local()})}>`
    case 3:
      return `${indent}  ${sentence(rng, 2, 6)}`
    case 4:
      return `${indent}</${pascal(rng, 1)}>`
    case 5:
      return `${indent}if (!${local()}) { message.error("${sentence(rng, 3, 7)}"); return; }`
    case 6:
      return `${indent}// ${sentence(rng).toLowerCase()}`
    default:
      return `${indent}${local()}.${camel(rng, 1)}(${local()}, ${literal(rng)});`
  }
}

function markdownLines(rng: Random, ids: string[]): string[] {
  const roll = rng.int(6)
  if (roll === 0) return [`## ${sentence(rng, 2, 5)}`, '']
  if (roll === 1) return [...Array.from({ length: rng.range(2, 5) }, () => `- ${sentence(rng, 4, 12)}`), '']
  if (roll === 2) return ['```python', ...pyStatement(rng, ids, ''), ...pyStatement(rng, ids, ''), '```', '']
  if (roll === 3) return [`| ${ident(rng, 1)} | ${literal(rng)} | ${sentence(rng, 3, 6)} |`]
  return [`${sentence(rng, 12, 40)}. ${sentence(rng, 8, 25)}.`, '']
}

function yamlLines(rng: Random, ids: string[], indent: string): string[] {
  if (rng.chance(0.3)) return [`${indent}- name: ${sentence(rng, 2, 5)}`, `${indent}  run: ${rng.pick(['poetry run pytest', 'npm ci && npm run build', 'make lint', 'python -m pip install'])} ${rng.pick(ids)}`]
  return [`${indent}${ident(rng, rng.range(1, 2))}: ${literal(rng).replace(/"/g, '')}`]
}

/** New lines of `kind` to insert at `indent` (taken from the line they replace, so edits look like real ones). */
export function newLines(rng: Random, kind: FileKind, ids: string[], count: number, indent: string): string[] {
  const lines: string[] = []
  while (lines.length < count) {
    switch (kind) {
      case 'py':
        lines.push(...pyStatement(rng, ids, indent || '    '))
        break
      case 'ts':
        lines.push(tsLine(rng, ids, indent || '  '))
        break
      case 'md':
        lines.push(...markdownLines(rng, ids))
        break
      case 'yml':
        lines.push(...yamlLines(rng, ids, indent))
        break
      case 'docker':
        lines.push(rng.chance(0.5) ? `RUN pip install --no-cache-dir ${ident(rng, 1)}==${rng.range(0, 9)}.${rng.range(0, 40)}.${rng.range(0, 9)}` : `ENV ${ident(rng).toUpperCase()}=${literal(rng).replace(/"/g, '')}`)
        break
      default:
        lines.push(`${ident(rng, 1)} = ${literal(rng)}`)
    }
  }
  return lines.slice(0, count)
}

/** A whole new text file of about `bytes` bytes. */
export function newFile(rng: Random, filePath: string, ids: string[], bytes: number): string[] {
  const kind = kindOf(filePath)
  const lines: string[] = []
  let size = 0
  const push = (more: string[]): void => {
    for (const line of more) {
      lines.push(line)
      size += line.length + 1
    }
  }
  switch (kind) {
    case 'py': {
      const test = filePath.startsWith('tests/')
      push([
        `"""${sentence(rng, 3, 8)}."""`,
        'import os',
        `from typing import ${rng.pick(['Any, Dict, List, Optional', 'Optional, Union', 'TYPE_CHECKING, Any'])}`,
        test ? 'import pytest' : 'import httpx',
        `from litellm.${rng.pick(['types.utils', 'utils', 'llms.base', '_logging', 'proxy._types'])} import ${pascal(rng)}, ${rng.pick(ids)}`,
        ''
      ])
      while (size < bytes) push(pyBlock(rng, ids, test))
      break
    }
    case 'ts':
      push([`import React, { useState, useEffect } from "react";`, `import { ${pascal(rng, 1)}, ${pascal(rng, 1)} } from "@tremor/react";`, `import { ${camel(rng)} } from "./networking";`, ''])
      push([`export const ${pascal(rng)}: React.FC<${pascal(rng)}Props> = ({ ${ids.slice(0, 3).join(', ')} }) => {`])
      while (size < bytes) push([tsLine(rng, ids, '    ')])
      push(['};', ''])
      break
    case 'md':
      push([`# ${sentence(rng, 2, 6)}`, ''])
      while (size < bytes) push(markdownLines(rng, ids))
      break
    case 'yml':
      push([`name: ${sentence(rng, 2, 4)}`, 'on:', '  pull_request:', '  push:', '    branches: [main]', 'jobs:', `  ${ident(rng, 1)}:`, '    runs-on: ubuntu-latest', '    steps:'])
      while (size < bytes) push(yamlLines(rng, ids, '      '))
      break
    case 'toml':
      push(['[tool.poetry]', 'name = "litellm"', 'version = "1.0.0"', '', '[tool.poetry.dependencies]'])
      while (size < bytes) push([`${ident(rng, 1)} = "^${rng.range(0, 9)}.${rng.range(0, 40)}.${rng.range(0, 9)}"`])
      break
    case 'docker':
      push(['FROM python:3.13-slim AS builder', 'WORKDIR /app', 'COPY . .'])
      while (size < bytes) push(newLines(rng, 'docker', ids, 1, ''))
      push(['EXPOSE 4000/tcp', 'ENTRYPOINT ["docker/prod_entrypoint.sh"]', 'CMD ["--port", "4000"]'])
      break
    default:
      push(['.PHONY: install lint test', ''])
      while (size < bytes) push([`${ident(rng, 1)}:`, `\t${rng.pick(['poetry run', 'npm run', 'python -m'])} ${ident(rng)} ${rng.pick(ids)}`, ''])
  }
  return lines
}

// ---------------------------------------------------------------------------------------------------------------
// Big generated files

/** A generated file made of keyed entries (JSON objects, lockfile packages): edits change or add entries. */
export interface BigFile {
  path: string
  /** Chance that a given upstream commit changes it. */
  changeRate: number
  header: string
  footer: string
  entries: string[]
  entry: (rng: Random) => string
}

const MODEL_FAMILIES = ['gpt', 'claude', 'gemini', 'llama', 'mistral', 'command', 'titan', 'nova', 'qwen', 'deepseek', 'grok', 'phi', 'jamba', 'sonar']

function priceEntry(rng: Random): string {
  const provider = rng.pick(PROVIDERS)
  const model = `${provider}/${rng.pick(MODEL_FAMILIES)}-${rng.range(1, 5)}.${rng.range(0, 9)}-${rng.pick(['mini', 'pro', 'flash', 'large', 'small', 'turbo', 'sonnet', 'haiku', 'instruct', 'chat'])}-${rng.range(2023, 2026)}${String(rng.range(1, 12)).padStart(2, '0')}${String(rng.range(1, 28)).padStart(2, '0')}`
  const lines = [
    `    "${model}": {`,
    `        "max_tokens": ${rng.pick([4096, 8192, 16384, 32768, 65536, 128000])},`,
    `        "max_input_tokens": ${rng.pick([8192, 32768, 128000, 200000, 1000000, 2097152])},`,
    `        "max_output_tokens": ${rng.pick([4096, 8192, 16384, 32768, 65536])},`,
    `        "input_cost_per_token": ${(rng.next() * 1e-5).toExponential(rng.range(1, 3))},`,
    `        "output_cost_per_token": ${(rng.next() * 4e-5).toExponential(rng.range(1, 3))},`
  ]
  if (rng.chance(0.4)) lines.push(`        "cache_read_input_token_cost": ${(rng.next() * 1e-6).toExponential(2)},`)
  if (rng.chance(0.3)) lines.push(`        "source": "https://${provider.replace(/_/g, '')}.example.com/pricing#${rng.hex(6)}",`)
  lines.push(`        "litellm_provider": "${provider}",`, `        "mode": "${rng.pick(['chat', 'embedding', 'completion', 'image_generation', 'audio_transcription', 'rerank'])}",`)
  for (const flag of ['supports_function_calling', 'supports_vision', 'supports_prompt_caching', 'supports_response_schema', 'supports_tool_choice', 'supports_reasoning']) {
    if (rng.chance(0.5)) lines.push(`        "${flag}": ${rng.chance(0.7) ? 'true' : 'false'},`)
  }
  lines.push(`        "supports_system_messages": true`, '    },')
  return lines.join('\n')
}

function npmEntry(rng: Random): string {
  const name = rng.chance(0.3) ? `@${ident(rng, 1).replace(/_/g, '-')}/${ident(rng, 2).replace(/_/g, '-')}` : ident(rng, rng.range(1, 3)).replace(/_/g, '-')
  const version = `${rng.range(0, 12)}.${rng.range(0, 30)}.${rng.range(0, 20)}`
  const base = name.split('/').pop() ?? name
  const lines = [
    `    "node_modules/${name}": {`,
    `      "version": "${version}",`,
    `      "resolved": "https://registry.npmjs.org/${name}/-/${base}-${version}.tgz",`,
    `      "integrity": "sha512-${rng.base64(86)}==",`
  ]
  if (rng.chance(0.5)) lines.push('      "dev": true,')
  if (rng.chance(0.5)) {
    lines.push('      "dependencies": {')
    const deps = rng.range(1, 4)
    for (let i = 0; i < deps; i++) lines.push(`        "${ident(rng, rng.range(1, 2)).replace(/_/g, '-')}": "^${rng.range(0, 9)}.${rng.range(0, 20)}.${rng.range(0, 9)}"${i + 1 < deps ? ',' : ''}`)
    lines.push('      },')
  }
  lines.push(`      "license": "${rng.pick(['MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause'])}"`, '    },')
  return lines.join('\n')
}

function poetryEntry(rng: Random): string {
  const name = ident(rng, rng.range(1, 2)).replace(/_/g, '-')
  const version = `${rng.range(0, 12)}.${rng.range(0, 30)}.${rng.range(0, 20)}`
  const lines = ['[[package]]', `name = "${name}"`, `version = "${version}"`, `description = "${sentence(rng, 3, 10)}"`, 'optional = false', `python-versions = ">=3.${rng.range(7, 10)}"`, 'files = [']
  const files = rng.range(1, 6)
  for (let i = 0; i < files; i++) {
    lines.push(`    {file = "${name.replace(/-/g, '_')}-${version}-${rng.pick(['py3-none-any', 'cp311-cp311-manylinux_2_17_x86_64', 'cp312-cp312-macosx_11_0_arm64'])}.whl", hash = "sha256:${rng.hex(64)}"},`)
  }
  lines.push(']', '')
  return lines.join('\n')
}

function yarnEntry(rng: Random): string {
  const name = ident(rng, rng.range(1, 3)).replace(/_/g, '-')
  const version = `${rng.range(0, 12)}.${rng.range(0, 30)}.${rng.range(0, 20)}`
  return [
    `"${name}@^${version}":`,
    `  version "${version}"`,
    `  resolved "https://registry.yarnpkg.com/${name}/-/${name}-${version}.tgz#${rng.hex(40)}"`,
    `  integrity sha512-${rng.base64(86)}==`,
    ''
  ].join('\n')
}

/**
 * The big generated files: a model price list (kept twice, as the real project does; identical content is one blob),
 * the dashboard's package-lock.json, poetry.lock and the docs' yarn.lock. `factor` scales their size (1 = 1–4 MB).
 */
export function makeBigFiles(rng: Random, factor: number): BigFile[] {
  const specs: Array<{ path: string; changeRate: number; bytes: number; header: string; footer: string; entry: (rng: Random) => string }> = [
    { path: 'model_prices_and_context_window.json', changeRate: 0.004, bytes: 1_500_000, header: '{\n', footer: '    "sample_spec": {}\n}\n', entry: priceEntry },
    { path: 'ui/litellm-dashboard/package-lock.json', changeRate: 0.003, bytes: 2_500_000, header: '{\n  "name": "litellm-dashboard",\n  "lockfileVersion": 3,\n  "packages": {\n', footer: '    "": {}\n  }\n}\n', entry: npmEntry },
    { path: 'poetry.lock', changeRate: 0.003, bytes: 1_200_000, header: '# This file is automatically @generated by Poetry and should not be changed by hand.\n\n', footer: '[metadata]\nlock-version = "2.1"\n', entry: poetryEntry },
    { path: 'docs/my-website/yarn.lock', changeRate: 0.001, bytes: 4_000_000, header: '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n', footer: '', entry: yarnEntry }
  ]
  return specs.map((spec) => {
    const entries: string[] = []
    let size = spec.header.length + spec.footer.length
    const target = Math.max(20_000, spec.bytes * factor)
    while (size < target) {
      const entry = spec.entry(rng)
      entries.push(entry)
      size += entry.length + 1
    }
    return { path: spec.path, changeRate: spec.changeRate, header: spec.header, footer: spec.footer, entries, entry: spec.entry }
  })
}

/** An upstream edit of a generated file: a few entries regenerated, a few added (files slowly grow). */
export function editBigFile(rng: Random, file: BigFile): void {
  const changes = rng.range(1, 25)
  for (let i = 0; i < changes; i++) file.entries[rng.int(file.entries.length)] = file.entry(rng)
  const added = rng.range(0, 6)
  for (let i = 0; i < added; i++) file.entries.splice(rng.int(file.entries.length + 1), 0, file.entry(rng))
}

export function bigFileText(file: BigFile): string {
  return file.header + file.entries.join('\n') + '\n' + file.footer
}

// ---------------------------------------------------------------------------------------------------------------
// Built UI bundles

/**
 * The gateway commits its built admin UI (a Next.js export: minified chunks with content-hashed names). Each UI build
 * replaces most chunks with new names and mostly-new code, which is where much of such a repository's weight comes
 * from: fresh, moderately compressible text that deltas poorly.
 */
export interface UiBuild {
  /** Chunk path → content. */
  chunks: Map<string, string>
}

const UI_DIR = 'litellm/proxy/_experimental/out/_next/static/chunks'

function minifiedModule(rng: Random): string {
  const v = (): string => String.fromCharCode(97 + rng.int(26)) + (rng.chance(0.4) ? String.fromCharCode(65 + rng.int(26)) : '')
  const parts: string[] = []
  const statements = rng.range(4, 14)
  for (let i = 0; i < statements; i++) {
    switch (rng.int(5)) {
      case 0:
        parts.push(`var ${v()}=${v()}(${rng.int(99999)}),${v()}=${v()}.n(${v()})`)
        break
      case 1:
        parts.push(`${v()}.${camel(rng)}=function(${v()},${v()}){return ${v()}&&${v()}.${camel(rng, 1)}?${v()}:"${sentence(rng, 1, 4)}"}`)
        break
      case 2:
        parts.push(`(0,${v()}.jsx)("${rng.pick(['div', 'span', 'button', 'p', 'a'])}",{className:"${rng.pick(['flex', 'mt-4', 'text-sm', 'w-full', 'grid gap-2'])}",children:"${sentence(rng, 1, 5)}"})`)
        break
      case 3:
        parts.push(`if(!${v()})throw Error("${sentence(rng, 2, 6)} "+${v()}.${camel(rng, 1)})`)
        break
      default:
        parts.push(`${v()}=${v()}[${rng.int(64)}]|${rng.int(4096)}<<${rng.int(16)}`)
    }
  }
  return `${rng.int(99999)}:function(e,t,n){"use strict";${parts.join(';')}}`
}

function chunkText(rng: Random, bytes: number): string {
  const modules: string[] = []
  let size = 0
  while (size < bytes) {
    const module = minifiedModule(rng)
    modules.push(module)
    size += module.length + 1
  }
  return `(self.webpackChunk_N_E=self.webpackChunk_N_E||[]).push([[${rng.int(9999)}],{${modules.join(',')}}]);\n`
}

/** A new build: about 60% of the chunks change (new hash, mostly new code), the rest are kept as they were. */
export function nextUiBuild(rng: Random, previous: UiBuild | undefined, bytes: number, chunkCount = 24): UiBuild {
  const chunks = new Map<string, string>()
  const kept = previous ? [...previous.chunks].filter(() => rng.chance(0.4)) : []
  for (const [chunkPath, text] of kept) chunks.set(chunkPath, text)
  const perChunk = bytes / chunkCount
  while (chunks.size < chunkCount) {
    const name = `${UI_DIR}/${rng.chance(0.2) ? rng.pick(['main', 'webpack', 'framework', 'polyfills']) + '-' : rng.range(100, 9999) + '-'}${rng.hex(16)}.js`
    chunks.set(name, chunkText(rng, Math.max(2_000, rng.lognormal(perChunk, 0.7))))
  }
  return { chunks }
}
