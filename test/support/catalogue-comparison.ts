// Asking a graph for a selection and comparing its answer, field by field, with what the sharing
// oracle (test/support/sharing-oracle.ts) says: the value, the masked value, or null with FORBIDDEN
// and the reason. The ground truth for values is the same selection asked of a stack without the
// sharing rules (and so without masks). Used through the gateway by test/conformance.test.ts and
// against one subgraph by test/support/policy-suite.ts.
import { isDeepStrictEqual } from 'node:util';
import { getNamedType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { PURPOSES, type CatalogueEntry, type Purpose } from '../../auth/index.js';
import { VOLATILE, agencyFieldOf, masked, verdictOf, type Caller, type RecordFacts } from './sharing-oracle.js';

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

function literal(value: unknown): string {
  if (value === null) return 'null';
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
}

/** How an answer is judged: whose catalogue entries apply, and whether errors name the service that gave them. */
export interface Judging {
  /** The catalogue entries of `Type.field` that apply (undefined: none, which is a mismatch). */
  entriesOf(coordinate: string): CatalogueEntry[] | undefined;
  /** The gateway names the subgraph that refused a field (`extensions.serviceName`); a subgraph itself does not. */
  serviceNamed: boolean;
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

/** What the oracle reads of a record: from the ground truth, which holds every field the query asks. */
export function factsOf(node: SelectionNode, truthRecord: Record<string, unknown>): RecordFacts {
  const agencyField = agencyFieldOf(node.type);
  return {
    agency: agencyField ? ((truthRecord[agencyField] as { id?: string } | null | undefined)?.id ?? null) : undefined,
    kind: truthRecord.kind,
  };
}

/** The oracle's verdict on every field `caller` would be asked in `root`: callers with equal lists expect equal answers. */
export function expectedVerdicts(caller: Caller, purpose: Purpose, root: SelectionNode, truth: Record<string, unknown>, judging: Judging): string[] {
  const verdicts: string[] = [];
  const walk = (node: SelectionNode, truthRecord: Record<string, unknown>, path: string) => {
    const facts = factsOf(node, truthRecord);
    for (const [key, selected] of node.fields) {
      if (key === '__typename') continue;
      const value = truthRecord[key];
      if (selected.entities) {
        if (Array.isArray(value)) value.forEach((item, i) => item && walk(selected.child!, item as Record<string, unknown>, `${path}.${key}.${i}`));
        continue;
      }
      const entries = judging.entriesOf(`${node.type.name}.${selected.name}`) ?? [];
      const field = entries.map((entry) => verdictOf(entry, caller.who, purpose, facts));
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

  const walk = (node: SelectionNode, truthRecord: Record<string, unknown>, record: Record<string, unknown> | null, path: (string | number)[]) => {
    const facts = factsOf(node, truthRecord);
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
          } else walk(selected.child!, item as Record<string, unknown>, list[i] as Record<string, unknown> | null, [...at, i]);
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
      const verdicts = entries.map((entry) => verdictOf(entry, caller.who, purpose, facts));
      if (verdicts.some((v) => !isDeepStrictEqual(v, verdicts[0]))) {
        mismatch(coordinate, at, 'one policy for a field several subgraphs resolve', entries.map((e) => `${e.owner}: ${JSON.stringify(verdictOf(e, caller.who, purpose, facts))}`).join('; '));
        continue;
      }
      const verdict = verdicts[0]!;
      const observation = observations.get(coordinate) ?? { asked: 0, ownUnit: false, otherUnit: false };
      observation.asked++;
      if (ownUnitRule && caller.who.unit !== null) {
        if (facts.agency === caller.who.unit) observation.ownUnit = true;
        else observation.otherUnit = true;
      }
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
