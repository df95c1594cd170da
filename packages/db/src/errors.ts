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

/**
 * The embedded database's disk is full. The instance is not used again (see pglite-guard.ts):
 * the server stops, and starts again once there is space.
 */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError'
  readonly code = 'DISK_FULL'

  constructor(
    readonly dataDir: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the embedded database in ${dataDir} ran out of disk space (no space left on the device): free space on that disk (or point T3CHAT_DATA_DIR elsewhere) and start again`,
      options,
    )
  }
}
