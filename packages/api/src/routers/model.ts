import { z } from 'zod'
import { listModels } from '../services/models'
import { ModelSchema } from '../shapes'
import { authedProcedure, router } from '../trpc'

export const modelRouter = router({
  list: authedProcedure
    .meta({
      summary: 'The models answers can use (the provider’s catalog, cached).',
      errors: {},
    })
    .output(z.object({ models: z.array(ModelSchema) }))
    .query(({ ctx }) => listModels(ctx.deps)),
})
