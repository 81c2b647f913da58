// Court resolvers: every argument is parsed before it reaches the store; references to other
// institutions' entities are returned as keys for the gateway to resolve.
import { DISTRICT_ID, issuerInboxTasks, suggestionStatsResolver, withReplies, type ResolverMap } from '../shared/index.js';
import { DateScalar, parseId, parseOptionalBoolean, parseOptionalEnum, parseOptionalId, parseOptionalNumber, parseOptionalPeriod, parsePeriod } from '../../platform/index.js';
import type { CourtContext } from './context.js';
import type { AdminCase, EnforcementCase, JudicialSuggestion } from './store.js';
import { courtWrites } from './writes.js';
import { settlementWrites } from './settlement.js';

type Args = Record<string, unknown>;
type Ref = { id?: unknown };
const filterOf = (args: Args) => (args.filter ?? {}) as Args;
const ref = (id: string | null) => (id ? { id } : null);
/** The government's replies to the court's suggestions, in an Agency's or the District's representation. */
const REPLIES = 'judicialSuggestionReplies';

export const resolvers: ResolverMap<CourtContext> = {
  Date: DateScalar,

  Query: {
    adminCase: (_: unknown, args: Args, ctx: CourtContext) => ctx.loaders.adminCase.load(parseId(args.id)),
    adminCases: (_: unknown, args: Args, ctx: CourtContext) => {
      const filter = filterOf(args);
      return ctx.store.listAdminCases(
        {
          caseNumber: parseOptionalNumber(filter.caseNumber, 'filter.caseNumber'),
          defendantId: parseOptionalId(filter.defendantId, 'filter.defendantId'),
          disputeId: parseOptionalId(filter.disputeId, 'filter.disputeId'),
          status: parseOptionalEnum(filter.status, 'filter.status'),
          outcome: parseOptionalEnum(filter.outcome, 'filter.outcome'),
          agencyLost: parseOptionalBoolean(filter.agencyLost, 'filter.agencyLost'),
          filed: parseOptionalPeriod(filter.filed, 'filter.filed'),
          closed: parseOptionalPeriod(filter.closed, 'filter.closed'),
        },
        args,
      );
    },
    enforcementCase: (_: unknown, args: Args, ctx: CourtContext) => ctx.loaders.enforcementCase.load(parseId(args.id)),
    enforcementCases: (_: unknown, args: Args, ctx: CourtContext) => {
      const filter = filterOf(args);
      return ctx.store.listEnforcementCases(
        {
          caseNumber: parseOptionalNumber(filter.caseNumber, 'filter.caseNumber'),
          agencyId: parseOptionalId(filter.agencyId, 'filter.agencyId'),
          status: parseOptionalEnum(filter.status, 'filter.status'),
          preSettlementSucceeded: parseOptionalBoolean(filter.preSettlementSucceeded, 'filter.preSettlementSucceeded'),
          filed: parseOptionalPeriod(filter.filed, 'filter.filed'),
        },
        args,
      );
    },
    judicialSuggestion: (_: unknown, args: Args, ctx: CourtContext) => ctx.loaders.suggestion.load(parseId(args.id)),
    judicialSuggestions: (_: unknown, args: Args, ctx: CourtContext) => {
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
    courtTasks: issuerInboxTasks('JudicialSuggestion', ({ store }: CourtContext) => ({ openTo: store.openSuggestionsTo, openIssuedBy: store.openSuggestionsIssuedBy })),
  },

  Mutation: { ...courtWrites, ...settlementWrites },

  Agency: {
    // The government owns agencies; the court answers for any agency id it is asked about.
    __resolveReference: withReplies(REPLIES),
    // Through a loader: a list of agencies (a bulletin, a defendant's cases' defendants) costs one command, not one per agency.
    adminCases: (agency: { id: string }, args: Args, ctx: CourtContext) => ctx.loaders.adminCasesOfAgency.load({ parent: agency.id, args }),
    litigationStats: (agency: { id: string }, args: Args, ctx: CourtContext) =>
      ctx.loaders.litigationStats.load({ scope: agency.id, period: parsePeriod(args.period) }),
    enforcementStats: (agency: { id: string }, args: Args, ctx: CourtContext) =>
      ctx.loaders.enforcementStats.load({ scope: agency.id, period: parsePeriod(args.period) }),
    judicialSuggestionStats: suggestionStatsResolver(REPLIES),
  },

  District: {
    __resolveReference: (r: Ref) => (parseId(r.id) === DISTRICT_ID ? withReplies(REPLIES)(r) : null),
    litigationStats: (_: unknown, args: Args, ctx: CourtContext) =>
      ctx.loaders.litigationStats.load({ scope: DISTRICT_ID, period: parsePeriod(args.period) }),
    enforcementStats: (_: unknown, args: Args, ctx: CourtContext) =>
      ctx.loaders.enforcementStats.load({ scope: DISTRICT_ID, period: parsePeriod(args.period) }),
    judicialSuggestionStats: suggestionStatsResolver(REPLIES),
  },

  Dispute: {
    __resolveReference: (r: Ref) => ({ id: parseId(r.id) }),
    adminCases: (d: { id: string }, _: Args, ctx: CourtContext) => ctx.loaders.adminCasesOfDispute.load(d.id),
    enforcementCases: (d: { id: string }, _: Args, ctx: CourtContext) => ctx.loaders.enforcementCasesOfDispute.load(d.id),
  },

  AdminCase: {
    __resolveReference: (r: Ref, ctx: CourtContext) => ctx.loaders.adminCase.load(parseId(r.id)),
    plaintiff: (c: AdminCase) => ref(c.plaintiffId),
    defendant: (c: AdminCase) => ref(c.defendantId),
    act: (c: AdminCase) => ref(c.actId),
    dispute: (c: AdminCase) => ref(c.disputeId),
    hearings: (c: AdminCase, _: Args, ctx: CourtContext) => ctx.loaders.hearingsOfCase.load(c.id),
  },

  EnforcementCase: {
    __resolveReference: (r: Ref, ctx: CourtContext) => ctx.loaders.enforcementCase.load(parseId(r.id)),
    agency: (e: EnforcementCase) => ref(e.agencyId),
    adminCase: (e: EnforcementCase, _: Args, ctx: CourtContext) => (e.adminCaseId ? ctx.loaders.adminCase.load(e.adminCaseId) : null),
    dispute: (e: EnforcementCase) => ref(e.disputeId),
  },

  JudicialSuggestion: {
    __resolveReference: (r: Ref, ctx: CourtContext) => ctx.loaders.suggestion.load(parseId(r.id)),
    toAgency: (s: JudicialSuggestion) => ref(s.toAgencyId),
    adminCase: (s: JudicialSuggestion, _: Args, ctx: CourtContext) => (s.adminCaseId ? ctx.loaders.adminCase.load(s.adminCaseId) : null),
  },
};
