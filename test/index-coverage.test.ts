// Every query the stores send is served by a declared index (issue #10): in production MongoDB
// must never answer a request by scanning a collection. The operations below go through the
// gateway with real tokens (every list with each of its filters and a cursor, every lookup, the
// entity joins, the bulletin, the auditors' API); every `find`, `aggregate`, count, update and
// delete the subgraphs and the gateway send meanwhile is reduced to its shape (equality fields,
// range fields, sort) and held to the indexes the store declares, as `listIndexes` reports them.
//
// The rule is MongoDB's ESR rule (equality, sort, range), simplified: an index serves a shape when
// its leading keys are all the shape's equality fields (in any order) and its first key bounds what
// is read, being one of the shape's equality or range fields (`$in` counts as a range); a shape
// with no filter is served by an index that gives its sort (in order, or all reversed), so a page
// stops at its last row. Where the rule as usually stated would also take an index that only gives
// the sort of a filtered shape (`caseId $in [...]` sorted by `heldAt`, on `{heldAt: 1}`), this
// does not: that plan walks the whole index. An `$or` is planned branch by branch, so each branch
// must be served. An equality on every key of a unique index (`_id`) is a point lookup.
// https://www.mongodb.com/docs/manual/tutorial/equality-sort-range-rule/
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandStartedEvent, Document, MongoClient } from 'mongodb';
import type { Org, Principal, Purpose } from '../auth/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack, startTestStack, type TestStack } from './support/stack.js';

/**
 * Scans that are deliberate, by collection and shape. Each must say why it cannot grow into a
 * problem; anything else unserved fails the test.
 */
const DELIBERATE_SCANS: { collection: RegExp; shape: string; why: string; /** Seen by the workflows' case below, not the reads'. */ flows?: true }[] = [
  {
    collection: /^linkage_government\.district$/,
    shape: 'find eq() range() sort()',
    why: 'the district collection holds one document, the district itself (findOne without a filter)',
  },
  {
    collection: /\.(access|disclosure)Chains$/,
    shape: 'find eq() range() sort()',
    why: "the chain registry holds one entry per writer run (a process's start), not per request; verification reads it whole by design",
  },
  {
    collection: /\.(access|disclosure)Records$/,
    shape: 'aggregate without $match',
    why: 'finding the chains in the records is a scan of them all, done only on a full (or the first) verification of a log: see verifyAll in audit/queries.ts',
  },
  {
    collection: /\.(judicialSuggestions|procuratorialSuggestions)$/,
    shape: 'count eq() range() sort()',
    why: "estimatedDocumentCount (a `count` without a query) reads the collection's metadata, no document: a suggestion series' counter is started after the suggestions already loaded, once (platform/versioned.ts nextInSeries)",
    flows: true,
  },
  {
    collection: /./,
    shape: 'countDocuments eq() range() sort()',
    why: "`totalCount` of an unfiltered list is the number of every row: an exact count touches each one whatever the index (only estimatedDocumentCount's metadata would not, and it may be off after an unclean shutdown). Asked only when a client selects totalCount",
  },
];

interface Caller {
  org: Org;
  roles: string[];
  purpose: Purpose;
}
const LINKAGE: Caller = { org: 'government', roles: ['linkage_officer'], purpose: 'DISPUTE_RESOLUTION' };
const AUDITOR: Caller = { org: 'audit', roles: ['auditor'], purpose: 'AUDIT' };

const PERIOD = '{ from: "2024-01-01", to: "2025-01-01" }';
const H1_2025 = '{ from: "2025-01-01", to: "2025-07-01" }';

/** The nodes of each list, with every entity join its type makes (OPEN fields, which every institution sees). */
const NODES = {
  agencies: 'id name kind acts(first: 2) { totalCount edges { node { id } } } adminCases(first: 2) { totalCount edges { node { id } } }',
  acts: 'id number agency { name } category',
  reconsiderations: 'id caseNumber respondent { name } act { number } status',
  disputes: 'id title agency { name } adminCases { caseNumber } enforcementCases { caseNumber } supervisions { caseNumber }',
  adminCases:
    'id caseNumber defendant { name } act { number } dispute { title } hearings { heldAt } performance { performed } supervisions { kind }',
  enforcementCases: 'id caseNumber agency { name } adminCase { caseNumber } dispute { title }',
  judicialSuggestions: 'id number toAgency { name } adminCase { caseNumber } reply { adopted }',
  supervisionCases: 'id caseNumber agency { name } adminCase { caseNumber } dispute { title }',
  procuratorialSuggestions: 'id number toAgency { name } supervisionCase { caseNumber } reply { adopted }',
  accessLog: 'requestId outcome',
};

/** Each list and each of its filters, with values the seeded data has rows for. */
function listFilters(): Record<keyof typeof NODES, { caller: Caller; filters: string[] }> {
  const data = demoData();
  const { disputeId, adminCaseId } = data.showcase;
  const agency = 'AG-NRB';
  const caseNumber = (records: { caseNumber: string }[]) => `{ caseNumber: "${records[0]!.caseNumber}" }`;
  const number = (records: { number: string }[]) => `{ number: "${records[0]!.number}" }`;
  return {
    agencies: { caller: LINKAGE, filters: ['{ kind: BUREAU }'] },
    acts: {
      caller: LINKAGE,
      filters: [`{ agencyId: "${agency}" }`, '{ category: LAND_EXPROPRIATION }', '{ legalReviewed: true }', `{ decided: ${PERIOD} }`],
    },
    reconsiderations: {
      caller: LINKAGE,
      filters: [caseNumber(data.government.reconsiderations), `{ respondentId: "${agency}" }`, '{ status: CLOSED }', '{ outcome: UPHELD }', `{ closed: ${PERIOD} }`],
    },
    disputes: { caller: LINKAGE, filters: ['{ titleContains: "征收" }', `{ agencyId: "${agency}" }`, '{ status: RESOLVED }', '{ major: true }', `{ opened: ${PERIOD} }`] },
    adminCases: {
      caller: LINKAGE,
      filters: [
        caseNumber(data.court.adminCases),
        `{ defendantId: "${agency}" }`,
        `{ disputeId: "${disputeId}" }`,
        '{ status: CLOSED }',
        '{ outcome: REVOKED }',
        '{ agencyLost: true }',
        `{ filed: ${PERIOD} }`,
        `{ closed: ${PERIOD} }`,
      ],
    },
    enforcementCases: {
      caller: LINKAGE,
      filters: [caseNumber(data.court.enforcementCases), `{ agencyId: "${agency}" }`, '{ status: CLOSED }', '{ preSettlementSucceeded: true }', `{ filed: ${PERIOD} }`],
    },
    judicialSuggestions: { caller: LINKAGE, filters: [number(data.court.judicialSuggestions), `{ toAgencyId: "${agency}" }`, `{ issued: ${PERIOD} }`] },
    supervisionCases: {
      caller: LINKAGE,
      filters: [caseNumber(data.procuratorate.supervisionCases), '{ kind: JUDGMENT_SUPERVISION }', '{ status: CLOSED }', `{ agencyId: "${agency}" }`, `{ adminCaseId: "${adminCaseId}" }`, `{ opened: ${PERIOD} }`],
    },
    procuratorialSuggestions: { caller: LINKAGE, filters: [number(data.procuratorate.procuratorialSuggestions), `{ toAgencyId: "${agency}" }`, `{ issued: ${PERIOD} }`] },
    accessLog: {
      caller: AUDITOR,
      filters: [
        `{ principal: "${principal(LINKAGE.org, LINKAGE.roles).sub}" }`,
        '{ org: "government" }',
        '{ purpose: "DISPUTE_RESOLUTION" }',
        '{ operationName: "IndexCoverage" }',
        '{ outcome: "SERVED" }',
        '{ from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z" }',
      ],
    },
  };
}

const TIMELINE = `query IndexCoverage($id: ID!) {
  dispute(id: $id) {
    id title agency { name } consultations { heldAt }
    adminCases { caseNumber hearings { heldAt } performance { dueAt } supervisions { kind } }
    enforcementCases { caseNumber adminCase { caseNumber } }
    supervisions { caseNumber agency { name } adminCase { caseNumber defendant { name } } }
  }
}`;

const BULLETIN = `query IndexCoverage {
  bulletin(period: ${H1_2025}) {
    district {
      name
      litigationStats(period: ${H1_2025}) { filed filedSamePeriodLastYear closed lost headAppearanceRate }
      enforcementStats(period: ${H1_2025}) { preSettlementRate }
      reconsiderationStats(period: ${H1_2025}) { mediationSettlementRate correctionRate }
      disputeStats(period: ${H1_2025}) { handled major substantiveResolutionRate }
      supervisionStats(period: ${H1_2025}) { opened closed suggestionsIssued }
      actStats(period: ${H1_2025}) { decided }
      judgmentPerformanceStats(period: ${H1_2025}) { performanceRate }
    }
    agencies {
      name
      litigationStats(period: ${H1_2025}) { filed lossRate }
      supervisionStats(period: ${H1_2025}) { opened suggestionsIssued }
    }
  }
}`;

/** A command's shape: where it ran, what it filters and sorts on. */
interface Shape {
  collection: string;
  command: string;
  equality: string[];
  ranges: string[];
  sort: [string, number][];
  /** An aggregate without a `$match`: it reads the whole collection whatever the indexes. */
  noMatch?: boolean;
}

type Branch = Map<string, 'eq' | 'range'>;

const isOperatorObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && Object.keys(value).length > 0 && Object.keys(value).every((k) => k.startsWith('$'));

/** A filter in disjunctive form: each branch is what one `$or` alternative asks of each field. */
function branchesOf(filter: Document | undefined): Branch[] {
  let branches: Branch[] = [new Map()];
  const and = (more: Branch[]) => {
    branches = branches.flatMap((mine) =>
      more.map((theirs) => {
        const merged = new Map(mine);
        for (const [field, kind] of theirs) if (merged.get(field) !== 'eq') merged.set(field, kind);
        return merged;
      }),
    );
  };
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === '$and') for (const part of value as Document[]) and(branchesOf(part));
    else if (key === '$or') and((value as Document[]).flatMap((part) => branchesOf(part)));
    else if (key.startsWith('$')) throw new Error(`the shape of a filter with ${key} is not derived here: extend branchesOf`);
    else if (isOperatorObject(value)) and([new Map([[key, '$eq' in value && Object.keys(value).length === 1 ? 'eq' : 'range']])]);
    else and([new Map([[key, 'eq']])]);
  }
  return branches;
}

function sortOf(sort: unknown): [string, number][] {
  if (!sort) return [];
  const entries = sort instanceof Map ? [...(sort as Map<string, unknown>)] : Object.entries(sort as Document);
  return entries.map(([field, direction]) => [field, direction === -1 || direction === 'desc' || direction === 'descending' ? -1 : 1]);
}

/** The shapes of one command (several for a batch of updates), or none for commands that filter nothing. */
function shapesOf(event: CommandStartedEvent): Shape[] {
  const c = event.command;
  const collection = `${event.databaseName}.${String(c[event.commandName])}`;
  const shapes = (filter: Document | undefined, sort: unknown, extra: Partial<Shape> = {}): Shape[] =>
    branchesOf(filter).map((branch) => ({
      collection,
      command: event.commandName,
      equality: [...branch].filter(([, kind]) => kind === 'eq').map(([f]) => f).sort(),
      ranges: [...branch].filter(([, kind]) => kind === 'range').map(([f]) => f).sort(),
      sort: sortOf(sort),
      ...extra,
    }));
  switch (event.commandName) {
    case 'find':
      return shapes(c.filter, c.sort);
    case 'aggregate': {
      const pipeline = c.pipeline as Document[];
      const match = pipeline[0]?.$match as Document | undefined;
      const sort = pipeline.find((stage) => '$sort' in stage)?.$sort;
      // The driver's countDocuments: a `$match` and a `$group` of everything into one count.
      const group = pipeline.at(-1)?.$group as Document | undefined;
      const counts = group?._id === 1 && Object.keys(group).length === 2;
      return match ? shapes(match, sort, counts ? { command: 'countDocuments' } : {}) : shapes({}, sort, { noMatch: true });
    }
    case 'count':
    case 'distinct':
      return shapes(c.query, undefined);
    case 'findAndModify':
      return shapes(c.query, c.sort);
    case 'update':
      return (c.updates as Document[]).flatMap((u) => shapes(u.q, undefined));
    case 'delete':
      return (c.deletes as Document[]).flatMap((d) => shapes(d.q, undefined));
    default:
      return [];
  }
}

const describeShape = (shape: Shape) =>
  shape.noMatch
    ? `${shape.command} without $match`
    : `${shape.command} eq(${shape.equality.join(',')}) range(${shape.ranges.join(',')}) sort(${shape.sort.map(([f, d]) => `${f}:${d}`).join(',')})`;

interface IndexSpec {
  name: string;
  key: [string, number][];
  unique: boolean;
}

/** Whether `index` serves `shape` by the rule at the top of this file. */
function serves(index: IndexSpec, shape: Shape): boolean {
  if (shape.noMatch) return false;
  const equality = new Set(shape.equality);
  const first = index.key[0]![0];
  if ((index.unique || first === '_id') && index.key.every(([field]) => equality.has(field))) return true;
  // An equality on a sort field (a keyset cursor's tie branch: `at = x and _id < y`) is part of the
  // order it pages through; every other equality must lead the index.
  const mandatory = shape.equality.filter((field) => !shape.sort.some(([sorted]) => sorted === field));
  let at = 0;
  while (at < index.key.length && equality.has(index.key[at]![0])) at++;
  const leading = new Set(index.key.slice(0, at).map(([field]) => field));
  if (!mandatory.every((field) => leading.has(field))) return false;
  if (shape.equality.length + shape.ranges.length > 0) return equality.has(first) || shape.ranges.includes(first);
  // No filter: a page read in the index's order (or its reverse), stopping at its last row.
  const sort = shape.sort;
  if (!sort.length || sort.length > index.key.length) return false;
  const next = index.key.slice(0, sort.length);
  return (
    next.every(([field, direction], i) => field === sort[i]![0] && direction === sort[i]![1]) ||
    next.every(([field, direction], i) => field === sort[i]![0] && direction === -sort[i]![1])
  );
}

const deliberate = (shape: Shape) => DELIBERATE_SCANS.filter((scan) => scan.collection.test(shape.collection) && scan.shape === describeShape(shape));

/** Each distinct shape seen, with the operations that caused it, against its collection's indexes. */
async function checkShapes(seen: { client: MongoClient; event: CommandStartedEvent; cause: string }[]) {
  const shapes = new Map<string, { shape: Shape; client: MongoClient; causes: Set<string> }>();
  for (const { client, event, cause } of seen) {
    for (const shape of shapesOf(event)) {
      const key = `${shape.collection} ${describeShape(shape)}`;
      const entry = shapes.get(key) ?? { shape, client, causes: new Set<string>() };
      entry.causes.add(cause);
      shapes.set(key, entry);
    }
  }
  const indexes = new Map<string, IndexSpec[]>();
  for (const { shape, client } of shapes.values()) {
    if (indexes.has(shape.collection)) continue;
    const [database, ...rest] = shape.collection.split('.');
    const listed = await client.db(database).collection(rest.join('.')).listIndexes().toArray();
    indexes.set(shape.collection, listed.map((i) => ({ name: String(i.name), key: Object.entries(i.key as Record<string, number>).map(([f, d]) => [f, Number(d)]), unique: i.unique === true })));
  }
  const unservedShapes = [...shapes.values()].filter(({ shape }) => !indexes.get(shape.collection)!.some((index) => serves(index, shape)));
  const unserved = unservedShapes
    .filter(({ shape }) => deliberate(shape).length === 0)
    .map(
      ({ shape, causes }) =>
        `${shape.collection}: ${describeShape(shape)}, caused by: ${[...causes].slice(0, 3).join('; ')}` +
        ` (its indexes: ${indexes.get(shape.collection)!.map((i) => `{${i.key.map(([f, d]) => `${f}:${d}`).join(',')}}`).join(' ')})`,
    );
  return { shapes, indexes, unservedShapes, unserved };
}

describe('every query the stores send is served by a declared index', () => {
  let stack: TestStack;
  /** What the operation running now is called: each command is charged to it. */
  let cause = 'before the operations';
  let capturing = false;
  const seen: { client: MongoClient; event: CommandStartedEvent; cause: string }[] = [];
  const listeners: [MongoClient, (event: CommandStartedEvent) => void][] = [];

  beforeAll(async () => {
    stack = await sharedTestStack();
    const clients = [...Object.values(stack.subgraphs).map((s) => s.database.client), stack.gateway!.database.client];
    for (const client of clients) {
      const listener = (event: CommandStartedEvent) => {
        if (capturing) seen.push({ client, event, cause });
      };
      client.on('commandStarted', listener);
      listeners.push([client, listener]);
    }
  });
  afterAll(() => {
    for (const [client, listener] of listeners) client.off('commandStarted', listener);
  });

  /** Runs one operation as `caller`, charging the commands to `name`; it must answer without errors. */
  async function run(name: string, caller: Caller, query: string, variables?: Record<string, unknown>): Promise<any> {
    cause = name;
    const { status, body } = await postGraphQL(stack.gateway!.url, query, variables, await callerHeaders(principal(caller.org, caller.roles), caller.purpose));
    expect({ name, status, errors: body.errors }).toEqual({ name, status: 200, errors: undefined });
    return body.data;
  }

  /** A list's first page (with its count) and the page after it. */
  async function listWithCursor(field: keyof typeof NODES, caller: Caller, filter: string | null): Promise<void> {
    const args = filter ? `filter: ${filter}, ` : '';
    const query = `query IndexCoverage($after: String) { ${field}(${args}first: 2, after: $after) { totalCount edges { node { ${NODES[field]} } } pageInfo { endCursor } } }`;
    const label = `${field}(${args}first: 2)`;
    const first = await run(label, caller, query);
    const after = first[field].pageInfo.endCursor;
    expect(after, `${label} has rows, so that its cursor is exercised too`).not.toBeNull();
    await run(`${label} after a cursor`, caller, query, { after });
  }

  it('finds every shape served by an index of its collection', async () => {
    const data = demoData();
    const { disputeId, adminCaseId, enforcementCaseId, supervisionCaseId } = data.showcase;
    const dispute = data.government.disputes.find((d) => d._id === disputeId)!;
    const suggestion = data.court.judicialSuggestions[0]!;
    capturing = true;

    for (const [field, { caller, filters }] of Object.entries(listFilters()) as [keyof typeof NODES, { caller: Caller; filters: string[] }][]) {
      await listWithCursor(field, caller, null);
      for (const filter of filters) await listWithCursor(field, caller, filter);
    }
    // An agency's lists, alone (one page of one parent) and under a list of agencies (one find for all), with cursors.
    const nested = `query IndexCoverage($after: String) {
      agency(id: "AG-NRB") { acts(first: 2, after: $after) { totalCount edges { cursor } } adminCases(first: 2, after: $after) { totalCount edges { cursor } } }
      agencies(first: 12) { edges { node { acts(first: 2, after: $after) { totalCount edges { cursor } } adminCases(first: 2, after: $after) { totalCount edges { cursor } } } } }
    }`;
    const pages = await run('Agency.acts and Agency.adminCases', LINKAGE, nested);
    await run('Agency.acts and Agency.adminCases after a cursor', LINKAGE, nested, { after: pages.agency.acts.edges.at(-1).cursor });

    // Single lookups, each with the joins its type makes.
    const lookups: [string, string][] = [
      ['agency', `agency(id: "AG-NRB") { id name }`],
      ['district', 'district { id name agencies { id name } }'],
      ['party', `party(id: "${dispute.partyIds[0]}") { id kind }`],
      ['act', `act(id: "${data.government.acts[0]!._id}") { id number agency { name } }`],
      ['reconsideration', `reconsideration(id: "${data.government.reconsiderations[0]!._id}") { id caseNumber respondent { name } act { number } }`],
      ['adminCase', `adminCase(id: "${adminCaseId}") { id caseNumber defendant { name } act { number } dispute { title } hearings { heldAt } performance { performed } supervisions { kind } }`],
      ['enforcementCase', `enforcementCase(id: "${enforcementCaseId}") { id caseNumber agency { name } adminCase { caseNumber } dispute { title } }`],
      ['judicialSuggestion', `judicialSuggestion(id: "${suggestion._id}") { id number toAgency { name } adminCase { caseNumber } reply { adopted } }`],
      ['supervisionCase', `supervisionCase(id: "${supervisionCaseId}") { id caseNumber agency { name } adminCase { caseNumber } dispute { title } }`],
      ['procuratorialSuggestion', `procuratorialSuggestion(id: "${data.procuratorate.procuratorialSuggestions[0]!._id}") { id number toAgency { name } supervisionCase { caseNumber } reply { adopted } }`],
    ];
    for (const [name, selection] of lookups) await run(name, LINKAGE, `query IndexCoverage { ${selection} }`);
    await run('the dispute timeline', LINKAGE, TIMELINE, { id: disputeId });
    await run('the bulletin (README example 2)', { org: 'partner', roles: ['viewer'], purpose: 'STATISTICS' }, BULLETIN);

    // The auditors' API: an entry with each owner's side, a record's history (with a cursor and a
    // time range), the activity chart and the overview, quick and full.
    const log = await run('accessLog(first: 1)', AUDITOR, 'query IndexCoverage { accessLog(first: 1) { edges { node { requestId } } } }');
    const requestId = log.accessLog.edges[0].node.requestId;
    await run(
      'accessLogEntry',
      AUDITOR,
      `query IndexCoverage($id: ID!) { accessLogEntry(requestId: $id) { requestId outcome integrity { ok } courtDisclosures { recordType } governmentDisclosures { recordType } procuratorateDisclosures { recordType } } }`,
      { id: requestId },
    );
    const history = `query IndexCoverage($after: String, $from: DateTime) { recordAccessHistory(recordType: "Dispute", recordId: "${disputeId}") {
      government(first: 1, after: $after, from: $from) { totalCount edges { cursor node { requestId request { operationName } } } }
      court(first: 1, after: $after, from: $from) { totalCount edges { cursor } }
      procuratorate(first: 1, after: $after, from: $from) { totalCount edges { cursor } }
    } }`;
    const seenBy = await run('recordAccessHistory', AUDITOR, history);
    await run('recordAccessHistory after a cursor, from a time', AUDITOR, history, {
      after: seenBy.recordAccessHistory.government.edges[0].cursor,
      from: '2020-01-01T00:00:00Z',
    });
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await run('accessActivity', AUDITOR, `query IndexCoverage { accessActivity(from: "${today}", to: "${tomorrow}") { day org requests denials } }`);
    const overview = (full: boolean) =>
      `query IndexCoverage { auditOverview { gatewayChains(full: ${full}) { ok } governmentChains(full: ${full}) { ok } courtChains(full: ${full}) { ok } procuratorateChains(full: ${full}) { ok } gatewayWitnesses { seq } } }`;
    await run('auditOverview', AUDITOR, overview(false));
    await run('auditOverview (full)', AUDITOR, overview(true));
    capturing = false;

    const { shapes, indexes, unservedShapes, unserved } = await checkShapes(seen);
    // An entry no unserved shape needs any more is stale: it would let a new scan of that shape pass unseen.
    const stale = DELIBERATE_SCANS.filter((scan) => !scan.flows && !unservedShapes.some(({ shape }) => deliberate(shape).includes(scan))).map((scan) => scan.why);
    expect(stale).toEqual([]);
    console.info(`index coverage: ${seen.length} commands, ${shapes.size} distinct shapes over ${indexes.size} collections: ${[...indexes.keys()].sort().join(' ')}`);
    expect(unserved).toEqual([]);
    // The check saw what it is about: lists, entity joins, statistics and the logs, in each store.
    expect(shapes.size).toBeGreaterThan(60);
  }, 120_000);
});

describe("every query the workflows' writes and the inbox send is served by a declared index", () => {
  // Writes change records: a stack on databases of its own, at a fixed clock.
  let stack: TestStack;
  let cause = 'before the operations';
  let capturing = false;
  const seen: { client: MongoClient; event: CommandStartedEvent; cause: string }[] = [];
  let keys = 0;

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true, ownDatabases: 'index_writes', clock: () => new Date('2026-03-02T02:00:00.000Z') });
    for (const client of [...Object.values(stack.subgraphs).map((s) => s.database.client), stack.gateway!.database.client]) {
      client.on('commandStarted', (event: CommandStartedEvent) => {
        if (capturing) seen.push({ client, event, cause });
      });
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Runs one operation as `who`, charging its commands to `name`; it must answer without errors. */
  async function run(name: string, who: Principal, purpose: Purpose, query: string, variables: Record<string, unknown> = {}): Promise<any> {
    cause = name;
    const key = query.includes('$key') ? { key: `index-coverage-${++keys}` } : {};
    const { status, body } = await postGraphQL(stack.gateway!.url, query, { ...key, ...variables }, await callerHeaders(who, purpose));
    expect({ name, status, errors: body.errors }).toEqual({ name, status: 200, errors: undefined });
    return Object.values(body.data as object)[0];
  }

  it('finds every shape of every flow served by an index of its collection', async () => {
    const data = demoData();
    const agency = data.court.adminCases[0]!.defendantId;
    const adminCase = data.court.adminCases[0]!;
    const judge = principal('court', ['judge']);
    const prosecutor = principal('procuratorate', ['prosecutor']);
    const officer = principal('government', ['agency_officer'], agency);
    const office = principal('government', ['linkage_officer']);
    const inspector = principal('government', ['inspector']);
    const enforcer = principal('court', ['enforcement_officer']);
    const pending = data.court.enforcementCases.find((e) => e.status === 'PENDING')!;
    const supervision = data.procuratorate.supervisionCases.find((v) => v.agencyId === agency)!;
    const INBOX = `query($after: String) { inbox { items(first: 2, after: $after) { totalCount pageInfo { endCursor } edges { node { kind dueAt judicialSuggestion { id reply { adopted } } dispute { id title } supervisionItem { id title } } } } } }`;
    capturing = true;

    // Suggestions: issued, replied to, followed up, closed; the issuers' figures.
    const js = await run('issueJudicialSuggestion', judge, 'CASE_HANDLING', `mutation($key: String!) { issueJudicialSuggestion(idempotencyKey: $key, input: { toAgencyId: "${agency}", adminCaseId: "${adminCase._id}", content: "建议规范程序，完善告知与复核环节。" }) { id } }`);
    await run('issueProcuratorialSuggestion', prosecutor, 'SUPERVISION', `mutation($key: String!) { issueProcuratorialSuggestion(idempotencyKey: $key, input: { toAgencyId: "${agency}", supervisionCaseId: "${supervision._id}", content: "建议依法履行职责，纠正程序问题。" }) { id } }`);
    const page = await run('the officer’s inbox', officer, 'CASE_HANDLING', INBOX);
    await run('the officer’s inbox after a cursor', officer, 'CASE_HANDLING', INBOX, { after: page.items.pageInfo.endCursor });
    const reply = `mutation($key: String!, $version: Int) { replyToJudicialSuggestion(idempotencyKey: $key, suggestionId: "${js.id}", expectedVersion: $version, input: { adopted: true, content: "已采纳，已整改完毕并报送。" }) { id replyVersion overdue } }`;
    await run('replyToJudicialSuggestion', officer, 'CASE_HANDLING', reply);
    await run('the judge’s inbox', judge, 'CASE_HANDLING', INBOX);
    await run('requestJudicialSuggestionSupplement', judge, 'CASE_HANDLING', `mutation($key: String!) { requestJudicialSuggestionSupplement(idempotencyKey: $key, id: "${js.id}", expectedVersion: 1, reason: "请补充整改时间表。") { id } }`);
    await run('a supplementary reply', officer, 'CASE_HANDLING', reply, { version: 1 });
    await run('closeJudicialSuggestion', judge, 'CASE_HANDLING', `mutation($key: String!) { closeJudicialSuggestion(idempotencyKey: $key, id: "${js.id}", expectedVersion: 2) { id } }`);
    await run('the suggestions’ figures', principal('partner', ['viewer']), 'STATISTICS', `query { bulletin(period: { from: "2026-01-01", to: "2027-01-01" }) { district { judicialSuggestionStats(period: { from: "2026-01-01", to: "2027-01-01" }) { replyRate } procuratorialSuggestionStats(period: { from: "2026-01-01", to: "2027-01-01" }) { replyRate } } agencies { judicialSuggestionStats(period: { from: "2026-01-01", to: "2027-01-01" }) { replyRate } } } }`);

    // Disputes: registered, consulted, closed; proposed and decided.
    const dispute = await run('registerDispute', office, 'DISPUTE_RESOLUTION', `mutation($key: String!) { registerDispute(idempotencyKey: $key, input: { title: "补偿争议", category: OTHER, agencyId: "${agency}", linkedAdminCaseId: "${adminCase._id}" }) { id } }`);
    await run('conveneConsultation', office, 'DISPUTE_RESOLUTION', `mutation($key: String!) { conveneConsultation(idempotencyKey: $key, id: "${dispute.id}", expectedVersion: 1, input: { heldAt: "2026-03-05", topic: "补偿标准", invitees: [{ sub: "${judge.sub}", name: "法官", org: "court" }] }) { id } }`);
    await run('the invited judge’s inbox', judge, 'DISPUTE_RESOLUTION', INBOX);
    await run('recordConsultationOpinion', judge, 'DISPUTE_RESOLUTION', `mutation($key: String!) { recordConsultationOpinion(idempotencyKey: $key, id: "${dispute.id}", consultationId: "${dispute.id}-C1", opinion: "建议协调。") { id } }`);
    await run('closeDispute', office, 'DISPUTE_RESOLUTION', `mutation($key: String!) { closeDispute(idempotencyKey: $key, id: "${dispute.id}", expectedVersion: 3, input: { outcome: "协调后当事人撤回异议。", substantivelyResolved: true }) { id } }`);
    const proposed = await run('proposeDispute', judge, 'DISPUTE_RESOLUTION', `mutation($key: String!) { proposeDispute(idempotencyKey: $key, input: { title: "工伤争议", category: OTHER, agencyId: "${agency}", reason: "审理中发现可协调化解。", adminCaseId: "${adminCase._id}" }) { id } }`);
    await run('the office’s inbox', office, 'DISPUTE_RESOLUTION', INBOX);
    await run('decideDisputeProposal', office, 'DISPUTE_RESOLUTION', `mutation($key: String!) { decideDisputeProposal(idempotencyKey: $key, id: "${proposed.id}", expectedVersion: 1, accept: true) { id } }`);
    await run('assignDispute', office, 'DISPUTE_RESOLUTION', `mutation($key: String!) { assignDispute(idempotencyKey: $key, id: "${proposed.id}", expectedVersion: 2, agencyId: "${agency}") { id } }`);

    // Settlement, supervision items, a joint meeting.
    await run('recordSettlementAttempt', enforcer, 'CASE_HANDLING', `mutation($key: String!) { recordSettlementAttempt(idempotencyKey: $key, id: "${pending._id}", expectedVersion: 1, input: { result: NOT_SETTLED, note: "再约。" }) { id } }`);
    const item = await run('openSupervisionItem', inspector, 'SUPERVISION', `mutation($key: String!) { openSupervisionItem(idempotencyKey: $key, input: { title: "督办", responsibleAgencyId: "${agency}", deadline: "2026-06-30", requiredResult: "完成整改并书面报告。", disputeId: "${dispute.id}", judicialSuggestionId: "${js.id}" }) { id } }`);
    await run('the officer’s inbox with an item', officer, 'SUPERVISION', INBOX);
    await run('reportSupervisionProgress', officer, 'SUPERVISION', `mutation($key: String!) { reportSupervisionProgress(idempotencyKey: $key, id: "${item.id}", report: "已完成自查整改。") { id } }`);
    await run('the inspector’s inbox', inspector, 'SUPERVISION', INBOX);
    await run('closeSupervisionItem', inspector, 'SUPERVISION', `mutation($key: String!) { closeSupervisionItem(idempotencyKey: $key, id: "${item.id}", expectedVersion: 2, closing: RESOLVED, note: "整改已完成并核实。") { id } }`);
    const proposedItem = await run('proposeSupervisionItem', prosecutor, 'SUPERVISION', `mutation($key: String!) { proposeSupervisionItem(idempotencyKey: $key, input: { title: "督办建议", responsibleAgencyId: "${agency}", deadline: "2026-06-30", requiredResult: "依法履行并书面报告。" }, reason: "检察建议落实不到位。") { id } }`);
    await run('decideSupervisionProposal', inspector, 'SUPERVISION', `mutation($key: String!) { decideSupervisionProposal(idempotencyKey: $key, id: "${proposedItem.id}", expectedVersion: 1, accept: false, reason: "已另案督办。") { id } }`);
    await run('recordJointMeeting', inspector, 'SUPERVISION', `mutation($key: String!) { recordJointMeeting(idempotencyKey: $key, input: { quarter: "2026-Q1", heldAt: "2026-03-01", issues: ["答复不及时"], decisions: [{ title: "答复督办", responsibleAgencyId: "${agency}", deadline: "2026-05-31", requiredResult: "全部答复完毕并报告。" }] }) { id decisions { id meeting { id } } } }`);
    // Sharing on application: applied for, decided, used, listed, traced.
    const steward = principal('government', ['data_steward']);
    const app = await run('applyForSharing', prosecutor, 'SUPERVISION', `mutation($key: String!) { applyForSharing(idempotencyKey: $key, input: { type: "AdministrativeAct", fields: ["summary"], scope: { agencyId: "${agency}" }, from: "2026-03-02", until: "2026-04-01", legalBasis: "办理行政诉讼监督案件需调阅。" }) { id } }`);
    await run('decideSharingApplication', steward, 'SUPERVISION', `mutation($key: String!) { decideSharingApplication(idempotencyKey: $key, id: "${app.id}", expectedVersion: 1, approve: true) { id } }`);
    await run('act summaries under the grant', prosecutor, 'SUPERVISION', `query { acts(filter: { agencyId: "${agency}" }, first: 3) { edges { node { summary } } } }`);
    const apps = `query($after: String) { sharingApplications(first: 1, after: $after, filter: FILTER) { pageInfo { endCursor } edges { node { id history { action } } } } }`;
    for (const filter of ['{}', '{ state: APPROVED }']) {
      const first = await run(`sharingApplications(${filter})`, steward, 'SUPERVISION', apps.replace('FILTER', filter));
      await run(`sharingApplications(${filter}) after a cursor`, steward, 'SUPERVISION', apps.replace('FILTER', filter), { after: first.pageInfo.endCursor });
    }
    await run('grantDisclosures', principal('audit', ['auditor']), 'AUDIT', `query { grantDisclosures(grantId: "${app.id}") { government(first: 2) { totalCount edges { node { recordId granted { grant } } } } } }`);
    await run('applicableFields', steward, 'SUPERVISION', `query { applicableFields { field grantsInForce } }`);
    const list = `query($after: String) { supervisionItems(first: 1, after: $after, filter: FILTER) { totalCount pageInfo { endCursor } edges { node { id meeting { quarter } } } } }`;
    for (const filter of ['{}', `{ responsibleAgencyId: "${agency}" }`, '{ state: OPEN }']) {
      const first = await run(`supervisionItems(${filter})`, inspector, 'SUPERVISION', list.replace('FILTER', filter));
      await run(`supervisionItems(${filter}) after a cursor`, inspector, 'SUPERVISION', list.replace('FILTER', filter), { after: first.pageInfo.endCursor });
    }
    capturing = false;

    const { shapes, unservedShapes, unserved } = await checkShapes(seen);
    const stale = DELIBERATE_SCANS.filter((scan) => scan.flows && !unservedShapes.some(({ shape }) => deliberate(shape).includes(scan))).map((scan) => scan.why);
    expect(stale).toEqual([]);
    expect(unserved).toEqual([]);
    expect(shapes.size).toBeGreaterThan(40);
  }, 120_000);
});
