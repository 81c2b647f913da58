// The services' log: one JSON line per event on stdout (pino), each with `level` (a label:
// "info", "error"…), an ISO `time`, the `service` it comes from, the request's `requestId` where
// there is one, and a short `msg` — for a log shipper to index, never for a person to parse.
//
// Stacks: a stack names the code's files and lines, and in production the log leaves the host
// (shippers, dashboards, the people who read them), so there an error's line carries its name and
// message (and its cause's) only; its stack goes on a line of its own at `debug` level, with the
// same request id, written only when LOG_LEVEL=debug. In development the stack stays on the line.
import pino from 'pino';
import type { LogLevel } from '../config/index.js';

export type { LogLevel };

/** Extra fields of a line: `requestId`, `subgraph`, `institution`, `chain`… */
export type LogFields = Record<string, unknown>;

/** Writes a line at one level: with fields, or a message alone. */
export interface LogMethod {
  (fields: LogFields, msg: string): void;
  (msg: string): void;
}

export interface Logger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  /** A logger whose every line also carries `fields` (a request's id, say). */
  child(fields: LogFields): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

/** Where the lines go: stdout by default; a test may collect them. */
export interface LogDestination {
  write(line: string): void;
}

export interface LogSettings {
  /** LOG_LEVEL. Default `info`. */
  level: LogLevel;
  /** LINKAGE_ENV=production: no stack on an error's own line. Default true, until configured otherwise. */
  production: boolean;
  /** Default: stdout, written synchronously (a line logged just before the process exits is not lost). */
  destination?: LogDestination;
}

let settings: LogSettings = { level: 'info', production: true };
let root = build(settings);
/** Bumped by each configureLogs: a service's logger built under older settings is built again. */
let generation = 0;

function build(options: LogSettings): pino.Logger {
  return pino(
    {
      level: options.level,
      // No pid or hostname: the orchestrator names the container; the service names itself.
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // `err` is described by logError (no stack in production), not by pino's serializer, which
      // would put the stack back.
      serializers: { err: (value: unknown) => value },
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * Sets the level and the environment of every service's log, once at boot (scripts/start.ts, from
 * the configuration); a test may also redirect the lines. Loggers made earlier follow. Returns the
 * settings it replaced (for a test to put back).
 */
export function configureLogs(options: Partial<LogSettings>): LogSettings {
  const previous = settings;
  settings = { ...settings, ...options };
  root = build(settings);
  generation += 1;
  return previous;
}

/** Whether errors are logged the production way (stack on a debug line of its own). */
export function logsAreProduction(): boolean {
  return settings.production;
}

class ServiceLogger implements Logger {
  private built: { generation: number; logger: pino.Logger } | null = null;

  constructor(private readonly fields: LogFields) {}

  private get pino(): pino.Logger {
    if (!this.built || this.built.generation !== generation) this.built = { generation, logger: root.child(this.fields) };
    return this.built.logger;
  }

  private write(level: LogLevel, first: LogFields | string, msg?: string): void {
    if (typeof first === 'string') this.pino[level](first);
    else this.pino[level](first, msg);
  }

  readonly trace: LogMethod = (first: LogFields | string, msg?: string) => this.write('trace', first, msg);
  readonly debug: LogMethod = (first: LogFields | string, msg?: string) => this.write('debug', first, msg);
  readonly info: LogMethod = (first: LogFields | string, msg?: string) => this.write('info', first, msg);
  readonly warn: LogMethod = (first: LogFields | string, msg?: string) => this.write('warn', first, msg);
  readonly error: LogMethod = (first: LogFields | string, msg?: string) => this.write('error', first, msg);
  readonly fatal: LogMethod = (first: LogFields | string, msg?: string) => this.write('fatal', first, msg);

  child(fields: LogFields): Logger {
    return new ServiceLogger({ ...this.fields, ...fields });
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.pino.isLevelEnabled(level);
  }
}

/** The log of one service (`gateway`, `court`…): every line names it in `service`. */
export function serviceLog(service: string): Logger {
  return new ServiceLogger({ service });
}

/** An error message can hold client input of any length: one line stays bounded. */
const MAX_MESSAGE = 1000;
const bounded = (text: string) => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}… (${text.length} characters)` : text);

/** What a line says of an error: its name, message, code and cause's message; the stack only where asked. */
export function describeError(error: unknown, withStack: boolean): LogFields {
  if (!(error instanceof Error)) return { message: bounded(String(error)) };
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : error.cause === undefined ? undefined : String(error.cause);
  return {
    name: error.name,
    message: bounded(error.message),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(cause !== undefined ? { cause: bounded(cause) } : {}),
    ...(withStack && error.stack ? { stack: error.stack } : {}),
  };
}

/**
 * Logs a failure with its error under `err`. In production the line has no stack; the stack goes
 * on a `debug` line of its own with the same fields (so the same request id), written only when
 * LOG_LEVEL=debug. In development the stack is on the line itself.
 */
export function logError(log: Logger, msg: string, error: unknown, fields: LogFields = {}, level: 'error' | 'warn' | 'fatal' = 'error'): void {
  const production = settings.production;
  log[level]({ ...fields, err: describeError(error, !production) }, msg);
  if (production && error instanceof Error && error.stack && log.isLevelEnabled('debug')) {
    log.debug({ ...fields, err: { name: error.name, stack: error.stack } }, `stack of: ${msg}`);
  }
}

/**
 * Apollo Server's and Apollo Gateway's logger over a service's log (their own would print plain
 * text to the console): each message one line, its arguments joined, at the same level.
 */
export function apolloLogger(log: Logger): { debug(...args: unknown[]): void; info(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void } {
  const line = (args: unknown[]) => args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' ');
  return {
    debug: (...args) => log.debug({ source: 'apollo' }, line(args)),
    info: (...args) => log.info({ source: 'apollo' }, line(args)),
    warn: (...args) => log.warn({ source: 'apollo' }, line(args)),
    error: (...args) => log.error({ source: 'apollo' }, line(args)),
  };
}
