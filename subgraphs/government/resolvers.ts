// Government resolvers: every argument is parsed before it reaches the store, and every entity
// reference and statistic goes through the request's DataLoaders.
import { DISTRICT_ID, type ResolverMap } from '../shared/index.js';
import { DateScalar, parseId, parseIdList, parseOptionalBoolean, parseOptionalEnum, parseOptionalId, parseOptionalNumber, parseOptionalPeriod, parseOptionalSearchText, parsePeriod } from '../../platform/index.js';
import type { GovernmentContext } from './context.js';
import type { Act, Agency, Dispute, Reconsideration } from './store.js';
import { governmentWrites, suggestionResolvers } from './suggestions.js';
import { inboxResolvers } from './inbox.js';
import { disputeWrites } from './disputes.js';
import { supervisionReads, supervisionWrites } from './supervision.js';
import { applicationReads, applicationWrites } from './applications.js';
import { parseIdNumbers, partyPseudonym, requireKey } from './pseudonyms.js';

type Args = Record<string, unknown>;
type Ref = { id?: unknown };
const filterOf = (args: Args) => (args.filter ?? {}) as Args;
const notNull = <T>(value: T | null | Error): value is T => value !== null && !(value instanceof Error);

export const resolvers: ResolverMap<GovernmentContext> = {
  Date: DateScalar,

  Query: {
    agency: (_: unknown, args: Args, ctx: GovernmentContext) => ctx.loaders.agency.load(parseId(args.id)),
    agencies: (_: unknown, args: Args, ctx: GovernmentContext) =>
      ctx.store.listAgencies({ kind: parseOptionalEnum(filterOf(args).kind, 'filter.kind') }, args),
    district: () => ({ id: DISTRICT_ID }),
    party: (_: unknown, args: Args, ctx: GovernmentContext) => ctx.loaders.party.load(parseId(args.id)),
    partyPseudonyms: async (_: unknown, args: Args, ctx: GovernmentContext) => {
      const key = requireKey(ctx.pseudonymKey);
      // The pseudonym alone, whether or not the government holds the party: the answer tells
      // nothing of who it has files on, nor their (masked) details.
      return parseIdNumbers(args.idNumbers).map((number) => ({ id: partyPseudonym(key, number), kind: null, name: null, idNumber: null, phone: null }));
    },
    act: (_: unknown, args: Args, ctx: GovernmentContext) => ctx.loaders.act.load(parseId(args.id)),
    acts: (_: unknown, args: Args, ctx: GovernmentContext) => {
      const filter = filterOf(args);
      return ctx.store.listActs(
        {
          agencyId: parseOptionalId(filter.agencyId, 'filter.agencyId'),
          category: parseOptionalEnum(filter.category, 'filter.category'),
          legalReviewed: parseOptionalBoolean(filter.legalReviewed, 'filter.legalReviewed'),
          decided: parseOptionalPeriod(filter.decided, 'filter.decided'),
        },
        args,
      );
    },
    reconsideration: (_: unknown, args: Args, ctx: GovernmentContext) => ctx.loaders.reconsideration.load(parseId(args.id)),
    reconsiderations: (_: unknown, args: Args, ctx: GovernmentContext) => {
      const filter = filterOf(args);
      return ctx.store.listReconsiderations(
        {
          caseNumber: parseOptionalNumber(filter.caseNumber, 'filter.caseNumber'),
          respondentId: parseOptionalId(filter.respondentId, 'filter.respondentId'),
          status: parseOptionalEnum(filter.status, 'filter.status'),
          outcome: parseOptionalEnum(filter.outcome, 'filter.outcome'),
          closed: parseOptionalPeriod(filter.closed, 'filter.closed'),
        },
        args,
      );
    },
    dispute: (_: unknown, args: Args, ctx: GovernmentContext) => ctx.loaders.dispute.load(parseId(args.id)),
    disputes: (_: unknown, args: Args, ctx: GovernmentContext) => {
      const filter = filterOf(args);
      return ctx.store.listDisputes(
        {
          titleContains: parseOptionalSearchText(filter.titleContains, 'filter.titleContains'),
          agencyId: parseOptionalId(filter.agencyId, 'filter.agencyId'),
          status: parseOptionalEnum(filter.status, 'filter.status'),
          major: parseOptionalBoolean(filter.major, 'filter.major'),
          opened: parseOptionalPeriod(filter.opened, 'filter.opened'),
        },
        args,
      );
    },
    inbox: inboxResolvers.inbox,
    ...supervisionReads.Query,
    ...applicationReads.Query,
    bulletin: async (_: unknown, args: Args, ctx: GovernmentContext) => {
      const period = parsePeriod(args.period);
      const ids = parseIdList(args.agencyIds, 'agencyIds');
      const agencies = ids ? (await ctx.loaders.agency.loadMany(ids)).filter(notNull) : await ctx.store.allAgencies();
      return { from: period.from, to: period.to, district: { id: DISTRICT_ID }, agencies };
    },
  },

  Mutation: { ...governmentWrites, ...disputeWrites, ...supervisionWrites, ...applicationWrites },

  SharingApplication: applicationReads.SharingApplication,

  SupervisionItem: supervisionReads.SupervisionItem,
  JointMeeting: supervisionReads.JointMeeting,

  Inbox: inboxResolvers.Inbox,

  Agency: {
    __resolveReference: (ref: Ref, ctx: GovernmentContext) => ctx.loaders.agency.load(parseId(ref.id)),
    // Through a loader: a list of agencies costs one command, not one per agency.
    acts: (agency: Agency, args: Args, ctx: GovernmentContext) => ctx.loaders.actsOfAgency.load({ parent: agency.id, args }),
    reconsiderationStats: (agency: Agency, args: Args, ctx: GovernmentContext) =>
      ctx.loaders.reconsiderationStats.load({ scope: agency.id, period: parsePeriod(args.period) }),
    disputeStats: (agency: Agency, args: Args, ctx: GovernmentContext) =>
      ctx.loaders.disputeStats.load({ scope: agency.id, period: parsePeriod(args.period) }),
    actStats: (agency: Agency, args: Args, ctx: GovernmentContext) =>
      ctx.loaders.actStats.load({ scope: agency.id, period: parsePeriod(args.period) }),
    judgmentPerformanceStats: (agency: Agency, args: Args, ctx: GovernmentContext) =>
      ctx.loaders.judgmentPerformanceStats.load({ scope: agency.id, period: parsePeriod(args.period) }),
    judicialSuggestionReplies: async (agency: Agency, _: Args, ctx: GovernmentContext) =>
      (await ctx.loaders.replyFacts.load('JudicialSuggestion')).filter((fact) => fact.agencyId === agency.id),
    procuratorialSuggestionReplies: async (agency: Agency, _: Args, ctx: GovernmentContext) =>
      (await ctx.loaders.replyFacts.load('ProcuratorialSuggestion')).filter((fact) => fact.agencyId === agency.id),
  },

  District: {
    __resolveReference: (ref: Ref) => (parseId(ref.id) === DISTRICT_ID ? { id: DISTRICT_ID } : null),
    name: async (_: unknown, __: Args, ctx: GovernmentContext) => (await ctx.loaders.district.load(DISTRICT_ID))?.name ?? null,
    agencies: (_: unknown, __: Args, ctx: GovernmentContext) => ctx.store.allAgencies(),
    reconsiderationStats: (_: unknown, args: Args, ctx: GovernmentContext) =>
      ctx.loaders.reconsiderationStats.load({ scope: DISTRICT_ID, period: parsePeriod(args.period) }),
    disputeStats: (_: unknown, args: Args, ctx: GovernmentContext) =>
      ctx.loaders.disputeStats.load({ scope: DISTRICT_ID, period: parsePeriod(args.period) }),
    actStats: (_: unknown, args: Args, ctx: GovernmentContext) =>
      ctx.loaders.actStats.load({ scope: DISTRICT_ID, period: parsePeriod(args.period) }),
    judgmentPerformanceStats: (_: unknown, args: Args, ctx: GovernmentContext) =>
      ctx.loaders.judgmentPerformanceStats.load({ scope: DISTRICT_ID, period: parsePeriod(args.period) }),
    judicialSuggestionReplies: (_: unknown, __: Args, ctx: GovernmentContext) => ctx.loaders.replyFacts.load('JudicialSuggestion'),
    procuratorialSuggestionReplies: (_: unknown, __: Args, ctx: GovernmentContext) => ctx.loaders.replyFacts.load('ProcuratorialSuggestion'),
  },

  Party: {
    __resolveReference: (ref: Ref, ctx: GovernmentContext) => ctx.loaders.party.load(parseId(ref.id)),
  },

  AdministrativeAct: {
    __resolveReference: (ref: Ref, ctx: GovernmentContext) => ctx.loaders.act.load(parseId(ref.id)),
    agency: (act: Act, _: Args, ctx: GovernmentContext) => ctx.loaders.agency.load(act.agencyId),
    party: (act: Act, _: Args, ctx: GovernmentContext) => (act.partyId ? ctx.loaders.party.load(act.partyId) : null),
  },

  Reconsideration: {
    __resolveReference: (ref: Ref, ctx: GovernmentContext) => ctx.loaders.reconsideration.load(parseId(ref.id)),
    applicant: (rc: Reconsideration, _: Args, ctx: GovernmentContext) => ctx.loaders.party.load(rc.applicantId),
    respondent: (rc: Reconsideration, _: Args, ctx: GovernmentContext) => ctx.loaders.agency.load(rc.respondentId),
    act: (rc: Reconsideration, _: Args, ctx: GovernmentContext) => (rc.actId ? ctx.loaders.act.load(rc.actId) : null),
  },

  Dispute: {
    __resolveReference: (ref: Ref, ctx: GovernmentContext) => ctx.loaders.dispute.load(parseId(ref.id)),
    agency: (dispute: Dispute, _: Args, ctx: GovernmentContext) => (dispute.agencyId ? ctx.loaders.agency.load(dispute.agencyId) : null),
    parties: async (dispute: Dispute, _: Args, ctx: GovernmentContext) =>
      (await ctx.loaders.party.loadMany(dispute.partyIds)).filter(notNull),
    linkedAdminCase: (dispute: Dispute) => (dispute.linkedAdminCaseId ? { id: dispute.linkedAdminCaseId } : null),
    linkedReconsideration: (dispute: Dispute, _: Args, ctx: GovernmentContext) =>
      dispute.linkedReconsiderationId ? ctx.loaders.reconsideration.load(dispute.linkedReconsiderationId) : null,
    proposal: (dispute: Dispute) =>
      dispute.proposal && {
        ...dispute.proposal,
        adminCase: dispute.proposal.adminCaseId ? { id: dispute.proposal.adminCaseId } : null,
        supervisionCase: dispute.proposal.supervisionCaseId ? { id: dispute.proposal.supervisionCaseId } : null,
      },
  },

  JudicialSuggestion: suggestionResolvers('JudicialSuggestion'),
  ProcuratorialSuggestion: suggestionResolvers('ProcuratorialSuggestion'),

  AdminCase: {
    __resolveReference: (ref: Ref) => ({ id: parseId(ref.id) }),
    performance: (c: { id: string }, _: Args, ctx: GovernmentContext) => ctx.loaders.performance.load(c.id),
  },
};
