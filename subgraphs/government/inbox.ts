// The caller's inbox (待办), served by the government: every institution contributes the tasks its
// records hold for the caller (the court's and the procuratorate's come in the representation,
// @requires), the government keeps those still to be done by the replies it holds, and pages them:
// overdue first, then by due date. Each item names its record; the gateway resolves the record's
// fields from their owners, under their rules.
import { badUserInput, parseDate, parseId, withId } from '../../platform/index.js';
import { districtDate } from '../shared/index.js';
import type { GovernmentContext } from './context.js';

type Args = Record<string, unknown>;
const SUGGESTION_TYPES = ['JudicialSuggestion', 'ProcuratorialSuggestion'] as const;
const KINDS = [
  'CONSULTATION_OPINION',
  'DISPUTE_PROPOSAL',
  'SUPERVISION_PROGRESS',
  'SUPERVISION_CLOSING',
  'SUPERVISION_PROPOSAL',
  'SHARING_APPLICATION',
  'REPLY_TO_SUGGESTION',
  'SUPPLEMENTARY_REPLY',
  'FOLLOW_UP_SUGGESTION',
] as const;
const SUGGESTION_KINDS = new Set<string>(['REPLY_TO_SUGGESTION', 'SUPPLEMENTARY_REPLY', 'FOLLOW_UP_SUGGESTION']);
const MAX_FIRST = 100;

interface Task {
  kind: (typeof KINDS)[number];
  recordType: (typeof SUGGESTION_TYPES)[number] | 'Dispute' | 'SupervisionItem' | 'SharingApplication';
  recordId: string;
  dueAt: Date | null;
  supplementsRequested: number;
}

/** Tasks another institution contributed, parsed like any input (null when it could not answer). */
function parseTasks(value: unknown): Task[] {
  if (!Array.isArray(value)) return [];
  return value.map((task: Args) => {
    if (!SUGGESTION_KINDS.has(task?.kind as string) || !SUGGESTION_TYPES.includes(task?.recordType as (typeof SUGGESTION_TYPES)[number])) throw new Error('an inbox task of an unknown kind');
    const supplements = task.supplementsRequested;
    return {
      kind: task.kind as Task['kind'],
      recordType: task.recordType as Task['recordType'],
      recordId: parseId(task.recordId, 'recordId'),
      dueAt: task.dueAt === null || task.dueAt === undefined ? null : parseDate(task.dueAt),
      supplementsRequested: typeof supplements === 'number' && Number.isInteger(supplements) && supplements >= 0 ? supplements : 0,
    };
  });
}

/** An item's place in the inbox: overdue first, then by due date (none last), then by record. */
type Position = [number, number, string, string, string];
const positionOf = (item: { overdue: boolean; dueAt: Date | null; task: Task }): Position => [
  item.overdue ? 0 : 1,
  item.dueAt ? item.dueAt.getTime() : Number.MAX_SAFE_INTEGER,
  item.task.recordType,
  item.task.recordId,
  item.task.kind,
];
const compare = (a: Position, b: Position) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
};
const encodeCursor = (position: Position) => Buffer.from(JSON.stringify(position)).toString('base64url');
function decodeCursor(cursor: unknown): Position {
  const invalid = () => badUserInput('Malformed cursor: pass a cursor this list returned', 'after');
  if (typeof cursor !== 'string' || cursor.length > 400 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const shapes = ['number', 'number', 'string', 'string', 'string'];
    if (Array.isArray(position) && position.length === 5 && position.every((p, i) => typeof p === shapes[i])) return position as Position;
  } catch {
    // fall through
  }
  throw invalid();
}

/**
 * The government's own part: consultations the caller is invited to and has not given an opinion
 * on (due the day it is held), and, for the linkage office, proposals awaiting its decision.
 */
async function disputeTasks(context: GovernmentContext): Promise<Task[]> {
  const { principal } = context.identity;
  const tasks: Task[] = [];
  for (const dispute of await context.store.disputesAwaitingOpinionOf(principal.sub)) {
    for (const consultation of dispute.consultations) {
      const invited = consultation.invitees?.some((p) => p.sub === principal.sub);
      const given = consultation.opinions?.some((o) => o.by.sub === principal.sub);
      if (invited && !given) tasks.push({ kind: 'CONSULTATION_OPINION', recordType: 'Dispute', recordId: dispute._id, dueAt: consultation.heldAt, supplementsRequested: 0 });
    }
  }
  if (principal.org === 'government' && principal.roles.includes('linkage_officer')) {
    for (const dispute of await context.store.proposedDisputes()) {
      tasks.push({ kind: 'DISPUTE_PROPOSAL', recordType: 'Dispute', recordId: dispute._id, dueAt: null, supplementsRequested: 0 });
    }
  }
  return tasks;
}

/**
 * Supervision items: for an agency officer, the open items of their agency (report progress, by the
 * deadline); for the inspection office, items with progress reported (to close) and proposals.
 */
async function supervisionTasks(context: GovernmentContext): Promise<Task[]> {
  const { principal } = context.identity;
  const tasks: Task[] = [];
  const task = (kind: Task['kind'], item: { _id: string; deadline: Date }, due: boolean): Task => ({
    kind,
    recordType: 'SupervisionItem',
    recordId: item._id,
    dueAt: due ? item.deadline : null,
    supplementsRequested: 0,
  });
  if (principal.org !== 'government') return tasks;
  if (principal.roles.includes('agency_officer') && principal.unit) {
    for (const item of await context.store.openSupervisionItemsOf(principal.unit)) if (item.state === 'OPEN') tasks.push(task('SUPERVISION_PROGRESS', item, true));
  }
  if (principal.roles.includes('inspector')) {
    for (const item of await context.store.supervisionItemsIn(['PROGRESS_REPORTED', 'PROPOSED'])) {
      tasks.push(item.state === 'PROPOSED' ? task('SUPERVISION_PROPOSAL', item, false) : task('SUPERVISION_CLOSING', item, true));
    }
  }
  return tasks;
}

/** For the government's data steward: applications for its data awaiting a decision (due by the day their grant would start). */
async function applicationTasks(context: GovernmentContext): Promise<Task[]> {
  const { principal } = context.identity;
  if (principal.org !== 'government' || !principal.roles.includes('data_steward')) return [];
  return (await context.store.pendingApplications()).map((doc) => ({ kind: 'SHARING_APPLICATION', recordType: 'SharingApplication', recordId: doc._id, dueAt: doc.from, supplementsRequested: 0 }));
}

export const inboxResolvers = {
  inbox: (_: unknown, __: Args, context: GovernmentContext) => ({ id: context.identity.principal.sub }),
  Inbox: {
    __resolveReference: (ref: Args) => ({ id: typeof ref.id === 'string' ? ref.id : null, courtTasks: ref.courtTasks, procuratorateTasks: ref.procuratorateTasks }),
    items: async (inbox: { id: string | null; courtTasks?: unknown; procuratorateTasks?: unknown }, args: Args, context: GovernmentContext) => {
      // An inbox is read by its owner only.
      if (inbox.id !== context.identity.principal.sub) return null;
      const first = args.first ?? 20;
      if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_FIRST) throw badUserInput(`first must be an integer from 1 to ${MAX_FIRST}`, 'first');
      const after = args.after === undefined || args.after === null ? null : decodeCursor(args.after);
      const suggestionTasks = [...parseTasks(inbox.courtTasks), ...parseTasks(inbox.procuratorateTasks)];
      // The replies decide what is still to be done: a reply is awaited until the agency has replied
      // once for the issue and once per supplementary reply asked for; the issuer's follow-up after that.
      const files = await context.loaders.reply.loadMany(suggestionTasks.map((task) => `${task.recordType}:${task.recordId}`));
      const today = districtDate(context.now());
      const open = suggestionTasks.filter((task, i) => {
        const file = files[i];
        if (file instanceof Error) throw file;
        const answered = (file?.replies.length ?? 0) >= task.supplementsRequested + 1;
        return task.kind === 'FOLLOW_UP_SUGGESTION' ? answered : !answered;
      });
      const items = [...open, ...(await disputeTasks(context)), ...(await supervisionTasks(context)), ...(await applicationTasks(context))]
        .map((task) => ({ task, dueAt: task.dueAt, overdue: task.dueAt !== null && today.getTime() > task.dueAt.getTime() }))
        .sort((a, b) => compare(positionOf(a), positionOf(b)));
      const rest = after ? items.filter((item) => compare(positionOf(item), after) > 0) : items;
      const page = rest.slice(0, first);
      const edges = page.map((item) => ({
        node: {
          kind: item.task.kind,
          dueAt: item.dueAt,
          overdue: item.overdue,
          judicialSuggestion: item.task.recordType === 'JudicialSuggestion' ? { id: item.task.recordId } : null,
          procuratorialSuggestion: item.task.recordType === 'ProcuratorialSuggestion' ? { id: item.task.recordId } : null,
          // The government's own records are resolved here, not by the gateway: given whole.
          dispute: item.task.recordType === 'Dispute' ? context.loaders.dispute.load(item.task.recordId) : null,
          supervisionItem: item.task.recordType === 'SupervisionItem' ? context.loaders.supervisionItem.load(item.task.recordId) : null,
          sharingApplication: item.task.recordType === 'SharingApplication' ? context.store.sharingApplication(item.task.recordId).then((doc) => doc && withId(doc)) : null,
        },
        cursor: encodeCursor(positionOf(item)),
      }));
      return { edges, pageInfo: { hasNextPage: rest.length > first, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: items.length };
    },
  },
};
