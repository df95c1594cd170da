import { chatRouter } from './routers/chat'
import { conversationRouter } from './routers/conversation'
import { eventsProcedure } from './routers/events'
import { healthRouter } from './routers/health'
import { messageRouter } from './routers/message'
import { modelRouter } from './routers/model'
import { shareRouter } from './routers/share'
import { searchRouter } from './routers/search'
import { usageRouter } from './routers/usage'
import { userRouter } from './routers/user'
import { createCallerFactory, router } from './trpc'

/** The whole API (see API.md). */
export const appRouter = router({
  health: healthRouter,
  user: userRouter,
  model: modelRouter,
  conversation: conversationRouter,
  message: messageRouter,
  chat: chatRouter,
  share: shareRouter,
  events: eventsProcedure,
  search: searchRouter,
  usage: usageRouter,
})

export type AppRouter = typeof appRouter

export const createCaller = createCallerFactory(appRouter)
