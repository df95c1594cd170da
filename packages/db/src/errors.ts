/** A `listConversations` cursor that this package did not produce (or that was altered). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError'
  readonly code = 'INVALID_CURSOR'

  constructor(message = 'Invalid pagination cursor') {
    super(message)
  }
}

/** A migration failed; `migrationName` is the one that failed, when known. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError'
  readonly code = 'MIGRATION_FAILED'

  constructor(
    message: string,
    readonly migrationName: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
