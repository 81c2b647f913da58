// Sharing on application (共享申请) for the government's CONDITIONAL data marked @applicable: a caller
// of an org the field names applies (type, fields, the request's purpose, scope of records, roles or
// people, term, legal basis); the government's data steward approves — perhaps narrowed — or
// rejects; may revoke an approved grant at any time; the applicant may withdraw while it is
// pending. An approved application is the grant the government's rules consult (auth/grants.ts),
// read by every replica every few seconds (subgraphs/shared/grant-book.ts), and at once by the one
// that decided. Each step goes through subgraphs/shared/workflow.ts.
import { ROLES_BY_ORG, isPrincipalText, type ActiveGrant, type Applicable, type GrantScope, type Org, type Purpose } from '../../auth/index.js';
import { badUserInput, parseDate, parseId, parseOptionalEnum, withId, type WithId } from '../../platform/index.js';
import { createRecord, districtDate, districtMidnight, mutationResolvers, parseIdempotencyKey, parseText, parseVersion, participantOf, transitionRecord, type WorkflowContext } from '../shared/index.js';
import type { GovernmentContext } from './context.js';
import type { SharingApplicationDoc } from './store.js';

type Args = Record<string, unknown>;
type Context = GovernmentContext & WorkflowContext;
const TYPE = 'SharingApplication';
const DAY_MS = 86_400_000;

export const sharingApplicationId = (year: number, n: number) => `SA-${year}-${String(n).padStart(4, '0')}`;

/** The records a scope may list, per type: those whose existence the government can check. */
const recordLoaders = (context: GovernmentContext): Record<string, (id: string) => Promise<unknown>> => ({
  AdministrativeAct: (id) => context.loaders.act.load(id),
  Reconsideration: (id) => context.loaders.reconsideration.load(id),
  Dispute: (id) => context.loaders.dispute.load(id),
  Party: (id) => context.loaders.party.load(id),
});

async function parseScope(context: GovernmentContext, type: string, value: unknown, argument: string): Promise<GrantScope> {
  const scope = (value ?? {}) as Args;
  const hasAgency = scope.agencyId !== undefined && scope.agencyId !== null;
  const hasRecords = scope.recordIds !== undefined && scope.recordIds !== null;
  if (hasAgency && hasRecords) throw badUserInput(`${argument}: one agency or a list of records, not both`, argument);
  if (hasAgency) {
    const agencyId = parseId(scope.agencyId, `${argument}.agencyId`);
    if (!(await context.loaders.agency.load(agencyId))) throw badUserInput(`No Agency ${agencyId}`, `${argument}.agencyId`);
    return { kind: 'AGENCY', agencyId };
  }
  if (hasRecords) {
    if (!Array.isArray(scope.recordIds) || scope.recordIds.length < 1 || scope.recordIds.length > 200) throw badUserInput(`${argument}.recordIds: 1 to 200 ids`, argument);
    const recordIds = [...new Set(scope.recordIds.map((id) => parseId(id, `${argument}.recordIds`)))];
    const load = recordLoaders(context)[type];
    if (!load) throw badUserInput(`${argument}.recordIds: records of ${type} cannot be listed; apply for all, or one agency's`, argument);
    for (const id of recordIds) if (!(await load(id))) throw badUserInput(`No ${type} ${id}`, `${argument}.recordIds`);
    return { kind: 'RECORDS', recordIds };
  }
  return { kind: 'ALL' };
}

/** Whether `narrow` covers no record `wide` does not. */
function within(narrow: GrantScope, wide: GrantScope): boolean {
  if (wide.kind === 'ALL') return true;
  if (wide.kind === 'AGENCY') return narrow.kind === 'AGENCY' ? narrow.agencyId === wide.agencyId : false;
  return narrow.kind === 'RECORDS' && narrow.recordIds.every((id) => wide.recordIds.includes(id));
}

function parseRoles(value: unknown, org: Org, argument: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length < 1 || value.length > 10) throw badUserInput(`${argument}: 1 to 10 roles`, argument);
  const roles = [...new Set(value.map(String))];
  const unknown = roles.filter((role) => !(ROLES_BY_ORG[org] as readonly string[]).includes(role));
  if (unknown.length) throw badUserInput(`${argument}: ${unknown.join(', ')} is not a role of ${org}`, argument);
  return roles;
}

function parseDay(value: unknown, argument: string): Date {
  if (!(value instanceof Date)) throw badUserInput(`${argument} must be a date`, argument);
  return value;
}

/** The fields applied for, each applicable for this org and purpose: their policies. */
function applicableFields(context: GovernmentContext, type: string, value: unknown, org: Org, purpose: Purpose, argument: string): { fields: string[]; rules: Applicable[] } {
  if (!Array.isArray(value) || value.length < 1 || value.length > 20) throw badUserInput(`${argument}: 1 to 20 fields`, argument);
  const fields = [...new Set(value.map(String))];
  const rules = fields.map((field) => {
    const applicable = context.policy.fields.get(`${type}.${field}`)?.applicable;
    if (!applicable) throw badUserInput(`${type}.${field} is not shared on application`, argument);
    if (!applicable.orgs.includes(org)) throw badUserInput(`${type}.${field} may not be applied for by ${org}`, argument);
    if (!applicable.purposes.includes(purpose)) throw badUserInput(`${type}.${field} may not be applied for for ${purpose} (only ${applicable.purposes.join(', ')})`, argument);
    return applicable;
  });
  return { fields, rules };
}

const steps = (context: Context) => ({ load: context.store.sharingApplication, update: context.store.updateSharingApplication });

export const applicationWrites = mutationResolvers<GovernmentContext>({
  applyForSharing: async (_: unknown, args: Args, context: Context) => {
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const input = (args.input ?? {}) as Args;
    const { principal, purpose } = context.identity;
    const org = principal.org;
    const type = typeof input.type === 'string' ? input.type : '';
    const { fields, rules } = applicableFields(context, type, input.fields, org, purpose, 'input.fields');
    const scope = await parseScope(context, type, input.scope, 'input.scope');
    if (input.principals !== undefined && input.principals !== null && (!Array.isArray(input.principals) || input.principals.length < 1 || input.principals.length > 50)) {
      throw badUserInput('input.principals: 1 to 50 people', 'input.principals');
    }
    const principals =
      input.principals === undefined || input.principals === null
        ? null
        : (input.principals as unknown[]).map((sub, i) => {
            if (!isPrincipalText(sub)) throw badUserInput(`input.principals[${i}] must be a sub: 1-128 characters without control or format characters`, 'input.principals');
            return sub;
          });
    // For the roles given; or for the people named, whatever their role; or else for the applicant's own roles.
    const roles = parseRoles(input.roles, org, 'input.roles') ?? (principals ? null : principal.roles.filter((role) => (ROLES_BY_ORG[org] as readonly string[]).includes(role)));
    const today = districtDate(context.now());
    const from = parseDay(input.from, 'input.from');
    const until = parseDay(input.until, 'input.until');
    if (from.getTime() < today.getTime()) throw badUserInput(`input.from must be today (${today.toISOString().slice(0, 10)}, the district's date) or later`, 'input.from');
    const maxDays = Math.min(...rules.map((rule) => rule.maxDays));
    if (until.getTime() <= from.getTime() || until.getTime() - from.getTime() > maxDays * DAY_MS) {
      throw badUserInput(`input.until must be after input.from, at most ${maxDays} days later`, 'input.until');
    }
    const legalBasis = parseText(input.legalBasis, 'input.legalBasis', 10, 2000);
    const doc = await createRecord<SharingApplicationDoc>(context, {
      type: TYPE,
      step: { action: 'APPLY', idempotencyKey, input: { ...input, purpose } },
      state: 'PENDING',
      findCreated: context.store.sharingApplicationCreatedBy,
      build: async () => ({
        _id: sharingApplicationId(today.getUTCFullYear(), await context.store.nextApplicationNumber(today.getUTCFullYear())),
        type,
        fields,
        purpose,
        org,
        scope,
        roles,
        principals,
        from,
        until,
        legalBasis,
        applicant: participantOf(context.identity),
        decision: null,
        revocation: null,
      }),
      insert: context.store.insertSharingApplication,
    });
    return withId(doc);
  },

  decideSharingApplication: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    if (typeof args.approve !== 'boolean') throw badUserInput('approve must be true or false', 'approve');
    const approve = args.approve;
    const reason = approve ? (args.reason === undefined || args.reason === null ? null : parseText(args.reason, 'reason', 2, 2000)) : parseText(args.reason, 'reason', 5, 2000);
    const narrowing = (args.narrowing ?? null) as Args | null;
    if (!approve && narrowing) throw badUserInput('A rejection narrows nothing', 'narrowing');
    const application = await context.store.sharingApplication(id);
    // Parsed against the application (a scope is checked like the applicant's); refused before anything is written.
    const narrowed: Partial<SharingApplicationDoc> = {};
    if (application && narrowing) {
      if (narrowing.fields != null) {
        const fields = [...new Set((narrowing.fields as unknown[]).map(String))];
        if (!fields.length || !fields.every((f) => application.fields.includes(f))) throw badUserInput('narrowing.fields: some of the fields applied for', 'narrowing.fields');
        narrowed.fields = fields;
      }
      if (narrowing.until != null) {
        const until = parseDate(narrowing.until instanceof Date ? narrowing.until.toISOString().slice(0, 10) : narrowing.until);
        if (until.getTime() <= application.from.getTime() || until.getTime() > application.until.getTime()) throw badUserInput('narrowing.until: after from, no later than applied for', 'narrowing.until');
        narrowed.until = until;
      }
      if (narrowing.scope != null) {
        const scope = await parseScope(context, application.type, narrowing.scope, 'narrowing.scope');
        if (!within(scope, application.scope)) throw badUserInput('narrowing.scope: within the scope applied for', 'narrowing.scope');
        narrowed.scope = scope;
      }
      if (narrowing.roles != null) {
        const roles = parseRoles(narrowing.roles, application.org as Org, 'narrowing.roles')!;
        if (application.roles && !roles.every((r) => application.roles!.includes(r))) throw badUserInput('narrowing.roles: some of the roles applied for', 'narrowing.roles');
        narrowed.roles = roles;
      }
    }
    const doc = await transitionRecord<SharingApplicationDoc>(context, {
      type: TYPE,
      id,
      expectedVersion,
      step: { action: approve ? 'APPROVE' : 'REJECT', idempotencyKey, input: { approve, reason, narrowing } },
      from: ['PENDING'],
      to: approve ? 'APPROVED' : 'REJECTED',
      describe: `SharingApplication ${id}`,
      changes: () => ({ ...narrowed, decision: { by: participantOf(context.identity), at: context.now(), reason } }),
      ...steps(context),
    });
    await context.refreshGrants();
    return withId(doc);
  },

  revokeSharingGrant: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const reason = parseText(args.reason, 'reason', 5, 2000);
    const doc = await transitionRecord<SharingApplicationDoc>(context, {
      type: TYPE,
      id,
      expectedVersion,
      step: { action: 'REVOKE', idempotencyKey, input: { reason } },
      from: ['APPROVED'],
      to: 'REVOKED',
      describe: `SharingApplication ${id}`,
      changes: () => ({ revocation: { by: participantOf(context.identity), at: context.now(), reason } }),
      ...steps(context),
    });
    await context.refreshGrants();
    return withId(doc);
  },

  withdrawSharingApplication: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const doc = await transitionRecord<SharingApplicationDoc>(context, {
      type: TYPE,
      id,
      expectedVersion,
      step: { action: 'WITHDRAW', idempotencyKey, input: {} },
      from: ['PENDING'],
      to: 'WITHDRAWN',
      describe: `SharingApplication ${id}`,
      changes: () => ({}),
      ...steps(context),
    });
    return withId(doc);
  },
});

/** The grants the rules consult, from the decided applications: their term as instants of the district's days. */
export async function decidedGrants(load: () => Promise<SharingApplicationDoc[]>): Promise<ActiveGrant[]> {
  return (await load()).map((doc) => ({
    id: doc._id,
    type: doc.type,
    fields: doc.fields,
    purpose: doc.purpose as Purpose,
    org: doc.org as Org,
    roles: doc.roles,
    principals: doc.principals,
    scope: doc.scope,
    from: districtMidnight(doc.from),
    until: districtMidnight(doc.until),
    revoked: doc.state === 'REVOKED',
  }));
}

export const applicationReads = {
  Query: {
    sharingApplication: async (_: unknown, args: Args, context: GovernmentContext) => {
      const doc = await context.store.sharingApplication(parseId(args.id));
      return doc && withId(doc);
    },
    applicableFields: async (_: unknown, __: Args, context: GovernmentContext) => {
      const now = context.now().getTime();
      const inForce = (await decidedGrants(() => context.store.grantsDecided())).filter((g) => !g.revoked && g.from.getTime() <= now && now < g.until.getTime());
      return [...context.policy.fields.values()]
        .filter((f) => f.applicable)
        .map((f) => ({
          type: f.type,
          field: f.field,
          ...f.applicable!,
          grantsInForce: inForce.filter((g) => g.type === f.type && g.fields.includes(f.field)).map((g) => g.id),
        }));
    },
    sharingApplications: (_: unknown, args: Args, context: GovernmentContext) =>
      context.store.listSharingApplications({ state: parseOptionalEnum(((args.filter ?? {}) as Args).state, 'filter.state') }, args),
  },
  SharingApplication: {
    __resolveReference: async (ref: Args, context: GovernmentContext) => {
      const doc = await context.store.sharingApplication(parseId(ref.id));
      return doc && withId(doc);
    },
    history: (doc: WithId<SharingApplicationDoc>) => doc.events.map(({ action, at, by, version, state }) => ({ action, at, by, version, state })),
    inForce: (doc: WithId<SharingApplicationDoc>, _: Args, context: GovernmentContext) => {
      const today = districtDate(context.now()).getTime();
      return doc.state === 'APPROVED' && doc.from.getTime() <= today && today < doc.until.getTime();
    },
  },
};
