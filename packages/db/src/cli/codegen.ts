// Regenerates src/generated/db.ts from the migrations; `--verify` / `--check` only compares.
import { relative } from 'node:path'
import { GENERATED_TYPES_FILE, schemaTypesAreCurrent, writeSchemaTypes } from '../codegen'

const file = relative(process.cwd(), GENERATED_TYPES_FILE)

const verify = process.argv.includes('--verify') || process.argv.includes('--check')

if (verify) {
  if (!(await schemaTypesAreCurrent())) {
    process.stderr.write(
      `${file} is out of date with the migrations: run \`pnpm db:codegen\` and commit the result.\n`,
    )
    process.exit(1)
  }
  process.stdout.write('Generated schema types are up to date.\n')
} else {
  await writeSchemaTypes()
  process.stdout.write(`Wrote ${file}\n`)
}
