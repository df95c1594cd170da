/** Realistic OpenRouter error messages per status, used when the model id gives none. */
export function defaultErrorMessage(status: number, model: string): string {
  switch (status) {
    case 400:
      return `${model} is not a valid model ID`
    case 401:
      return 'User not found.'
    case 402:
      return 'This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 1024. To increase, visit https://openrouter.ai/settings/credits and add more credits'
    case 403:
      return `${model} requires moderation. Your input was flagged for "harassment".`
    case 408:
      return 'Request timed out. Please try again.'
    case 429:
      return `Rate limit exceeded: ${model} is temporarily rate-limited upstream. Please retry shortly.`
    case 502:
      return 'Provider returned error'
    case 503:
      return 'No instances available for this model right now.'
    default:
      return status >= 500 ? 'Internal Server Error' : 'Bad request'
  }
}

/** OpenRouter's message for a prompt that does not fit the model's window. */
export function contextLengthMessage(contextLength: number, requested: number): string {
  return (
    `This endpoint's maximum context length is ${contextLength} tokens. However, you requested ` +
    `about ${requested} tokens (${requested - 1000} of text input, 1000 in the output). Please ` +
    'reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.'
  )
}

/** OpenRouter's error body `{"error":{"code","message","metadata"}}`. */
export function errorBody(
  status: number,
  message: string,
  metadata: Record<string, unknown> = {},
): string {
  return JSON.stringify({ error: { code: status, message, metadata } })
}
