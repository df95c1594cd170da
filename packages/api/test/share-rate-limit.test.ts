import { describe, expect, it } from 'vitest'
import { defaultApiConfig } from '../src/index'
import { useHarness } from './harness'
import { expectTRPCError } from './support/core-errors'

const h = useHarness({
  config: { rateLimits: { ...defaultApiConfig.rateLimits, shareViewsPerMin: 3 } },
})

describe('share.get rate limit', () => {
  it('counts per client address: the fourth call in a minute is TOO_MANY_REQUESTS, others go on', async () => {
    const { caller } = await h.user()
    const conversation = await caller.conversation.create({ title: 'Limited' })
    const { token } = await caller.share.create({ conversationId: conversation.id })
    const viewer = h.anonymous('203.0.113.7')
    for (let i = 0; i < 3; i++)
      await expect(viewer.share.get({ token: token ?? '' })).resolves.toMatchObject({
        title: 'Limited',
      })
    await expectTRPCError(
      viewer.share.get({ token: token ?? '' }),
      'TOO_MANY_REQUESTS',
      'Try again in',
    )
    // Unknown tokens count too: guessing is what the limit is for.
    await expectTRPCError(viewer.share.get({ token: 'guess' }), 'TOO_MANY_REQUESTS')
    await expect(
      h.anonymous('203.0.113.8').share.get({ token: token ?? '' }),
    ).resolves.toMatchObject({ title: 'Limited' })
  })
})
