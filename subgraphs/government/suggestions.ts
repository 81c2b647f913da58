// The government's side of the suggestions the court and the procuratorate issue: each agency's
// replies (read, and written by the agency's officers), and whether a suggestion is overdue. The
// issuer holds the suggestion; what the government needs of it (the agency it was addressed to, its
// state and due dates) comes from the issuer, with the gateway's signed call: in a representation
// (@requires) for a read, among the write's references for a reply.
import { badUserInput, illegalTransition, parseDate, parseId } from '../../platform/index.js';
import { createRecord, districtDate, mutationResolvers, parseIdempotencyKey, parseText, parseVersion, referenced, stepKey, transitionRecord, type WorkflowContext } from '../shared/index.js';
import type { GovernmentContext } from './context.js';
import type { ReplyEntry, SuggestionReplyDoc } from './store.js';

type Args = Record<string, unknown>;
type SuggestionType = SuggestionReplyDoc['suggestionType'];

/** A suggestion as the issuer described it, in a representation or a write's references. */
export interface IssuedSuggestion {
  id: string;
  toAgencyId: string | null;
  state: string | null;
  dueAt: Date | null;
  supplementsRequested: number;
  supplementDueAt: Date | null;
}

const optionalDate = (value: unknown) => (value === undefined || value === null ? null : parseDate(value));

export function issuedSuggestion(ref: Args): IssuedSuggestion {
  const toAgency = ref.toAgency as { id?: unknown } | null | undefined;
  const supplements = ref.supplementsRequested;
  return {
    id: parseId(ref.id),
    toAgencyId: toAgency?.id === undefined || toAgency?.id === null ? null : parseId(toAgency.id, 'toAgency.id'),
    state: typeof ref.state === 'string' ? ref.state : null,
    dueAt: optionalDate(ref.dueAt),
    supplementsRequested: typeof supplements === 'number' && Number.isInteger(supplements) && supplements >= 0 ? supplements : 0,
    supplementDueAt: optionalDate(ref.supplementDueAt),
  };
}

/** Not replied to by its current due date, as of today in the district. */
export function isOverdue(suggestion: IssuedSuggestion, replies: number, now: Date): boolean | null {
  if (suggestion.state === null || suggestion.dueAt === null) return null;
  if (suggestion.state === 'CLOSED') return false;
  if (replies >= suggestion.supplementsRequested + 1) return false;
  const due = suggestion.supplementsRequested > 0 ? suggestion.supplementDueAt ?? suggestion.dueAt : suggestion.dueAt;
  return districtDate(now).getTime() > due.getTime();
}

/** Read resolvers of one suggestion type's extension. */
export function suggestionResolvers(type: SuggestionType) {
  const file = (s: IssuedSuggestion, context: GovernmentContext) => context.loaders.reply.load(`${type}:${s.id}`);
  return {
    __resolveReference: (ref: Args) => issuedSuggestion(ref),
    reply: (s: IssuedSuggestion, _: Args, context: GovernmentContext) => file(s, context),
    replies: async (s: IssuedSuggestion, _: Args, context: GovernmentContext) => (await file(s, context))?.replies ?? [],
    replyVersion: async (s: IssuedSuggestion, _: Args, context: GovernmentContext) => (await file(s, context))?.version ?? null,
    replyCount: async (s: IssuedSuggestion, _: Args, context: GovernmentContext) => (await file(s, context))?.replies.length ?? 0,
    overdue: async (s: IssuedSuggestion, _: Args, context: GovernmentContext) =>
      isOverdue(s, (await file(s, context))?.replies.length ?? 0, context.now()),
  };
}

function parseReply(input: Args, supplementary: boolean, today: Date): ReplyEntry {
  if (typeof input.adopted !== 'boolean') throw badUserInput('input.adopted must be true or false', 'input.adopted');
  const attachments = input.attachments ?? [];
  if (!Array.isArray(attachments) || attachments.length > 20) throw badUserInput('input.attachments: at most 20', 'input.attachments');
  return {
    repliedAt: today,
    adopted: input.adopted,
    content: parseText(input.content, 'input.content', 10, 5000),
    supplementary,
    attachments: attachments.map((a: Args, i) => {
      const sha256 = typeof a?.sha256 === 'string' ? a.sha256.toLowerCase() : '';
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw badUserInput(`input.attachments[${i}].sha256 must be 64 hexadecimal digits`, 'input.attachments');
      return { name: parseText(a.name, `input.attachments[${i}].name`, 1, 200), sha256 };
    }),
  };
}

/** The reply mutation for one suggestion type: a first reply creates the agency's replies' record, a supplementary one adds to it. */
function replyTo(type: SuggestionType) {
  return async (_: unknown, args: Args, context: GovernmentContext & WorkflowContext) => {
    const suggestionId = parseId(args.suggestionId, 'suggestionId');
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const input = (args.input ?? {}) as Args;
    const suggestion = issuedSuggestion({ ...referenced(context.references, type, suggestionId, 'suggestionId'), id: suggestionId });
    const describe = `${type} ${suggestionId}`;
    // The agency the issuer addressed it to decides the officer's own-unit rule.
    const guardOn = { type, record: suggestion };
    // The suggestion is part of what the key is held to: the same key on another suggestion is another step, refused.
    const step = { action: 'REPLY', idempotencyKey, input: { suggestionType: type, suggestionId, input, expectedVersion: args.expectedVersion ?? null } };
    const today = districtDate(context.now());
    const id = `${type}:${suggestionId}`;
    // The government files its records of a suggestion under the suggestion, as its reads of `reply` are.
    const logAs = { type, id: suggestionId };
    const existing = await context.store.replyFile(id);
    if (!existing || args.expectedVersion === undefined || args.expectedVersion === null) {
      // A first reply (or a retry of it, which finds the record it made).
      context.write.authorize(guardOn.type, guardOn.record);
      if (existing && existing.createKey !== stepKey(context, idempotencyKey)) {
        throw badUserInput(`${describe} has been replied to (replies at version ${existing.version}): a supplementary reply names expectedVersion`, 'expectedVersion');
      }
      if (!existing && suggestion.state === 'CLOSED') throw illegalTransition(describe, 'REPLY', 'CLOSED');
      const reply = parseReply(input, false, today);
      await createRecord<SuggestionReplyDoc>(context, {
        type: 'SuggestionReplies',
        step,
        state: 'REPLIED',
        guardOn,
        logAs,
        findCreated: context.store.replyFileCreatedBy,
        build: async () => ({ _id: id, suggestionType: type, suggestionId, agencyId: suggestion.toAgencyId as string, ...reply, replies: [reply] }),
        insert: context.store.insertReplyFile,
      });
      return suggestion;
    }
    await transitionRecord<SuggestionReplyDoc>(context, {
      type: 'SuggestionReplies',
      id,
      expectedVersion: parseVersion(args.expectedVersion),
      step,
      from: ['REPLIED'],
      to: 'REPLIED',
      describe,
      guardOn: () => guardOn,
      logAs,
      changes: (current) => {
        if (suggestion.state === 'CLOSED') throw illegalTransition(describe, 'REPLY', 'CLOSED');
        if (current.replies.length >= suggestion.supplementsRequested + 1) {
          throw illegalTransition(describe, 'REPLY', suggestion.state ?? 'ISSUED', 'already replied to; no supplementary reply was asked for since');
        }
        const reply = parseReply(input, true, today);
        return { ...reply, replies: [...current.replies, reply] };
      },
      load: context.store.replyFile,
      update: context.store.updateReplyFile,
    });
    return suggestion;
  };
}

export const governmentWrites = mutationResolvers<GovernmentContext>({
  replyToJudicialSuggestion: replyTo('JudicialSuggestion'),
  replyToProcuratorialSuggestion: replyTo('ProcuratorialSuggestion'),
});

