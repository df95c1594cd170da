import type { ApiDeps } from '../deps'
import { InvalidInputError } from '../errors'
import type { Model } from '../shapes'

/** The model catalog: the provider's list (cached), or the bundled one when it is out of reach. */
export async function listModels(deps: Pick<ApiDeps, 'models'>): Promise<{ models: Model[] }> {
  const { models } = await deps.models.list()
  return { models }
}

/**
 * Refuses a model id the provider does not list. When the list could not be fetched, the
 * bundled one is only a hint: the provider judges the id then, rather than us refusing a
 * model we merely cannot see right now.
 */
export async function assertKnownModel(
  deps: Pick<ApiDeps, 'models'>,
  model: string | null | undefined,
  field = 'model',
): Promise<void> {
  if (model === undefined || model === null) return
  const list = await deps.models.list()
  if (list.source === 'fallback') return
  if ((await deps.models.resolve(model)) === null) {
    throw new InvalidInputError(
      `${field}: unknown model "${model}". List valid ids with model.list (in the CLI: t3chat models).`,
    )
  }
}
