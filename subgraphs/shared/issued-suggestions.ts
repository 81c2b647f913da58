// The issuer's side of a suggestion (司法建议 by the court, 检察建议 by the procuratorate): issued to
// an agency the government knows, and followed up by the one who issued it — a supplementary reply
// asked for, or the suggestion closed — once the agency has replied (the government holds the
// replies and, with the write's call, says how many there are). Each step goes through
// workflow.ts: rule, retry, version, state, one atomic write.
import type { WithId } from '../../platform/index.js';
import { badUserInput, illegalTransition, parseDate, parseId, parseOptionalId, parsePeriod, ratio, withId, type Period, type VersionedDoc, type WorkflowEvent } from '../../platform/index.js';
import { DISTRICT_ID } from './stats.js';
import type { CallIdentity } from '../../auth/index.js';
import { referenced } from './references.js';
import { addMonths, createRecord, districtDate, parseDueDate, parseIdempotencyKey, parseText, parseVersion, transitionRecord, type WorkflowContext } from './workflow.js';

/** The issuer's record of a suggestion (its own link — a case — aside). */
export interface IssuedSuggestionDoc extends VersionedDoc {
  number: string;
  toAgencyId: string;
  issuedAt: Date;
  dueAt: Date;
  content: string;
  supplementReason: string | null;
  /** How many supplementary replies were asked for: the agency has answered the last one when it has replied this many times plus one. */
  supplementsRequested: number;
  supplementRequestedAt: Date | null;
  supplementDueAt: Date | null;
  closedAt: Date | null;
}

/** Where the issuer keeps its suggestions (its store module builds the filters). */
export interface SuggestionStore<T extends IssuedSuggestionDoc> {
  createdBy: (createKey: string) => Promise<T | null>;
  get: (id: string) => Promise<T | null>;
  /** Whether a suggestion holds this number (an imported one may have an id of its own). */
  numberTaken: (number: string) => Promise<boolean>;
  insert: (doc: T) => Promise<{ doc: T; created: boolean }>;
  update: (id: string, expected: number, changes: Partial<Omit<T, keyof VersionedDoc>> & { state: string }, event: WorkflowEvent) => Promise<T | null>;
  /** The next number in the issuer's series. */
  nextNumber: () => Promise<number>;
}

export interface SuggestionIssuer<T extends IssuedSuggestionDoc, TContext> {
  type: string;
  store: (context: TContext) => SuggestionStore<T>;
  /** The id and 文号 of the n-th suggestion, issued in `year`. */
  idOf: (year: number, n: number) => string;
  numberOf: (year: number, n: number) => string;
  /** The issuer's own link, from the input (`input.<name>`): checked against the agency; the fields it sets. */
  link: (input: Record<string, unknown>, toAgencyId: string, context: TContext) => Promise<Partial<T>>;
}

type Args = Record<string, unknown>;

export function suggestionIssuerWrites<T extends IssuedSuggestionDoc, TContext>(issuer: SuggestionIssuer<T, TContext>) {
  type Context = TContext & WorkflowContext;
  const { type } = issuer;

  /** Whether the agency has answered the issuer's last request (the government's count came with the call). */
  const repliedToLast = (context: Context, suggestion: T) => {
    const replies = referenced(context.references, type, suggestion._id, 'id').replyCount;
    return typeof replies === 'number' && replies >= suggestion.supplementsRequested + 1;
  };

  const issue = async (_: unknown, args: Args, context: Context): Promise<WithId<T>> => {
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const input = (args.input ?? {}) as Args;
    const toAgencyId = parseId(input.toAgencyId, 'input.toAgencyId');
    const content = parseText(input.content, 'input.content', 10, 5000);
    const today = districtDate(context.now());
    const dueAt = parseDueDate(input.dueAt, today, 'input.dueAt') ?? addMonths(today, 2);
    // The government answered for the agency before the call was sent (the gateway refuses an unknown one).
    referenced(context.references, 'Agency', toAgencyId, 'input.toAgencyId');
    const link = await issuer.link(input, toAgencyId, context);
    const store = issuer.store(context);
    const doc = await createRecord<T>(context, {
      type,
      // The client's input as sent (a default due date moves with the day; a retry's must not).
      step: { action: 'ISSUE', idempotencyKey, input },
      state: 'ISSUED',
      findCreated: store.createdBy,
      build: async () => {
        const year = today.getUTCFullYear();
        // A number an import took since the series' counter began is skipped — held by its id, or
        // by its number where the import gave the record an id of its own.
        const taken = async (n: number) => (await store.get(issuer.idOf(year, n))) !== null || (await store.numberTaken(issuer.numberOf(year, n)));
        let n = await store.nextNumber();
        while (await taken(n)) n = await store.nextNumber();
        return {
          _id: issuer.idOf(year, n),
          number: issuer.numberOf(year, n),
          toAgencyId,
          ...link,
          issuedAt: today,
          dueAt,
          content,
          supplementReason: null,
          supplementsRequested: 0,
          supplementRequestedAt: null,
          supplementDueAt: null,
          closedAt: null,
        } as unknown as Omit<T, keyof VersionedDoc> & { _id: string };
      },
      insert: store.insert,
    });
    return withId(doc);
  };

  const requestSupplement = async (_: unknown, args: Args, context: Context): Promise<WithId<T>> => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const reason = parseText(args.reason, 'reason', 5, 2000);
    const today = districtDate(context.now());
    const dueAt = parseDueDate(args.dueAt, today, 'dueAt') ?? addMonths(today, 1);
    const describe = `${type} ${id}`;
    const store = issuer.store(context);
    const doc = await transitionRecord<T>(context, {
      type,
      id,
      expectedVersion,
      step: { action: 'REQUEST_SUPPLEMENT', idempotencyKey, input: { reason, dueAt: args.dueAt ?? null } },
      from: ['ISSUED', 'SUPPLEMENT_REQUESTED'],
      to: 'SUPPLEMENT_REQUESTED',
      describe,
      changes: (current) => {
        if (!repliedToLast(context, current)) throw illegalTransition(describe, 'REQUEST_SUPPLEMENT', current.state, 'the agency has not replied yet');
        return { supplementReason: reason, supplementsRequested: current.supplementsRequested + 1, supplementRequestedAt: context.now(), supplementDueAt: dueAt } as Partial<Omit<T, keyof VersionedDoc>>;
      },
      load: store.get,
      update: store.update,
    });
    return withId(doc);
  };

  const close = async (_: unknown, args: Args, context: Context): Promise<WithId<T>> => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const describe = `${type} ${id}`;
    const store = issuer.store(context);
    const doc = await transitionRecord<T>(context, {
      type,
      id,
      expectedVersion,
      step: { action: 'CLOSE', idempotencyKey, input: {} },
      from: ['ISSUED', 'SUPPLEMENT_REQUESTED'],
      to: 'CLOSED',
      describe,
      changes: (current) => {
        if (!repliedToLast(context, current)) throw illegalTransition(describe, 'CLOSE', current.state, 'the agency has not replied yet');
        return { closedAt: context.now() } as Partial<Omit<T, keyof VersionedDoc>>;
      },
      load: store.get,
      update: store.update,
    });
    return withId(doc);
  };

  return { issue, requestSupplement, close };
}

/** An optional link to one of the issuer's own cases, which must be against the same agency. */
export async function linkedCase(
  input: Args,
  argument: string,
  toAgencyId: string,
  load: (id: string) => Promise<{ agencyId: string | null } | null>,
  what: string,
): Promise<string | null> {
  const id = parseOptionalId(input[argument], `input.${argument}`) ?? null;
  if (!id) return null;
  const found = await load(id);
  if (!found) throw badUserInput(`No ${what} ${id}`, `input.${argument}`);
  if (found.agencyId !== toAgencyId) throw badUserInput(`${what} ${id} concerns ${found.agencyId ?? 'no agency'}, not ${toAgencyId}`, `input.${argument}`);
  return id;
}

/** One suggestion an agency replied to (the government's SuggestionReplyFact), as the issuer's statistics read it. */
export interface ReplyFact {
  suggestionId: string;
  firstRepliedAt: Date;
  adopted: boolean;
}

/**
 * The government's reply facts that came in a representation (@requires): parsed like any input.
 * Absent (null) when the government could not answer: the statistics are then null too, never
 * figures that count every suggestion as unanswered.
 */
export function parseReplyFacts(value: unknown): ReplyFact[] | null {
  if (!Array.isArray(value)) return null;
  return value.map((fact: Record<string, unknown>) => ({
    suggestionId: parseId(fact?.suggestionId, 'suggestionId'),
    firstRepliedAt: parseDate(fact?.firstRepliedAt),
    adopted: fact?.adopted === true,
  }));
}

/** The follow-up of the suggestions issued (in a period, to an agency or the district), from the replies to them. */
export function suggestionStats(issued: readonly { _id: string; dueAt: Date }[], facts: readonly ReplyFact[]) {
  const byId = new Map(facts.map((fact) => [fact.suggestionId, fact]));
  let replied = 0;
  let repliedOnTime = 0;
  let adopted = 0;
  for (const suggestion of issued) {
    const fact = byId.get(suggestion._id);
    if (!fact) continue;
    replied += 1;
    if (fact.firstRepliedAt.getTime() <= suggestion.dueAt.getTime()) repliedOnTime += 1;
    if (fact.adopted) adopted += 1;
  }
  return {
    issued: issued.length,
    replied,
    repliedOnTime,
    adopted,
    replyRate: ratio(replied, issued.length),
    onTimeReplyRate: ratio(repliedOnTime, issued.length),
    adoptionRate: ratio(adopted, replied),
  };
}

/**
 * The resolver of `Agency.<kind>SuggestionStats(period)` and `District.<kind>SuggestionStats(period)`:
 * the issuer's suggestions of the period (for the agency, or all for the district) with the
 * government's replies to them, which came in the representation as `repliesField` (@requires).
 */
export function suggestionStatsResolver(repliesField: string) {
  return async (
    parent: { id: string } & Record<string, unknown>,
    args: Args,
    context: { loaders: { suggestionsIssued: { load: (period: Period) => Promise<{ _id: string; toAgencyId: string; dueAt: Date }[]> } } },
  ) => {
    const period = parsePeriod(args.period);
    const facts = parseReplyFacts(parent[repliesField]);
    if (!facts) return null;
    const issued = await context.loaders.suggestionsIssued.load(period);
    return suggestionStats(parent.id === DISTRICT_ID ? issued : issued.filter((s) => s.toAgencyId === parent.id), facts);
  };
}

/** A representation of an Agency or the District with the government's replies it may carry (@requires), parsed when used. */
export const withReplies = (repliesField: string) => (ref: Args) => ({ id: parseId(ref.id), [repliesField]: ref[repliesField] });

/** An inbox task as the issuer contributes it (schema: InboxTask). */
export interface InboxTask {
  kind: 'REPLY_TO_SUGGESTION' | 'SUPPLEMENTARY_REPLY' | 'FOLLOW_UP_SUGGESTION';
  recordType: string;
  recordId: string;
  dueAt: Date | null;
  supplementsRequested: number;
}

/**
 * The issuer's part of the caller's inbox (`Inbox.courtTasks`, `Inbox.procuratorateTasks`): for an
 * agency officer, the suggestions addressed to their agency that are not closed (the government
 * keeps those still awaiting a reply); for anyone, the suggestions they issued that are not closed
 * (the government keeps those the agency has answered). Only the caller's own inbox is answered.
 */
export function issuerInboxTasks<T extends IssuedSuggestionDoc, TContext extends { identity: CallIdentity }>(
  type: string,
  store: (context: TContext) => { openTo: (agencyId: string) => Promise<T[]>; openIssuedBy: (sub: string) => Promise<T[]> },
) {
  return async (inbox: { id: string }, _args: Args, context: TContext): Promise<InboxTask[] | null> => {
    const { principal } = context.identity;
    if (inbox.id !== principal.sub) return null;
    const tasks: InboxTask[] = [];
    const suggestions = store(context);
    if (principal.org === 'government' && principal.roles.includes('agency_officer') && principal.unit) {
      for (const s of await suggestions.openTo(principal.unit)) {
        const supplementary = s.supplementsRequested > 0;
        tasks.push({
          kind: supplementary ? 'SUPPLEMENTARY_REPLY' : 'REPLY_TO_SUGGESTION',
          recordType: type,
          recordId: s._id,
          dueAt: supplementary ? s.supplementDueAt ?? s.dueAt : s.dueAt,
          supplementsRequested: s.supplementsRequested,
        });
      }
    }
    for (const s of await suggestions.openIssuedBy(principal.sub)) {
      tasks.push({ kind: 'FOLLOW_UP_SUGGESTION', recordType: type, recordId: s._id, dueAt: null, supplementsRequested: s.supplementsRequested });
    }
    return tasks;
  };
}
