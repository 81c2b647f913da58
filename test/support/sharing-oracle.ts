// The oracle of the sharing tests: what the committed catalogue (docs/sharing-catalogue.json) says
// one caller gets of one field of one record, written here from the catalogue's semantics
// (docs/sharing-catalogue.md's header, domain.md), not taken from auth/ — so a rule changed in the
// SDL without the catalogue being regenerated, or enforcement code changed without the SDL, shows up
// as a difference. Also who asks (every role of every org, agency officers of two units) and which
// records of the demo district they ask about. Used through the gateway by test/conformance.test.ts
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

export type Verdict = { disclose: true; mask: CatalogueEntry['mask'] } | { disclose: false; reason: string };

/** What a record tells the oracle: whose agency it is (OWN_UNIT) and whether a party is a person (PERSON_NAME). */
export interface RecordFacts {
  agency: string | null | undefined;
  kind: unknown;
}

export function verdictOf(entry: CatalogueEntry, who: Principal, purpose: Purpose, record: RecordFacts): Verdict {
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
      // The catalogue's header: the reason is that of the grant the caller came closest to.
      const STEPS = ['ORG_NOT_ALLOWED', 'ROLE_NOT_ALLOWED', 'PURPOSE_NOT_ALLOWED', 'NOT_OWN_UNIT'];
      let closest = 0;
      for (const grant of entry.grants) {
        const steps = [
          grant.orgs.includes(who.org),
          grant.roles === null || who.roles.some((role) => grant.roles!.includes(role)),
          grant.purposes === null || grant.purposes.includes(purpose),
          grant.row === null || (grant.row === 'OWN_UNIT' && who.unit !== null && record.agency === who.unit),
        ];
        const passed = steps.indexOf(false) === -1 ? steps.length : steps.indexOf(false);
        if (passed === steps.length) return disclose;
        closest = Math.max(closest, passed);
      }
      return { disclose: false, reason: STEPS[closest]! };
    }
  }
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

/** The types whose records answer OWN_UNIT: a record's agency is its one field of type Agency. */
export function agencyFieldOf(type: GraphQLObjectType): string | null {
  const fields = fieldsOf(type).filter((f) => getNamedType(f.type).name === 'Agency' && !isListType(isNonNullType(f.type) ? f.type.ofType : f.type));
  return fields.length === 1 ? fields[0]!.name : null;
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
 * (a suggestion with a reply, a lost case with its judgment's performance), and two parties, a
 * person and an organisation (PERSON_NAME masks only the first).
 */
export function sharingRecords() {
  const data = demoData();
  const showcase = data.court.adminCases.find((c) => c._id === data.showcase.adminCaseId)!;
  const own = showcase.defendantId;
  const replied = new Set(data.government.suggestionReplies.map((r) => r._id));
  const bySeniority = [...data.procuratorate.procuratorialSuggestions].sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime());
  const procuratorialSuggestion = [...bySeniority].reverse().find((s) => replied.has(`ProcuratorialSuggestion:${s._id}`) && s.toAgencyId !== own) ?? bySeniority.at(-1)!;
  const other = procuratorialSuggestion.toAgencyId === own ? data.government.agencies.find((a) => a._id !== own)!._id : procuratorialSuggestion.toAgencyId;
  const performed = new Set(data.government.judgmentPerformances.map((p) => p._id));
  const lostCase = data.court.adminCases.find((c) => performed.has(c._id) && [own, other].includes(c.defendantId)) ?? data.court.adminCases.find((c) => performed.has(c._id))!;
  const organisation = data.government.parties.find((p) => p.kind === 'ORGANIZATION')!;
  // A record whose access history no request after a test's preparation touches: the oldest
  // procuratorial suggestion (but the one asked for), never on a first page of newest-first lists.
  const history = bySeniority.find((s) => s !== procuratorialSuggestion)!;
  return {
    data,
    own,
    other,
    history,
    /** Per type, the records asked for by id. */
    recordIds: {
      Agency: [own],
      Party: [showcase.plaintiffId, organisation._id],
      AdministrativeAct: [showcase.actId!],
      Reconsideration: [data.government.reconsiderations.find((r) => r.respondentId === own)!._id],
      Dispute: [data.showcase.disputeId],
      AdminCase: [lostCase._id],
      EnforcementCase: [data.showcase.enforcementCaseId],
      JudicialSuggestion: [data.court.judicialSuggestions.find((s) => s.toAgencyId === own && replied.has(`JudicialSuggestion:${s._id}`))!._id],
      SupervisionCase: [data.showcase.supervisionCaseId],
      ProcuratorialSuggestion: [procuratorialSuggestion._id],
    } as Record<string, string[]>,
  };
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
