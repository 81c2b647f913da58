// Runs a GraphQL service over HTTP: Apollo Server on express, `POST /graphql` through the
// service's plugin list, any other endpoint through the same arrival hooks and guards
// (platform/endpoint.ts), plus `/health` (liveness) and `/ready` (readiness, platform/readiness.ts),
// with the HTTP server drained on stop, within the shutdown's grace. Used by each
// subgraph and by the gateway.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ApolloServer, type ApolloServerOptions, type ApolloServerOptionsWithGateway, type BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { Endpoint } from './endpoint.js';
import { ErrorCode } from './errors.js';
import { apolloLogger, logError, serviceLog } from './log.js';
import { METRICS_CONTENT_TYPE, metricsText, type MetricsRegistry } from './metrics.js';
import type { PluginResponse, RefusedRequest, ServicePlugin } from './plugin.js';
import { Rejection, sendError } from './rejection.js';
import type { ReadinessReport } from './readiness.js';
import type { ListenerTls } from './tls.js';

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

/** The HTTP servers' own timeouts (README: limits). */
export const HTTP_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 } as const;

export interface RunningService {
  name: string;
  url: string;
  port: number;
  /**
   * Stops accepting, lets what is in flight finish, then runs the service's own shutdown (its
   * logs' last writes, its database clients) — all by `deadline` (epoch ms; default: the service's
   * shutdown grace from now), whatever the state of its store: past it, what is left is cut off.
   */
  stop(options?: { deadline?: number }): Promise<void>;
}

export interface ServeOptions<TContext extends BaseContext> {
  name: string;
  /** What is served: an executable schema (a subgraph) or a gateway. */
  graph: { schema: GraphQLSchema } | { gateway: GatewayInterface };
  /** The request path, in order (see ServicePlugin); exactly one of them formats errors. */
  plugins: ServicePlugin<TContext>[];
  /** Builds the per-request context; guards leave what they learned in `res.locals`. */
  context: (req: Request, res: PluginResponse) => Promise<TContext>;
  /** Introspection and "did you mean" suggestions (development only at the gateway). */
  introspection: boolean;
  listen: { host: string; port: number };
  /** Serve /metrics on this address instead of the service's own (METRICS_PORT); absent: on the service's port. */
  metricsListen?: { host: string; port: number } | null;
  /** Listen over HTTPS with this certificate and key (TLS_CERT_FILE, TLS_KEY_FILE); absent: HTTP. */
  tls?: ListenerTls | null;
  /** Runs after the server has stopped (closing database clients and the like). */
  onStop?: () => Promise<void>;
  /**
   * Runs when the shutdown's deadline is near and onStop has not finished (a dead store): closes the
   * database clients without waiting, so that whatever onStop still awaits fails at once.
   */
  forceStop?: () => Promise<void>;
  /** How long a stop may take by default (SHUTDOWN_GRACE_SECONDS). Default 10 s. */
  shutdownGraceMs?: number;
  /** This service's dependencies for `GET /ready` (platform/readiness.ts); none: ready whenever it answers. */
  readiness?: () => Promise<ReadinessReport>;
  /** Mounts any other routes (the gateway's auditors' page). */
  routes?: (app: express.Express) => void;
  /** Endpoints besides /graphql behind the same arrival hooks and guards (platform/endpoint.ts), mounted before `routes`. */
  endpoints?: Endpoint<TContext>[];
  /**
   * Registered operations a request may name by id (`extensions.persistedQuery.sha256Hash`) instead
   * of sending its text: Apollo Server's persisted-query cache, read-only (the gateway's manifest).
   */
  persistedOperations?: { get(key: string): Promise<string | undefined>; set(key: string, value: string): Promise<void>; delete(key: string): Promise<boolean | void> };
  /**
   * The service's metrics, served at `GET /metrics` in Prometheus's text format (METRICS_ENABLED);
   * absent: no /metrics. Like /health, outside the plugin list: not logged, not rate-limited.
   */
  metrics?: MetricsRegistry;
}

/** The id (a SHA-256, hex) a request's extensions name an operation by, as Apollo Client's persisted-query link sends it; null: none. */
export function persistedOperationId(extensions: unknown): string | null {
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash) ? hash : null;
}

/** Whether extensions name a registered operation by id, in the one version of the protocol there is. */
function sentById(extensions: unknown): boolean {
  return (extensions as { persistedQuery?: { version?: unknown } } | null | undefined)?.persistedQuery?.version === 1 && persistedOperationId(extensions) !== null;
}

/**
 * Parses the raw body the guards saw into the JSON Apollo expects: one operation, with a query —
 * or, where registered operations are served, with the id of one instead. (No batches: every
 * operation is seen, checked and logged whole.)
 */
const parseJsonBody = (byId: boolean): RequestHandler => (req, _res, next) => {
  // Only JSON: the simple-request types a browser sends cross-site without asking (text/plain,
  // form encodings) are refused here, as cross-site request forgery, before anything runs.
  if (!req.is('application/json')) {
    return next(new Rejection(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'The request body must be application/json (other types could be a cross-site request forgery)'));
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
  } catch {
    return next(new Rejection(400, ErrorCode.BAD_REQUEST, 'The request body must be JSON'));
  }
  const request = body as { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown } | null;
  const valid =
    request !== null &&
    typeof request === 'object' &&
    !Array.isArray(request) &&
    (typeof request.query === 'string' || (byId && request.query === undefined && sentById(request.extensions))) &&
    (request.operationName === undefined || request.operationName === null || typeof request.operationName === 'string') &&
    (request.variables === undefined || request.variables === null || (typeof request.variables === 'object' && !Array.isArray(request.variables))) &&
    // Apollo refuses malformed extensions itself, before any plugin runs (so unlogged): refused here.
    (request.extensions === undefined || request.extensions === null || (typeof request.extensions === 'object' && !Array.isArray(request.extensions)));
  if (!valid) return next(new Rejection(400, ErrorCode.BAD_REQUEST, 'The body must be one GraphQL request: {"query": string, "operationName"?, "variables"?}'));
  req.body = body;
  next();
};

export async function serveGraphQL<TContext extends BaseContext>(options: ServeOptions<TContext>): Promise<RunningService> {
  const { plugins } = options;
  const formatters = plugins.filter((plugin) => plugin.formatError);
  // Deny by default: a service that does not mask its errors would leak internals to clients.
  if (formatters.length !== 1) throw new Error(`${options.name}: exactly one plugin must format errors (error masking); found ${formatters.length}`);
  const schema = 'schema' in options.graph ? plugins.reduce((built, plugin) => plugin.transformSchema?.(built) ?? built, options.graph.schema) : undefined;
  if (!schema && plugins.some((plugin) => plugin.transformSchema)) throw new Error(`${options.name}: a gateway has no schema to transform`);

  const app = express();
  const log = serviceLog(options.name);
  const graceMs = options.shutdownGraceMs ?? 10_000;
  // Slow clients hold no socket for long: the header block within 10 s, the whole request within
  // 30 s, an idle keep-alive connection closed after 5 s (HTTP_TIMEOUTS).
  const timeouts = { headersTimeout: HTTP_TIMEOUTS.headersMs, requestTimeout: HTTP_TIMEOUTS.requestMs, keepAliveTimeout: HTTP_TIMEOUTS.keepAliveMs };
  // With a certificate, HTTPS only (platform/tls.ts): nothing is answered in the clear.
  const httpServer = options.tls ? https.createServer({ ...timeouts, cert: options.tls.cert, key: options.tls.key }, app) : http.createServer(timeouts, app);
  const server = new ApolloServer<TContext>({
    ...(schema ? { schema } : { gateway: (options.graph as { gateway: GatewayInterface }).gateway }),
    logger: apolloLogger(log),
    // In-flight requests get half the shutdown's grace; the logs' last writes and the database
    // clients the rest (stop, below).
    plugins: [...plugins.flatMap((plugin) => (plugin.apollo ? [plugin.apollo] : [])), ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: Math.floor(graceMs / 2) })],
    validationRules: plugins.flatMap((plugin) => plugin.validationRules ?? []),
    formatError: formatters[0]!.formatError,
    introspection: options.introspection,
    // Field suggestions ("did you mean …") would let anyone map the schema without introspection.
    hideSchemaDetailsFromClientErrors: !options.introspection,
    includeStacktraceInErrorResponses: false,
    // Every operation arrives whole (no persisted-query hashes), so it is checked and logged whole.
    // Only registered operations may be named by id (their manifest is the cache, never written by a client).
    persistedQueries: options.persistedOperations ? { cache: options.persistedOperations, ttl: null } : false,
    // Apollo would stop itself and re-raise the signal, killing the process before the caller's
    // own shutdown (database clients, the embedded store) has run; scripts/start.ts handles signals.
    stopOnTerminationSignals: false,
  } as ApolloServerOptions<TContext>);
  await server.start();

  /** A refusal before GraphQL: each plugin sees it (and may answer it otherwise); the final word is sent. */
  const decide = async (error: unknown, request: RefusedRequest): Promise<Rejection> => {
    let rejection = error instanceof Rejection ? error : new Rejection(500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
    if (!(error instanceof Rejection)) logError(log, 'the request failed before GraphQL', error, { requestId: request.locals.requestId ?? null });
    for (const plugin of plugins) {
      if (plugin.onRejection) rejection = (await plugin.onRejection(rejection, request)) ?? rejection;
    }
    return rejection;
  };
  const answer = async (error: unknown, req: Request, res: Response) => {
    const rejection = await decide(error, { header: (name) => req.get(name), body: req.body, locals: res.locals });
    sendError(res, rejection.status, rejection.code, rejection.message);
  };
  // A header block Node's parser refuses never reaches express: it is answered (and seen by the
  // plugins, so logged) here, with an id of its own.
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return void socket.destroy();
    if (error.code !== 'HPE_HEADER_OVERFLOW') return void socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    const locals = { requestId: randomUUID(), startedAt: performance.now() };
    decide(new Rejection(431, ErrorCode.HEADERS_TOO_LARGE, 'The request headers are too large'), { header: () => undefined, body: undefined, locals })
      .then((rejection) => {
        const body = JSON.stringify({ errors: [{ message: rejection.message, extensions: { code: rejection.code } }] });
        socket.end(
          `HTTP/1.1 ${rejection.status} ${http.STATUS_CODES[rejection.status] ?? ''}\r\ncontent-type: application/json\r\nx-request-id: ${locals.requestId}\r\n` +
            `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
      })
      .catch(() => socket.destroy());
  });

  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: options.name });
  });
  // Readiness (platform/readiness.ts): like /health, outside the plugin list — not logged, not
  // rate-limited, no token — and, unlike it, 503 while a dependency (store, log store, subgraph) is not usable.
  app.get('/ready', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    if (!options.readiness) return void res.json({ ready: true, checks: {} });
    options
      .readiness()
      .then((report) => res.status(report.ready ? 200 : 503).json(report))
      .catch((error: unknown) => {
        logError(log, '/ready failed', error);
        sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      });
  });
  const { metrics } = options;
  // Prometheus's scrape: on the service's own port, or (METRICS_PORT) on a listener of its own, so
  // that a network policy can open it to the scraper alone (the gateway's port is open to callers).
  const scrape: RequestHandler = (req, res) => {
    // Only GET (a HEAD would render the whole exposition to drop it).
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return sendError(res, 405, ErrorCode.METHOD_NOT_ALLOWED, 'Use GET for /metrics');
    }
    metricsText(metrics!)
      .then((text) => res.setHeader('content-type', METRICS_CONTENT_TYPE).send(text))
      .catch((error: unknown) => {
        logError(log, '/metrics failed', error);
        sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      });
  };
  if (metrics && !options.metricsListen) app.all('/metrics', scrape);
  // Every request to /graphql (or another endpoint), whatever its method, meets the arrival hooks
  // first (its id, its start time), so that even a refusal below is answered and logged as itself.
  const arrivals = plugins.flatMap((plugin) => (plugin.onArrival ? [plugin.onArrival] : []));
  const guards = plugins.flatMap((plugin) => (plugin.onRequest ? [plugin.onRequest] : []));
  const refused = (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    // An endpoint that has begun its answer ends it itself; nothing can be said after the headers.
    if (res.headersSent) {
      logError(log, 'the request failed after its answer began', error, { requestId: res.locals.requestId ?? null });
      return void res.destroy();
    }
    // express.raw's own errors (body too large, bad encoding) carry an HTTP status.
    const status = (error as { status?: unknown }).status;
    const rejection =
      error instanceof Rejection || typeof status !== 'number' || status >= 500
        ? error
        : status === 413
          ? new Rejection(413, ErrorCode.PAYLOAD_TOO_LARGE, 'The request body is too large')
          : status === 415
            ? new Rejection(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'The request body is in an encoding this service does not read')
            : new Rejection(status, ErrorCode.BAD_REQUEST, 'The request body could not be read');
    answer(rejection, req, res).catch((e) => {
      logError(log, 'a refusal could not be answered', e, { requestId: res.locals.requestId ?? null });
      if (!res.headersSent) sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
    });
  };
  for (const endpoint of options.endpoints ?? []) {
    app.all(endpoint.path, (_req, res, next) => {
      res.locals.operationName = endpoint.operationName;
      next();
    }, ...arrivals);
    app[endpoint.method === 'GET' ? 'get' : 'post'](
      endpoint.path,
      // Express answers HEAD with a GET route (the whole answer produced, then dropped): not here.
      (req, _res, next) => next(req.method === endpoint.method ? undefined : 'route'),
      express.raw({ type: () => true, limit: '1mb' }),
      ...guards,
      (req: Request, res: Response, next: NextFunction) =>
        void options
          .context(req, res)
          .then((context) => endpoint.handle(req, res, context))
          .catch(next),
    );
    app.all(endpoint.path, (_req, res, next) => {
      res.setHeader('Allow', endpoint.method);
      next(new Rejection(405, ErrorCode.METHOD_NOT_ALLOWED, `Use ${endpoint.method} for ${endpoint.path}`));
    });
    app.use(endpoint.path, refused);
  }
  options.routes?.(app);
  if (arrivals.length) app.use('/graphql', ...arrivals);
  app.post(
    '/graphql',
    express.raw({ type: () => true, limit: '1mb' }),
    ...guards,
    parseJsonBody(options.persistedOperations !== undefined),
    expressMiddleware(server, { context: ({ req, res }) => options.context(req, res) }),
  );
  app.all('/graphql', (_req, res, next) => {
    res.setHeader('Allow', 'POST');
    next(new Rejection(405, ErrorCode.METHOD_NOT_ALLOWED, 'Use POST for /graphql'));
  });
  app.use('/graphql', refused);

  const listen = (server: http.Server, at: { host: string; port: number }) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, () => resolve());
    });
  // The metrics listener (METRICS_PORT) once the service itself listens; either failing, neither stays.
  let metricsServer: http.Server | null = null;
  try {
    await listen(httpServer, options.listen);
    if (metrics && options.metricsListen) {
      const metricsApp = express();
      metricsApp.disable('x-powered-by');
      metricsApp.all('/metrics', scrape);
      metricsServer = http.createServer(timeouts, metricsApp);
      await listen(metricsServer, options.metricsListen);
    }
  } catch (error) {
    metricsServer?.close();
    httpServer.close();
    await server.stop().catch(() => {});
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(options.listen.host) ? '127.0.0.1' : options.listen.host;
  return {
    name: options.name,
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`,
    port,
    stop: async ({ deadline = Date.now() + graceMs } = {}) => {
      metricsServer?.closeAllConnections();
      metricsServer?.close();
      const orderly = (async () => {
        await server.stop();
        await options.onStop?.();
      })();
      // The last fifth of the grace (at most a second) is kept for cutting off what is left.
      const left = deadline - Date.now();
      const cutAt = deadline - Math.min(1000, Math.max(0, left) / 5);
      const wait = (until: number) => new Promise<'expired'>((resolve) => setTimeout(() => resolve('expired'), Math.max(0, until - Date.now())).unref());
      if ((await Promise.race([orderly.then(() => 'done' as const), wait(cutAt)])) === 'done') return;
      log.warn({ deadline: new Date(deadline).toISOString() }, "shutdown: the grace is nearly over; closing connections and database clients without waiting (an unsigned log tail is signed by the service's next writer)");
      httpServer.closeAllConnections();
      // Closing a client of a hung store can itself wait (the socket timeout): never past the deadline.
      await Promise.race([options.forceStop?.().catch((error: unknown) => logError(log, 'shutdown: closing the database clients failed', error)), wait(deadline)]);
      await Promise.race([orderly.catch((error: unknown) => logError(log, 'shutdown: the orderly stop failed', error)), wait(deadline)]);
    },
  };
}
