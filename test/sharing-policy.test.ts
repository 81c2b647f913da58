// The sharing policy is checked at start-up: a rule that names a type or field the rules would never
// wrap is refused.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, buildSchema } from 'graphql';
import { describe, expect, inject, it } from 'vitest';
import { assertionVerifyingKey, createReplayGuard } from '../auth/index.js';
import { agencyOf as courtAgencyOf, courtSubgraph } from '../subgraphs/court/index.js';
import { agencyOf as governmentAgencyOf } from '../subgraphs/government/index.js';
import { agencyOf as procuratorateAgencyOf } from '../subgraphs/procuratorate/index.js';
import { connectDatabase } from '../platform/index.js';
import { serveSubgraph } from '../subgraphs/shared/index.js';
import { testConfig } from './support/stack.js';
import { PolicyError, applyMask, checkRuleTree, readPolicy, type AgencyOf } from '../auth/index.js';
import { subgraphSdl } from '../schema/index.js';
import { SUBGRAPH_NAMES } from '../config/index.js';

const COURT_AGENCY_OF: AgencyOf = { AdminCase: () => null, EnforcementCase: () => null, JudicialSuggestion: () => null };

/** Reads the court's policy from its SDL after `edit`, as the court subgraph does at start-up. */
function courtPolicy(edit: (sdl: string) => string, agencyOf: AgencyOf = COURT_AGENCY_OF) {
  const typeDefs = parse(edit(subgraphSdl('court')));
  return readPolicy('court', typeDefs, buildSubgraphSchema([{ typeDefs }]), agencyOf);
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

describe('the sharing policy at start-up', () => {
  it.each(SUBGRAPH_NAMES)('%s: every field of the committed schema has a class', (name) => {
    const typeDefs = parse(subgraphSdl(name));
    // How each institution's records name their agency, as it starts with them (a type with an
    // OWN_UNIT rule and no reader would be refused here).
    const agencyOf: AgencyOf = { government: governmentAgencyOf, court: courtAgencyOf, procuratorate: procuratorateAgencyOf }[name];
    const policy = readPolicy(name, typeDefs, buildSubgraphSchema([{ typeDefs }]), agencyOf);
    expect(policy.fields.size).toBeGreaterThan(30);
    expect(policy.fields.get('Query._entities')).toBeUndefined();
  });

  it('refuses a schema with an unclassified field', () => {
    const problems = problemsOf(() =>
      courtPolicy((sdl) => sdl.replace('type Query {', 'type Query {\n  secretDocket: [String]').replace('adminCase(id: ID!): AdminCase @sharing(class: "OPEN")', 'adminCase(id: ID!): AdminCase')),
    );
    expect(problems).toEqual([
      'Query.secretDocket: no sharing class (add @sharing to the field or its type)',
      'Query.adminCase: no sharing class (add @sharing to the field or its type)',
    ]);
  });

  it('stops the subgraph from starting on an unclassified field', async () => {
    const database = await connectDatabase(inject('mongoUri'), 'linkage_court', 'test-policy');
    try {
      const definition = await courtSubgraph(database.db);
      const typeDefs = parse(subgraphSdl('court').replace('type Hearing @sharing(class: "OPEN") {', 'type Hearing {'));
      const starting = serveSubgraph({ ...definition, typeDefs }, { listen: { host: '127.0.0.1', port: 0 }, verifyingKey: assertionVerifyingKey(testConfig().auth), replays: await createReplayGuard(database.db) });
      await expect(starting).rejects.toThrow(PolicyError);
      await expect(starting).rejects.toThrow('Hearing.heldAt: no sharing class (add @sharing to the field or its type)');
    } finally {
      await database.close();
    }
  });

  it('refuses a field that may be withheld but cannot be null', () => {
    const problems = problemsOf(() => courtPolicy((sdl) => sdl.replace('  judge: String\n', '  judge: String!\n')));
    expect(problems).toEqual(['AdminCase.judge: may be withheld from some callers, so it must be nullable']);
  });

  it('refuses unknown orgs, roles, purposes, classes and masks', () => {
    const problems = problemsOf(() =>
      courtPolicy((sdl) =>
        sdl
          .replace('@grant(orgs: ["court"], roles: ["judge", "clerk"])', '@grant(orgs: ["police"], roles: ["detective"], purposes: ["CURIOSITY"])')
          .replace('caseNumber: String @sharing(class: "OPEN")', 'caseNumber: String @sharing(class: "SECRET")')
          .replace('agencyLost: Boolean @sharing(class: "OPEN")', 'agencyLost: Boolean @sharing(class: "OPEN", mask: "BLUR")'),
      ),
    );
    expect(problems).toEqual([
      'AdminCase.caseNumber: unknown sharing class "SECRET"',
      'AdminCase.agencyLost: unknown mask "BLUR"',
      'JudicialSuggestion.content: unknown org "police"',
      'JudicialSuggestion.content: unknown role "detective"',
      'JudicialSuggestion.content: role "detective" belongs to none of police',
      'JudicialSuggestion.content: unknown purpose "CURIOSITY"',
    ]);
  });

  it('refuses a type default more open than a field it declares: a forgotten directive must not open a field', () => {
    const problems = problemsOf(() =>
      courtPolicy((sdl) =>
        sdl
          .replace('type AdminCase @key(fields: "id") @sharing(class: "OWNER") {', 'type AdminCase @key(fields: "id") @sharing(class: "OPEN") {')
          .replace('type JudicialSuggestion @key(fields: "id") @sharing(class: "OWNER") {', 'type JudicialSuggestion @key(fields: "id") @sharing(class: "OPEN") {')
          .replace('type Agency @key(fields: "id") @sharing(class: "OWNER") {', 'type Agency @key(fields: "id") @sharing(class: "OPEN", audience: "PUBLIC") {'),
      ),
    );
    const advice = 'a field added without @sharing would take it: give the type a default at least as strict (e.g. @sharing(class: "OWNER")) and mark its more open fields explicitly';
    expect(problems).toEqual([
      `Agency: the type's default (OPEN, PUBLIC) is more open than adminCases (OPEN); ${advice}`,
      `AdminCase: the type's default (OPEN) is more open than plaintiff (CONDITIONAL), judge (CONDITIONAL), deliberationNotes (OWNER); ${advice}`,
      `JudicialSuggestion: the type's default (OPEN) is more open than content (CONDITIONAL), supplementReason (CONDITIONAL); ${advice}`,
    ]);
    // An OPEN default stays allowed where no field is stricter (a hearing, a statistic).
    expect(() => courtPolicy((sdl) => sdl)).not.toThrow();
  });

  it('refuses a row condition on a type whose agency it cannot read', () => {
    const { AdminCase: _unused, ...withoutAdminCase } = COURT_AGENCY_OF;
    const problems = problemsOf(() => courtPolicy((sdl) => sdl, withoutAdminCase));
    expect(problems).toEqual([
      'AdminCase.plaintiff: OWN_UNIT needs a way to read the agency of AdminCase',
      'AdminCase.judge: OWN_UNIT needs a way to read the agency of AdminCase',
    ]);
  });

  it('refuses policy on an interface: rules sit on object types’ fields, so one keyed by it would never run', () => {
    const problems = problemsOf(() =>
      courtPolicy((sdl) => `${sdl}\ninterface Docketed { caseNumber: String @sharing(class: "OWNER") }\n`),
    );
    expect(problems).toEqual(['Docketed: @sharing and @grant are for object types and their fields only']);
    const schema = buildSchema('interface Node { id: ID } type Case implements Node { id: ID } type Query { node: Node }');
    expect(() => checkRuleTree(schema, { Node: { id: true } })).toThrow(
      'rule for "Node", which is not an object type of the schema (a rule there would never run)',
    );
    expect(() => checkRuleTree(schema, { Case: { secret: true } })).toThrow('rule for Case.secret, which does not exist');
    expect(() => checkRuleTree(schema, { Case: { id: true }, Query: { node: true } })).not.toThrow();
  });
});

describe('PII masks', () => {
  it('mask as domain.md shows, and leave organisations’ names alone', () => {
    expect(applyMask('ID_NUMBER', '320102199001011234', {})).toBe('320102********1234');
    expect(applyMask('PHONE', '13812345678', {})).toBe('138****5678');
    expect(applyMask('PERSON_NAME', '张三丰', { kind: 'PERSON' })).toBe('张**');
    expect(applyMask('PERSON_NAME', '示范区恒达置业有限公司', { kind: 'ORGANIZATION' })).toBe('示范区恒达置业有限公司');
    expect(applyMask('PHONE', null, {})).toBeNull();
  });
});
