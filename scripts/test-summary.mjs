// Sums the vitest JSON reports of one CI run into a single closing line. Failed tests are
// listed last, with the first lines of their errors: a CI log is often read from its end.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2]
let passed = 0
let failed = 0
let skipped = 0
const failures = []
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  const run = file.replace(/\.json$/, '')
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
  console.log(`${run}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`)
  for (const suite of report.testResults) {
    const where = `${run} ${suite.name.split('/').slice(-2).join('/')}`
    // A file that failed outside its tests (a hook, an import) has no failed assertion.
    if (suite.status === 'failed' && suite.assertionResults.every((t) => t.status !== 'failed'))
      failures.push({ where, name: '(the file itself)', messages: [suite.message ?? ''] })
    for (const test of suite.assertionResults)
      if (test.status === 'failed')
        failures.push({ where, name: test.fullName, messages: test.failureMessages ?? [] })
  }
}
for (const { where, name, messages } of failures) {
  console.log(`\nFAILED ${where} › ${name}`)
  for (const message of messages) console.log(message.split('\n').slice(0, 12).join('\n'))
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
