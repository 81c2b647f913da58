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
//
// The auditors' subgraph is served by the gateway process: test/conformance.test.ts covers it.
import { randomUUID } from 'node:crypto';
import {
  Kind,
  buildASTSchema,
  getNamedType,
  isEnumType,
  isObjectType,
  isNonNullType,
  isScalarType,
  type DocumentNode,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PURPOSES, type CatalogueEntry, type Purpose } from '../../auth/index.js';
import type { SubgraphName } from '../../config/index.js';
import { subgraphTypeDefs } from '../../schema/index.js';
import { compare, costlyAt, pool, printSelection, shareLists, show, type Judging, type Observation, type SelectedField, type SelectionNode } from './catalogue-comparison.js';
import { CATALOGUE, fieldsOf, sharingCallers, sharingRecords, type Caller } from './sharing-oracle.js';
import { postSubgraph, startTestStack, type GraphQLResponse, type TestStack } from './stack.js';

/** Lists are asked for a page of this many rows; statistics for the bulletin's half-year. */
const PAGE = 3;
const PERIOD = { from: '2025-01-01', to: '2025-07-01' };

/** The access-log entities an institution adds its side to (schema/owner-audit.ts); their keys are not records of the district. */
const ACCESS_LOG_TYPES = new Set(['AccessLogEntry', 'RecordAccessHistory', 'AuditOverview']);

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
  /** This institution's rows only: what it declares is what it must enforce, errors without a service name. */
  const judging: Judging = { entriesOf: (coordinate) => rowsByField.get(coordinate), serviceNamed: false };
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
  const historyType = keys.get('ProcuratorialSuggestion')?.resolvable ? 'ProcuratorialSuggestion' : 'JudicialSuggestion';
  const history = demo.oldestNotAsked(historyType);

  /** Per entity type, the representations `_entities` is asked with (keys only). */
  const representations: Record<string, Record<string, unknown>[]> = {
    ...Object.fromEntries(Object.entries(demo.ids).map(([type, ids]) => [type, ids.map((id) => ({ id }))])),
    AccessLogEntry: [{ requestId: preparedRequestId }],
    RecordAccessHistory: [history],
    AuditOverview: [{ id: 'AUDIT' }],
  };

  // ---- The selection: every field of every type, from `_entities` and Query ----------------
  const problems: string[] = [];
  const minimal = (type: GraphQLObjectType): SelectionNode => {
    const fields = new Map<string, SelectedField>([['__typename', { name: '__typename', args: {}, child: null }]]);
    for (const field of keys.get(type.name)?.fields ?? (type.getFields().id ? ['id'] : [])) fields.set(field, { name: field, args: {}, child: null });
    return { type, fields };
  };
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
  for (const [typeName, key] of keys) {
    if (!key.resolvable) continue;
    const type = schema.getType(typeName);
    const asked = representations[typeName];
    if (!isObjectType(type)) problems.push(`${typeName}: has a @key but is not an object type of the schema`);
    else if (!asked?.length) problems.push(`${typeName}: an entity type with no record to ask for (add one to test/support/policy-suite.ts)`);
    else {
      const missing = key.fields.filter((field) => !asked.every((representation) => field in representation));
      if (missing.length) problems.push(`${typeName}: representations without its key field(s) ${missing.join(', ')}`);
      root.fields.set(typeName, { name: '_entities', args: { representations: asked.map((r) => ({ __typename: typeName, ...r })) }, child: full(type, [typeName]), entities: true });
    }
  }
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
  const document = (node: SelectionNode) => `query Policy {\n${printSelection(node)}\n}`;

  describe(`the ${name}'s sharing policy, on its subgraph alone: every field it declares, for every caller and purpose`, () => {
    let governed: TestStack;
    let open: TestStack;
    let truth: GraphQLResponse;
    const observations = new Map<string, Observation>();
    /** Per caller and purpose (`label purpose`), what differed from the catalogue. */
    const mismatches = new Map<string, Map<string, { message: string; count: number }>>();
    const post = (stack: TestStack, body: string, caller: Caller, purpose: Purpose, requestId: string) =>
      postSubgraph(name, stack.subgraphs[name]!.url, body, undefined, { principal: caller.who, purpose, requestId });

    beforeAll(async () => {
      [governed, open] = await Promise.all([startTestStack({ subgraphs: [name] }), startTestStack({ subgraphs: [name], enforceSharing: false })]);

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
        post(governed, document(preparation), preparer, 'CASE_HANDLING', preparedRequestId),
        // The copy without rules writes its chain too, before the ground truth verifies the chains.
        post(open, document(preparation), preparer, 'CASE_HANDLING', `${name}-policy-${run}-prepare-open`),
      ]);
      const errors = (prepared.body.errors ?? []) as { extensions?: { code?: string } }[];
      if (prepared.status !== 200 || !errors.some((e) => e.extensions?.code === 'FORBIDDEN') || errors.some((e) => e.extensions?.code !== 'FORBIDDEN')) {
        throw new Error(`the preparation should disclose some fields and refuse others; got HTTP ${prepared.status} ${show(prepared.body)}`);
      }

      // Ground truth: everything, unmasked (the copy without rules answers anyone alike).
      truth = await post(open, document(root), callers.find((c) => c.who.org === 'audit')!, 'AUDIT', `${name}-policy-${run}-truth`);
      const truthData = (truth.body.data ?? {}) as Record<string, unknown>;

      const { shares } = shareLists(parts.lists, callers, truthData, judging);
      const asks = [
        ...callers.flatMap((caller) => PURPOSES.map((purpose) => ({ caller, purpose, selection: parts.records }))),
        ...[...shares.values()],
      ];
      for (const { caller, purpose } of asks) mismatches.set(`${caller.label} ${purpose}`, new Map());
      const ask = ({ caller, purpose, selection }: (typeof asks)[number], i: number) => async () => {
        const found = mismatches.get(`${caller.label} ${purpose}`)!;
        const answer = await post(governed, document(selection), caller, purpose, `${name}-policy-${run}-${i}`);
        if (answer.status !== 200) found.set(`http ${i}`, { message: `${caller.label}, ${purpose}: HTTP ${answer.status} ${show(answer.body)}`, count: 1 });
        else compare(caller, purpose, selection, truthData, answer.body, observations, found, judging);
      };
      // The disclosure log's chains are verified as they grow: an auditor's answer is compared with
      // the ground truth when nothing else is in flight.
      const auditing = (a: (typeof asks)[number]) => a.caller.who.org === 'audit' && a.purpose === 'AUDIT';
      await pool(4, asks.flatMap((a, i) => (auditing(a) ? [] : [ask(a, i)])));
      for (const [i, a] of asks.entries()) if (auditing(a)) await ask(a, i)();
    }, 60_000);

    afterAll(async () => {
      await governed?.stop();
      await open?.stop();
    });

    it('asks every field of its catalogue rows, on records that exist; OWN_UNIT ones on records of the officer’s unit and of another', () => {
      const found = [...problems];
      if (truth.status !== 200 || truth.body.errors?.length) found.push(`the ground truth: HTTP ${truth.status} ${show(truth.body.errors)}`);
      const data = (truth.body.data ?? {}) as Record<string, unknown>;
      for (const [key, selected] of root.fields) {
        if (!selected.entities) continue;
        const list = data[key];
        const asked = selected.args.representations as Record<string, unknown>[];
        asked.forEach((representation, i) => {
          if (!Array.isArray(list) || list[i] === null || list[i] === undefined) found.push(`${key} ${JSON.stringify(representation)}: no such record in the demo district`);
        });
      }
      for (const type of Object.values(schema.getTypeMap())) {
        if (!isObjectType(type) || type.name.startsWith('__')) continue;
        for (const field of fieldsOf(type)) if (!rowsByField.has(`${type.name}.${field.name}`)) found.push(`${type.name}.${field.name}: served, but no ${name} row in docs/sharing-catalogue.json (run npm run catalogue)`);
      }
      for (const [coordinate, entries] of rowsByField) {
        const observation = observations.get(coordinate);
        // A log of an institution that masks nothing holds no masked field to ask about; a subgraph
        // alone has no gateway whose signed heads it could witness (the conformance test, through
        // the gateway, asks both).
        const cannotExist = (!masksSomething && coordinate.startsWith('MaskedField.')) || coordinate.startsWith('LogHead.');
        if (!observation && !cannotExist) found.push(`${coordinate}: declared, never asked on an existing record`);
        if (entries.some((e) => e.grants.some((g) => g.row === 'OWN_UNIT'))) {
          if (!observation?.ownUnit) found.push(`${coordinate}: never asked by an agency officer on a record of their unit`);
          if (!observation?.otherUnit) found.push(`${coordinate}: never asked by an agency officer on a record of another unit`);
        }
      }
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
