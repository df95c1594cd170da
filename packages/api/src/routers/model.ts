import { listModels } from '../services/models'
import { authedProcedure, router } from '../trpc'

export const modelRouter = router({
  list: authedProcedure.query(({ ctx }) => listModels(ctx.deps)),
})
