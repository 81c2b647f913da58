// The partner developers' kit, without a running graph: the client schema (schema/api.graphql) is
// the composition's API schema, current, with nothing of federation's or the policy's machinery and
// every field's sharing class in its description; the example operations (examples/operations/)
// validate against the supergraph; and codegen (codegen.ts) types them.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { ApolloGateway } from '@apollo/gateway';
import { buildSchema, isInputObjectType, isInterfaceType, isObjectType, lexicographicSortSchema, parse, print, printSchema, specifiedDirectives, validate, visit, type GraphQLInputObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, loadConfig } from '../config/index.js';
import { composeSupergraph } from '../schema/index.js';
import { CLIENT_SCHEMA_PATH, readSubgraphPolicies, renderClientSchema } from '../subgraphs/index.js';

const EXAMPLES_DIR = path.join(PROJECT_ROOT, 'examples/operations');
const exampleFiles = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.graphql')).sort();
const catalogue = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'docs/sharing-catalogue.json'), 'utf8')) as { fields: { type: string; field: string; class: string }[] };

/** The API schema an ApolloGateway serves from the committed supergraph (as gateway/index.ts builds it). */
async function servedSchema(): Promise<GraphQLSchema> {
  // As in gateway/index.ts: a gateway would otherwise report usage to Apollo's collector.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(loadConfig({}).supergraphPath, 'utf8') });
  try {
    return (await gateway.load()).schema;
  } finally {
    await gateway.stop();
  }
}

/** A schema's SDL with every description left out, its types and fields in alphabetical order (the gateway sorts them). */
function withoutDescriptions(schema: GraphQLSchema): string {
  return print(visit(parse(printSchema(lexicographicSortSchema(schema))), { enter: (node) => ('description' in node && node.description ? { ...node, description: undefined } : undefined) }));
}

describe('the client schema, schema/api.graphql', () => {
  const composition = composeSupergraph();
  const committed = readFileSync(CLIENT_SCHEMA_PATH, 'utf8');
  const client = buildSchema(committed);

  it('equals one written afresh from the subgraph schemas and their policies (run `npm run compose` when this fails)', () => {
    expect(committed).toBe(renderClientSchema(composition.apiSchema, readSubgraphPolicies()));
  });

  it('is the schema the gateway serves from the committed supergraph, descriptions aside', async () => {
    expect(withoutDescriptions(client)).toBe(withoutDescriptions(await servedSchema()));
  });

  it('holds nothing of federation or the sharing policy: no join__/link__ types, no policy directives, no _entities or _service', () => {
    expect(client.getDirectives().map((d) => d.name)).toEqual(specifiedDirectives.map((d) => d.name));
    expect(Object.keys(client.getTypeMap()).filter((name) => /^(join__|link__|_Service$|_Entity$|_Any$)/.test(name))).toEqual([]);
    expect(Object.keys(client.getQueryType()!.getFields()).filter((name) => name.startsWith('_'))).toEqual([]);
    expect(committed).not.toMatch(/@(sharing|grant|applicable|references|join__|link|composeDirective|key|external|requires|provides|shareable|inaccessible)\b/);
  });

  it('gives every field the sharing class its owner declared, in the catalogue', () => {
    const classes = new Map<string, Set<string>>();
    for (const entry of catalogue.fields) classes.set(`${entry.type}.${entry.field}`, (classes.get(`${entry.type}.${entry.field}`) ?? new Set()).add(entry.class));
    const wrong: string[] = [];
    for (const type of Object.values(client.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const stated = [...(field.description ?? '').matchAll(/共享类别 Sharing: (OPEN|CONDITIONAL|OWNER) /g)].map((m) => m[1]);
        const expected = [...(classes.get(`${type.name}.${field.name}`) ?? [])];
        if (!stated.length || JSON.stringify(stated.sort()) !== JSON.stringify(expected.sort())) wrong.push(`${type.name}.${field.name}: ${stated.join('/') || 'none'} (catalogue: ${expected.join('/') || 'none'})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('states who may see a field and how it is masked, after the field’s own description', () => {
    const description = (coordinate: string) => {
      const [type, field] = coordinate.split('.') as [string, string];
      return (client.getType(type) as { getFields(): Record<string, { description?: string | null }> }).getFields()[field]!.description ?? '';
    };
    // The sharing class comes after whatever the SDL says of the field (other work may add to that).
    const sharing = (coordinate: string) => description(coordinate).slice(description(coordinate).indexOf('共享类别 Sharing:'));
    expect(Object.fromEntries(['AdminCase.judge', 'AdminCase.deliberationNotes', 'Agency.name', 'Party.idNumber'].map((c) => [c, sharing(c)]))).toEqual({
      'AdminCase.judge': [
        '共享类别 Sharing: CONDITIONAL 有条件共享 (court)',
        '- court (judge, clerk, enforcement_officer) — any purpose',
        '- government (reviewer, linkage_officer) — CASE_HANDLING',
        '- government (agency_officer) — CASE_HANDLING — own agency’s records only',
        '- procuratorate (prosecutor) — SUPERVISION',
      ].join('\n'),
      'AdminCase.deliberationNotes': '共享类别 Sharing: OWNER 不予共享 (court): court only (judge)',
      'Agency.name': '共享类别 Sharing: OPEN 无条件共享 · PUBLIC (government): everyone signed in, partners and auditors included',
      'Party.idNumber': [
        '共享类别 Sharing: CONDITIONAL 有条件共享 (government)',
        '- government (reviewer, linkage_officer) — any purpose',
        '- court (judge, clerk, enforcement_officer) — CASE_HANDLING',
        '- procuratorate (prosecutor) — SUPERVISION',
        '',
        'Masked outside the owner: `320102********1234`',
      ].join('\n'),
    });
    // A field the SDL describes keeps its description, then a blank line, then its class.
    const agencyLost = description('AdminCase.agencyLost');
    expect(agencyLost.slice(agencyLost.indexOf('\n\n共享类别'))).toBe('\n\n共享类别 Sharing: OPEN 无条件共享 (court): government, court, procuratorate (case roles; not analysts)');
    expect(agencyLost.indexOf('\n\n共享类别')).toBeGreaterThan(0);
  });

  it('names every type and every field first in Chinese, then in English (schema/labels.ts)', () => {
    const unnamed: string[] = [];
    const named = (coordinate: string, description: string | null | undefined) => {
      const first = (description ?? '').split('\n')[0]!;
      if (!/^\p{Script=Han}[^·]* · [A-Za-z][^·]*$/u.test(first)) unnamed.push(`${coordinate}: ${JSON.stringify(first)}`);
    };
    for (const type of Object.values(client.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      named(type.name, type.description);
      if (isObjectType(type) || isInputObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) named(`${type.name}.${field.name}`, field.description);
      }
    }
    expect(unnamed).toEqual([]);
    // A record's field is named with its record, as the auditors' workbench names it.
    const party = client.getType('Party') as GraphQLObjectType;
    expect([party.description?.split('\n')[0], party.getFields().idNumber!.description?.split('\n')[0]]).toEqual(['当事人 · Party', '当事人身份证号 · Party ID number']);
    expect((client.getType('AdminCaseFilter') as GraphQLInputObjectType).getFields().caseNumber!.description?.split('\n')[0]).toBe('案号 · case number');
  });
});

describe('the example operations, examples/operations/', () => {
  it('are the ones the README and the IDE name', () => {
    expect(exampleFiles).toEqual([
      'dispute-through-institutions.graphql',
      'inbox.graphql',
      'information-bulletin.graphql',
      'issue-judicial-suggestion.graphql',
      'partner-agency-statistics.graphql',
      'reply-to-judicial-suggestion.graphql',
    ]);
  });

  let served: GraphQLSchema;
  const client = buildSchema(readFileSync(CLIENT_SCHEMA_PATH, 'utf8'));
  beforeAll(async () => {
    served = await servedSchema();
  });

  it.each(exampleFiles)('%s validates against the supergraph and names its caller, purpose and variables', (file) => {
    const text = readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
    const document = parse(text);
    // Against what the gateway serves from the supergraph, and against the client schema alike.
    expect(validate(served, document).map((e) => e.message)).toEqual([]);
    expect(validate(client, document).map((e) => e.message)).toEqual([]);
    expect({
      caller: /^# Caller: --org \w+ --roles \w+/m.test(text),
      purpose: /^# Purpose: (CASE_HANDLING|DISPUTE_RESOLUTION|SUPERVISION|STATISTICS|AUDIT)$/m.test(text),
      variables: typeof JSON.parse(/^# Variables: (.*)$/m.exec(text)?.[1] ?? 'null'),
      operations: document.definitions.filter((d) => d.kind === 'OperationDefinition').length,
    }).toEqual({ caller: true, purpose: true, variables: 'object', operations: 1 });
  });
});

describe('codegen (npm run codegen)', () => {
  it('types every example operation from the client schema, in TypeScript that compiles', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: path.join(PROJECT_ROOT, 'codegen.ts') });
    // From the client schema, not the supergraph: the types' comments carry the sharing classes.
    expect({ schema: config.schema, documents: config.documents }).toEqual({ schema: 'schema/api.graphql', documents: 'examples/operations/*.graphql' });
    const outputs = (await generate({ ...config, cwd: PROJECT_ROOT, silent: true }, false)) as { filename: string; content: string }[];
    expect(outputs.map((o) => o.filename)).toEqual(['examples/operations/generated/operations.ts']);
    const content = outputs[0]!.content;
    const exported = [...content.matchAll(/^export type (\w+(?:Query|Mutation)(?:Variables)?) =/gm)].map((m) => m[1]).sort();
    const operations = ['DisputeThroughInstitutionsQuery', 'InformationBulletinQuery', 'IssueJudicialSuggestionMutation', 'MyInboxQuery', 'PartnerAgencyStatisticsQuery', 'ReplyToJudicialSuggestionMutation'];
    expect(exported).toEqual(operations.flatMap((name) => [name, `${name}Variables`]).sort());
    // Compiled alone, strictly: the generated types stand on their own.
    const file = 'operations.ts';
    const host = ts.createCompilerHost({});
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => (name === file ? content : readFile(name));
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version) => (name === file ? ts.createSourceFile(name, content, version) : getSourceFile(name, version));
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, types: [] }, host);
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  });

});
