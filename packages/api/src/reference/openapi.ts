import { TRPCError, type AnyTRPCRouter, type TRPC_ERROR_CODE_KEY } from '@trpc/server'
import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import {
  DEFINITIONS_PREFIX,
  describeApi,
  mapSchema,
  type ApiDescription,
  type JsonSchema,
  type ProcedureDoc,
} from './procedures'

const COMPONENTS_PREFIX = '#/components/schemas/'

/**
 * OpenAPI 3.1 for the queries and mutations, describing tRPC's own HTTP wire as the server
 * speaks it (no second REST layer): a query is `GET /<path>?input=<JSON>`, a mutation
 * `POST /<path>` with the input as the JSON body, and the answer is `{ result: { data } }`.
 * Subscriptions are in the reference (docs/api.md), not here. Served at `GET /openapi.json`.
 */
export function openApiDocument(
  router: AnyTRPCRouter,
  opts: { version: string; description?: ApiDescription },
): JsonSchema {
  const api = opts.description ?? describeApi(router)
  const paths: Record<string, JsonSchema> = {}
  for (const procedure of api.procedures) {
    if (procedure.kind === 'subscription') continue
    paths[`/${procedure.path}`] = {
      [procedure.kind === 'query' ? 'get' : 'post']: operation(procedure),
    }
  }
  const schemas: Record<string, JsonSchema> = {}
  for (const [id, schema] of Object.entries(api.definitions)) schemas[id] = toComponents(schema)
  schemas.Error = ERROR_SCHEMA
  return {
    openapi: '3.1.0',
    info: {
      title: 't3chat API',
      version: opts.version,
      description:
        'Queries and mutations of the t3chat tRPC router over plain HTTP and JSON. Subscriptions (chat.stream, events) use SSE or WebSocket: see docs/api.md.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A Supabase access token, or a local token (`pnpm token`)',
        },
      },
    },
  }
}

function operation(procedure: ProcedureDoc): JsonSchema {
  const input = procedure.input === null ? null : toComponents(procedure.input)
  const required = input !== null && Array.isArray(input.required) && input.required.length > 0
  const responses: Record<string, JsonSchema> = {
    '200': {
      description: 'the result',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              result: {
                type: 'object',
                properties: { data: toComponents(procedure.output ?? {}) },
                required: ['data'],
              },
            },
            required: ['result'],
          },
        },
      },
    },
  }
  for (const { code, when } of procedure.errors) {
    const status = String(httpStatusOf(code))
    const previous = responses[status]?.description
    responses[status] = {
      description:
        typeof previous === 'string' ? `${previous}; ${code}: ${when}` : `${code}: ${when}`,
      content: { 'application/json': { schema: { $ref: `${COMPONENTS_PREFIX}Error` } } },
    }
  }
  return {
    operationId: procedure.path.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase()),
    summary: procedure.summary,
    ...(procedure.description !== null ? { description: procedure.description } : {}),
    tags: [procedure.path.split('.')[0] ?? procedure.path],
    security: procedure.auth === 'bearer' ? [{ bearer: [] }] : [],
    ...(input === null
      ? {}
      : procedure.kind === 'query'
        ? {
            parameters: [
              {
                name: 'input',
                in: 'query',
                required,
                description: 'the input as JSON (URL-encoded)',
                content: { 'application/json': { schema: input } },
              },
            ],
          }
        : { requestBody: { required, content: { 'application/json': { schema: input } } } }),
    responses,
  }
}

function httpStatusOf(code: string): number {
  return getHTTPStatusCodeFromError(new TRPCError({ code: code as TRPC_ERROR_CODE_KEY }))
}

function toComponents(schema: JsonSchema): JsonSchema {
  return mapSchema(schema, (key, value) =>
    key === '$ref' && typeof value === 'string'
      ? value.replace(DEFINITIONS_PREFIX, COMPONENTS_PREFIX)
      : value,
  )
}

/** tRPC's error envelope, as the server sends it (no stack: the server runs with isDev off). */
const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string', description: 'what went wrong, naming the field for input' },
        code: { type: 'integer', description: 'the JSON-RPC code tRPC maps the error to' },
        data: {
          type: 'object',
          properties: {
            code: { type: 'string', description: 'the tRPC code, e.g. NOT_FOUND' },
            httpStatus: { type: 'integer' },
            path: { type: 'string' },
          },
          required: ['code', 'httpStatus'],
        },
      },
      required: ['message', 'code', 'data'],
    },
  },
  required: ['error'],
}
