import { contradictsRule, disagreesWithHistory, verdictFor } from '../../../src/merge/audit.js'
import { classifyKept } from '../../../src/merge/tree-diff.js'

describe('classifyKept', () => {
  it('names the side the result equals, sides first', () => {
    expect(classifyKept('100644 a', '100644 a', '100644 b')).toBe('ours')
    expect(classifyKept('100644 b', '100644 a', '100644 b')).toBe('theirs')
    expect(classifyKept('100644 c', '100644 a', '100644 b')).toBe('merged')
    expect(classifyKept('100755 a', '100644 a', '100644 b')).toBe('merged') // a mode change is a version of its own
    expect(classifyKept(undefined, '100644 a', '100644 b')).toBe('deleted')
    expect(classifyKept(undefined, undefined, '100644 b')).toBe('ours') // the fork had deleted it, and so did the result
    expect(classifyKept(undefined, '100644 a', undefined)).toBe('theirs')
  })
})

describe('verdictFor', () => {
  it.each([
    ['theirs', 'theirs', 'rule-side-kept'],
    ['theirs', 'ours', 'upstream-change-dropped'],
    ['theirs', 'deleted', 'upstream-change-dropped'],
    ['theirs', 'merged', 'differs-from-rule'],
    ['ours', 'ours', 'rule-side-kept'],
    ['ours', 'theirs', 'fork-customization-dropped'],
    ['ours', 'deleted', 'fork-customization-dropped'],
    ['ours', 'merged', 'differs-from-rule'],
    ['manual', 'ours', 'manual'],
    ['manual', 'merged', 'manual'],
    [null, 'theirs', 'no-rule'],
    [undefined, 'ours', 'no-rule']
  ] as const)('rule %s, kept %s: %s', (rule, kept, verdict) => {
    expect(verdictFor(rule, kept)).toBe(verdict)
  })

  it('counts only a dropped side as contradicting the rule', () => {
    expect(['rule-side-kept', 'upstream-change-dropped', 'fork-customization-dropped', 'differs-from-rule', 'manual', 'no-rule'].filter((verdict) => contradictsRule(verdict as never))).toEqual([
      'upstream-change-dropped',
      'fork-customization-dropped'
    ])
  })
})

describe('disagreesWithHistory', () => {
  it('flags a side rule that would not have produced what the fork merged last time', () => {
    expect(disagreesWithHistory('theirs', 'ours')).toBe(true) // the incident: last time kept the fork's build
    expect(disagreesWithHistory('theirs', 'merged')).toBe(true)
    expect(disagreesWithHistory('ours', 'deleted')).toBe(true)
    expect(disagreesWithHistory('theirs', 'theirs')).toBe(false)
    expect(disagreesWithHistory('ours', 'ours')).toBe(false)
    expect(disagreesWithHistory('manual', 'ours')).toBe(false)
    expect(disagreesWithHistory(undefined, 'merged')).toBe(false)
  })
})
