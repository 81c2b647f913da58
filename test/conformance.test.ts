// Enforcement equals the catalogue, for every field. Driven by the composed supergraph: every field
// of every object type is asked for through the gateway, on records that exist, by every role of
// every org (domain.md) for every purpose, and what comes back — the value, the masked value, or
// null with FORBIDDEN and a reason — is compared with what the committed catalogue
// (docs/sharing-catalogue.json) says. The oracle (test/support/sharing-oracle.ts) is written from
// the catalogue's semantics (docs/sharing-catalogue.md's header, domain.md), not taken from auth/:
// so this fails when a rule changes in the SDL without the catalogue being regenerated, and when
// enforcement code changes without the SDL. A field added to a subgraph is covered the moment it is
// declared: a type or field the test cannot reach, or never sees on an existing record, fails it
// too. Each institution runs the same oracle against its subgraph alone (test/<name>-policy.test.ts).
//
// The query is walked from Query: each object type is asked for all its fields at one place (its
// anchor), other occurrences only for their keys; records are asked for by id (demo data chosen so
// that every nested type has a record). It comes in two parts. The records part is asked by every
// caller for every purpose (agency officers twice: with the unit of the records asked by id, and
// with another), in as few documents as the gateway's cost limit allows (the auditors' log entries
// alone cost thousands: gateway/plugins/cost-limit.ts, estimateCost). The lists part (lists and statistics, each a scan or an aggregation of a whole
// collection in the embedded store) is asked once per kind of caller: the callers for whom the
// oracle predicts the same verdict on every field of it. Ground truth for values is a second stack
// without the sharing rules (and so without masks), over the same databases, asked once per part;
// a record that is the caller's own (CALLERS_OWN: the inbox) is asked by each caller with the
// records, its ground truth asked as them.
//
// Writes (Mutation fields) are asked too, each by every caller for every purpose, with real records'
// ids and a malformed idempotency key, so that nothing is written (test/support/catalogue-comparison.ts,
// writeCase): a caller the write's grants refuse gets the owner's refusal, nothing read on their
// behalf; for a caller they admit, the gateway first reads, as them, the records the write refers
// to (@references, gateway/plugins/write-references.ts), which exist, and the write stops at its
// key in the owner. A write's row conditions are decided on the record it writes: the workflow
// tests cover them (NOT_FOR_WRITES names, per write, which). So that the auditors' fields on a
// write (Disclosure.written) are asked on one that exists, a judge issues one judicial suggestion
// first: the test runs on databases of its own, which no other file reads.
//
// Fields under a dynamic grant (共享申请): before anything is read, a prosecutor applies, for
// SUPERVISION, for the act summaries of the showcase act's agency, and the government's data
// steward approves it, through the gateway; once the government has read its grants again (its
// refresh, shortened here), every caller and purpose asks for the acts, and the oracle expects, from
// the grant as approved (sharing-oracle.ts, judgedVerdict: the rule written from the issue, not
// auth/grants.ts), the prosecutor for SUPERVISION to see the summary of the agency's act and to be
// refused NOT_IN_GRANT_SCOPE on another's, everyone else what the static rules say. The grant's
// application is asked too (its ISSUER rule: the prosecutor made it, and none of the demo
// district's), and a request disclosing under the grant is among the auditors' log entries
// (Disclosure.granted).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import {
  Kind,
  buildASTSchema,
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PURPOSES, ROLES_BY_ORG, type Org, type Principal, type Purpose } from '../auth/index.js';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES, SUBGRAPH_NAMES, loadConfig } from '../config/index.js';
import { DEFAULT_COST_LIMITS, estimateCost } from '../gateway/index.js';
import { ownerAuditFields, readReferenceDeclarations, type ReferenceDeclaration } from '../schema/index.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/index.js';
import {
  NOT_FOR_WRITES,
  compare,
  expectedWriteError,
  isCostly,
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
} from './support/catalogue-comparison.js';
import {
  APPLY_FOR_SHARING,
  CALLERS_OWN,
  CATALOGUE_BY_FIELD,
  DECIDE_SHARING,
  VOLATILE,
  demoGrants,
  districtDay,
  fieldsOf,
  isInternalType,
  issuers,
  recordFactsOf,
  sharingCallers,
  sharingRecords,
  summaryApplication,
  verdictOf,
  type Caller,
  type KnownGrant,
} from './support/sharing-oracle.js';
import { callerHeaders, principal, startTestGateway, startTestStack, testConfig, withoutSharingRules, type TestStack } from './support/stack.js';

const CONFIG = loadConfig({});

// ---------------------------------------------------------------------------------------------
// The supergraph: its object types and fields, and which subgraphs resolve each field.

const SUPERGRAPH_AST = parse(readFileSync(CONFIG.supergraphPath, 'utf8'));
const SUPERGRAPH: GraphQLSchema = buildASTSchema(SUPERGRAPH_AST, { assumeValidSDL: true });
/** The writes' root: asked by the writes' table, not walked for reads. */
const MUTATION = SUPERGRAPH.getMutationType();

function objectTypes(): GraphQLObjectType[] {
  return Object.values(SUPERGRAPH.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !isInternalType(t.name));
}

function argValue(directive: ConstDirectiveNode, name: string): string | boolean | null {
  const arg = directive.arguments?.find((a) => a.name.value === name)?.value;
  if (!arg) return null;
  if (arg.kind === Kind.ENUM || arg.kind === Kind.STRING) return arg.value;
  if (arg.kind === Kind.BOOLEAN) return arg.value;
  return null;
}

/** `Type.field` → the subgraphs that resolve it, from the supergraph's join directives. */
function resolvingSubgraphs(): Map<string, string[]> {
  const graphName = new Map<string, string>();
  for (const definition of SUPERGRAPH_AST.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === 'join__graph');
      graphName.set(value.name.value, String(directive && argValue(directive, 'name')));
    }
  }
  const result = new Map<string, string[]>();
  for (const definition of SUPERGRAPH_AST.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || isInternalType(definition.name.value)) continue;
    const typeGraphs = (definition.directives ?? []).filter((d) => d.name.value === 'join__type').map((d) => graphName.get(String(argValue(d, 'graph')))!);
    for (const field of definition.fields ?? []) {
      const joins = (field.directives ?? []).filter((d) => d.name.value === 'join__field' && argValue(d, 'graph') !== null);
      const graphs = joins.length ? joins.filter((d) => argValue(d, 'external') !== true).map((d) => graphName.get(String(argValue(d, 'graph')))!) : typeGraphs;
      result.set(`${definition.name.value}.${field.name.value}`, [...new Set(graphs)].sort());
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The query: every field of every object type, reached from Query.

/** Lists are asked for a page of this many rows: a few records of several agencies and kinds. */
const PAGE = 3;
const PERIOD = { from: '2025-01-01', to: '2025-07-01' };

interface Fixtures {
  /** Per type, existing records for `Query.<x>(id: ID!)`: the first is asked as `x`, the others as aliases `x_2`, …. */
  recordIds: Record<string, string[]>;
  /**
   * Arguments for particular fields (required ones, and filters that keep answers stable); a list
   * asks the field once per item (the first as `x`, the others as aliases `x_2`, …).
   */
  fieldArgs: Record<string, Record<string, unknown> | Record<string, unknown>[]>;
  /** Fields (`Type.field`) whose records are asked in full there too, because only there the data has all of theirs. */
  alsoFull?: string[];
}

/** How restricted a field is, for choosing the widest path to a type (more callers get to ask). */
function restriction(coordinate: string): number {
  const entries = CATALOGUE_BY_FIELD.get(coordinate) ?? [];
  if (entries.length === 0) return 8;
  return Math.max(...entries.map((e) => (e.class === 'OPEN' ? (e.audience === 'PUBLIC' ? 0 : 1) : e.class === 'CONDITIONAL' ? 4 : 8)));
}

const hasRequiredArgs = (field: GraphQLField<unknown, unknown>) => field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/** The argument sets to ask `type.field` with (one per response key), or why it cannot be asked. */
function argumentsFor(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, fixtures: Fixtures): Record<string, unknown>[] | string {
  const coordinate = `${type.name}.${field.name}`;
  const fixed = fixtures.fieldArgs[coordinate];
  const variants = Array.isArray(fixed) ? fixed : [fixed ?? {}];
  const ids = type.name === 'Query' ? fixtures.recordIds[getNamedType(field.type).name] : undefined;
  const asked: Record<string, unknown>[] = [];
  for (const given of variants) {
    const args: Record<string, unknown> = {};
    let byId = false;
    for (const arg of field.args) {
      if (arg.name in given) args[arg.name] = given[arg.name];
      else if (arg.name === 'first' && getNamedType(arg.type).name === 'Int') args.first = PAGE;
      else if (!isNonNullType(arg.type) || arg.defaultValue !== undefined) continue;
      else if (getNamedType(arg.type).name === 'Period') args[arg.name] = PERIOD;
      else if (arg.name === 'id' && ids?.length) byId = true;
      else return `${coordinate}(${arg.name}: ${String(arg.type)}): no value to ask it with (add one to the fixtures)`;
    }
    asked.push(...(byId ? ids!.map((id) => ({ ...args, id })) : [args]));
  }
  return asked;
}

/**
 * Every object type gets one node where all its fields are asked: its anchor, at the end of the
 * widest path from Query (the fewest callers refused on the way), then the one that fans out least
 * (single records before lists). Everywhere else a type appears it is asked for its key only.
 * `problems` names whatever cannot be reached or asked.
 */
function buildSelection(fixtures: Fixtures): { root: SelectionNode; parts: { records: SelectionNode; lists: SelectionNode; own: SelectionNode }; problems: string[] } {
  const problems: string[] = [];
  const types = objectTypes();
  const query = SUPERGRAPH.getQueryType()!;
  // Dijkstra over the object-typed fields.
  const cost = new Map<string, number>([[query.name, 0]]);
  const via = new Map<string, { parent: string; field: string }>();
  const done = new Set<string>();
  for (;;) {
    const next = [...cost.entries()].filter(([name]) => !done.has(name)).sort((a, b) => a[1] - b[1])[0];
    if (!next) break;
    const [name, base] = next;
    done.add(name);
    const type = SUPERGRAPH.getType(name) as GraphQLObjectType;
    for (const field of fieldsOf(type)) {
      const target = getNamedType(field.type);
      if (!isObjectType(target) || isInternalType(target.name) || typeof argumentsFor(type, field, fixtures) === 'string') continue;
      const list = isListType(isNonNullType(field.type) ? field.type.ofType : field.type);
      const step = 1 + restriction(`${name}.${field.name}`) + (list ? 2 : 0) + (hasRequiredArgs(field) ? 1 : 0);
      if (!done.has(target.name) && (cost.get(target.name) ?? Infinity) > base + step) {
        cost.set(target.name, base + step);
        via.set(target.name, { parent: name, field: field.name });
      }
    }
  }
  for (const type of types) if (!cost.has(type.name) && type !== MUTATION) problems.push(`${type.name}: not reachable from Query`);
  const alsoFull = new Set(fixtures.alsoFull ?? []);
  for (const coordinate of alsoFull) {
    const [parent, field] = coordinate.split('.') as [string, string];
    if (!cost.has(parent) || !(SUPERGRAPH.getType(parent) as GraphQLObjectType | undefined)?.getFields()[field]) problems.push(`${coordinate}: asked in full, but no such field is reachable from Query`);
  }

  const typename: [string, SelectedField] = ['__typename', { name: '__typename', args: {}, child: null }];
  const minimal = (type: GraphQLObjectType): SelectionNode => {
    const fields = new Map<string, SelectedField>([typename]);
    if (type.getFields().id) fields.set('id', { name: 'id', args: {}, child: null });
    return { type, fields };
  };
  const full = (type: GraphQLObjectType): SelectionNode => {
    const node: SelectionNode = { type, fields: new Map() };
    for (const field of fieldsOf(type)) {
      const target = getNamedType(field.type);
      const variants = argumentsFor(type, field, fixtures);
      if (typeof variants === 'string') {
        problems.push(variants);
        continue;
      }
      let child: SelectionNode | null = null;
      if (isObjectType(target)) {
        const anchor = via.get(target.name);
        const anchored = anchor && anchor.parent === type.name && anchor.field === field.name;
        child = anchored || alsoFull.has(`${type.name}.${field.name}`) ? full(target) : minimal(target);
      } else if (!isScalarType(target) && !isEnumType(target)) {
        problems.push(`${type.name}.${field.name}: returns ${target.name}, which this test cannot select yet`);
        continue;
      }
      variants.forEach((args, i) => node.fields.set(i === 0 ? field.name : `${field.name}_${i + 1}`, { name: field.name, args, child }));
    }
    return node;
  };
  const root = full(query);
  const depth = (node: SelectionNode): number => Math.max(0, ...[...node.fields.values()].map((f) => 1 + (f.child ? depth(f.child) : 0)));
  const aliases = (node: SelectionNode): number =>
    [...node.fields].reduce((sum, [key, f]) => sum + (key !== f.name ? 1 : 0) + (f.child ? aliases(f.child) : 0), 0);
  if (depth(root) > CONFIG.limits.maxDepth) problems.push(`the query is ${depth(root)} fields deep; the gateway allows ${CONFIG.limits.maxDepth}`);
  if (aliases(root) > CONFIG.limits.maxAliases) problems.push(`the query uses ${aliases(root)} aliases; the gateway allows ${CONFIG.limits.maxAliases}`);

  // The records part: everything but lists and statistics (cheap: records by id and their
  // references). The lists part: every list and statistic, with the records in them reduced to
  // their keys (their fields are in the records part, anchored on records asked by id).
  const costlyAnchor = (name: string): boolean => {
    for (let at = via.get(name); at; at = via.get(at.parent)) if (isCostly((SUPERGRAPH.getType(at.parent) as GraphQLObjectType).getFields()[at.field]!)) return true;
    return false;
  };
  const records = (node: SelectionNode): SelectionNode => ({
    type: node.type,
    fields: new Map(
      [...node.fields]
        .filter(([, f]) => f.name === '__typename' || !isCostly(node.type.getFields()[f.name]!))
        .map(([key, f]) => [key, { ...f, child: f.child && records(f.child) }]),
    ),
  });
  const reduced = (node: SelectionNode): SelectionNode =>
    costlyAnchor(node.type.name) ? { type: node.type, fields: new Map([...node.fields].map(([key, f]) => [key, { ...f, child: f.child && reduced(f.child) }])) } : minimal(node.type);
  const lists = (node: SelectionNode): SelectionNode | null => {
    const fields = new Map<string, SelectedField>();
    for (const [key, f] of node.fields) {
      if (f.name === '__typename') continue;
      if (isCostly(node.type.getFields()[f.name]!)) fields.set(key, { ...f, child: f.child && reduced(f.child) });
      else if (f.child) {
        const child = lists(f.child);
        if (child) fields.set(key, { ...f, child });
      }
    }
    return fields.size ? { type: node.type, fields } : null;
  };
  // The callers' own records (CALLERS_OWN: their inbox), lists beneath them included: each caller
  // asks for their own, and the ground truth of it is asked as the same caller.
  const own: SelectionNode = { type: query, fields: new Map([...root.fields].filter(([, f]) => f.child && CALLERS_OWN.has(f.child.type.name))) };
  const shared: SelectionNode = { type: query, fields: new Map([...root.fields].filter(([key]) => !own.fields.has(key))) };
  return { root, parts: { records: records(shared), lists: lists(shared) ?? { type: query, fields: new Map() }, own }, problems };
}

// ---------------------------------------------------------------------------------------------
// The gateway's cost limit: the records part, asked of every caller, in documents each within it.

/** The most one operation may cost, for any caller (the gateway's limit, or a lower one of an org's). */
const COST_LIMIT = Math.min(CONFIG.costLimits.maxCost, ...Object.values(CONFIG.costLimits.maxCostByOrg));

/** What the gateway estimates a query of `node` costs (gateway/plugins/cost-limit.ts), before it plans it. */
function costOf(node: SelectionNode): number {
  const operation = parse(`query Conformance {\n${printSelection(node)}\n}`).definitions[0] as OperationDefinitionNode;
  return estimateCost(SUPERGRAPH, operation, new Map(), {}, DEFAULT_COST_LIMITS);
}

/**
 * The root fields of `records` in documents, in order, each within `limit` (the first with `own`,
 * which is asked with it); a field that alone costs more is named in `problems`.
 */
function chunksWithin(records: SelectionNode, own: SelectionNode, limit: number, problems: string[]): SelectionNode[] {
  const chunks: SelectionNode[] = [];
  const cost = (node: SelectionNode) => costOf(chunks.length === 0 ? mergeSelections(node, own) : node);
  let current: SelectionNode = { type: records.type, fields: new Map() };
  for (const [key, field] of records.fields) {
    const next: SelectionNode = { type: records.type, fields: new Map([...current.fields, [key, field]]) };
    if (current.fields.size === 0 || cost(next) <= limit) current = next;
    else {
      chunks.push(current);
      current = { type: records.type, fields: new Map([[key, field]]) };
    }
    if (current.fields.size === 1 && cost(current) > limit) problems.push(`${key}: costs ${cost(current)} alone; the gateway allows ${limit}`);
  }
  if (current.fields.size) chunks.push(current);
  return chunks;
}

/** One answer of several to parts of one query: their data together, the worst status, all errors. */
function merged(answers: Posted[]): Posted {
  return {
    status: Math.max(...answers.map((a) => a.status)),
    requestId: answers[0]?.requestId ?? null,
    body: {
      data: Object.assign({}, ...answers.map((a) => (a.body.data ?? {}) as Record<string, unknown>)),
      ...(answers.some((a) => a.body.errors) ? { errors: answers.flatMap((a) => a.body.errors ?? []) } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------

interface Posted {
  status: number;
  requestId: string | null;
  body: { data?: unknown; errors?: unknown[] };
}

async function post(url: string, query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<Posted> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as Posted['body'] };
}

/** How often the governed stack's government reads its grants on application again. */
const GRANT_REFRESH_MS = 200;

/** The grant the test makes (its application's id, once made), and the records it made (who made them, for ISSUER). */
const grantsMade: KnownGrant[] = [];
const recordsMade = new Map<string, string>();

/**
 * Every subgraph that resolves a field judges it; the gateway names the one that refused it. The
 * grants on application: the demo district's and the test's, on the district's day.
 */
const THROUGH_THE_GATEWAY: Judging = {
  entriesOf: (coordinate) => CATALOGUE_BY_FIELD.get(coordinate),
  serviceNamed: true,
  grants: { grants: [...demoGrants()], today: () => districtDay() },
  issuerOf: issuers(recordsMade),
};

// ---------------------------------------------------------------------------------------------
// Writes through the gateway.

/** What the gateway reads before each write (@references in the institutions' SDL). */
const REFERENCES: ReferenceDeclaration[] = readReferenceDeclarations();

/** Every write of the supergraph, to send with real records' ids (catalogue-comparison.ts, writeIdOf). */
function writeCases(recordIds: Record<string, string[]>, problems: string[]): WriteCase[] {
  if (!MUTATION) return [];
  return fieldsOf(MUTATION).flatMap((field) => {
    const write = writeCase(MUTATION, field, writeIdOf(field, REFERENCES, recordIds), problems);
    return write ? [write] : [];
  });
}

const valueAt = (args: Record<string, unknown>, path: string[]): unknown =>
  path.reduce<unknown>((value, step) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined), args);

/**
 * What the gateway's read of a write's references gives `who` for `purpose` (a caller the write's
 * grants admit: it reads for no other), from the catalogue: the first field, in the order the
 * references are declared and their fields asked, that the referenced record's owner withholds
 * from them (its reason, and the argument naming the record); null when they may read all of it;
 * a string when the oracle cannot tell. The records referred to exist (writeIdOf), and have every
 * value asked beneath them, so every field is judged.
 */
function referenceRefusal(write: WriteCase, who: Principal, purpose: Purpose): { declaration: ReferenceDeclaration; reason: string } | null | string {
  for (const declaration of REFERENCES.filter((d) => d.mutation === write.field)) {
    const id = valueAt(write.args, declaration.argument);
    if (id === undefined || id === null) continue;
    const facts = recordFactsOf(declaration.type, String(id));
    if (!facts) return `${declaration.type} ${String(id)}: a record the oracle knows no facts of (teach sharing-oracle.ts recordFactsOf)`;
    const operation = parse(`{ ${declaration.fields} }`).definitions[0];
    if (operation?.kind !== Kind.OPERATION_DEFINITION) return `${declaration.fields}: not a selection`;
    // The first refusal beneath `selectionSet` (`{ reason }`), or what the oracle cannot tell (`{ problem }`).
    type Judged = { reason: string } | { problem: string } | null;
    const judge = (selectionSet: SelectionSetNode, typeName: string, record: typeof facts): Judged => {
      for (const selection of selectionSet.selections) {
        if (selection.kind !== Kind.FIELD) return { problem: `${typeName}: fragments in a reference's fields are not judged here yet` };
        const coordinate = `${typeName}.${selection.name.value}`;
        const entries = (CATALOGUE_BY_FIELD.get(coordinate) ?? []).filter((e) => e.owner === declaration.owner);
        if (entries.length !== 1) return { problem: `${coordinate}: ${entries.length} entries of the ${declaration.owner}'s in the catalogue` };
        if (entries[0]!.grants.some((g) => g.row !== null) && record.agency === undefined) return { problem: `${coordinate}: a row condition on a record the oracle knows no agency of` };
        const verdict = verdictOf(entries[0]!, who, purpose, record);
        if (!verdict.disclose) return { reason: verdict.reason };
        if (selection.selectionSet) {
          const child = getNamedType((SUPERGRAPH.getType(typeName) as GraphQLObjectType).getFields()[selection.name.value]!.type).name;
          const beneath = judge(selection.selectionSet, child, { agency: undefined, kind: undefined });
          if (beneath) return beneath;
        }
      }
      return null;
    };
    const judged = judge(operation.selectionSet, declaration.type, facts);
    if (judged && 'problem' in judged) return judged.problem;
    if (judged) return { declaration, reason: judged.reason };
  }
  return null;
}

/**
 * The whole answer the gateway gives `who` for `purpose` to a write sent as `writeCase` sends it,
 * from the catalogue: refused by the write's grants, the owner's refusal (nothing read first);
 * admitted, the gateway's refusal of a reference they may not read, else the owner's
 * BAD_USER_INPUT on the malformed key.
 */
function expectedWrite(write: WriteCase, who: Principal, purpose: Purpose): { status: number; body: Record<string, unknown> } | string {
  const entries = CATALOGUE_BY_FIELD.get(`${MUTATION!.name}.${write.field}`) ?? [];
  const verdict = writeVerdict(entries, who, purpose);
  if (typeof verdict === 'string') return verdict;
  const owners = { data: { [write.field]: null }, errors: [expectedWriteError(write, verdict, { serviceName: entries[0]!.owner })] };
  if (!verdict.disclose) return { status: 200, body: owners };
  const refused = referenceRefusal(write, who, purpose);
  if (typeof refused === 'string') return refused;
  if (refused) {
    const argument = refused.declaration.argument.join('.');
    return {
      status: 400,
      body: {
        errors: [
          {
            message: `You may not read the ${refused.declaration.type} this write refers to (${argument}): ${refused.reason}`,
            extensions: { code: 'FORBIDDEN', reason: refused.reason, argument },
          },
        ],
      },
    };
  }
  return { status: 200, body: owners };
}

/**
 * The three subgraphs and a gateway over the databases another stack was started with
 * (`ownDatabases`), without the sharing rules: the ground truth. (startTestStack would load those
 * databases afresh under the stack already running on them.)
 */
async function startTruthStack(ownDatabases: string): Promise<TestStack> {
  const uri = inject('mongoUri');
  const subgraphs: TestStack['subgraphs'] = {};
  for (const name of SUBGRAPH_NAMES) {
    subgraphs[name] = await startSubgraph(name, {
      config: testConfig(),
      store: { uri, database: `${DATABASE_NAMES[name]}_${ownDatabases}` },
      listen: { host: '127.0.0.1', port: 0 },
      pipeline: withoutSharingRules,
    });
  }
  const gateway = await startTestGateway(subgraphs, testConfig(), { uri, database: `${AUDIT_DATABASE_NAME}_${ownDatabases}` });
  return {
    subgraphs,
    gateway,
    commands: { government: [], court: [], procuratorate: [] },
    resetCommands: () => {},
    async stop() {
      await gateway.stop();
      for (const subgraph of Object.values(subgraphs) as RunningSubgraph[]) await subgraph.stop();
    },
  };
}

describe('enforcement equals the catalogue, for every field of the supergraph', () => {
  let governed: TestStack;
  let open: TestStack;
  let selection: ReturnType<typeof buildSelection>;
  const truth: Record<'records' | 'lists', Posted | null> = { records: null, lists: null };
  let callers: Caller[];
  /** Per list or statistic, the kinds of caller (equal expected verdicts on it) and who asked it for each. */
  const listClasses = new Map<string, Map<string, string>>();
  const observations = new Map<string, Observation>();
  const mismatches = new Map<string, { message: string; count: number }>();
  let requests = 0;
  /** Per caller and purpose, the ground truth of their own records (CALLERS_OWN). */
  const ownTruths = new Map<string, Posted>();
  let writes: WriteCase[] = [];
  /** The records part, in as few documents as the gateway's cost limit allows. */
  let recordChunks: SelectionNode[] = [];
  let writeRequests = 0;
  const writeProblems: string[] = [];

  beforeAll(async () => {
    // Databases of the test's own, since it writes: the governed stack over them (loaded afresh),
    // then the ground truth's over the same ones.
    const ownDatabases = 'conformance';
    governed = await startTestStack({ gateway: true, ownDatabases, grantRefresh: { refreshMs: GRANT_REFRESH_MS } });
    open = await startTruthStack(ownDatabases);

    // The records asked for by id, one per type (test/support/sharing-oracle.ts): of the showcase's
    // agency (`own`) or of another (`other`), so that each agency officer below sees records of
    // their own unit and of another.
    const { data, own, other, history, grantAgency, recordIds: demoIds } = sharingRecords();

    // A grant on application, made as the issue describes it: the prosecutor applies, the data
    // steward approves; then the government has read it (within its refresh) before anything is asked.
    const application = summaryApplication({ agencyId: grantAgency });
    const applied = await post(
      governed.gateway!.url,
      APPLY_FOR_SHARING,
      await callerHeaders(application.applicant, application.purpose),
      { key: randomUUID(), input: application.input },
    );
    const applicationId = (applied.body.data as { applyForSharing?: { id?: string } } | undefined)?.applyForSharing?.id;
    if (applied.status !== 200 || applied.body.errors || !applicationId) throw new Error(`the prosecutor's application should be made; got HTTP ${applied.status} ${JSON.stringify(applied.body)}`);
    const decided = await post(governed.gateway!.url, DECIDE_SHARING, await callerHeaders(application.steward, 'SUPERVISION'), { key: randomUUID(), id: applicationId, version: 1 });
    if (!isDeepStrictEqual(decided.body, { data: { decideSharingApplication: { id: applicationId, state: 'APPROVED', version: 2, inForce: true } } })) {
      throw new Error(`the data steward's approval should be made; got HTTP ${decided.status} ${JSON.stringify(decided.body)}`);
    }
    recordsMade.set(`SharingApplication:${applicationId}`, application.applicant.sub);
    grantsMade.push(application.grantOf(applicationId));
    THROUGH_THE_GATEWAY.grants!.grants.push(...grantsMade);
    await new Promise((resolve) => setTimeout(resolve, 3 * GRANT_REFRESH_MS));
    // The grant's own application is asked with the demo district's.
    const recordIds: Record<string, string[]> = { ...demoIds, SharingApplication: [...(demoIds.SharingApplication ?? []), applicationId] };
    // A request the government answers in part under the grant (the auditors' Disclosure.granted):
    // the prosecutor, for SUPERVISION, reads the acts' summaries.
    const underGrant = await post(
      governed.gateway!.url,
      `{ ${recordIds.AdministrativeAct!.map((id, i) => `act_${i + 1}: act(id: ${JSON.stringify(id)}) { id summary }`).join(' ')} }`,
      await callerHeaders(application.applicant, application.purpose),
    );
    if (underGrant.status !== 200) throw new Error(`the prosecutor's read under the grant should be answered; got HTTP ${underGrant.status} ${JSON.stringify(underGrant.body)}`);

    // A write, whose records in the logs the auditors' fields on writes are asked on: a judge issues
    // a judicial suggestion to the showcase's agency (the gateway reads the agency from the government first).
    const issued = await post(
      governed.gateway!.url,
      `mutation Issue { issueJudicialSuggestion(idempotencyKey: ${JSON.stringify(randomUUID())}, input: { toAgencyId: ${JSON.stringify(own)}, content: "请依法规范执法程序，并于期限内书面回复落实情况。" }) { id } }`,
      await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING'),
    );
    if (issued.status !== 200 || issued.body.errors) throw new Error(`the judge's suggestion should be issued; got HTTP ${issued.status} ${JSON.stringify(issued.body)}`);
    recordsMade.set(`JudicialSuggestion:${(issued.body.data as { issueJudicialSuggestion: { id: string } }).issueJudicialSuggestion.id}`, principal('court', ['judge']).sub);

    // The access log the auditors' fields read: written now, then asked only up to `before`, so
    // that both stacks see the same records. Every org calls first (today's activity then has a
    // row per org whatever runs next), a clerk last: a request each institution answers in part,
    // disclosing, masking (the parties' names and ID numbers) and refusing fields (and disclosing `history`).
    const prepare = async (stack: TestStack) => {
      for (const [org, roles] of Object.entries(ROLES_BY_ORG) as [Org, readonly string[]][]) {
        await post(stack.gateway!.url, '{ district { name } }', await callerHeaders(principal(org, [roles[0]!], org === 'government' ? own : null), 'STATISTICS'));
      }
      return post(
        stack.gateway!.url,
        `{ dispute(id: ${JSON.stringify(data.showcase.disputeId)}) { title parties { name idNumber } consultations { conclusion } adminCases { caseNumber deliberationNotes supervisions { caseNumber prosecutorNotes } } }
           procuratorialSuggestion(id: ${JSON.stringify(history._id)}) { number } }`,
        await callerHeaders(principal('court', ['clerk']), 'CASE_HANDLING'),
      );
    };
    await prepare(open);
    const prepared = await prepare(governed);
    expect(prepared.body.errors?.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = new Date();
    const today = before.toISOString().slice(0, 10);
    const tomorrow = new Date(before.getTime() + 86_400_000).toISOString().slice(0, 10);

    selection = buildSelection({
      recordIds,
      fieldArgs: {
        'Query.accessLog': { filter: { to: before.toISOString() } },
        // The preparation's request, the write's (Disclosure.written) and the read under the grant (Disclosure.granted).
        'Query.accessLogEntry': [{ requestId: prepared.requestId }, { requestId: issued.requestId }, { requestId: underGrant.requestId }],
        // What was disclosed under the test's grant.
        'Query.grantDisclosures': { grantId: applicationId },
        // The access history the auditors' fields read: of the showcase case, which the court and
        // the procuratorate disclosed in the preparation (the court's side is where a page of
        // disclosures is asked in full), each side asked only up to `before`, as the log.
        'Query.recordAccessHistory': { recordType: 'AdminCase', recordId: data.showcase.adminCaseId },
        ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`RecordAccessHistory.${ownerAuditFields(name).history}`, { to: before.toISOString() }])),
        'Query.accessActivity': { from: today, to: tomorrow, timeZone: 'UTC' },
        // The showcase court case, by its case number: what the institutions find and log for an
        // auditor. RecordMatch is asked in full under RecordLookup.court (its anchor), so the text
        // must be one the court finds: a dispute's title only the government does.
        'Query.recordLookup': { text: data.court.adminCases.find((c) => c._id === data.showcase.adminCaseId)!.caseNumber },
        // A party of the demo district, and a number the government has no party for.
        'Query.partyPseudonyms': { idNumbers: [data.government.parties[0]!.idNumber, '110101199003074514'] },
      },
      // The government is the one institution that masks (the parties' names and ID numbers the
      // clerk was shown); the court made the write.
      alsoFull: ['AccessLogEntry.governmentDisclosures', 'AccessLogEntry.courtDisclosures'],
    });
    writes = writeCases(recordIds, writeProblems);
    const document = (asked: SelectionNode) => `query Conformance {\n${printSelection(asked)}\n}`;
    recordChunks = chunksWithin(selection.parts.records, selection.parts.own, COST_LIMIT, selection.problems);

    // Ground truth: everything, unmasked. (The auditors' subgraph keeps its rules: an auditor
    // asking for AUDIT is who may see all of it.)
    const auditor = await callerHeaders(principal('audit', ['auditor']), 'AUDIT');
    truth.records = merged(await Promise.all(recordChunks.map((chunk) => post(open.gateway!.url, document(chunk), auditor))));
    truth.lists = await post(open.gateway!.url, document(selection.parts.lists), auditor);

    callers = sharingCallers(own, other);

    // Every caller asks the records part; each list and statistic is asked once per kind of caller
    // (the callers for whom the oracle predicts the same verdicts on it), each caller's share of
    // them in one query.
    const { shares: lists, kinds } = shareLists(selection.parts.lists, callers, truth.lists!.body.data as Record<string, unknown>, THROUGH_THE_GATEWAY);
    for (const [key, kind] of kinds) listClasses.set(key, kind);
    const asks = [
      ...callers.flatMap((caller) => PURPOSES.flatMap((purpose) => recordChunks.map((chunk, i) => ({ part: 'records' as const, chunk: i, caller, purpose, selection: chunk })))),
      ...[...lists.values()].map((share) => ({ part: 'lists' as const, chunk: 0, ...share })),
    ];
    const ask = ({ part, chunk, caller, purpose, selection: asked }: (typeof asks)[number]) => async () => {
      const headers = await callerHeaders(caller.who, purpose);
      let expected = truth[part]!.body.data as Record<string, unknown>;
      // With the records (their first document), the caller's own, whose ground truth is asked as them.
      if (part === 'records' && chunk === 0 && selection.parts.own.fields.size) {
        const theirs = await post(open.gateway!.url, document(selection.parts.own), headers);
        ownTruths.set(`${caller.label} ${purpose}`, theirs);
        expected = { ...expected, ...((theirs.body.data ?? {}) as Record<string, unknown>) };
        asked = mergeSelections(asked, selection.parts.own);
      }
      const answer = await post(governed.gateway!.url, document(asked), headers);
      requests++;
      if (answer.status !== 200) mismatches.set(`${caller.label} ${purpose} ${part} ${chunk}`, { message: `${caller.label}, ${purpose}, ${part} (${chunk + 1}): HTTP ${answer.status} ${show(answer.body)}`, count: 1 });
      else compare(caller, purpose, asked, expected, answer.body, observations, mismatches, THROUGH_THE_GATEWAY);
    };
    // The live logs' chains are verified as they grow: an auditor's answer is compared with the
    // ground truth when nothing else is in flight.
    const auditing = (a: (typeof asks)[number]) => a.caller.who.org === 'audit' && a.purpose === 'AUDIT';
    await pool(4, asks.filter((a) => !auditing(a)).map(ask));
    for (const a of asks.filter(auditing)) await ask(a)();

    // Every write, by every caller for every purpose, after the reads: the whole answer as the oracle says.
    const headers = new Map<string, Promise<Record<string, string>>>();
    const sends = callers.flatMap((caller) => PURPOSES.flatMap((purpose) => writes.map((write) => ({ caller, purpose, write }))));
    await pool(
      4,
      sends.map(({ caller, purpose, write }) => async () => {
        const coordinate = `${MUTATION!.name}.${write.field}`;
        const expected = expectedWrite(write, caller.who, purpose);
        if (typeof expected === 'string') {
          mismatches.set(`${coordinate} oracle`, { message: `${coordinate}: ${expected}`, count: 1 });
          return;
        }
        if (!headers.has(`${caller.label} ${purpose}`)) headers.set(`${caller.label} ${purpose}`, callerHeaders(caller.who, purpose));
        const answer = await post(governed.gateway!.url, write.document, await headers.get(`${caller.label} ${purpose}`)!);
        writeRequests++;
        const observation = observations.get(coordinate) ?? { asked: 0, ownUnit: false, otherUnit: false };
        observation.asked++;
        observations.set(coordinate, observation);
        if (!isDeepStrictEqual({ status: answer.status, body: answer.body }, expected)) {
          const key = `${coordinate} for ${caller.label}, ${purpose}`;
          mismatches.set(key, { message: `${key}: expected ${JSON.stringify(expected)}, got ${JSON.stringify({ status: answer.status, body: answer.body })}`, count: 1 });
        }
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await open?.stop();
    await governed?.stop();
  });

  it('reads a catalogue that names every field of the supergraph, with the subgraphs that resolve it', () => {
    const resolving = resolvingSubgraphs();
    const problems: string[] = [];
    for (const type of objectTypes()) {
      for (const field of fieldsOf(type)) {
        const coordinate = `${type.name}.${field.name}`;
        const owners = [...new Set((CATALOGUE_BY_FIELD.get(coordinate) ?? []).map((e) => e.owner))].sort();
        if (!isDeepStrictEqual(owners, resolving.get(coordinate))) problems.push(`${coordinate}: catalogue has ${owners.join(', ') || 'nothing'}, the supergraph ${resolving.get(coordinate)?.join(', ')}`);
      }
    }
    for (const coordinate of CATALOGUE_BY_FIELD.keys()) if (!resolving.has(coordinate)) problems.push(`${coordinate}: in the catalogue, not in the supergraph`);
    for (const coordinate of VOLATILE) if (!resolving.has(coordinate)) problems.push(`${coordinate}: listed as volatile, not in the supergraph`);
    expect(problems).toEqual([]);
  });

  it('reaches every type and field of the supergraph from Query (a write from Mutation), within the gateway’s limits', () => {
    expect([...selection.problems, ...writeProblems]).toEqual([]);
    const asked = new Set<string>(writes.map((write) => `${MUTATION!.name}.${write.field}`));
    const collect = (node: SelectionNode) => {
      for (const selected of node.fields.values()) {
        if (selected.name !== '__typename') asked.add(`${node.type.name}.${selected.name}`);
        if (selected.child) collect(selected.child);
      }
    };
    collect(selection.parts.records);
    collect(selection.parts.lists);
    collect(selection.parts.own);
    const missing = objectTypes().flatMap((type) => fieldsOf(type).map((f) => `${type.name}.${f.name}`)).filter((c) => !asked.has(c));
    expect(missing).toEqual([]);
    for (const part of ['records', 'lists'] as const) {
      expect(truth[part]!.status).toBe(200);
      expect(truth[part]!.body.errors ?? []).toEqual([]);
    }
    // Every caller's own, for every purpose.
    if (selection.parts.own.fields.size) {
      const failed = callers.flatMap((caller) =>
        PURPOSES.flatMap((purpose) => {
          const theirs = ownTruths.get(`${caller.label} ${purpose}`);
          return theirs?.status === 200 && !theirs.body.errors?.length ? [] : [`${caller.label}, ${purpose}: HTTP ${theirs?.status} ${show(theirs?.body)}`];
        }),
      );
      expect(failed).toEqual([]);
    }
  });

  it('asks every field on records that exist, and OWN_UNIT fields on records of the officer’s unit and of another (a write’s row condition aside: NOT_FOR_WRITES)', async ({ annotate }) => {
    const problems: string[] = [];
    const exempted: string[] = [];
    for (const type of objectTypes()) {
      for (const field of fieldsOf(type)) {
        const coordinate = `${type.name}.${field.name}`;
        const observation = observations.get(coordinate);
        if (!observation) problems.push(`${coordinate}: never asked on an existing record`);
        const rows = new Set((CATALOGUE_BY_FIELD.get(coordinate) ?? []).flatMap((e) => e.grants.flatMap((g) => (g.row ? [g.row] : []))));
        for (const row of rows) {
          const check = `${coordinate} ${row}`;
          if (type === MUTATION) {
            // Named, never silent: a write's row condition NOT_FOR_WRITES does not name fails.
            if (check in NOT_FOR_WRITES) exempted.push(`${coordinate}: ${row} both ways — ${NOT_FOR_WRITES[check]}`);
            else problems.push(`${coordinate}: a write’s ${row} rule, which no check covers (name it in NOT_FOR_WRITES, with where it is tested)`);
          } else if (row === 'OWN_UNIT') {
            if (!observation?.ownUnit) problems.push(`${coordinate}: never asked by an agency officer on a record of their unit`);
            if (!observation?.otherUnit) problems.push(`${coordinate}: never asked by an agency officer on a record of another unit`);
          } else if (row === 'ISSUER') {
            if (!observation?.issuer) problems.push(`${coordinate}: never asked, by a caller its ISSUER grant admits, on a record they made`);
            if (!observation?.notIssuer) problems.push(`${coordinate}: never asked, by a caller its ISSUER grant admits, on a record they did not make`);
          } else problems.push(`${coordinate}: a read’s ${row} rule, which this test cannot judge yet`);
        }
      }
    }
    // The test's grant on application, both ways: a field disclosed under it, and refused outside its scope.
    if (grantsMade.length === 0) problems.push('no grant on application was made');
    for (const grant of grantsMade) {
      for (const field of grant.fields) {
        const observation = observations.get(`${grant.type}.${field}`);
        if (!observation?.underGrant) problems.push(`${grant.type}.${field}: never disclosed under the grant on application ${grant.id}`);
        if (!observation?.outOfGrantScope) problems.push(`${grant.type}.${field}: never refused NOT_IN_GRANT_SCOPE, on a record outside the grant ${grant.id}`);
      }
    }
    for (const line of exempted) await annotate(line);
    expect(problems).toEqual([]);
    expect(requests).toBe(callers.length * PURPOSES.length * recordChunks.length + new Set([...listClasses.values()].flatMap((kinds) => [...kinds.values()])).size);
    expect(writeRequests).toBe(callers.length * PURPOSES.length * writes.length);
  });

  it('gives every org, role and purpose what the catalogue says: the value, the masked value, or FORBIDDEN with its reason', () => {
    expect([...mismatches.values()].map((m) => (m.count > 1 ? `${m.message} (${m.count} times)` : m.message))).toEqual([]);
  });
});
