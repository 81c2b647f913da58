// Asking a graph for a selection and comparing its answer, field by field, with what the sharing
// oracle (test/support/sharing-oracle.ts) says: the value, the masked value, or null with FORBIDDEN
// and the reason. The ground truth for values is the same selection asked of a stack without the
// sharing rules (and so without masks). Used through the gateway by test/conformance.test.ts and
// against one subgraph by test/support/policy-suite.ts.
import { isDeepStrictEqual } from 'node:util';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { PURPOSES, type CatalogueEntry, type Principal, type Purpose } from '../../auth/index.js';
import { ROWS_DECIDED_LATER, VOLATILE, agencyFieldOf, judgedVerdict, masked, verdictOf, type Caller, type GrantLedger, type RecordFacts, type Verdict } from './sharing-oracle.js';

// ---------------------------------------------------------------------------------------------
// Selections.

export interface SelectedField {
  name: string;
  args: Record<string, unknown>;
  child: SelectionNode | null;
  /**
   * Federation's `_entities`, as the gateway calls a subgraph: not a field of the catalogue (asked,
   * not judged); it returns records of `child.type`, selected with an inline fragment.
   */
  entities?: boolean;
}
export interface SelectionNode {
  type: GraphQLObjectType;
  /** By response key (the field's name, or an alias). */
  fields: Map<string, SelectedField>;
}

/** An enum value in an argument: printed bare (a string is printed quoted). */
export class EnumLiteral {
  constructor(readonly value: string) {}
}

function literal(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof EnumLiteral) return value.value;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')}}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function printSelection(node: SelectionNode, indent = '  '): string {
  return [...node.fields]
    .map(([key, f]) => {
      const args = Object.keys(f.args).length ? `(${Object.entries(f.args).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')})` : '';
      const head = `${indent}${key === f.name ? '' : `${key}: `}${f.name}${args}`;
      if (!f.child) return head;
      if (f.entities) return `${head} {\n${indent}  ... on ${f.child.type.name} {\n${printSelection(f.child, `${indent}    `)}\n${indent}  }\n${indent}}`;
      return `${head} {\n${printSelection(f.child, `${indent}  `)}\n${indent}}`;
    })
    .join('\n');
}

/**
 * Lists (a page argument) and statistics (a period): each a scan or an aggregation of a whole
 * collection in the embedded store (a record by id is one lookup), so they are asked once per kind
 * of caller rather than by all ninety callers and purposes.
 */
export const isCostly = (field: GraphQLField<unknown, unknown>) => field.args.some((a) => a.name === 'first' || getNamedType(a.type).name === 'Period');

/** Whether `f`, selected on `node`, is a list or a statistic (`_entities` is neither). */
export const costlyAt = (node: SelectionNode, f: SelectedField) => !f.entities && isCostly(node.type.getFields()[f.name]!);

/** Each list or statistic of a lists part, alone with the path to it (`key` names it). */
export function listUnits(node: SelectionNode, prefix = ''): { key: string; node: SelectionNode }[] {
  return [...node.fields].flatMap(([key, f]) => {
    const own = (child: SelectionNode | null): SelectionNode => ({ type: node.type, fields: new Map([[key, { ...f, child }]]) });
    if (costlyAt(node, f) || !f.child) return [{ key: `${prefix}${key}`, node: own(f.child) }];
    return listUnits(f.child, `${prefix}${key}.`).map((unit) => ({ key: unit.key, node: own(unit.node) }));
  });
}

/** One selection asking everything `a` and `b` ask. */
export function mergeSelections(a: SelectionNode, b: SelectionNode): SelectionNode {
  const fields = new Map(a.fields);
  for (const [key, f] of b.fields) {
    const mine = fields.get(key);
    fields.set(key, mine?.child && f.child ? { ...f, child: mergeSelections(mine.child, f.child) } : f);
  }
  return { type: a.type, fields };
}

// ---------------------------------------------------------------------------------------------
// Comparing one governed response with the ground truth, field by field.

export interface Observation {
  /** How many times the field was asked on an existing record, by anyone. */
  asked: number;
  /** OWN_UNIT fields: asked by an agency officer on a record of their unit, and of another. */
  ownUnit: boolean;
  otherUnit: boolean;
  /** Fields a read's ISSUER grant covers: asked by a caller that grant admits on a record they made, and on one they did not. */
  issuer?: boolean;
  notIssuer?: boolean;
  /** Fields others may apply for: disclosed under a grant on application, and refused for a record outside its scope. */
  underGrant?: boolean;
  outOfGrantScope?: boolean;
}

/** How an answer is judged: whose catalogue entries apply, and whether errors name the service that gave them. */
export interface Judging {
  /** The catalogue entries of `Type.field` that apply (undefined: none, which is a mismatch). */
  entriesOf(coordinate: string): CatalogueEntry[] | undefined;
  /** The gateway names the subgraph that refused a field (`extensions.serviceName`); a subgraph itself does not. */
  serviceNamed: boolean;
  /** The grants on application in the stores asked (the demo district's, and those the test made); none when absent. */
  grants?: GrantLedger;
  /** Who made a record (its `createdBy.sub`), for ISSUER rules: sharing-oracle.ts, issuers. */
  issuerOf?: (type: string, id: string) => string | null | undefined;
}

interface GraphQLErrorBody {
  message?: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * What the oracle reads of a record: from the ground truth, which holds every field the query asks;
 * an agency another subgraph holds (`@external`), from the representation the record was asked
 * with (`represented`: what the gateway would have sent, @requires).
 */
export function factsOf(node: SelectionNode, truthRecord: Record<string, unknown>, judging: Judging, represented?: Record<string, unknown>): RecordFacts {
  const agencyField = agencyFieldOf(node.type);
  const source = agencyField?.external ? represented : truthRecord;
  const id = typeof truthRecord.id === 'string' ? truthRecord.id : undefined;
  return {
    agency: agencyField ? ((source?.[agencyField.name] as { id?: string } | null | undefined)?.id ?? null) : undefined,
    kind: truthRecord.kind,
    ...(id !== undefined ? { id } : {}),
    ...(id !== undefined && judging.issuerOf ? { issuer: judging.issuerOf(node.type.name, id) } : {}),
  };
}

/** Whether a grant admits `who` for `purpose`, its row condition aside. */
const admits = (grant: CatalogueEntry['grants'][number], who: Principal, purpose: Purpose) =>
  grant.orgs.includes(who.org) && (grant.roles === null || who.roles.some((role) => grant.roles!.includes(role))) && (grant.purposes === null || grant.purposes.includes(purpose));

/** The representations an `_entities` field was asked with, by index. */
const representationsOf = (selected: SelectedField) => (selected.args.representations ?? []) as Record<string, unknown>[];

/** The oracle's verdict on every field `caller` would be asked in `root`: callers with equal lists expect equal answers. */
export function expectedVerdicts(caller: Caller, purpose: Purpose, root: SelectionNode, truth: Record<string, unknown>, judging: Judging): string[] {
  const verdicts: string[] = [];
  const walk = (node: SelectionNode, truthRecord: Record<string, unknown>, path: string, represented?: Record<string, unknown>) => {
    const facts = factsOf(node, truthRecord, judging, represented);
    for (const [key, selected] of node.fields) {
      if (key === '__typename') continue;
      const value = truthRecord[key];
      if (selected.entities) {
        if (Array.isArray(value)) value.forEach((item, i) => item && walk(selected.child!, item as Record<string, unknown>, `${path}.${key}.${i}`, representationsOf(selected)[i]));
        continue;
      }
      const entries = judging.entriesOf(`${node.type.name}.${selected.name}`) ?? [];
      const field = entries.map((entry) => judgedVerdict(entry, caller.who, purpose, facts, judging.grants));
      verdicts.push(`${path}.${key} ${JSON.stringify(field)}`);
      if (!selected.child || field.length === 0 || !field.every((v) => v.disclose) || value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) value.forEach((item, i) => item && walk(selected.child!, item as Record<string, unknown>, `${path}.${key}.${i}`));
      else walk(selected.child, value as Record<string, unknown>, `${path}.${key}`);
    }
  };
  walk(root, truth, '');
  return verdicts;
}

/**
 * Who asks which list or statistic of `lists`: each is asked once per kind of caller, by the first
 * of the callers and purposes for whom the oracle predicts the same verdicts on it (a statistic
 * everyone may see, once; a list, once by a caller who sees it and once by each kind that is
 * refused it). Each caller's share of them goes in one query (`shares`, by `label purpose`);
 * `kinds` says, per list or statistic, who asked it for each kind.
 */
export function shareLists(lists: SelectionNode, callers: Caller[], truth: Record<string, unknown>, judging: Judging) {
  const shares = new Map<string, { caller: Caller; purpose: Purpose; selection: SelectionNode }>();
  const kinds = new Map<string, Map<string, string>>();
  for (const unit of listUnits(lists)) {
    const askers = new Map<string, string>();
    for (const caller of callers) {
      for (const purpose of PURPOSES) {
        const kind = expectedVerdicts(caller, purpose, unit.node, truth, judging).join('\n');
        if (askers.has(kind)) continue;
        askers.set(kind, `${caller.label} ${purpose}`);
        const share = shares.get(`${caller.label} ${purpose}`);
        shares.set(`${caller.label} ${purpose}`, { caller, purpose, selection: share ? mergeSelections(share.selection, unit.node) : unit.node });
      }
    }
    kinds.set(unit.key, askers);
  }
  return { shares, kinds };
}

export function compare(
  caller: Caller,
  purpose: Purpose,
  root: SelectionNode,
  truth: Record<string, unknown>,
  governed: { data?: unknown; errors?: unknown[] },
  observations: Map<string, Observation>,
  mismatches: Map<string, { message: string; count: number }>,
  judging: Judging,
): void {
  const errors = new Map<string, GraphQLErrorBody[]>();
  for (const error of (governed.errors ?? []) as GraphQLErrorBody[]) {
    const key = JSON.stringify(error.path ?? null);
    errors.set(key, [...(errors.get(key) ?? []), error]);
  }
  const takeError = (path: (string | number)[]) => {
    const list = errors.get(JSON.stringify(path));
    const error = list?.shift();
    if (list && list.length === 0) errors.delete(JSON.stringify(path));
    return error;
  };
  const mismatch = (coordinate: string, path: (string | number)[], expected: string, got: string) => {
    const key = `${coordinate} for ${caller.label}, ${purpose}: expected ${expected}, got ${got}`;
    const seen = mismatches.get(key) ?? { message: `${key} (at ${path.join('.')})`, count: 0 };
    seen.count++;
    mismatches.set(key, seen);
  };

  const walk = (node: SelectionNode, truthRecord: Record<string, unknown>, record: Record<string, unknown> | null, path: (string | number)[], represented?: Record<string, unknown>) => {
    const facts = factsOf(node, truthRecord, judging, represented);
    for (const [key, selected] of node.fields) {
      if (key === '__typename') continue;
      const at = [...path, key];
      if (selected.entities) {
        // The records themselves are judged field by field; the list is as long as the representations.
        const expectedList = truthRecord[key];
        const list = record?.[key];
        const error = takeError(at);
        if (error || !Array.isArray(expectedList) || !Array.isArray(list) || list.length !== expectedList.length) {
          mismatch(`${node.type.name}.${selected.name}`, at, `a list of ${Array.isArray(expectedList) ? expectedList.length : '?'} records`, error ? `${String(error.extensions?.code)}: ${String(error.message)}` : show(list));
          continue;
        }
        expectedList.forEach((item, i) => {
          if (item === null) {
            if (list[i] !== null) mismatch(`${node.type.name}.${selected.name}`, [...at, i], 'null', show(list[i]));
          } else walk(selected.child!, item as Record<string, unknown>, list[i] as Record<string, unknown> | null, [...at, i], representationsOf(selected)[i]);
        });
        continue;
      }
      const coordinate = `${node.type.name}.${selected.name}`;
      const entries = judging.entriesOf(coordinate);
      if (!entries) {
        mismatch(coordinate, at, 'an entry in docs/sharing-catalogue.json', 'none (run npm run catalogue)');
        continue;
      }
      const ownUnitRule = entries.some((e) => e.grants.some((g) => g.row === 'OWN_UNIT'));
      if (ownUnitRule && facts.agency === undefined) mismatch(coordinate, at, `a way to tell the agency of a ${node.type.name}`, 'no single field of type Agency');
      // A read's ISSUER rule is judged on who made the record (its `createdBy.sub`: sharing-oracle.ts, issuers).
      const issuerGrants = entries.flatMap((e) => e.grants.filter((g) => g.row === 'ISSUER'));
      if (issuerGrants.length && facts.issuer === undefined) mismatch(coordinate, at, `a way to tell who made ${node.type.name} ${facts.id ?? '(no id)'}`, 'none (teach test/support/sharing-oracle.ts, issuers)');
      // A grant on application with an agency's scope is judged on the record's agency.
      const agencyScoped = judging.grants?.grants.some((g) => entries.some((e) => g.owner === e.owner && g.type === e.type && g.fields.includes(e.field)) && g.scope.kind === 'AGENCY');
      if (agencyScoped && facts.agency === undefined) mismatch(coordinate, at, `a way to tell the agency of a ${node.type.name}, which a grant on application is scoped by`, 'no single field of type Agency');
      const verdicts = entries.map((entry) => judgedVerdict(entry, caller.who, purpose, facts, judging.grants));
      if (verdicts.some((v) => !isDeepStrictEqual(v, verdicts[0]))) {
        mismatch(coordinate, at, 'one policy for a field several subgraphs resolve', entries.map((e) => `${e.owner}: ${JSON.stringify(judgedVerdict(e, caller.who, purpose, facts, judging.grants))}`).join('; '));
        continue;
      }
      const verdict = verdicts[0]!;
      const observation = observations.get(coordinate) ?? { asked: 0, ownUnit: false, otherUnit: false };
      observation.asked++;
      if (ownUnitRule && caller.who.unit !== null) {
        if (facts.agency === caller.who.unit) observation.ownUnit = true;
        else observation.otherUnit = true;
      }
      if (issuerGrants.some((g) => admits(g, caller.who, purpose)) && facts.issuer !== undefined) {
        if (facts.issuer === caller.who.sub) observation.issuer = true;
        else observation.notIssuer = true;
      }
      if (verdict.disclose && verdict.grant !== undefined) observation.underGrant = true;
      if (!verdict.disclose && verdict.reason === 'NOT_IN_GRANT_SCOPE') observation.outOfGrantScope = true;
      observations.set(coordinate, observation);

      const expectedValue = truthRecord[key];
      const value = record?.[key];
      const error = takeError(at);
      const got = () => (error ? `${String(error.extensions?.code)} ${String(error.extensions?.reason ?? '')} (${show(value)})`.trim() : show(value));
      if (!verdict.disclose) {
        const owners: string[] = entries.map((e) => e.owner);
        const forbidden = value === null && error?.extensions?.code === 'FORBIDDEN' && error.extensions.reason === verdict.reason;
        if (judging.serviceNamed) {
          const ok = forbidden && owners.includes(String(error.extensions?.serviceName));
          if (!ok) mismatch(coordinate, at, `null, FORBIDDEN ${verdict.reason} from ${owners.join(' or ')}`, error ? `${got()} from ${String(error.extensions?.serviceName)}` : got());
        } else if (!forbidden) mismatch(coordinate, at, `null, FORBIDDEN ${verdict.reason}`, got());
        continue;
      }
      if (error) {
        mismatch(coordinate, at, verdict.mask ? `the value, ${verdict.mask} mask applied` : 'the value', got());
        continue;
      }
      if (!selected.child) {
        const expected = verdict.mask ? masked(verdict.mask, expectedValue, facts) : expectedValue;
        const same = VOLATILE.has(coordinate) ? typeof value === typeof expected && (value === null) === (expected === null) : isDeepStrictEqual(value, expected);
        if (!same) mismatch(coordinate, at, `${show(expected)}${verdict.mask ? ` (${verdict.mask} mask applied)` : ''}`, got());
        continue;
      }
      if (expectedValue === null || expectedValue === undefined) {
        if (value !== null) mismatch(coordinate, at, 'null (no record)', got());
        continue;
      }
      if (Array.isArray(expectedValue)) {
        if (VOLATILE.has(coordinate) && Array.isArray(value)) {
          value.forEach((item, i) => walk(selected.child!, item as Record<string, unknown>, item as Record<string, unknown> | null, [...at, i]));
          continue;
        }
        if (!Array.isArray(value) || value.length !== expectedValue.length) {
          mismatch(coordinate, at, `a list of ${expectedValue.length}`, got());
          continue;
        }
        expectedValue.forEach((item, i) => {
          if (item === null) {
            if (value[i] !== null) mismatch(coordinate, [...at, i], 'null', show(value[i]));
          } else walk(selected.child!, item as Record<string, unknown>, value[i] as Record<string, unknown> | null, [...at, i]);
        });
        continue;
      }
      if (value === null || typeof value !== 'object') {
        mismatch(coordinate, at, 'a record', got());
        continue;
      }
      walk(selected.child, expectedValue as Record<string, unknown>, value as Record<string, unknown>, at);
    }
  };
  walk(root, truth, (governed.data ?? null) as Record<string, unknown> | null, []);
  for (const [path, list] of errors) {
    for (const error of list) mismatch('(response)', JSON.parse(path) ?? [], 'no other error', `${String(error.extensions?.code)} ${String(error.extensions?.reason ?? '')} at ${path}: ${error.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Writes. Every write of the catalogue is sent by every caller for every purpose, with real
// records' ids and a malformed idempotency key, so that nothing is ever written: a write's grants
// are decided on the caller and purpose before its resolver runs (its row conditions count as
// holding then), so the oracle expects either the grants' refusal, or an admitted caller's write
// stopped at its key. Its row conditions are decided later, on the record it writes: that part is
// the workflow tests' (NOT_FOR_WRITES names, per write, which one).

/** The idempotency key every write is sent with: too short, so an admitted caller's write stops at it. */
export const BAD_IDEMPOTENCY_KEY = 'bad';
/** What a write says of it (subgraphs/shared/workflow.ts, parseIdempotencyKey). */
export const IDEMPOTENCY_KEY_MESSAGE = 'idempotencyKey must be 8-100 letters, digits, ".", "_", ":" or "-" (a UUID will do)';

/**
 * Coverage checks that do not apply to a write, and why, by write and row condition
 * (`Mutation.<field> <row>`): they are about the record a read returns, while a write's row
 * condition is decided by its resolver on the record it writes, after its arguments are parsed —
 * which a write stopped at its key never reaches. Each names where that decision is tested; a
 * write's row condition not named here fails the suites.
 */
const SUGGESTION_REPLY_OWN_UNIT =
  'decided on the suggestion replied to, after the arguments: test/workflow-suggestions.test.ts (the judicial flow: an officer of another agency refused NOT_OWN_UNIT; the procuratorial reply shares its code, subgraphs/government/suggestions.ts)';
const SUGGESTION_ISSUER =
  'decided on the suggestion written, after the arguments: test/workflow-suggestions.test.ts (the judicial flow: another judge refused NOT_ISSUER; the procuratorial steps share its code, subgraphs/shared/issued-suggestions.ts)';
export const NOT_FOR_WRITES: Record<string, string> = {
  'Mutation.replyToJudicialSuggestion OWN_UNIT': SUGGESTION_REPLY_OWN_UNIT,
  'Mutation.replyToProcuratorialSuggestion OWN_UNIT': SUGGESTION_REPLY_OWN_UNIT,
  'Mutation.requestJudicialSuggestionSupplement ISSUER': SUGGESTION_ISSUER,
  'Mutation.closeJudicialSuggestion ISSUER': SUGGESTION_ISSUER,
  'Mutation.requestProcuratorialSuggestionSupplement ISSUER': SUGGESTION_ISSUER,
  'Mutation.closeProcuratorialSuggestion ISSUER': SUGGESTION_ISSUER,
  'Mutation.reportSupervisionProgress OWN_UNIT':
    'decided on the supervision item reported on, after the arguments: test/workflow-supervision.test.ts (an officer of another agency refused NOT_OWN_UNIT)',
  'Mutation.recordConsultationOpinion INVITED': 'decided on the consultation written, after the arguments: test/workflow-disputes.test.ts (a judge not invited refused NOT_INVITED)',
  'Mutation.withdrawSharingApplication ISSUER':
    'decided on the application withdrawn, after the arguments: test/sharing-applications.test.ts (another prosecutor refused NOT_ISSUER, the applicant withdraws)',
};

/** The write a Mutation field is, asked as `mutation Write { <field>(…) { __typename id } }`. */
export interface WriteCase {
  field: string;
  /** The arguments it is sent with (`idempotencyKey: "bad"`). */
  args: Record<string, unknown>;
  document: string;
  /** Where the field stands in `document` (the errors' `locations`). */
  location: { line: number; column: number };
}

/**
 * A write to send: every required argument (and required input field) with a syntactically valid
 * value, a real record's id where an id is asked (`idOf`, by the argument's dotted path:
 * `input.toAgencyId`), the malformed idempotency key; or why it cannot be sent (`problems`).
 */
export function writeCase(mutation: GraphQLObjectType, field: GraphQLField<unknown, unknown>, idOf: (path: string) => string | undefined, problems: string[]): WriteCase | null {
  const coordinate = `${mutation.name}.${field.name}`;
  const found: string[] = [];
  if (!field.args.some((a) => a.name === 'idempotencyKey' && getNamedType(a.type).name === 'String')) {
    // Without it, an admitted caller's write with real ids would be made.
    found.push(`${coordinate}: no idempotencyKey argument, so this suite cannot send it without writing`);
  }
  const required = (a: { type: GraphQLInputType; defaultValue?: unknown }) => isNonNullType(a.type) && a.defaultValue === undefined;
  const valueOf = (type: GraphQLInputType, path: string): unknown => {
    if (isNonNullType(type)) return valueOf(type.ofType, path);
    if (isListType(type)) return [];
    if (isInputObjectType(type)) return Object.fromEntries(Object.values(type.getFields()).filter(required).map((f) => [f.name, valueOf(f.type, `${path}.${f.name}`)]));
    if (isEnumType(type)) return new EnumLiteral(type.getValues()[0]!.name);
    switch (type.name) {
      case 'ID': {
        const id = idOf(path);
        if (id === undefined) found.push(`${coordinate}(${path}): a record the write refers to (@references), of a type the suite has no record of (add one to its records)`);
        return id ?? null;
      }
      case 'String':
        return path === 'idempotencyKey' ? BAD_IDEMPOTENCY_KEY : 'A text this suite sends, never written.';
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return true;
      case 'Date':
        return '2030-01-02';
      case 'DateTime':
        return '2030-01-02T00:00:00.000Z';
      default:
        found.push(`${coordinate}(${path}): a ${type.name}, which this suite has no value for`);
        return null;
    }
  };
  const args = Object.fromEntries(field.args.filter(required).map((a) => [a.name, valueOf(a.type, a.name)]));
  if (found.length) {
    problems.push(...found);
    return null;
  }
  const target = getNamedType(field.type);
  const child: SelectionNode | null = isObjectType(target)
    ? { type: target, fields: new Map([['__typename', { name: '__typename', args: {}, child: null }], ...(target.getFields().id ? [['id', { name: 'id', args: {}, child: null }] as const] : [])]) }
    : null;
  const document = `mutation Write {\n${printSelection({ type: mutation, fields: new Map([[field.name, { name: field.name, args, child }]]) })}\n}`;
  const lines = document.split('\n');
  const line = lines.findIndex((l) => l.trimStart().startsWith(`${field.name}(`) || l.trimStart().startsWith(`${field.name} `));
  return { field: field.name, args, document, location: { line: line + 1, column: lines[line]!.indexOf(field.name) + 1 } };
}

/** A well-formed id of no record: for an id nothing reads before the write stops at its key. */
export const UNREAD_ID = 'NO-SUCH-RECORD-1';

/**
 * The id a write is sent with at an argument (its dotted path): of a real record of the type its
 * @references declares (the gateway reads that record first: it must exist; undefined when the
 * suite has none), else of the type its name says (`agencyId`, `input.adminCaseId`; `id`: the type
 * the write returns) when the suite has one, else UNREAD_ID.
 */
export function writeIdOf(
  field: GraphQLField<unknown, unknown>,
  references: { mutation: string; argument: string[]; type: string }[],
  recordIds: Record<string, string[]>,
): (path: string) => string | undefined {
  return (path) => {
    const referenced = references.find((d) => d.mutation === field.name && d.argument.join('.') === path)?.type;
    if (referenced) return recordIds[referenced]?.[0];
    const name = path.split('.').at(-1)!;
    const named = name === 'id' ? getNamedType(field.type).name : name.replace(/Id$/, '');
    const type = Object.keys(recordIds).find((t) => t.toLowerCase() === named.toLowerCase());
    return (type && recordIds[type]?.[0]) ?? UNREAD_ID;
  };
}

/** What the catalogue says of a write for a caller and purpose: its grants, on the caller and purpose alone. */
export function writeVerdict(entries: CatalogueEntry[], who: Principal, purpose: Purpose): Verdict | string {
  const verdicts = entries.map((entry) => verdictOf(entry, who, purpose, ROWS_DECIDED_LATER));
  if (verdicts.some((v) => !isDeepStrictEqual(v, verdicts[0]))) return `several owners with different rules: ${entries.map((e) => e.owner).join(', ')}`;
  return verdicts[0] ?? 'no entry in docs/sharing-catalogue.json (run npm run catalogue)';
}

/**
 * The one error of a write sent as `writeCase` sends it: the grants' refusal, or an admitted
 * caller's malformed key. Through the gateway (`serviceName`: the subgraph that answered), without
 * the locations in the subgraph's document.
 */
export function expectedWriteError(write: WriteCase, verdict: Verdict, through?: { serviceName: string }): Record<string, unknown> {
  const at = through ? { path: [write.field] } : { locations: [write.location], path: [write.field] };
  const extra = through ? { serviceName: through.serviceName } : {};
  return verdict.disclose
    ? { message: IDEMPOTENCY_KEY_MESSAGE, ...at, extensions: { code: 'BAD_USER_INPUT', argument: 'idempotencyKey', ...extra } }
    : { message: `Not shared with you: ${verdict.reason}`, ...at, extensions: { code: 'FORBIDDEN', reason: verdict.reason, ...extra } };
}

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]!();
      }
    }),
  );
  return results;
}
