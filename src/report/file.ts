/** The full report (no list cut) in RUNNER_TEMP, for upload as an artifact. */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { renderReportFile } from './summary.js'
import type { ReportView } from './view.js'

export async function writeReportFile(dir: string, tag: string, view: ReportView): Promise<string> {
  const file = path.join(dir, `upstream-sync-report-${tag.replace(/[^A-Za-z0-9._-]/g, '_')}.md`)
  await fs.writeFile(file, renderReportFile(view))
  return file
}
