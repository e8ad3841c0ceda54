/**
 * The port between the action and the GitHub Actions runner. Nothing else in src/ imports `@actions/core`: stages log
 * through `Log`, and `run()` reads inputs and writes outputs, the summary and annotations through `Runner`. Tests run
 * `run()` in-process with the in-memory runner in test/support/memory-runner.ts.
 */
import * as core from '@actions/core'

/** Where an annotation points (a file the fork's reviewer should open). */
export interface AnnotationProperties {
  title?: string
  file?: string
  line?: number
}

/** The one logger type every stage takes. */
export interface Log {
  debug(message: string): void
  info(message: string): void
  warning(message: string, properties?: AnnotationProperties): void
  /** Whether debug lines are shown (RUNNER_DEBUG): expensive debug figures are computed only then. */
  isDebug(): boolean
}

export interface Runner extends Log {
  /** The runner's environment: GITHUB_*, RUNNER_TEMP, INPUT_* and the rest. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The raw value of input `name` as the runner passed it (INPUT_<NAME>), untrimmed; '' when unset. */
  input(name: string): string
  setSecret(value: string): void
  setOutput(name: string, value: string): void
  error(message: string, properties?: AnnotationProperties): void
  setFailed(message: string): void
  /** Appends markdown to the job summary. */
  appendSummary(markdown: string): Promise<void>
  /** Runs `work` inside a collapsible log group. */
  group<T>(name: string, work: () => Promise<T>): Promise<T>
}

/** The real runner, over @actions/core. */
export function actionsRunner(env: NodeJS.ProcessEnv = process.env): Runner {
  return {
    env,
    input: (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '',
    setSecret: (value) => core.setSecret(value),
    setOutput: (name, value) => core.setOutput(name, value),
    debug: (message) => core.debug(message),
    info: (message) => core.info(message),
    warning: (message, properties) => core.warning(message, properties),
    error: (message, properties) => core.error(message, properties),
    isDebug: () => core.isDebug(),
    setFailed: (message) => core.setFailed(message),
    appendSummary: async (markdown) => {
      await core.summary.addRaw(markdown).write()
    },
    group: (name, work) => core.group(name, work)
  }
}

/** A logger that drops everything: for library calls whose caller does not care (tests, scripts). */
export const silentLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  isDebug: () => false
}

/** Runs `work` as one named step of a run: in its own log group, timed. */
export type Step = <T>(name: string, work: () => Promise<T>) => Promise<T>

/** A run's steps: each logs in its own group and its wall time as a debug line; `timings` lists `name=ms` as they end. */
export function timedSteps(runner: Runner): { step: Step; timings: string[] } {
  const timings: string[] = []
  const step: Step = async (name, work) => {
    const started = performance.now()
    try {
      return await runner.group(name, work)
    } finally {
      const ms = Math.round(performance.now() - started)
      timings.push(`${name}=${ms}ms`)
      runner.debug(`timing: ${name}: ${ms} ms`)
    }
  }
  return { step, timings }
}
