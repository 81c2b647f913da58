// The information bulletin (信息通报 / 工作简报) at /reports/bulletin/: static files from
// gateway/reports-ui, every asset the project's own (no CDN), under a strict Content-Security-Policy,
// like the auditors' page. The page holds no data: it calls /graphql as the signed-in viewer, with
// purpose STATISTICS, so the report shows what that viewer may see.
//
// GET /reports/bulletin.pdf?from=…&to=… renders that same page to PDF in a headless Chromium
// (Debian's, driven by playwright-core: the one the tests use). The request passes the gateway's
// guards like /graphql (request id, token, rate limit, purpose); the page inside Chromium then
// fetches every number through /graphql under the caller's own token, so the PDF shows no more
// than the caller's screen does, and both requests are in the access log under the caller's name.
// The token is handed to the page through an init script over Chromium's debugging pipe (no
// port): it is never in a URL, a file or a log. The renderer may reach only this gateway's report
// page and /graphql (every other request is aborted), renders at most REPORT_MAX_RENDERS at once and
// at most one per caller (`sub`), so one analyst cannot hold every slot (more: 503 RENDERER_BUSY with
// Retry-After, never a queue that a client could grow), each bounded by REPORT_RENDER_TIMEOUT_MS and
// the request's own deadline (past either: 503 DEADLINE_EXCEEDED, the browser closed), and a
// missing Chromium is 503 RENDERER_UNAVAILABLE, not a stack trace.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import express, { type Express, type Request } from 'express';
import { PROJECT_ROOT, type Config } from '../config/index.js';
import type { AuditWriter } from '../audit/index.js';
import { AUDIT_UNAVAILABLE_ERROR, DenialReason, ErrorCode, logError, serviceLog, type Endpoint, type PluginResponse } from '../platform/index.js';
import type { GatewayContext } from './context.js';
import { logEndpointRequest, type AccessEntry, type EndpointOutcome } from './plugins/access-log.js';

const UI_DIR = path.join(PROJECT_ROOT, 'gateway/reports-ui');
export const REPORT_PAGE_PATH = '/reports/bulletin';
export const REPORT_PDF_PATH = '/reports/bulletin.pdf';
const REPORT_PDF_OPERATION = 'BulletinPdf';
/** The files the page is made of; nothing else in the folder is served. */
const PAGE_FILES = new Set(['/', '/index.html', '/app.js', '/score.js', '/style.css']);
/** The longest period a bulletin may cover (a few years, for a multi-year comparison). */
const MAX_PERIOD_DAYS = 5 * 366;

/** Chromium's flags: headless, no GPU, nothing fetched in the background. */
const CHROMIUM_FLAGS = ['--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-extensions', '--disable-sync'];

export function mountReportsPage(app: Express, config: Config): void {
  app.use(REPORT_PAGE_PATH, (req, res, next) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    // `/reports/bulletin` itself: to the folder, so the page's relative addresses resolve.
    if (req.originalUrl === REPORT_PAGE_PATH || req.originalUrl.startsWith(`${REPORT_PAGE_PATH}?`)) {
      return void res.redirect(301, `${REPORT_PAGE_PATH}/${req.originalUrl.slice(REPORT_PAGE_PATH.length)}`);
    }
    next();
  });
  // The composite score's weights (configuration, not data) and the district's time zone.
  app.get(`${REPORT_PAGE_PATH}/settings.json`, (_req, res) => {
    res.json({ weights: config.reports.weights, timeZone: config.districtTimeZone });
  });
  app.use(
    REPORT_PAGE_PATH,
    (req, res, next) => (PAGE_FILES.has(req.path) ? next() : void res.sendStatus(404)),
    express.static(UI_DIR, { index: 'index.html', fallthrough: false, dotfiles: 'deny', redirect: false }),
  );
}

export interface BulletinPdfOptions {
  config: Config;
  /** The gateway's access log: each PDF request's one record. */
  writer: AuditWriter<AccessEntry>;
}

/** Why a render failed, as the client is told. */
class RenderError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

const deadlineExceeded = () => new RenderError(503, ErrorCode.DEADLINE_EXCEEDED, 'The PDF took too long to render');

/** `work`, or a rejection as soon as `signal` aborts (the work itself runs on; its caller cleans up). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function parseDay(value: unknown): Date | null {
  if (typeof value !== 'string' || !DATE.test(value)) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? null : date;
}

/** The HTTP status of a code the page inside the renderer reports (its /graphql answer's). */
const PAGE_STATUS: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.COST_LIMIT_EXCEEDED]: 400,
  [ErrorCode.AUDIT_UNAVAILABLE]: 503,
  [ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE]: 503,
  [ErrorCode.DEADLINE_EXCEEDED]: 503,
};

/** The address this gateway was reached on, for the renderer to reach it again (loopback or the same interface). */
function ownOrigin(req: Request): string {
  let host = req.socket.localAddress ?? '127.0.0.1';
  if (host.startsWith('::ffff:')) host = host.slice('::ffff:'.length);
  if (host.includes(':')) host = `[${host}]`;
  // Over the listener's own scheme (HTTPS with TLS_CERT_FILE).
  return `${'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http'}://${host}:${req.socket.localPort}`;
}

export function bulletinPdfEndpoint(options: BulletinPdfOptions): Endpoint<GatewayContext> {
  const { config, writer } = options;
  let rendering = 0;
  /** The callers (`sub`) with a render under way: one each, so one analyst cannot hold every slot. */
  const renderingFor = new Set<string>();

  /** Renders the report for [from, to) under the caller's token; resolves to the PDF's bytes. */
  async function render(origin: string, token: string, from: string, to: string, signal: AbortSignal): Promise<Buffer> {
    try {
      await access(config.reports.chromiumPath, constants.X_OK);
    } catch {
      throw new RenderError(503, ErrorCode.RENDERER_UNAVAILABLE, 'The PDF renderer is not installed on this gateway; print the page from the browser instead');
    }
    let chromium: typeof import('playwright-core').chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch {
      throw new RenderError(503, ErrorCode.RENDERER_UNAVAILABLE, 'The PDF renderer is not installed on this gateway; print the page from the browser instead');
    }
    if (signal.aborted) throw deadlineExceeded();
    // Chromium's sandbox needs a user namespace, which root (a container's default) does not get.
    const args = process.getuid?.() === 0 ? [...CHROMIUM_FLAGS, '--no-sandbox'] : CHROMIUM_FLAGS;
    // Launch takes no signal: the request stops waiting for it at the deadline, and a browser that
    // starts after that is closed as soon as it does.
    const launching = chromium.launch({ executablePath: config.reports.chromiumPath, args, timeout: config.reports.renderTimeoutMs });
    let browser: Awaited<typeof launching>;
    try {
      browser = await untilAborted(launching, signal);
    } catch (error) {
      if (signal.aborted) {
        void launching.then((late) => late.close(), () => undefined).catch(() => undefined);
        throw deadlineExceeded();
      }
      logError(serviceLog('gateway'), 'the PDF renderer would not start', error);
      throw new RenderError(503, ErrorCode.RENDERER_UNAVAILABLE, 'The PDF renderer would not start; print the page from the browser instead');
    }
    // The abort listener closes the browser mid-step (a wait in Chromium then ends at once); the
    // checks between steps catch a deadline that passed between them. Whatever happens, `finally`
    // closes the browser: no Chromium outlives its request.
    const closed = () => void browser.close().catch(() => undefined);
    signal.addEventListener('abort', closed, { once: true });
    try {
      signal.throwIfAborted();
      // The page is this gateway's own, reached on its local address: its certificate names the
      // gateway's public host, not that address, so it is not checked here (nothing else is reachable: below).
      const context = await browser.newContext({ locale: 'zh-CN', timezoneId: config.districtTimeZone, serviceWorkers: 'block', acceptDownloads: false, ignoreHTTPSErrors: origin.startsWith('https:') });
      // Only this gateway's report page and /graphql; nothing else, anywhere.
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        const allowed = url.origin === origin && (url.pathname === '/graphql' || url.pathname.startsWith(`${REPORT_PAGE_PATH}/`));
        return allowed ? route.continue() : route.abort('blockedbyclient');
      });
      // (Scripts as text: they run in the page, not here. JSON.stringify quotes the values.)
      await context.addInitScript({
        content: `if (location.origin === ${JSON.stringify(origin)}) sessionStorage.setItem('bulletinToken', ${JSON.stringify(token)});`,
      });
      const page = await context.newPage();
      page.setDefaultTimeout(config.reports.renderTimeoutMs);
      await page.goto(`${origin}${REPORT_PAGE_PATH}/?from=${from}&to=${to}`);
      signal.throwIfAborted();
      // Selectors, not script: the page's CSP (no 'unsafe-eval') holds inside the renderer too.
      await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { state: 'attached' });
      signal.throwIfAborted();
      if ((await page.getAttribute('body', 'data-state')) !== 'ready') {
        const reported = await page.getAttribute('body', 'data-error-code');
        const code = (Object.values(ErrorCode) as string[]).includes(reported ?? '') ? (reported as ErrorCode) : ErrorCode.INTERNAL_SERVER_ERROR;
        throw new RenderError(PAGE_STATUS[code] ?? (code === ErrorCode.INTERNAL_SERVER_ERROR ? 500 : 502), code, 'The report could not be produced for this caller');
      }
      const pdf = await page.pdf({ printBackground: true, preferCSSPageSize: true });
      signal.throwIfAborted();
      return pdf;
    } catch (error) {
      if (error instanceof RenderError) throw error;
      if (signal.aborted) throw deadlineExceeded();
      throw error;
    } finally {
      signal.removeEventListener('abort', closed);
      closed();
    }
  }

  return {
    method: 'GET',
    path: REPORT_PDF_PATH,
    operationName: REPORT_PDF_OPERATION,
    async handle(req: Request, res: PluginResponse, context: GatewayContext) {
      const { identity } = context;
      if (!identity) throw new Error('the bulletin PDF reached without a caller');
      const variables = { from: req.query.from ?? null, to: req.query.to ?? null };
      const record = (done: Omit<EndpointOutcome, 'fields' | 'subgraphs' | 'variables'>) =>
        logEndpointRequest(writer, res.locals, { ...done, variables, fields: [], subgraphs: [] });
      const refuse = async (status: number, code: ErrorCode, message: string, extra: Record<string, unknown> = {}, denied: EndpointOutcome['denied'] = []) => {
        try {
          await record({ denied, outcome: 'REJECTED', code, httpStatus: status });
        } catch {
          return void res.status(503).json({ errors: [AUDIT_UNAVAILABLE_ERROR] });
        }
        res.status(status).json({ errors: [{ message, extensions: { code, ...extra } }] });
      };

      // The page inside asks for statistics; a request declared for anything else gets nothing.
      if (identity.purpose !== 'STATISTICS') {
        const reason = DenialReason.PURPOSE_NOT_ALLOWED;
        return refuse(403, ErrorCode.FORBIDDEN, `Not shared with you: ${reason}`, { reason }, [{ coordinate: null, path: REPORT_PDF_PATH, reason }]);
      }
      const from = parseDay(req.query.from);
      const to = parseDay(req.query.to);
      if (!from || !to || from >= to || to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
        return refuse(400, ErrorCode.BAD_USER_INPUT, `from and to must be dates (YYYY-MM-DD), from before to, at most ${MAX_PERIOD_DAYS} days apart`, { argument: 'period' });
      }
      const sub = identity.principal.sub;
      if (renderingFor.has(sub)) {
        res.setHeader('Retry-After', '5');
        return refuse(503, ErrorCode.RENDERER_BUSY, 'A PDF of yours is still rendering; try again when it is done');
      }
      if (rendering >= config.reports.maxRenders) {
        res.setHeader('Retry-After', '5');
        return refuse(503, ErrorCode.RENDERER_BUSY, 'The gateway is rendering as many PDFs as it may at once; try again shortly');
      }
      // The authentication plugin verified this very header; the page inside presents it again.
      const token = /^Bearer (\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!token) throw new Error('the bulletin PDF reached without a bearer token');

      rendering += 1;
      renderingFor.add(sub);
      const deadline = AbortSignal.any([context.signal, AbortSignal.timeout(config.reports.renderTimeoutMs)]);
      let pdf: Buffer;
      try {
        pdf = await render(ownOrigin(req), token, String(req.query.from), String(req.query.to), deadline);
      } catch (error) {
        if (!(error instanceof RenderError)) logError(serviceLog('gateway'), 'the bulletin PDF failed', error, { requestId: context.requestId ?? null });
        const failure = error instanceof RenderError ? error : new RenderError(500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
        if (context.signal.reason === ErrorCode.CLIENT_CLOSED) {
          // As the export records it: the client's connection, not a status it was sent.
          await record({ denied: [], outcome: 'FAILED', code: ErrorCode.CLIENT_CLOSED, httpStatus: 500 }).catch(() => undefined);
          return void res.destroy();
        }
        try {
          await record({ denied: [], outcome: failure.status < 500 ? 'REJECTED' : 'FAILED', code: failure.code, httpStatus: failure.status });
        } catch {
          return void res.status(503).json({ errors: [AUDIT_UNAVAILABLE_ERROR] });
        }
        if (failure.code === ErrorCode.RENDERER_BUSY) res.setHeader('Retry-After', '5');
        return void res.status(failure.status).json({ errors: [{ message: failure.message, extensions: { code: failure.code } }] });
      } finally {
        rendering -= 1;
        renderingFor.delete(sub);
      }
      // Recorded before a byte is sent: no PDF leaves without its record (fail closed).
      try {
        await record({ denied: [], outcome: 'SERVED', code: null, httpStatus: 200 });
      } catch {
        return void res.status(503).json({ errors: [AUDIT_UNAVAILABLE_ERROR] });
      }
      const name = `bulletin-${req.query.from}-${req.query.to}.pdf`;
      res.status(200);
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('Content-Disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(`信息通报-${req.query.from}-${req.query.to}.pdf`)}`);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end(pdf);
    },
  };
}
