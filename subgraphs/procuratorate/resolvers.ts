// Procuratorate resolvers: every argument is parsed before it reaches the store; references to
// other institutions' entities are returned as keys for the gateway to resolve.
import { DISTRICT_ID, issuerInboxTasks, suggestionStatsResolver, withReplies, type ResolverMap } from '../shared/index.js';
import { DateScalar, parseId, parseOptionalEnum, parseOptionalId, parseOptionalNumber, parseOptionalPeriod, parsePeriod } from '../../platform/index.js';
import type { ProcuratorateContext } from './context.js';
import type { ProcuratorialSuggestion, SupervisionCase } from './store.js';
import { procuratorateWrites } from './writes.js';

type Args = Record<string, unknown>;
type Ref = { id?: unknown };
const filterOf = (args: Args) => (args.filter ?? {}) as Args;
const ref = (id: string | null) => (id ? { id } : null);
/** The government's replies to the procuratorate's suggestions, in an Agency's or the District's representation. */
const REPLIES = 'procuratorialSuggestionReplies';

export const resolvers: ResolverMap<ProcuratorateContext> = {
  Date: DateScalar,

  Query: {
    supervisionCase: (_: unknown, args: Args, ctx: ProcuratorateContext) => ctx.loaders.supervision.load(parseId(args.id)),
    supervisionCases: (_: unknown, args: Args, ctx: ProcuratorateContext) => {
      const filter = filterOf(args);
      return ctx.store.listSupervisionCases(
        {
          caseNumber: parseOptionalNumber(filter.caseNumber, 'filter.caseNumber'),
          kind: parseOptionalEnum(filter.kind, 'filter.kind'),
          status: parseOptionalEnum(filter.status, 'filter.status'),
          agencyId: parseOptionalId(filter.agencyId, 'filter.agencyId'),
          adminCaseId: parseOptionalId(filter.adminCaseId, 'filter.adminCaseId'),
          opened: parseOptionalPeriod(filter.opened, 'filter.opened'),
        },
        args,
      );
    },
    procuratorialSuggestion: (_: unknown, args: Args, ctx: ProcuratorateContext) => ctx.loaders.suggestion.load(parseId(args.id)),
    procuratorialSuggestions: (_: unknown, args: Args, ctx: ProcuratorateContext) => {
      const filter = filterOf(args);
      return ctx.store.listSuggestions(
        {
          number: parseOptionalNumber(filter.number, 'filter.number'),
          toAgencyId: parseOptionalId(filter.toAgencyId, 'filter.toAgencyId'),
          issued: parseOptionalPeriod(filter.issued, 'filter.issued'),
        },
        args,
      );
    },
  },

  Inbox: {
    __resolveReference: (r: Ref) => ({ id: parseId(r.id) }),
    procuratorateTasks: issuerInboxTasks('ProcuratorialSuggestion', ({ store }: ProcuratorateContext) => ({ openTo: store.openSuggestionsTo, openIssuedBy: store.openSuggestionsIssuedBy })),
  },

  Mutation: procuratorateWrites,

  Agency: {
    __resolveReference: withReplies(REPLIES),
    supervisionStats: (agency: { id: string }, args: Args, ctx: ProcuratorateContext) =>
      ctx.loaders.supervisionStats.load({ scope: agency.id, period: parsePeriod(args.period) }),
    procuratorialSuggestionStats: suggestionStatsResolver(REPLIES),
  },

  District: {
    __resolveReference: (r: Ref) => (parseId(r.id) === DISTRICT_ID ? withReplies(REPLIES)(r) : null),
    supervisionStats: (_: unknown, args: Args, ctx: ProcuratorateContext) =>
      ctx.loaders.supervisionStats.load({ scope: DISTRICT_ID, period: parsePeriod(args.period) }),
    procuratorialSuggestionStats: suggestionStatsResolver(REPLIES),
  },

  Dispute: {
    __resolveReference: (r: Ref) => ({ id: parseId(r.id) }),
    supervisions: (d: { id: string }, _: Args, ctx: ProcuratorateContext) => ctx.loaders.supervisionsOfDispute.load(d.id),
  },

  AdminCase: {
    __resolveReference: (r: Ref) => ({ id: parseId(r.id) }),
    supervisions: (c: { id: string }, _: Args, ctx: ProcuratorateContext) => ctx.loaders.supervisionsOfAdminCase.load(c.id),
  },

  SupervisionCase: {
    __resolveReference: (r: Ref, ctx: ProcuratorateContext) => ctx.loaders.supervision.load(parseId(r.id)),
    adminCase: (s: SupervisionCase) => ref(s.adminCaseId),
    agency: (s: SupervisionCase) => ref(s.agencyId),
    dispute: (s: SupervisionCase) => ref(s.disputeId),
  },

  ProcuratorialSuggestion: {
    __resolveReference: (r: Ref, ctx: ProcuratorateContext) => ctx.loaders.suggestion.load(parseId(r.id)),
    toAgency: (s: ProcuratorialSuggestion) => ref(s.toAgencyId),
    supervisionCase: (s: ProcuratorialSuggestion, _: Args, ctx: ProcuratorateContext) =>
      s.supervisionCaseId ? ctx.loaders.supervision.load(s.supervisionCaseId) : null,
  },
};
