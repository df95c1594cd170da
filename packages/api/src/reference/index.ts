export {
  describeApi,
  eventSchemasOf,
  UndocumentedProcedureError,
  type ApiDescription,
} from './procedures'
export { openApiDocument } from './openapi'
export { renderReference, missingExamples, MissingExampleError, type Example } from './markdown'
