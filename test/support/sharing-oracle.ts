// The oracle of the sharing tests: what the committed catalogue (docs/sharing-catalogue.json) says
// one caller gets of one field of one record, written here from the catalogue's semantics
// (docs/sharing-catalogue.md's header, domain.md), not taken from auth/ — so a rule changed in the
// SDL without the catalogue being regenerated, or enforcement code changed without the SDL, shows up
// as a difference. Grants on application (共享申请) count beside the static rules, as the issue
// states their rule (grantVerdict), from the grants the demo district holds and those a test makes;
// a read's ISSUER rule is judged on who made the record (issuers). Also who asks (every role of
// every org, agency officers of two units) and which records of the demo district they ask about. Used through the gateway by test/conformance.test.ts
// and against each institution's subgraph alone by test/support/policy-suite.ts.
import { readFileSync } from 'node:fs';
import { getNamedType, isListType, isNonNullType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { ROLES_BY_ORG, type CatalogueEntry, type Org, type Principal, type Purpose } from '../../auth/index.js';
import { CATALOGUE_JSON_PATH } from '../../subgraphs/index.js';
import { demoData } from './seed-options.js';
import { principal } from './stack.js';

// ---------------------------------------------------------------------------------------------
// The catalogue.

export const CATALOGUE = (JSON.parse(readFileSync(CATALOGUE_JSON_PATH, 'utf8')) as { fields: CatalogueEntry[] }).fields;

/** `Type.field` → its entries, one per subgraph that resolves it. */
export const CATALOGUE_BY_FIELD = new Map<string, CatalogueEntry[]>();
for (const entry of CATALOGUE) CATALOGUE_BY_FIELD.set(`${entry.type}.${entry.field}`, [...(CATALOGUE_BY_FIELD.get(`${entry.type}.${entry.field}`) ?? []), entry]);

// ---------------------------------------------------------------------------------------------
// The oracle: what the catalogue says one caller gets of one field of one record.

/** domain.md: OPEN is for the participant institutions; analysts work on statistics only. */
const PARTICIPANTS: readonly string[] = ['government', 'court', 'procuratorate'];
const STATISTICS_ONLY_ROLES: readonly string[] = ['analyst'];

/** `grant`: disclosed under that grant on application, not under a rule of the schema. */
export type Verdict = { disclose: true; mask: CatalogueEntry['mask']; grant?: string } | { disclose: false; reason: string };

/**
 * What a record tells the oracle: whose agency it is (OWN_UNIT, a grant's AGENCY scope), whether a
 * party is a person (PERSON_NAME), its id (a grant's RECORDS scope) and, where known, who made it
 * (ISSUER: its `createdBy.sub`; undefined where the oracle cannot tell).
 */
export interface RecordFacts {
  agency: string | null | undefined;
  kind: unknown;
  id?: string;
  issuer?: string | null;
}

/**
 * A write's grants are decided on the caller and purpose before its record is known (the
 * catalogue's header): its row conditions count as holding then, and are decided later, on the
 * record it writes (the workflow tests cover that part: catalogue-comparison.ts, NOT_FOR_WRITES).
 */
export const ROWS_DECIDED_LATER = Symbol('row conditions decided on the written record');

/** The reason a row condition gives when it does not hold, by condition; the later one wins a tie. */
const ROW_REASONS: Record<string, string> = { OWN_UNIT: 'NOT_OWN_UNIT', ISSUER: 'NOT_ISSUER', INVITED: 'NOT_INVITED' };

function rowHolds(row: string, who: Principal, record: RecordFacts | typeof ROWS_DECIDED_LATER): boolean {
  if (record === ROWS_DECIDED_LATER) return true;
  switch (row) {
    case 'OWN_UNIT':
      return who.unit !== null && record.agency === who.unit;
    case 'ISSUER':
      return record.issuer !== undefined && record.issuer !== null && record.issuer === who.sub;
    // INVITED (the caller is among the record's invitees): only a write's yet, decided later.
    default:
      return false;
  }
}

export function verdictOf(entry: CatalogueEntry, who: Principal, purpose: Purpose, record: RecordFacts | typeof ROWS_DECIDED_LATER): Verdict {
  const disclose: Verdict = { disclose: true, mask: entry.mask !== null && who.org !== entry.owner ? entry.mask : null };
  switch (entry.class) {
    case 'OPEN':
      if (entry.audience === 'PUBLIC') return disclose;
      if (!PARTICIPANTS.includes(who.org)) return { disclose: false, reason: 'ORG_NOT_ALLOWED' };
      if (who.roles.every((role) => STATISTICS_ONLY_ROLES.includes(role))) return { disclose: false, reason: 'ROLE_NOT_ALLOWED' };
      return disclose;
    case 'OWNER':
      if (who.org !== entry.owner) return { disclose: false, reason: 'OWNER_ONLY' };
      if (entry.ownerRoles && !who.roles.some((role) => entry.ownerRoles!.includes(role))) return { disclose: false, reason: 'OWNER_ONLY' };
      return disclose;
    case 'CONDITIONAL': {
      // The catalogue's header: the reason is that of the grant the caller came closest to: its
      // org, then its roles, then its purposes, then its row condition.
      const STEPS = ['ORG_NOT_ALLOWED', 'ROLE_NOT_ALLOWED', 'PURPOSE_NOT_ALLOWED'];
      const rowReasons = Object.values(ROW_REASONS);
      let closest = STEPS[0]!;
      const rank = (reason: string) => (STEPS.includes(reason) ? STEPS.indexOf(reason) : rowReasons.includes(reason) ? STEPS.length + rowReasons.indexOf(reason) : Infinity);
      for (const grant of entry.grants) {
        const steps: [boolean, string][] = [
          [grant.orgs.includes(who.org), 'ORG_NOT_ALLOWED'],
          [grant.roles === null || who.roles.some((role) => grant.roles!.includes(role)), 'ROLE_NOT_ALLOWED'],
          [grant.purposes === null || grant.purposes.includes(purpose), 'PURPOSE_NOT_ALLOWED'],
          [grant.row === null || rowHolds(grant.row, who, record), grant.row === null ? '' : (ROW_REASONS[grant.row] ?? `unknown row condition ${grant.row}`)],
        ];
        const failed = steps.find(([holds]) => !holds);
        if (!failed) return disclose;
        if (rank(failed[1]) > rank(closest)) closest = failed[1];
      }
      return { disclose: false, reason: closest };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Grants on application (共享申请): what the oracle expects of a field others may apply for, once an
// owner's data steward has approved an application for it. Written from the rule as the issue
// states it, not taken from auth/grants.ts: where the static rules refuse, a grant in force for the
// caller's org, role (or named sub) and purpose, within its term (the district's days, `from`
// inclusive, `until` exclusive), whose scope holds the record (ALL; AGENCY: the record's agency;
// RECORDS: its id), discloses the field. Otherwise, of the grants for the caller: NOT_IN_GRANT_SCOPE
// (one in force, the record outside its scope), else GRANT_EXPIRED (its term ended, named for 30
// days after), else GRANT_REVOKED (named until its term's end); else the static rule's reason.

/** A grant as its owner approved it (and perhaps revoked it since). */
export interface KnownGrant {
  /** The application's id (a SharingApplication). */
  id: string;
  /** The institution whose data it shares (whose data steward decided it). */
  owner: Org;
  type: string;
  fields: string[];
  org: Org;
  purpose: Purpose;
  /** Null: any role of `org`. */
  roles: string[] | null;
  /** Null: anyone of those roles. */
  principals: string[] | null;
  scope: { kind: 'ALL' } | { kind: 'AGENCY'; agencyId: string } | { kind: 'RECORDS'; recordIds: string[] };
  /** Its term, in the district's days (YYYY-MM-DD): from inclusive, until exclusive. */
  from: string;
  until: string;
  revoked: boolean;
}

/** The grants the oracle knows of, and the district's day to judge them on. */
export interface GrantLedger {
  grants: KnownGrant[];
  today(): string;
}

/** The district keeps China Standard Time (UTC+8, no daylight saving): its day, as YYYY-MM-DD. */
export const districtDay = (at: Date = new Date()) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
export const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** How long after its term an expired grant is still named as the reason. */
const EXPIRED_NAMED_DAYS = 30;

/** The grants of the demo district: its applications approved (or approved, then revoked). */
export function demoGrants(): KnownGrant[] {
  return demoData().government.sharingApplications.flatMap((a) =>
    a.state === 'APPROVED' || a.state === 'REVOKED'
      ? [
          {
            id: a._id,
            owner: 'government' as Org,
            type: a.type,
            fields: a.fields,
            org: a.org as Org,
            purpose: a.purpose as Purpose,
            roles: a.roles,
            principals: a.principals,
            scope: a.scope,
            // Stored as the UTC midnight of the day they name.
            from: a.from.toISOString().slice(0, 10),
            until: a.until.toISOString().slice(0, 10),
            revoked: a.state === 'REVOKED',
          },
        ]
      : [],
  );
}

/**
 * What the grants say of `entry`'s field of one record for `who` and `purpose`: the grant that
 * discloses it, the reason none does, or null when none is for the caller (the static rule speaks).
 */
export function grantVerdict(ledger: GrantLedger, entry: CatalogueEntry, who: Principal, purpose: Purpose, record: RecordFacts): { grant: string } | { reason: string } | null {
  const today = ledger.today();
  // The most telling reason wins: out of scope, then expired, then revoked.
  const ORDER = ['GRANT_REVOKED', 'GRANT_EXPIRED', 'NOT_IN_GRANT_SCOPE'];
  let reason: string | null = null;
  for (const grant of ledger.grants) {
    if (grant.owner !== entry.owner || grant.type !== entry.type || !grant.fields.includes(entry.field)) continue;
    if (grant.org !== who.org || grant.purpose !== purpose) continue;
    if (grant.roles !== null && !who.roles.some((role) => grant.roles!.includes(role))) continue;
    if (grant.principals !== null && !grant.principals.includes(who.sub)) continue;
    if (today < grant.from) continue;
    let why: string | null;
    if (grant.revoked) why = today < grant.until ? 'GRANT_REVOKED' : null;
    else if (today >= grant.until) why = today < addDays(grant.until, EXPIRED_NAMED_DAYS) ? 'GRANT_EXPIRED' : null;
    else {
      const scope = grant.scope;
      const holds = scope.kind === 'ALL' || (scope.kind === 'AGENCY' ? record.agency === scope.agencyId : record.id !== undefined && scope.recordIds.includes(record.id));
      if (holds) return { grant: grant.id };
      why = 'NOT_IN_GRANT_SCOPE';
    }
    if (why !== null && (reason === null || ORDER.indexOf(why) > ORDER.indexOf(reason))) reason = why;
  }
  return reason === null ? null : { reason };
}

/** Whether the catalogue lets others apply for `entry`'s field (its `applicable`): only then do grants on application count. */
const applicable = (entry: CatalogueEntry) => entry.applicable !== null;

/** The oracle's verdict with the grants on application beside the static rules (`ledger`: none when absent). */
export function judgedVerdict(entry: CatalogueEntry, who: Principal, purpose: Purpose, record: RecordFacts | typeof ROWS_DECIDED_LATER, ledger?: GrantLedger): Verdict {
  const verdict = verdictOf(entry, who, purpose, record);
  if (verdict.disclose || !ledger || record === ROWS_DECIDED_LATER || !applicable(entry)) return verdict;
  const granted = grantVerdict(ledger, entry, who, purpose, record);
  if (granted === null) return verdict;
  if ('reason' in granted) return { disclose: false, reason: granted.reason };
  return { disclose: true, mask: entry.mask !== null && who.org !== entry.owner ? entry.mask : null, grant: granted.grant };
}

/**
 * The application the sharing tests make and approve before reading (the issue's own example): a
 * prosecutor, for SUPERVISION, applies for the act summaries of one agency (`scope.agencyId`, or a
 * list of acts: `scope.recordIds`) for 30 days from today; the government's data steward approves
 * it as applied for. `grantOf` is the grant the oracle then expects, with the id the application got.
 */
export function summaryApplication(scope: { agencyId: string } | { recordIds: string[] }) {
  const today = districtDay();
  const input = {
    type: 'AdministrativeAct',
    fields: ['summary'],
    scope,
    roles: ['prosecutor'],
    from: today,
    until: addDays(today, 30),
    legalBasis: '《人民检察院行政诉讼监督规则》：办理行政诉讼监督案件，需调阅相关行政行为的内容摘要。',
  };
  return {
    applicant: principal('procuratorate', ['prosecutor']),
    purpose: 'SUPERVISION' as Purpose,
    steward: principal('government', ['data_steward']),
    input,
    grantOf: (id: string): KnownGrant => ({
      id,
      owner: 'government',
      type: input.type,
      fields: input.fields,
      org: 'procuratorate',
      purpose: 'SUPERVISION',
      roles: input.roles,
      principals: null,
      scope: 'agencyId' in scope ? { kind: 'AGENCY', agencyId: scope.agencyId } : { kind: 'RECORDS', recordIds: scope.recordIds },
      from: input.from,
      until: input.until,
      revoked: false,
    }),
  };
}

export const APPLY_FOR_SHARING = `mutation Apply($key: String!, $input: SharingApplicationInput!) { applyForSharing(idempotencyKey: $key, input: $input) { id state version } }`;
export const DECIDE_SHARING = `mutation Decide($key: String!, $id: ID!, $version: Int!) {
  decideSharingApplication(idempotencyKey: $key, id: $id, expectedVersion: $version, approve: true, reason: "同意调阅，限监督案件使用。") { id state version inForce }
}`;
export const REVOKE_SHARING = `mutation Revoke($key: String!, $id: ID!, $version: Int!) {
  revokeSharingGrant(idempotencyKey: $key, id: $id, expectedVersion: $version, reason: "调阅完毕，收回授权。") { id state version inForce }
}`;

// ---------------------------------------------------------------------------------------------
// Who made a record (ISSUER).

/** The demo records that carry who made them (`createdBy`), by type. */
function madeRecords(type: string): { _id: string; createdBy?: { sub?: string } }[] | undefined {
  const data = demoData();
  const byType: Record<string, unknown[]> = {
    SharingApplication: data.government.sharingApplications,
    Dispute: data.government.disputes,
    SupervisionItem: data.government.supervisionItems,
    JointMeeting: data.government.jointMeetings,
    AdminCase: data.court.adminCases,
    JudicialSuggestion: data.court.judicialSuggestions,
    ProcuratorialSuggestion: data.procuratorate.procuratorialSuggestions,
  };
  return byType[type] as { _id: string; createdBy?: { sub?: string } }[] | undefined;
}

/**
 * Who made a record (its `createdBy.sub`), for the ISSUER row condition: a record a test made, as
 * it made it (`made`, by `Type:id`), else the demo district's; undefined where the oracle cannot tell.
 */
export function issuers(made: Map<string, string> = new Map()): (type: string, id: string) => string | null | undefined {
  return (type, id) => {
    const mine = made.get(`${type}:${id}`);
    if (mine !== undefined) return mine;
    const record = madeRecords(type)?.find((r) => r._id === id);
    return record ? (record.createdBy?.sub ?? null) : undefined;
  };
}

/** domain.md's masks: keep the ends, star the middle (everything when nothing would be hidden). */
export function keepEnds(value: string, head: number, tail: number): string {
  const chars = [...value];
  if (chars.length <= head + tail) return '*'.repeat(chars.length);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(chars.length - tail).join('');
}

export function masked(mask: NonNullable<CatalogueEntry['mask']>, value: unknown, record: RecordFacts): unknown {
  if (Array.isArray(value)) return value.map((v) => masked(mask, v, record));
  if (typeof value !== 'string') return value;
  switch (mask) {
    case 'PERSON_NAME':
      // Names of natural persons only: an organisation's name is not personal data.
      return record.kind === 'ORGANIZATION' ? value : keepEnds(value, 1, 0);
    case 'ID_NUMBER':
      return keepEnds(value, 6, 4);
    case 'PHONE':
      return keepEnds(value, 3, 4);
  }
}

/** Federation's and composition's own types and fields: not part of the graph's data. */
export const isInternalType = (name: string) => /^(__|join__|link__)/.test(name) || name === '_Service' || name === '_Entity';
const INTERNAL_FIELDS = new Set(['Query._entities', 'Query._service']);

/** The fields of an object type that carry data (not federation's own, nor a subgraph's @external ones, which another resolves). */
export function fieldsOf(type: GraphQLObjectType): GraphQLField<unknown, unknown>[] {
  return Object.values(type.getFields()).filter(
    (f) => !INTERNAL_FIELDS.has(`${type.name}.${f.name}`) && !f.astNode?.directives?.some((d) => d.name.value === 'external'),
  );
}

const isExternal = (field: GraphQLField<unknown, unknown>) => Boolean(field.astNode?.directives?.some((d) => d.name.value === 'external'));
const isOneAgency = (field: GraphQLField<unknown, unknown>) => getNamedType(field.type).name === 'Agency' && !isListType(isNonNullType(field.type) ? field.type.ofType : field.type);

/**
 * The types whose records answer OWN_UNIT: a record's agency is its one field of type Agency. In a
 * subgraph that extends another's type, that field may be another's (`@external`): the subgraph
 * learns it from the representation the gateway sends (@requires), and so does the oracle
 * (`external: true`).
 */
export function agencyFieldOf(type: GraphQLObjectType): { name: string; external: boolean } | null {
  const own = fieldsOf(type).filter(isOneAgency);
  if (own.length === 1) return { name: own[0]!.name, external: false };
  if (own.length > 1) return null;
  const external = Object.values(type.getFields()).filter((f) => isExternal(f) && isOneAgency(f));
  return external.length === 1 ? { name: external[0]!.name, external: true } : null;
}

/**
 * Values that change with every request (live chains, today's activity): compared by kind only. A
 * volatile list (the witnessed heads, which grow as requests flow) is compared item by item with
 * itself: its fields are still held to the catalogue, its length and values are not compared.
 */
export const VOLATILE = new Set([
  'ChainStatus.records',
  'ChainStatus.headSeq',
  'ChainStatus.checkpointedSeq',
  'ChainStatus.unsignedTail',
  'ActivityDay.requests',
  'ActivityDay.denials',
  'AuditOverview.gatewayWitnesses',
  'AuditOverview.governmentWitnesses',
  'AuditOverview.courtWitnesses',
  'AuditOverview.procuratorateWitnesses',
]);

// ---------------------------------------------------------------------------------------------
// The records asked about, and who asks.

/**
 * The records the sharing tests ask for by id. One agency (`own`: that of the showcase dispute
 * followed through all three institutions) and another (`other`), so that each agency officer
 * sees records of their own unit and of another; records chosen so that every nested type has one
 * (a suggestion with a reply, a lost case with its judgment's performance, a dispute taken on each
 * kind of proposal, a supervision item with its progress reported and one proposed), and two
 * parties, a person and an organisation (PERSON_NAME masks only the first).
 */
export function sharingRecords() {
  const data = demoData();
  const showcase = data.court.adminCases.find((c) => c._id === data.showcase.adminCaseId)!;
  const own = showcase.defendantId;
  const replies = new Map(data.government.suggestionReplies.map((r) => [r._id, r]));
  const replied = new Set(replies.keys());
  // A suggestion whose reply has an attachment, where there is one (so that Attachment is asked on one that exists).
  const attached = (key: string) => (replies.get(key)?.attachments?.length ?? 0) > 0;
  const bySeniority = [...data.procuratorate.procuratorialSuggestions].sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime());
  const newestFirst = [...bySeniority].reverse();
  const procuratorialSuggestion =
    newestFirst.find((s) => attached(`ProcuratorialSuggestion:${s._id}`) && s.toAgencyId !== own) ??
    newestFirst.find((s) => replied.has(`ProcuratorialSuggestion:${s._id}`) && s.toAgencyId !== own) ??
    bySeniority.at(-1)!;
  const judicialSuggestion =
    data.court.judicialSuggestions.find((s) => s.toAgencyId === own && attached(`JudicialSuggestion:${s._id}`)) ??
    data.court.judicialSuggestions.find((s) => s.toAgencyId === own && replied.has(`JudicialSuggestion:${s._id}`))!;
  const other = procuratorialSuggestion.toAgencyId === own ? data.government.agencies.find((a) => a._id !== own)!._id : procuratorialSuggestion.toAgencyId;
  const performed = new Set(data.government.judgmentPerformances.map((p) => p._id));
  const lostCase = data.court.adminCases.find((c) => performed.has(c._id) && [own, other].includes(c.defendantId)) ?? data.court.adminCases.find((c) => performed.has(c._id))!;
  const organisation = data.government.parties.find((p) => p.kind === 'ORGANIZATION')!;
  // A record whose access history no request after a test's preparation touches: the oldest
  // procuratorial suggestion (but the one asked for), never on a first page of newest-first lists.
  const history = bySeniority.find((s) => s !== procuratorialSuggestion)!;
  // The linkage work: disputes taken on proposal, one from a court case and one from a supervision
  // case (DisputeProposal, and the government's stubs of the proposers' cases); supervision items
  // — one of the showcase's agency (each agency officer then sees one of their unit and one of
  // another: SupervisionItem's agency is its responsible agency), one with its progress reported,
  // one proposed and awaiting the office (SupervisionProposal) —; and the joint meeting that
  // decided the first.
  const proposedDisputes = data.government.disputes.filter((d) => d.proposal);
  const fromCourtCase = proposedDisputes.find((d) => d.proposal!.adminCaseId !== null);
  const fromSupervisionCase = proposedDisputes.find((d) => d.proposal!.supervisionCaseId !== null);
  const items = data.government.supervisionItems;
  const ownItem = items.find((i) => i.responsibleAgencyId === own && i.progress.length > 0) ?? items.find((i) => [own, other].includes(i.responsibleAgencyId));
  const reportedItem = items.find((i) => i.state === 'PROGRESS_REPORTED' && i.progress.length > 0 && i !== ownItem);
  const proposedItem = items.find((i) => i.proposal !== null);
  const meeting = data.government.jointMeetings.find((m) => ownItem && m.decisionIds.includes(ownItem._id)) ?? data.government.jointMeetings[0];
  const ids = (...records: ({ _id: string } | undefined)[]) => [...new Set(records.flatMap((r) => (r ? [r._id] : [])))];
  // Two acts: the showcase's, whose agency a test's grant on application covers (`grantAgency`:
  // summaryApplication), and one of another agency, which it does not (NOT_IN_GRANT_SCOPE).
  const act = data.government.acts.find((a) => a._id === showcase.actId)!;
  const otherAct = data.government.acts.find((a) => a.agencyId !== act.agencyId && a.agencyId === other) ?? data.government.acts.find((a) => a.agencyId !== act.agencyId)!;
  return {
    data,
    own,
    other,
    history,
    /** The agency whose act summaries the tests' grant on application covers (the showcase act's). */
    grantAgency: act.agencyId,
    /** Per type, the records asked for by id. */
    recordIds: {
      Agency: [own],
      Party: [showcase.plaintiffId, organisation._id],
      AdministrativeAct: [act._id, otherAct._id],
      Reconsideration: [data.government.reconsiderations.find((r) => r.respondentId === own)!._id],
      Dispute: [...new Set([data.showcase.disputeId, ...ids(fromCourtCase, fromSupervisionCase)])],
      AdminCase: [lostCase._id],
      EnforcementCase: [data.showcase.enforcementCaseId],
      JudicialSuggestion: [judicialSuggestion._id],
      SupervisionCase: [data.showcase.supervisionCaseId],
      ProcuratorialSuggestion: [procuratorialSuggestion._id],
      SupervisionItem: ids(ownItem, reportedItem, proposedItem),
      JointMeeting: ids(meeting),
      // The demo district's applications (共享申请), one approved and one pending, both made by a
      // prosecutor none of the tests' callers is (so an ISSUER grant refuses them NOT_ISSUER).
      SharingApplication: data.government.sharingApplications.map((a) => a._id),
    } as Record<string, string[]>,
  };
}

/** The issuer's record of a suggestion in the demo data: the court's judicial ones, the procuratorate's procuratorial ones. */
export function issuedSuggestion(type: string, id: string) {
  const data = demoData();
  const all = type === 'JudicialSuggestion' ? data.court.judicialSuggestions : type === 'ProcuratorialSuggestion' ? data.procuratorate.procuratorialSuggestions : [];
  return (all as (typeof data.court.judicialSuggestions[number] | typeof data.procuratorate.procuratorialSuggestions[number])[]).find((s) => s._id === id) ?? null;
}

const day = (date: Date | null | undefined) => (date ? date.toISOString().slice(0, 10) : null);

/**
 * Types whose record is the caller's own (keyed by the caller's `sub`: the inbox): each caller asks
 * for their own, and the ground truth for it is asked as the same caller.
 */
export const CALLERS_OWN = new Set(['Inbox']);

/**
 * The suggestions of one issuer's that wait on `who` (subgraphs/shared/issued-suggestions.ts,
 * issuerInboxTasks, as the domain says it): for an agency officer, those addressed to their agency
 * and not closed; for anyone, those they issued and not closed.
 */
function suggestionTasks(type: 'JudicialSuggestion' | 'ProcuratorialSuggestion', who: Principal) {
  const data = demoData();
  const all = type === 'JudicialSuggestion' ? data.court.judicialSuggestions : data.procuratorate.procuratorialSuggestions;
  const open = (all as { _id: string; toAgencyId: string; state: string; dueAt: Date; supplementsRequested: number; supplementDueAt: Date | null; createdBy: { sub: string } }[]).filter((s) => s.state !== 'CLOSED');
  const addressed = who.org === 'government' && who.roles.includes('agency_officer') && who.unit ? open.filter((s) => s.toAgencyId === who.unit) : [];
  return [
    ...addressed.map((s) => ({
      kind: s.supplementsRequested > 0 ? 'SUPPLEMENTARY_REPLY' : 'REPLY_TO_SUGGESTION',
      recordType: type,
      recordId: s._id,
      dueAt: day(s.supplementsRequested > 0 ? (s.supplementDueAt ?? s.dueAt) : s.dueAt),
      supplementsRequested: s.supplementsRequested,
    })),
    ...open.filter((s) => s.createdBy.sub === who.sub).map((s) => ({ kind: 'FOLLOW_UP_SUGGESTION', recordType: type, recordId: s._id, dueAt: null, supplementsRequested: s.supplementsRequested })),
  ];
}

/**
 * What a subgraph that extends another institution's type is told of one of its records, in the
 * representation the gateway sends (its @requires), by type: the owner's values in the demo data,
 * as the owner serves them. Only what some subgraph requires is here; test/support/policy-suite.ts
 * names a required field this does not give.
 */
export function ownersFields(type: string, id: string, who?: Principal): Record<string, unknown> | null {
  switch (type) {
    case 'Inbox':
      // The caller's own (`id` is their sub): what the issuers' records hold for them.
      return who && who.sub === id ? { courtTasks: suggestionTasks('JudicialSuggestion', who), procuratorateTasks: suggestionTasks('ProcuratorialSuggestion', who) } : null;
    case 'JudicialSuggestion':
    case 'ProcuratorialSuggestion': {
      // The government's extension: the agency it was addressed to, its state and due dates (the issuer's).
      const s = issuedSuggestion(type, id);
      return (
        s && {
          toAgency: { id: s.toAgencyId },
          state: s.state,
          dueAt: day(s.dueAt),
          supplementsRequested: s.supplementsRequested,
          supplementDueAt: day(s.supplementDueAt),
        }
      );
    }
    case 'Agency':
    case 'District': {
      // The issuers' follow-up statistics: the government's facts of the replies to each issuer's
      // suggestions (of the agency, or of the whole district): the first reply's date, the latest's adoption.
      const data = demoData();
      const facts = (suggestionType: string) =>
        data.government.suggestionReplies
          .filter((r) => r.suggestionType === suggestionType && (type === 'District' || r.agencyId === id))
          .map((r) => ({ suggestionId: r.suggestionId, firstRepliedAt: day(r.replies[0]!.repliedAt), adopted: r.adopted }));
      return { judicialSuggestionReplies: facts('JudicialSuggestion'), procuratorialSuggestionReplies: facts('ProcuratorialSuggestion') };
    }
    default:
      return null;
  }
}

/**
 * The facts of a record the oracle judges by its type and id alone (a record a write refers to,
 * which the gateway reads before sending it): null for a type it does not know yet.
 */
export function recordFactsOf(type: string, id: string): RecordFacts | null {
  const data = demoData();
  switch (type) {
    case 'JudicialSuggestion':
    case 'ProcuratorialSuggestion': {
      const s = issuedSuggestion(type, id);
      return { agency: s?.toAgencyId ?? null, kind: undefined, issuer: (s?.createdBy as { sub?: string } | undefined)?.sub ?? null };
    }
    case 'Agency':
      return data.government.agencies.some((a) => a._id === id) ? { agency: undefined, kind: undefined } : null;
    default:
      return null;
  }
}

export interface Caller {
  label: string;
  who: Principal;
}

/** Every role of every org (domain.md), one caller each; agency officers twice: of `own`'s unit and of `other`'s. */
export function sharingCallers(own: string, other: string): Caller[] {
  return (Object.entries(ROLES_BY_ORG) as [Org, readonly string[]][]).flatMap(([org, roles]) =>
    roles.flatMap((role) =>
      role === 'agency_officer'
        ? [
            { label: `${org}/${role} of ${own}`, who: principal(org, [role], own) },
            { label: `${org}/${role} of ${other}`, who: principal(org, [role], other) },
          ]
        : [{ label: `${org}/${role}`, who: principal(org, [role]) }],
    ),
  );
}
