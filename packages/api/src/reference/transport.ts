/** The hand-written part of docs/api.md: how calls travel. The rest is generated. */
export const TRANSPORT_NOTES = `## Transport

One port serves HTTP, Server-Sent Events and WebSocket. The body is plain JSON (no
transformer): times are ISO-8601 strings, ids UUIDs. TypeScript clients use
\`@t3chat/client\` (typed); other languages can follow [openapi.json](openapi.json) for queries
and mutations (also served by the server at \`GET /openapi.json\`) and the notes below for
subscriptions.

### Auth

Every procedure except \`health\` needs an access token (Supabase, or a local token from
\`pnpm token\`), on every transport:

| transport | where the token goes |
| --- | --- |
| HTTP | \`Authorization: Bearer <token>\` |
| SSE | \`Authorization: Bearer <token>\` (fetch-based EventSource), or \`connectionParams={"token":"<token>"}\` in the query string (browsers' EventSource cannot set headers) |
| WebSocket | the first message \`{"method":"connectionParams","data":{"token":"<token>"}}\` on a socket opened with \`?connectionParams=1\` (or the \`Authorization\` header of the upgrade request) |

A missing, invalid or expired token is \`UNAUTHORIZED\`; a subscription checks it before its
first event.

### HTTP: queries and mutations

- Query: \`GET /<path>?input=<URL-encoded JSON>\` (leave \`input\` out when there is none).
- Mutation: \`POST /<path>\` with the input as the JSON body (\`content-type: application/json\`).
- Success: \`200\` with \`{"result":{"data":<output>}}\`.
- Failure: the HTTP status of the code (400, 401, 404, 409, 412, 413, 429, 500) with
  \`{"error":{"message":"…","code":<JSON-RPC code>,"data":{"code":"NOT_FOUND","httpStatus":404,"path":"conversation.get"}}}\`.
  Messages name the field for invalid input; an unexpected error says only \`Internal server error\`.
- Batch: several calls of one kind in one request, \`GET /a,b?batch=1&input={"0":<input a>,"1":<input b>}\`
  (or \`POST\` with that object as the body for mutations); the answer is an array in the same order,
  each item a result or an error. The request body is limited (\`BODY_LIMIT_BYTES\`, 1 MiB by default).

### Subscriptions over SSE

\`GET /<path>?input=<URL-encoded JSON>\` answers \`text/event-stream\`:

\`\`\`text
event: connected
data: {"reconnectAfterInactivityMs":20000}

id: 5
data: {"type":"delta","text":"Hello"}

event: ping
data:

event: return
data:
\`\`\`

Each event's \`data\` is one JSON value (the events are listed per subscription below) and its
\`id\` is the tracked event id. \`ping\` arrives every 15 s; reconnect after 20 s without any
message. \`return\` means the subscription ended normally; \`serialized-error\` carries an error
object (\`{"code":…,"message":"…","data":{"code":"NOT_FOUND",…}}\`) and ends it.
The \`connected\` block also carries \`retry: 1000\` (EventSource then reconnects 1 s after a drop
instead of ~3 s; a server started with \`SSE_LEAN=0\` answers through tRPC's adapter, without it).
\`connected\` arrives once the call is accepted (token and input checked).
To resume, reconnect with the \`Last-Event-ID\` header (EventSource does this itself) or
\`lastEventId\` in the input: you receive exactly what came after that id.

### Subscriptions over WebSocket

Connect to \`ws://<host>:<port>/?connectionParams=1\`, send the token (above), then JSON-RPC-like
messages:

\`\`\`text
→ {"id":1,"method":"subscription","params":{"path":"chat.stream","input":{"messageId":"…"}}}
← {"id":1,"result":{"type":"started"}}
← {"id":1,"result":{"type":"data","id":"5","data":{"type":"delta","text":"Hello"}}}
← {"id":1,"result":{"type":"stopped"}}
→ {"id":1,"method":"subscription.stop"}
\`\`\`

Queries and mutations work on the socket too (\`"method":"query"\` / \`"mutation"\`). After a drop,
subscribe again with \`lastEventId\` set to the last \`result.id\` you received. A server that is
shutting down sends \`{"id":null,"method":"reconnect"}\` first: reconnect and resubscribe.

### Resuming (\`lastEventId\`)

Every subscription event is tracked. For \`chat.stream\` the id of a \`delta\` is the content
length (UTF-16 code units) after it: resuming with it sends one \`delta\` with everything after
that offset, then the live events. For \`events\` the id is the feed position; resuming replays
what this server published after it and still holds (the last 200 events, kept for two minutes
after the feed closes), then the live events.
`
