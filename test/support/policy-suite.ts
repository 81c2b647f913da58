// One institution's own sharing policy, table-driven, against its subgraph alone: no gateway, no
// other institution. The rows are the catalogue entries the institution declares
// (docs/sharing-catalogue.json, `owner`), crossed with every caller (every role of every org,
// agency officers of two units) and every purpose; each row's expected answer comes from the
// oracle (test/support/sharing-oracle.ts): the value, the masked value, or null with FORBIDDEN and
// the reason at that path. The subgraph is called as the gateway calls it, with a signed assertion
// (test/support/stack.ts, postSubgraph); the ground truth for values is the same query to a second
// copy without the sharing rules (and so without masks).
//
// What is asked is derived from the subgraph's own schema: each entity type through `_entities`
// (records of the demo district), every field of it, the value types beneath (hearings, stats,
// connections, disclosures …) in full, and the root fields (lists with `first`, statistics with a
// period, lookups by id). Every caller asks the records for every purpose, in one request; each
// list and statistic is asked once per kind of caller, as in the conformance test. A field the
// institution declares is covered the moment it is declared: a catalogue row that no request
// reached, a field without a row, or a type the suite cannot reach fails the suite, naming them.
// A representation carries, besides the key, what the subgraph @requires of another institution
// (the owner's values in the demo data: sharing-oracle.ts, ownersFields), as the gateway sends it;
// a record another subgraph names the agency of (@external) is judged on that agency. A record
// that is the caller's own (CALLERS_OWN: the inbox) is asked by each caller for their own, and its
// ground truth asked as them.
//
// Writes (Mutation fields) are rows too: each is sent by every caller for every purpose, with real
// records' ids and a malformed idempotency key (so nothing is written), and gets the grants' refusal
// or, admitted, the key's BAD_USER_INPUT (test/support/catalogue-comparison.ts, writeCase). Their
// row conditions are decided on the record they write: the workflow tests cover them
// (NOT_FOR_WRITES names, per write, the check that does not apply and where). So that the auditors' fields for a
// write (Disclosure.written) are asked on one that exists, each suite makes one write of its own
// first, on databases of its own (startTestStack's ownDatabases), which no other test file reads.
//
// Fields under a dynamic grant (共享申请): an institution that takes applications (the government)
// has one made and approved first — a prosecutor's, for SUPERVISION, for one agency's act
// summaries — and the oracle expects what the grant says beside the static rules
// (sharing-oracle.ts, judgedVerdict): disclosed to the prosecutor for SUPERVISION on that agency's
// act, NOT_IN_GRANT_SCOPE on another's. Its application is asked with the demo district's, whose
// ISSUER rule is judged on who made each (their `createdBy.sub`: the prosecutor made this one,
// none of the callers made the others), and a read under the grant is among the auditors' records
// (Disclosure.granted, GrantDisclosures).
//
// The auditors' subgraph is served by the gateway process: test/conformance.test.ts covers it.
import { createHash, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  Kind,
  buildASTSchema,
  getNamedType,
  isEnumType,
  isObjectType,
  isNonNullType,
  isScalarType,
  parse,
  type DocumentNode,
  type GraphQLField,
  type GraphQLObjectType,
  type SelectionSetNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ASSERTION_HEADER, PURPOSES, assertionSigningKey, signAssertion, type CallIdentity, type CatalogueEntry, type Purpose } from '../../auth/index.js';
import { DATABASE_NAMES, type SubgraphName } from '../../config/index.js';
import { REFERENCES_EXTENSION, readReferenceDeclarations, subgraphTypeDefs } from '../../schema/index.js';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/index.js';
import {
  NOT_FOR_WRITES,
  compare,
  costlyAt,
  expectedWriteError,
  mergeSelections,
  pool,
  printSelection,
  shareLists,
  show,
  writeCase,
  writeIdOf,
  writeVerdict,
  type Judging,
  type Observation,
  type SelectedField,
  type SelectionNode,
  type WriteCase,
} from './catalogue-comparison.js';
import {
  APPLY_FOR_SHARING,
  CALLERS_OWN,
  CATALOGUE,
  DECIDE_SHARING,
  REVOKE_SHARING,
  demoGrants,
  districtDay,
  fieldsOf,
  issuers,
  ownersFields,
  sharingCallers,
  sharingRecords,
  summaryApplication,
  type Caller,
  type KnownGrant,
} from './sharing-oracle.js';
import { principal, postSubgraph, startTestStack, testConfig, withoutSharingRules, type GraphQLResponse, type TestStack } from './stack.js';
import { demoData } from './seed-options.js';

/** Lists are asked for a page of this many rows; statistics for the bulletin's half-year. */
const PAGE = 3;
const PERIOD = { from: '2025-01-01', to: '2025-07-01' };

/** The access-log entities an institution adds its side to (schema/owner-audit.ts); their keys are not records of the district. */
const ACCESS_LOG_TYPES = new Set(['AccessLogEntry', 'RecordAccessHistory', 'AuditOverview', 'GrantDisclosures', 'RecordLookup']);

/** What an auditor types to find the showcase dispute's record at one institution. */
function showcaseLabel(name: SubgraphName): string {
  const data = demoData();
  const { disputeId, adminCaseId, supervisionCaseId } = data.showcase;
  if (name === 'government') return data.government.disputes.find((d) => d._id === disputeId)!.title;
  if (name === 'court') return data.court.adminCases.find((c) => c._id === adminCaseId)!.caseNumber;
  return data.procuratorate.supervisionCases.find((c) => c._id === supervisionCaseId)!.caseNumber;
}

/** How often the suite's subgraph reads its grants on application again. */
const GRANT_REFRESH_MS = 200;

interface EntityKey {
  fields: string[];
  /** False for a reference this subgraph only points to (`resolvable: false`): not in `_entities`. */
  resolvable: boolean;
}

/** The first `@key` of every type that has one, from the subgraph's SDL. */
function entityKeys(typeDefs: DocumentNode): Map<string, EntityKey> {
  const keys = new Map<string, EntityKey>();
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const key = definition.directives?.find((d) => d.name.value === 'key');
    if (!key || keys.has(definition.name.value)) continue;
    const argument = (name: string) => key.arguments?.find((a) => a.name.value === name)?.value;
    const fields = argument('fields');
    const resolvable = argument('resolvable');
    keys.set(definition.name.value, {
      fields: fields?.kind === Kind.STRING ? fields.value.split(/\s+/).filter(Boolean) : [],
      resolvable: !(resolvable?.kind === Kind.BOOLEAN && resolvable.value === false),
    });
  }
  return keys;
}

/**
 * Per entity type, the fields this subgraph's fields on it @requires from another (each a dotted
 * path: `toAgency.id`), and which of its fields requires each.
 */
function requiredFields(typeDefs: DocumentNode): Map<string, Map<string, string[]>> {
  const required = new Map<string, Map<string, string[]>>();
  const paths = (selectionSet: SelectionSetNode, prefix: string): string[] =>
    selectionSet.selections.flatMap((selection) => {
      if (selection.kind !== Kind.FIELD) return [];
      const path = `${prefix}${selection.name.value}`;
      return selection.selectionSet ? paths(selection.selectionSet, `${path}.`) : [path];
    });
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const requires = field.directives?.find((d) => d.name.value === 'requires')?.arguments?.find((a) => a.name.value === 'fields')?.value;
      if (requires?.kind !== Kind.STRING) continue;
      const operation = parse(`{ ${requires.value} }`).definitions[0];
      if (operation?.kind !== Kind.OPERATION_DEFINITION) continue;
      const byPath = required.get(definition.name.value) ?? new Map<string, string[]>();
      for (const path of paths(operation.selectionSet, '')) byPath.set(path, [...(byPath.get(path) ?? []), field.name.value]);
      required.set(definition.name.value, byPath);
    }
  }
  return required;
}

/** Whether a representation holds a value (null included) at a dotted path. */
function holds(representation: Record<string, unknown>, path: string): boolean {
  const [head, ...rest] = path.split('.');
  if (!(head! in representation)) return false;
  const value = representation[head!];
  if (rest.length === 0 || value === null) return true;
  if (Array.isArray(value)) return value.every((item) => item !== null && typeof item === 'object' && holds(item as Record<string, unknown>, rest.join('.')));
  return typeof value === 'object' && holds(value as Record<string, unknown>, rest.join('.'));
}

/**
 * @requires fields a subgraph asked alone is not sent, and why: anything else a subgraph requires
 * of another comes in the representations, from the owner's records (sharing-oracle.ts, ownersFields).
 */
const NOT_REPRESENTED: Record<string, string> = {
  'AuditOverview.gatewayWitnesses': 'the heads the gateway’s log witnessed: a subgraph alone has no gateway (test/conformance.test.ts, through one, sends them)',
};

const SHAPE_ONLY = 'declared only as the shape of what another institution sends it (@external, for @requires): served by none of its fields, so never asked of it';

/**
 * One write each institution makes first, as a caller its grants admit, so that its disclosure log
 * holds a write's record for the auditors' fields on writes (Disclosure.written) to be asked on;
 * with what the gateway would have read of the records it refers to (its @references), which comes
 * with the call the gateway signs.
 */
function producingWrite(name: SubgraphName, demo: ReturnType<typeof entityRecords>) {
  const content = '请依法规范执法程序，并于期限内书面回复落实情况。';
  const key = `policy-suite-${randomUUID()}`;
  const agency = { [`Agency:${demo.own}`]: { id: demo.own } };
  switch (name) {
    case 'court':
      return {
        who: principal('court', ['judge']),
        purpose: 'CASE_HANDLING' as Purpose,
        query: 'mutation Issue($key: String!, $input: IssueJudicialSuggestionInput!) { issueJudicialSuggestion(idempotencyKey: $key, input: $input) { id } }',
        variables: { key, input: { toAgencyId: demo.own, content } },
        references: agency,
      };
    case 'procuratorate':
      return {
        who: principal('procuratorate', ['prosecutor']),
        purpose: 'SUPERVISION' as Purpose,
        query: 'mutation Issue($key: String!, $input: IssueProcuratorialSuggestionInput!) { issueProcuratorialSuggestion(idempotencyKey: $key, input: $input) { id } }',
        variables: { key, input: { toAgencyId: demo.own, content } },
        references: agency,
      };
    case 'government': {
      // A first reply, by an officer of the agency, to a suggestion of the court's not replied to
      // (nor asked for below), with an attachment: of an agency none of the callers is an officer
      // of, where there is one, so that theirs still wait in their inboxes.
      const replied = new Set(demo.data.government.suggestionReplies.map((r) => r._id));
      const open = demo.data.court.judicialSuggestions.filter((s) => !replied.has(`JudicialSuggestion:${s._id}`) && !demo.ids.JudicialSuggestion!.includes(s._id));
      const suggestion = open.find((s) => s.toAgencyId !== demo.own && s.toAgencyId !== demo.other) ?? open[0]!;
      const issuer = ownersFields('JudicialSuggestion', suggestion._id)!;
      return {
        who: principal('government', ['agency_officer'], suggestion.toAgencyId),
        purpose: 'CASE_HANDLING' as Purpose,
        query: 'mutation Reply($key: String!, $id: ID!, $input: SuggestionReplyInput!) { replyToJudicialSuggestion(idempotencyKey: $key, suggestionId: $id, input: $input) { id } }',
        variables: {
          key,
          id: suggestion._id,
          input: { adopted: true, content, attachments: [{ name: '整改报告.pdf', sha256: createHash('sha256').update(key).digest('hex') }] },
        },
        references: { [`JudicialSuggestion:${suggestion._id}`]: { toAgency: issuer.toAgency, state: issuer.state, supplementsRequested: issuer.supplementsRequested } },
      };
    }
  }
}

/** Posts to a subgraph as the gateway does, with what it read for a write (its references) under the body's extensions, which the assertion signs. */
async function postWithReferences(name: SubgraphName, url: string, query: string, variables: Record<string, unknown>, identity: CallIdentity, references: Record<string, unknown>): Promise<GraphQLResponse> {
  const body = JSON.stringify({ query, variables, extensions: { [REFERENCES_EXTENSION]: references } });
  const assertion = await signAssertion(assertionSigningKey(testConfig().auth), name, identity, body);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [ASSERTION_HEADER]: assertion }, body });
  return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
}

/**
 * The records asked for through `_entities`, by type: the conformance test's (sharingRecords: one
 * per type, mostly of one agency, two parties), and the district. Each agency officer asks each of
 * them, one officer of the records' unit and one of another, so OWN_UNIT is seen both ways. One
 * record per type (the parties aside) also keeps most of the subgraph's loader batches to one id,
 * which the embedded store answers from its primary key; several ids make it scan the collection
 * (platform/pagination.ts, findByIds): with two records of each type a request cost three times
 * as much.
 */
function entityRecords() {
  const records = sharingRecords();
  const { data, recordIds } = records;
  const ids: Record<string, string[]> = { ...recordIds, District: [data.government.district._id] };
  // A record whose access history no request after the preparation touches: the oldest suggestion
  // not asked for (never on a first page of newest-first lists), of a type the institution resolves.
  const oldestNotAsked = (type: 'JudicialSuggestion' | 'ProcuratorialSuggestion') => {
    const all = type === 'JudicialSuggestion' ? data.court.judicialSuggestions : data.procuratorate.procuratorialSuggestions;
    const record = [...all].sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime()).find((s) => !ids[type]!.includes(s._id))!;
    return { recordType: type, recordId: record._id };
  };
  return { ...records, ids, oldestNotAsked };
}

export function definePolicySuite(name: SubgraphName): void {
  const typeDefs = subgraphTypeDefs(name);
  const schema = buildASTSchema(typeDefs, { assumeValidSDL: true });
  const query = schema.getQueryType()!;
  const keys = entityKeys(typeDefs);
  const rows = CATALOGUE.filter((entry) => entry.owner === name);
  const rowsByField = new Map<string, CatalogueEntry[]>();
  for (const row of rows) rowsByField.set(`${row.type}.${row.field}`, [...(rowsByField.get(`${row.type}.${row.field}`) ?? []), row]);
  /** The grant on application the suite makes (where the institution takes applications), and who made the records it made (ISSUER). */
  const grantsMade: KnownGrant[] = [];
  const recordsMade = new Map<string, string>();
  /**
   * This institution's rows only: what it declares is what it must enforce, errors without a
   * service name; the grants on application, the demo district's and the suite's, on the district's day.
   */
  const judging: Judging = {
    entriesOf: (coordinate) => rowsByField.get(coordinate),
    serviceNamed: false,
    grants: { grants: demoGrants(), today: () => districtDay() },
    issuerOf: issuers(recordsMade),
  };
  const masksSomething = rows.some((row) => row.mask !== null);
  /** Whether a caller is granted, for CASE_HANDLING, a field this institution masks. */
  const grantedMasked = (caller: Caller) =>
    rows.some(
      (row) =>
        row.mask !== null &&
        row.grants.some((g) => g.orgs.includes(caller.who.org) && (g.roles === null || g.roles.some((r) => caller.who.roles.includes(r))) && (g.purposes === null || g.purposes.includes('CASE_HANDLING'))),
    );

  const demo = entityRecords();
  const callers = sharingCallers(demo.own, demo.other);
  const run = randomUUID().slice(0, 8);
  const preparedRequestId = `${name}-policy-${run}-prepare`;
  const writeRequestId = `${name}-policy-${run}-write`;
  const historyType = keys.get('ProcuratorialSuggestion')?.resolvable ? 'ProcuratorialSuggestion' : 'JudicialSuggestion';
  const history = demo.oldestNotAsked(historyType);
  const problems: string[] = [];

  /**
   * Per entity type, the representations `_entities` is asked with: the key, and what this
   * subgraph @requires of another (the owner's values in the demo data), as the gateway sends them.
   */
  const requires = requiredFields(typeDefs);
  /** The representation of one record: its id, and what this subgraph requires of it from its owner (as `who` would be sent it). */
  const represent = (type: string, id: string, who?: Caller['who']) => {
    const asked = new Set([...(requires.get(type)?.keys() ?? [])].map((path) => path.split('.')[0]!));
    return { id, ...Object.fromEntries(Object.entries(ownersFields(type, id, who) ?? {}).filter(([field]) => asked.has(field))) };
  };
  /** A record that is the caller's own (CALLERS_OWN: their inbox), keyed by their sub: one per caller. */
  const callersOwn = (type: string, caller: Caller) => represent(type, caller.who.sub, caller.who);
  // ---- The selection: every field of every type, from `_entities` and Query ----------------
  const minimal = (type: GraphQLObjectType): SelectionNode => {
    const fields = new Map<string, SelectedField>([['__typename', { name: '__typename', args: {}, child: null }]]);
    for (const field of keys.get(type.name)?.fields ?? (type.getFields().id ? ['id'] : [])) fields.set(field, { name: field, args: {}, child: null });
    return { type, fields };
  };

  /**
   * Everything asked (`root`, in `parts`; the callers' own in `own`), on the records of the demo
   * district and those the suite `made` before asking, whose ids it learns only then. Whatever
   * cannot be asked is named in `problems`.
   */
  const select = (made: { applicationIds: string[]; grantedRequestId: string; closedGrantId: string } | null) => {
    const representations: Record<string, Record<string, unknown>[]> = {
      ...Object.fromEntries(Object.entries(demo.ids).map(([type, ids]) => [type, ids.map((id) => represent(type, id))])),
      // The auditors' side of the preparation's request, and of the write's (Disclosure.written).
      AccessLogEntry: [{ requestId: preparedRequestId }, { requestId: writeRequestId }],
      RecordAccessHistory: [history],
      AuditOverview: [{ id: 'AUDIT' }],
      // What was disclosed under a grant on application: the demo district's first.
      GrantDisclosures: demoGrants().slice(0, 1).map((grant) => ({ grantId: grant.id })),
      // An auditor's lookup, by what this institution holds: the showcase dispute's title, its court
      // case's number, its supervision case's number.
      RecordLookup: [{ text: showcaseLabel(name) }],
    };
    // What the suite made before asking: the grants' applications, the read under the first
    // (Disclosure.granted), and what was disclosed under it, which no request adds to (revoked).
    if (made) {
      representations.SharingApplication = [...(representations.SharingApplication ?? []), ...made.applicationIds.map((id) => represent('SharingApplication', id))];
      representations.AccessLogEntry!.push({ requestId: made.grantedRequestId });
      representations.GrantDisclosures = [{ grantId: made.closedGrantId }];
    }
    for (const [typeName, byPath] of requires) {
      if (!keys.get(typeName)?.resolvable) continue;
      const asked = CALLERS_OWN.has(typeName) ? callers.map((caller) => callersOwn(typeName, caller)) : (representations[typeName] ?? []);
      for (const [path, fields] of byPath) {
        const coordinate = `${typeName}.${path.split('.')[0]}`;
        if (coordinate in NOT_REPRESENTED) continue;
        if (!asked.every((r) => holds(r, path))) {
          problems.push(`${typeName}: representations without ${path}, which ${fields.map((f) => `${typeName}.${f}`).join(', ')} @requires (give it in sharing-oracle.ts ownersFields, or say why not in NOT_REPRESENTED)`);
        }
      }
    }

    // ---- The selection: every field of every type, from `_entities` and Query ----------------
    /** The argument sets to ask `type.field` with (one per response key), or why it cannot be asked. */
    const argumentsFor = (type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): Record<string, unknown>[] | string => {
      const ids = type === query ? representations[getNamedType(field.type).name]?.map((r) => r.id).filter((id) => typeof id === 'string') : undefined;
      const args: Record<string, unknown> = {};
      let byId = false;
      for (const arg of field.args) {
        if (arg.name === 'first' && getNamedType(arg.type).name === 'Int') args.first = PAGE;
        else if (!isNonNullType(arg.type) || arg.defaultValue !== undefined) continue;
        else if (getNamedType(arg.type).name === 'Period') args[arg.name] = PERIOD;
        else if (arg.name === 'id' && ids?.length) byId = true;
        // A party of the demo district (Query.partyPseudonyms).
        else if (arg.name === 'idNumbers') args.idNumbers = [demoData().government.parties[0]!.idNumber];
        else return `${type.name}.${field.name}(${arg.name}: ${String(arg.type)}): no value to ask it with (add one to test/support/policy-suite.ts)`;
      }
      return byId ? ids!.map((id) => ({ ...args, id })) : [args];
    };
    /** Every field of `type`; an entity beneath it by its key (its own fields are asked through `_entities`), a value type in full. */
    const full = (type: GraphQLObjectType, trail: string[]): SelectionNode => {
      const node: SelectionNode = { type, fields: new Map() };
      for (const field of fieldsOf(type)) {
        const target = getNamedType(field.type);
        const variants = argumentsFor(type, field);
        if (typeof variants === 'string') {
          problems.push(variants);
          continue;
        }
        let child: SelectionNode | null = null;
        if (isObjectType(target)) {
          if (keys.has(target.name)) child = minimal(target);
          else if (trail.includes(target.name)) {
            problems.push(`${[...trail, target.name].join(' → ')}: a value type within itself, which this suite cannot select yet`);
            continue;
          } else child = full(target, [...trail, target.name]);
        } else if (!isScalarType(target) && !isEnumType(target)) {
          problems.push(`${type.name}.${field.name}: returns ${target.name}, which this suite cannot select yet`);
          continue;
        }
        variants.forEach((args, i) => node.fields.set(i === 0 ? field.name : `${field.name}_${i + 1}`, { name: field.name, args, child }));
      }
      return node;
    };
    const root = full(query, [query.name]);
    // The callers' own records (CALLERS_OWN): asked by each caller for their own, apart (`own`),
    // lists beneath them included, and compared with the ground truth asked as the same caller.
    const own: SelectionNode = { type: query, fields: new Map() };
    for (const [key, f] of root.fields) {
      if (f.child && CALLERS_OWN.has(f.child.type.name)) {
        own.fields.set(key, f);
        root.fields.delete(key);
      }
    }
    for (const [typeName, key] of keys) {
      if (!key.resolvable) continue;
      const type = schema.getType(typeName);
      const asked = CALLERS_OWN.has(typeName) ? callers.map((caller) => callersOwn(typeName, caller)) : representations[typeName];
      if (!isObjectType(type)) problems.push(`${typeName}: has a @key but is not an object type of the schema`);
      else if (!asked?.length) problems.push(`${typeName}: an entity type with no record to ask for (add one to test/support/policy-suite.ts)`);
      else {
        const missing = key.fields.filter((field) => !asked.every((representation) => field in representation));
        if (missing.length) problems.push(`${typeName}: representations without its key field(s) ${missing.join(', ')}`);
        const entities = { name: '_entities', args: { representations: asked.map((r) => ({ __typename: typeName, ...r })) }, child: full(type, [typeName]), entities: true };
        (CALLERS_OWN.has(typeName) ? own : root).fields.set(typeName, entities);
      }
    }
    /** `own`, as `caller` asks it: their own records only. */
    const ownOf = (caller: Caller): SelectionNode => ({
      type: query,
      fields: new Map(
        [...own.fields].map(([key, f]) => [key, f.entities ? { ...f, args: { representations: [{ __typename: f.child!.type.name, ...callersOwn(f.child!.type.name, caller) }] } } : f]),
      ),
    });
    // Records (by id, through `_entities` and lookups) are asked by every caller for every purpose;
    // lists and statistics, each a scan or an aggregation of a whole collection, once per kind of
    // caller (shareLists: the callers and purposes for whom the oracle predicts the same verdicts on
    // every field of it), as the conformance test does.
    const records = (node: SelectionNode): SelectionNode => ({
      type: node.type,
      fields: new Map([...node.fields].filter(([, f]) => f.name === '__typename' || !costlyAt(node, f)).map(([key, f]) => [key, { ...f, child: f.child && records(f.child) }])),
    });
    const lists = (node: SelectionNode): SelectionNode | null => {
      const fields = new Map<string, SelectedField>();
      for (const [key, f] of node.fields) {
        if (f.name === '__typename') continue;
        if (costlyAt(node, f)) fields.set(key, f);
        else if (f.child) {
          const child = lists(f.child);
          if (child) fields.set(key, { ...f, child });
        }
      }
      return fields.size ? { type: node.type, fields } : null;
    };
    const parts = { records: records(root), lists: lists(root) ?? { type: query, fields: new Map() } };
    return { root, own, ownOf, parts };
  };
  const document = (node: SelectionNode) => `query Policy {\n${printSelection(node)}\n}`;

  // ---- The writes: every Mutation field, with real ids and a malformed idempotency key ------
  const mutation = schema.getMutationType();
  const declarations = readReferenceDeclarations().filter((d) => d.subgraph === name);
  const writes: WriteCase[] = [];
  for (const field of mutation ? fieldsOf(mutation) : []) {
    const write = writeCase(mutation!, field, writeIdOf(field, declarations, demo.ids), problems);
    if (write) writes.push(write);
  }

  describe(`the ${name}'s sharing policy, on its subgraph alone: every field it declares, for every caller and purpose`, () => {
    let governed: TestStack;
    let open: RunningSubgraph;
    let truth: GraphQLResponse;
    /** What is asked (select), once the suite knows the records it made. */
    let root: SelectionNode;
    let own: SelectionNode;
    let ownOf: (caller: Caller) => SelectionNode;
    let parts: { records: SelectionNode; lists: SelectionNode };
    /** Per caller and purpose, the ground truth of their own records. */
    const ownTruths = new Map<string, GraphQLResponse>();
    const observations = new Map<string, Observation>();
    /** Per caller and purpose (`label purpose`), what differed from the catalogue. */
    const mismatches = new Map<string, Map<string, { message: string; count: number }>>();
    const urlOf = (stack: 'governed' | 'open') => (stack === 'governed' ? governed.subgraphs[name]!.url : open.url);
    const post = (stack: 'governed' | 'open', body: string, caller: Caller, purpose: Purpose, requestId: string) =>
      postSubgraph(name, urlOf(stack), body, undefined, { principal: caller.who, purpose, requestId });

    beforeAll(async () => {
      // Databases of the suite's own, since it writes: the governed subgraph over them, then a copy
      // without the sharing rules over the same ones (the ground truth).
      const ownDatabases = `policy_${name}`;
      governed = await startTestStack({ subgraphs: [name], ownDatabases, grantRefresh: { refreshMs: GRANT_REFRESH_MS } });
      open = await startSubgraph(name, {
        config: testConfig(),
        store: { uri: inject('mongoUri'), database: `${DATABASE_NAMES[name]}_${ownDatabases}` },
        listen: { host: '127.0.0.1', port: 0 },
        pipeline: withoutSharingRules,
      });

      // Where the institution takes applications for its data (共享申请), grants made as the issue
      // describes them, directly to its subgraph: a prosecutor applies, for SUPERVISION, for act
      // summaries; the data steward approves. First for one act: once the subgraph has read the
      // grant (its refresh), the prosecutor reads the acts asked below — its disclosure log then
      // holds a field disclosed under the grant (Disclosure.granted) and one refused outside it —,
      // and the steward revokes it, so that what was disclosed under it (GrantDisclosures) stays as
      // it is while the suite asks. Then for the acts of the first one's agency: the grant in force
      // while every caller asks.
      let made: { applicationIds: string[]; grantedRequestId: string; closedGrantId: string } | null = null;
      if (mutation?.getFields().applyForSharing && mutation.getFields().decideSharingApplication && mutation.getFields().revokeSharingGrant) {
        const as = (who: Caller['who'], purpose: Purpose, step: string): CallIdentity => ({ principal: who, purpose, requestId: `${name}-policy-${run}-${step}` });
        const step = async (document: string, variables: Record<string, unknown>, identity: CallIdentity, expected: (id: string) => unknown) => {
          const answer = await postSubgraph(name, urlOf('governed'), document, { key: randomUUID(), ...variables }, identity);
          const id = Object.values((answer.body.data ?? {}) as Record<string, { id?: string } | null>)[0]?.id;
          if (answer.status !== 200 || !id || !isDeepStrictEqual(answer.body, { data: expected(id) })) throw new Error(`${identity.requestId} should be made; got HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
          return id;
        };
        const grant = async (application: ReturnType<typeof summaryApplication>, label: string) => {
          const id = await step(APPLY_FOR_SHARING, { input: application.input }, as(application.applicant, application.purpose, `${label}-apply`), (id) => ({ applyForSharing: { id, state: 'PENDING', version: 1 } }));
          await step(DECIDE_SHARING, { id, version: 1 }, as(application.steward, 'SUPERVISION', `${label}-decide`), (id) => ({ decideSharingApplication: { id, state: 'APPROVED', version: 2, inForce: true } }));
          recordsMade.set(`SharingApplication:${id}`, application.applicant.sub);
          await new Promise((resolve) => setTimeout(resolve, 3 * GRANT_REFRESH_MS));
          return id;
        };
        const acts = demo.ids.AdministrativeAct ?? [];
        const ofAgency = acts.filter((id) => demo.data.government.acts.find((a) => a._id === id)?.agencyId === demo.grantAgency);
        const once = summaryApplication({ recordIds: ofAgency.slice(0, 1) });
        const closedGrantId = await grant(once, 'once');
        const grantedRequestId = `${name}-policy-${run}-granted`;
        const read = await post('governed', `query Granted { ${acts.map((id, i) => `act_${i + 1}: act(id: ${JSON.stringify(id)}) { id summary }`).join(' ')} }`, { label: 'applicant', who: once.applicant }, once.purpose, grantedRequestId);
        if (read.status !== 200) throw new Error(`the prosecutor's read under the grant should be answered; got HTTP ${read.status} ${JSON.stringify(read.body)}`);
        await step(REVOKE_SHARING, { id: closedGrantId, version: 2 }, as(once.steward, 'SUPERVISION', 'once-revoke'), (id) => ({ revokeSharingGrant: { id, state: 'REVOKED', version: 3, inForce: false } }));
        const agency = summaryApplication({ agencyId: demo.grantAgency });
        const openGrantId = await grant(agency, 'agency');
        grantsMade.push({ ...once.grantOf(closedGrantId), revoked: true }, agency.grantOf(openGrantId));
        judging.grants!.grants.push(...grantsMade);
        made = { applicationIds: [closedGrantId, openGrantId], grantedRequestId, closedGrantId };
      }
      ({ root, own, ownOf, parts } = select(made));

      // One write of the institution's, whose record in its disclosure log the auditors' fields on
      // writes are asked on (the write's AccessLogEntry).
      const producing = producingWrite(name, demo);
      const written = await postWithReferences(name, urlOf('governed'), producing.query, producing.variables, { principal: producing.who, purpose: producing.purpose, requestId: writeRequestId }, producing.references);
      if (written.status !== 200 || written.body.errors) throw new Error(`the ${name}'s write should be made; got HTTP ${written.status} ${JSON.stringify(written.body)}`);

      // The owner's disclosure log the auditors' fields read: one request (as an agency officer,
      // so the owner both discloses and refuses) touching the records asked below and the one
      // whose access history is asked, which nothing after this touches.
      const preparation: SelectionNode = {
        type: query,
        fields: new Map([...parts.records.fields].filter(([, f]) => f.entities && !ACCESS_LOG_TYPES.has(f.child!.type.name))),
      };
      const historyRecord = schema.getType(history.recordType) as GraphQLObjectType;
      preparation.fields.set('history', { name: '_entities', args: { representations: [{ __typename: history.recordType, id: history.recordId }] }, child: minimal(historyRecord), entities: true });
      // An institution that masks has the log prepared by an outsider granted a masked field, so
      // that it holds masked disclosures too; one that masks nothing by one of the agency officers.
      const preparer = masksSomething ? callers.find((c) => c.who.org !== name && grantedMasked(c))! : callers.find((c) => c.who.unit === demo.own)!;
      const [prepared] = await Promise.all([
        post('governed', document(preparation), preparer, 'CASE_HANDLING', preparedRequestId),
        // The copy without rules writes its chain too, before the ground truth verifies the chains.
        post('open', document(preparation), preparer, 'CASE_HANDLING', `${name}-policy-${run}-prepare-open`),
      ]);
      const errors = (prepared.body.errors ?? []) as { extensions?: { code?: string } }[];
      if (prepared.status !== 200 || !errors.some((e) => e.extensions?.code === 'FORBIDDEN') || errors.some((e) => e.extensions?.code !== 'FORBIDDEN')) {
        throw new Error(`the preparation should disclose some fields and refuse others; got HTTP ${prepared.status} ${show(prepared.body)}`);
      }

      // Ground truth: everything, unmasked (the copy without rules answers anyone alike).
      truth = await post('open', document(root), callers.find((c) => c.who.org === 'audit')!, 'AUDIT', `${name}-policy-${run}-truth`);
      const truthData = (truth.body.data ?? {}) as Record<string, unknown>;

      const { shares } = shareLists(parts.lists, callers, truthData, judging);
      const asks = [
        ...callers.flatMap((caller) => PURPOSES.map((purpose) => ({ caller, purpose, selection: parts.records, ownToo: own.fields.size > 0 }))),
        ...[...shares.values()].map((share) => ({ ...share, ownToo: false })),
      ];
      for (const { caller, purpose } of asks) mismatches.set(`${caller.label} ${purpose}`, new Map());
      const ask = ({ caller, purpose, selection, ownToo }: (typeof asks)[number], i: number) => async () => {
        const found = mismatches.get(`${caller.label} ${purpose}`)!;
        // With the records, the caller's own, whose ground truth is asked as them.
        let expected = truthData;
        if (ownToo) {
          const theirs = await post('open', document(ownOf(caller)), caller, purpose, `${name}-policy-${run}-${i}-own`);
          ownTruths.set(`${caller.label} ${purpose}`, theirs);
          expected = { ...truthData, ...((theirs.body.data ?? {}) as Record<string, unknown>) };
          selection = mergeSelections(selection, ownOf(caller));
        }
        const answer = await post('governed', document(selection), caller, purpose, `${name}-policy-${run}-${i}`);
        if (answer.status !== 200) found.set(`http ${i}`, { message: `${caller.label}, ${purpose}: HTTP ${answer.status} ${show(answer.body)}`, count: 1 });
        else compare(caller, purpose, selection, expected, answer.body, observations, found, judging);
      };
      // The disclosure log's chains are verified as they grow: an auditor's answer is compared with
      // the ground truth when nothing else is in flight.
      const auditing = (a: (typeof asks)[number]) => a.caller.who.org === 'audit' && a.purpose === 'AUDIT';
      await pool(4, asks.flatMap((a, i) => (auditing(a) ? [] : [ask(a, i)])));
      for (const [i, a] of asks.entries()) if (auditing(a)) await ask(a, i)();

      // Every write, by every caller for every purpose: the whole answer as the oracle says.
      const sends = callers.flatMap((caller) => PURPOSES.flatMap((purpose) => writes.map((write) => ({ caller, purpose, write }))));
      await pool(
        4,
        sends.map(({ caller, purpose, write }, i) => async () => {
          const coordinate = `${mutation!.name}.${write.field}`;
          const found = mismatches.get(`${caller.label} ${purpose}`)!;
          const verdict = writeVerdict(rowsByField.get(coordinate) ?? [], caller.who, purpose);
          if (typeof verdict === 'string') {
            found.set(`${coordinate} oracle`, { message: `${coordinate}: ${verdict}`, count: 1 });
            return;
          }
          const expected = { status: 200, body: { data: { [write.field]: null }, errors: [expectedWriteError(write, verdict)] } };
          const answer = await post('governed', write.document, caller, purpose, `${name}-policy-${run}-w${i}`);
          const observation = observations.get(coordinate) ?? { asked: 0, ownUnit: false, otherUnit: false };
          observation.asked++;
          observations.set(coordinate, observation);
          if (!isDeepStrictEqual({ status: answer.status, body: answer.body }, expected)) {
            const key = `${coordinate} for ${caller.label}, ${purpose}`;
            found.set(key, { message: `${key}: expected ${JSON.stringify(expected)}, got ${JSON.stringify({ status: answer.status, body: answer.body })}`, count: 1 });
          }
        }),
      );
    }, 120_000);

    afterAll(async () => {
      await governed?.stop();
      await open?.stop();
    });

    it('asks every field of its catalogue rows, on records that exist; OWN_UNIT ones on records of the officer’s unit and of another (a write’s row condition aside: NOT_FOR_WRITES)', async ({ annotate }) => {
      const found = [...problems];
      const existing = (selection: SelectionNode, response: GraphQLResponse | undefined, whose: string) => {
        if (!response || response.status !== 200 || response.body.errors?.length) found.push(`the ground truth${whose}: HTTP ${response?.status} ${show(response?.body.errors)}`);
        const data = (response?.body.data ?? {}) as Record<string, unknown>;
        for (const [key, selected] of selection.fields) {
          if (!selected.entities) continue;
          const list = data[key];
          const asked = selected.args.representations as Record<string, unknown>[];
          asked.forEach((representation, i) => {
            if (!Array.isArray(list) || list[i] === null || list[i] === undefined) found.push(`${key} ${JSON.stringify(representation)}: no such record in the demo district${whose}`);
          });
        }
      };
      existing(root, truth, '');
      if (own.fields.size) for (const caller of callers) for (const purpose of PURPOSES) existing(ownOf(caller), ownTruths.get(`${caller.label} ${purpose}`), ` (${caller.label}'s own, for ${purpose})`);
      for (const type of Object.values(schema.getTypeMap())) {
        if (!isObjectType(type) || type.name.startsWith('__')) continue;
        for (const field of fieldsOf(type)) if (!rowsByField.has(`${type.name}.${field.name}`)) found.push(`${type.name}.${field.name}: served, but no ${name} row in docs/sharing-catalogue.json (run npm run catalogue)`);
      }
      const exempted: string[] = [];
      // Types it declares only as the shape of what another institution sends it (its @external
      // fields, for its @requires): it serves none of them, so none can be asked of it.
      const served = new Set<string>();
      const serve = (type: GraphQLObjectType) => {
        if (served.has(type.name)) return;
        served.add(type.name);
        for (const field of fieldsOf(type)) {
          const target = getNamedType(field.type);
          if (isObjectType(target)) serve(target);
        }
      };
      serve(query);
      if (mutation) serve(mutation);
      for (const [typeName, key] of keys) if (key.resolvable && isObjectType(schema.getType(typeName))) serve(schema.getType(typeName) as GraphQLObjectType);
      const shapeOnly = new Set(
        Object.values(schema.getTypeMap())
          .filter((type) => isObjectType(type) && !type.name.startsWith('__') && !served.has(type.name))
          .filter((type) =>
            Object.values(schema.getTypeMap()).some(
              (owner) => isObjectType(owner) && Object.values(owner.getFields()).some((f) => f.astNode?.directives?.some((d) => d.name.value === 'external') && getNamedType(f.type) === type),
            ),
          )
          .map((type) => type.name),
      );
      for (const [coordinate, entries] of rowsByField) {
        const observation = observations.get(coordinate);
        // A log of an institution that masks nothing holds no masked field to ask about; a subgraph
        // alone has no gateway whose signed heads it could witness (the conformance test, through
        // the gateway, asks both).
        // Nor is anything disclosed under a grant on application by an institution that takes none.
        const cannotExist = (!masksSomething && coordinate.startsWith('MaskedField.')) || coordinate.startsWith('LogHead.') || (grantsMade.length === 0 && coordinate.startsWith('GrantedField.'));
        const typeName = coordinate.split('.')[0]!;
        if (!observation && shapeOnly.has(typeName)) {
          if (!exempted.includes(`${typeName}: ${SHAPE_ONLY}`)) exempted.push(`${typeName}: ${SHAPE_ONLY}`);
        } else if (!observation && !cannotExist) found.push(`${coordinate}: declared, never asked on an existing record`);
        const isWrite = coordinate.startsWith(`${mutation?.name ?? 'Mutation'}.`);
        for (const row of new Set(entries.flatMap((e) => e.grants.flatMap((g) => (g.row ? [g.row] : []))))) {
          const check = `${coordinate} ${row}`;
          if (isWrite) {
            // Named, never silent: a write's row condition NOT_FOR_WRITES does not name fails.
            if (check in NOT_FOR_WRITES) exempted.push(`${coordinate}: ${row} both ways — ${NOT_FOR_WRITES[check]}`);
            else found.push(`${coordinate}: a write’s ${row} rule, which no check covers (name it in NOT_FOR_WRITES, with where it is tested)`);
          } else if (row === 'OWN_UNIT') {
            if (!observation?.ownUnit) found.push(`${coordinate}: never asked by an agency officer on a record of their unit`);
            if (!observation?.otherUnit) found.push(`${coordinate}: never asked by an agency officer on a record of another unit`);
          } else if (row === 'ISSUER') {
            if (!observation?.issuer) found.push(`${coordinate}: never asked, by a caller its ISSUER grant admits, on a record they made`);
            if (!observation?.notIssuer) found.push(`${coordinate}: never asked, by a caller its ISSUER grant admits, on a record they did not make`);
          } else found.push(`${coordinate}: a read’s ${row} rule, which this suite cannot judge yet`);
        }
      }
      // The suite's grant in force, both ways: a field disclosed under it, and refused outside its scope.
      for (const grant of grantsMade.filter((g) => !g.revoked)) {
        for (const field of grant.fields) {
          const observation = observations.get(`${grant.type}.${field}`);
          if (!observation?.underGrant) found.push(`${grant.type}.${field}: never disclosed under the grant on application ${grant.id}`);
          if (!observation?.outOfGrantScope) found.push(`${grant.type}.${field}: never refused NOT_IN_GRANT_SCOPE, on a record outside the grant ${grant.id}`);
        }
      }
      for (const line of exempted) await annotate(line);
      expect(found).toEqual([]);
    });

    const table = callers.flatMap((caller) => PURPOSES.map((purpose) => ({ caller, purpose, label: caller.label })));
    it.for(table)('gives $label, for $purpose, what the catalogue says of every field', ({ caller, purpose }) => {
      const found = mismatches.get(`${caller.label} ${purpose}`);
      expect(found, 'not asked').toBeDefined();
      expect([...found!.values()].map((m) => (m.count > 1 ? `${m.message} (${m.count} times)` : m.message))).toEqual([]);
    });
  });
}
