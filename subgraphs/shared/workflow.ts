// How a workflow's step is written, for every flow of every institution: the caller's rule for the
// record first, then a retry recognised (answered with the record as it stands), then the version the caller read,
// then the state the step needs — each failure a stable error and nothing written — and last the
// one atomic write (platform/versioned.ts), noted in the owner's disclosure log with digests of the
// fields it changed. Timestamps are the server's (`context.now`), never the client's.
import { createHash } from 'node:crypto';
import type { GraphQLFieldResolver } from 'graphql';
import { principalClaims, type CallIdentity, type WriteGuard } from '../../auth/index.js';
import { typedCanonical, type WrittenField } from '../../audit/index.js';
import { badUserInput, conflict, illegalTransition, type Actor, type VersionedDoc, type WorkflowEvent } from '../../platform/index.js';
import type { SubgraphContext } from './context.js';

/** A write's resolver's context: the request's, with the write's guard (auth/rules.ts). */
export type WorkflowContext = SubgraphContext & { write: WriteGuard };

/**
 * A subgraph's Mutation resolvers, typed with the context every write's resolver receives: the
 * request's (serveSubgraph adds the clock and the references) with the write's guard, which the
 * sharing rules give each write (auth/rules.ts) — the one place that says so.
 */
export function mutationResolvers<TContext>(
  resolvers: Record<string, (parent: unknown, args: Record<string, unknown>, context: TContext & WorkflowContext) => unknown>,
): Record<string, GraphQLFieldResolver<unknown, TContext>> {
  return resolvers as unknown as Record<string, GraphQLFieldResolver<unknown, TContext>>;
}

/** A step as the client asked for it: its idempotency key and its input (what the key is held to). */
export interface Step {
  action: string;
  idempotencyKey: string;
  input: unknown;
}

/** The record a write's row conditions are decided on, when it is not the record written (a reply: the suggestion). */
export interface GuardTarget {
  type: string;
  record: unknown;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;

/** The client's idempotency key: 8-100 letters, digits, `.`, `_`, `:` or `-` (a UUID fits). */
export function parseIdempotencyKey(value: unknown): string {
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
    throw badUserInput('idempotencyKey must be 8-100 letters, digits, ".", "_", ":" or "-" (a UUID will do)', 'idempotencyKey');
  }
  return value;
}

/** A version the client read: a positive integer. */
export function parseVersion(value: unknown, argument = 'expectedVersion'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw badUserInput(`${argument} must be the version you read (a positive integer)`, argument);
  return value;
}

/** The district's offset from UTC: China Standard Time, UTC+8 all year (no daylight saving). */
const DISTRICT_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The district's calendar date at `now`, held as dates are (UTC midnight): a step at 07:00 in the district is that day's. */
export function districtDate(now: Date): Date {
  return new Date(Math.floor((now.getTime() + DISTRICT_OFFSET_MS) / DAY_MS) * DAY_MS);
}

/** The instant a district date begins (00:00 in the district), for comparing it with a clock. */
export function districtMidnight(date: Date): Date {
  return new Date(date.getTime() - DISTRICT_OFFSET_MS);
}

/** The same day `months` later (the last day of the month where that day does not exist). */
export function addMonths(date: Date, months: number): Date {
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(date.getUTCDate(), lastDay)));
}

/** A deadline the client chose (the Date scalar parsed it): after `today`, at most a year ahead. */
export function parseDueDate(value: unknown, today: Date, argument: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Date)) throw badUserInput(`${argument} must be a date`, argument);
  if (value.getTime() <= today.getTime()) throw badUserInput(`${argument} must be after today (${today.toISOString().slice(0, 10)}, the district's date)`, argument);
  if (value.getTime() > addMonths(today, 12).getTime()) throw badUserInput(`${argument} must be within a year`, argument);
  return value;
}

/** Free text: trimmed, `min` to `max` characters (counted as characters, not bytes). */
export function parseText(value: unknown, argument: string, min: number, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  const length = [...text].length;
  if (length < min || length > max) throw badUserInput(`${argument} must be ${min} to ${max} characters`, argument);
  return text;
}

/** SHA-256 (hex) of a value's typed canonical form: what the disclosure log keeps of a written value. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(typedCanonical(value ?? null)).digest('hex');
}

function actorOf(identity: CallIdentity): Actor {
  const { sub, name, org, unit } = principalClaims(identity.principal);
  return { sub, name, org, unit: unit ?? null };
}

/** Who took part in a step, as records beside a step's event name them (an opinion, a proposal, a decision). */
export function participantOf(identity: CallIdentity): Omit<Actor, 'unit'> {
  const { sub, name, org } = actorOf(identity);
  return { sub, name, org };
}

/**
 * An office's decision on a proposal (a dispute's, a supervision item's): accepted, or declined
 * with a reason (5-2000 characters), and the step's action.
 */
export function parseProposalDecision(args: Record<string, unknown>): { accept: boolean; reason: string | null; action: 'ACCEPT_PROPOSAL' | 'DECLINE_PROPOSAL' } {
  if (typeof args.accept !== 'boolean') throw badUserInput('accept must be true or false', 'accept');
  return args.accept ? { accept: true, reason: null, action: 'ACCEPT_PROPOSAL' } : { accept: false, reason: parseText(args.reason, 'reason', 5, 2000), action: 'DECLINE_PROPOSAL' };
}

/** A step's key among a record's events: the caller's, for this write, under the client's idempotency key. */
export function stepKey(context: WorkflowContext, idempotencyKey: string): string {
  return `${context.identity.principal.sub} ${context.write.coordinate} ${idempotencyKey}`;
}

function eventOf(context: WorkflowContext, step: Step, version: number, state: string): WorkflowEvent {
  return {
    action: step.action,
    at: context.now(),
    by: actorOf(context.identity),
    requestId: context.identity.requestId,
    key: stepKey(context, step.idempotencyKey),
    input: digestOf(step.input),
    version,
    state,
  };
}

/**
 * The same key again: the record as it stands if the input is the same, refused if not. The
 * disclosure log of this request notes the step it acknowledges (no fields: nothing was written
 * now), so a write is in the owner's log with the answer that confirmed it, even when the first
 * sending's log entry could not be written.
 */
function retried<T extends VersionedDoc>(context: WorkflowContext, type: string, record: T, earlier: WorkflowEvent, event: WorkflowEvent, logAs?: LogAs): T {
  if (earlier.input !== event.input) {
    throw badUserInput('This idempotencyKey was already used for a different request: use a new key for a new step', 'idempotencyKey');
  }
  context.disclosures?.wrote(logAs?.type ?? type, logAs?.id ?? record._id, { action: earlier.action, version: earlier.version, fields: [] });
  return record;
}

/**
 * At most this many writes in one operation: each is recorded in the owner's disclosure log with
 * the answer (its schema holds at most 50), and a write is refused before it is made, never after.
 */
export const MAX_WRITES_PER_OPERATION = 25;
const writesMade = new WeakMap<object, number>();

function beforeWriting(context: WorkflowContext): void {
  const made = writesMade.get(context.identity) ?? 0;
  if (made >= MAX_WRITES_PER_OPERATION) throw badUserInput(`At most ${MAX_WRITES_PER_OPERATION} writes in one operation: send the rest in another`, 'operation');
  writesMade.set(context.identity, made + 1);
}

/** Bookkeeping the disclosure log does not list as written fields (the version and action are the write's own). */
const BOOKKEEPING = new Set(['_id', 'version', 'updatedAt', 'events', 'createKey']);

/** Which record the disclosure log files a write under, when not the written record's own type and id. */
export interface LogAs {
  type: string;
  id: string;
}

function noteWrite(context: WorkflowContext, type: string, event: WorkflowEvent, before: VersionedDoc | null, after: VersionedDoc, logAs?: LogAs): void {
  const fields: WrittenField[] = [];
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const field of [...names].sort()) {
    if (BOOKKEEPING.has(field)) continue;
    const old = before ? (before as unknown as Record<string, unknown>)[field] : undefined;
    const now = (after as unknown as Record<string, unknown>)[field];
    const beforeDigest = old === undefined ? null : digestOf(old);
    const afterDigest = now === undefined ? null : digestOf(now);
    if (beforeDigest !== afterDigest) fields.push({ field, before: beforeDigest, after: afterDigest });
  }
  // Absent in a list without the disclosure log (a benchmark's plain variant).
  context.disclosures?.wrote(logAs?.type ?? type, logAs?.id ?? after._id, { action: event.action, version: event.version, fields });
}

export interface Creation<T extends VersionedDoc> {
  type: string;
  step: Step;
  /** The state a new record starts in. */
  state: string;
  /** The record made by an earlier sending of this creation (by its createKey), if any. */
  findCreated: (createKey: string) => Promise<T | null>;
  /** The new record's id and fields: called only for a creation not made before (it may take a number from a series). */
  build: () => Promise<Omit<T, keyof VersionedDoc> & { _id: string }>;
  insert: (doc: T) => Promise<{ doc: T; created: boolean }>;
  /** Where the row conditions are decided (default: the new record). */
  guardOn?: GuardTarget;
  logAs?: LogAs;
}

/** Creates a workflow record, once per idempotency key. */
export async function createRecord<T extends VersionedDoc>(context: WorkflowContext, creation: Creation<T>): Promise<T> {
  if (creation.guardOn) context.write.authorize(creation.guardOn.type, creation.guardOn.record);
  const event = eventOf(context, creation.step, 1, creation.state);
  const earlier = await creation.findCreated(event.key);
  if (earlier) {
    if (!creation.guardOn) context.write.authorize(creation.type, earlier);
    return retried(context, creation.type, earlier, earlier.events[0]!, event, creation.logAs);
  }
  const fields = await creation.build();
  const doc = { ...fields, version: 1, state: creation.state, createdAt: event.at, createdBy: event.by, updatedAt: event.at, createKey: event.key, events: [event] } as unknown as T;
  if (!creation.guardOn) context.write.authorize(creation.type, doc);
  beforeWriting(context);
  const { doc: stored, created } = await creation.insert(doc);
  // Two sendings at once: the other one made it.
  if (!created) return retried(context, creation.type, stored, stored.events[0]!, event, creation.logAs);
  noteWrite(context, creation.type, event, null, stored, creation.logAs);
  return stored;
}

export interface Transition<T extends VersionedDoc> {
  type: string;
  id: string;
  /**
   * The version the caller read; null for a step that commutes with any other (an invited
   * participant's opinion): it is taken on whatever version it finds, again if another lands first.
   */
  expectedVersion: number | null;
  step: Step;
  /** The states the step may be taken from; `describe` names the record in errors. */
  from: readonly string[];
  /** The state after it (or how to tell it from the record). */
  to: string | ((current: T) => string);
  describe: string;
  /** What the step sets (checked against the current record; may refuse with BAD_USER_INPUT). */
  changes: (current: T) => Partial<Omit<T, keyof VersionedDoc>>;
  load: (id: string) => Promise<T | null>;
  update: (id: string, expected: number, changes: Partial<Omit<T, keyof VersionedDoc>> & { state: string }, event: WorkflowEvent) => Promise<T | null>;
  /** Where the row conditions are decided (default: the record). */
  guardOn?: (current: T) => GuardTarget;
  logAs?: LogAs;
}

/** Takes one step of a record's workflow from the version the caller read. */
export async function transitionRecord<T extends VersionedDoc>(context: WorkflowContext, transition: Transition<T>): Promise<T> {
  // A commuting step is taken again on the version that beat it (a few times: then it is a conflict).
  for (let attempt = 0; ; attempt++) {
    const current = await transition.load(transition.id);
    if (!current) throw badUserInput(`No ${transition.type} ${transition.id}`, 'id');
    const guard = transition.guardOn?.(current) ?? { type: transition.type, record: current };
    context.write.authorize(guard.type, guard.record);
    const to = typeof transition.to === 'function' ? transition.to(current) : transition.to;
    const event = eventOf(context, transition.step, current.version + 1, to);
    const earlier = current.events.find((e) => e.key === event.key);
    if (earlier) return retried(context, transition.type, current, earlier, event, transition.logAs);
    const expected = transition.expectedVersion ?? current.version;
    if (current.version !== expected) throw conflict(transition.describe, expected, current.version);
    if (!transition.from.includes(current.state)) throw illegalTransition(transition.describe, event.action, current.state);
    const changes = transition.changes(current);
    if (attempt === 0) beforeWriting(context);
    const updated = await transition.update(transition.id, current.version, { ...changes, state: to }, event);
    if (updated) {
      noteWrite(context, transition.type, event, current, updated, transition.logAs);
      return updated;
    }
    // Someone else's step came first, or this one's earlier sending did.
    const now = await transition.load(transition.id);
    const mine = now?.events.find((e) => e.key === event.key);
    if (now && mine) return retried(context, transition.type, now, mine, event, transition.logAs);
    if (transition.expectedVersion !== null || attempt >= 4) throw conflict(transition.describe, expected, now?.version ?? current.version);
  }
}
