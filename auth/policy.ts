// The sharing policy of one subgraph, read from its SDL (`@sharing`, `@grant`) and checked
// against its executable schema at start-up: every field has exactly one class, every name in a
// rule exists, a field that may be denied to anyone is nullable (so a denial nulls that field,
// never its parent), and a type with restricted fields has no OPEN default. Any problem stops the
// subgraph with the full list.
import {
  Kind,
  isNonNullType,
  isObjectType,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { ALL_ROLES, ORGS, PARTICIPANT_ORGS, PURPOSES, ROLES_BY_ORG, type Org, type Purpose } from './principal.js';

export const SHARING_CLASSES = ['OPEN', 'CONDITIONAL', 'OWNER'] as const;
export type SharingClass = (typeof SHARING_CLASSES)[number];
export const AUDIENCES = ['PUBLIC', 'PARTICIPANTS'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const MASKS = ['PERSON_NAME', 'ID_NUMBER', 'PHONE'] as const;
export type Mask = (typeof MASKS)[number];
/**
 * Row conditions: OWN_UNIT, the record's agency is the caller's `unit`; ISSUER, the caller is the
 * principal who made the record (its `createdBy.sub`: a workflow record's, subgraphs/shared/workflow.ts);
 * INVITED, the caller is among the record's `invitees` (a consultation's).
 */
export const ROW_CONDITIONS = ['OWN_UNIT', 'ISSUER', 'INVITED'] as const;
export type RowCondition = (typeof ROW_CONDITIONS)[number];

export interface Grant {
  orgs: Org[];
  /** Null: any role of those orgs. */
  roles: string[] | null;
  /** Null: any purpose. */
  purposes: Purpose[] | null;
  row: RowCondition | null;
}

/**
 * A CONDITIONAL field others may apply for (共享申请): which orgs, for which purposes, for at most how
 * many days a grant may run. The owner's data steward decides each application (auth/applications.ts).
 */
export interface Applicable {
  orgs: Org[];
  purposes: Purpose[];
  maxDays: number;
}

export interface FieldPolicy {
  type: string;
  field: string;
  sharing: SharingClass;
  /** Null: no application may be made for it. */
  applicable: Applicable | null;
  /** For OPEN fields: PARTICIPANTS (default) or PUBLIC. */
  audience: Audience | null;
  grants: Grant[];
  /** For OWNER fields: the owning institution's roles that may see it (null: all of them). */
  ownerRoles: string[] | null;
  mask: Mask | null;
}

/** Reads the agency a record belongs to, for OWN_UNIT row conditions (per subgraph, per type). */
export type AgencyOf = Record<string, (record: Record<string, unknown>) => string | null | undefined>;

export interface SubgraphPolicy {
  /** The institution that owns this subgraph's fields. */
  owner: Org;
  fields: Map<string, FieldPolicy>;
}

/** Federation's own fields; allowed explicitly by the rules (see auth/rules.ts). */
export const FEDERATION_FIELDS = new Set(['Query._service', 'Query._entities', '_Service.sdl']);

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`sharing policy refused:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

type DirectiveArgs = Record<string, ConstValueNode>;

/** How open a class is, from everyone signed in down to the owner alone. */
const OPENNESS = { PUBLIC: 3, OPEN: 2, CONDITIONAL: 1, OWNER: 0 } as const;
function opennessOf(directive: { sharing: string | null; audience: string | null }): number {
  if (directive.sharing === 'OPEN') return directive.audience === 'PUBLIC' ? OPENNESS.PUBLIC : OPENNESS.OPEN;
  return directive.sharing === 'CONDITIONAL' ? OPENNESS.CONDITIONAL : OPENNESS.OWNER;
}
const describeClass = (directive: { sharing: string | null; audience: string | null }) =>
  directive.sharing === 'OPEN' && directive.audience === 'PUBLIC' ? 'OPEN, PUBLIC' : String(directive.sharing);

function directiveArgs(node: ConstDirectiveNode): DirectiveArgs {
  return Object.fromEntries((node.arguments ?? []).map((a) => [a.name.value, a.value]));
}

function stringArg(args: DirectiveArgs, name: string): string | null {
  const value = args[name];
  return value && value.kind === Kind.STRING ? value.value : null;
}

function listArg(args: DirectiveArgs, name: string): string[] | null {
  const value = args[name];
  if (!value || value.kind === Kind.NULL) return null;
  if (value.kind === Kind.LIST) return value.values.map((v) => (v.kind === Kind.STRING ? v.value : '?'));
  return value.kind === Kind.STRING ? [value.value] : ['?'];
}

function checkList<T extends string>(problems: string[], where: string, what: string, values: string[] | null, allowed: readonly T[]): T[] | null {
  if (values === null) return null;
  for (const value of values) if (!allowed.includes(value as T)) problems.push(`${where}: unknown ${what} "${value}"`);
  if (values.length === 0) problems.push(`${where}: empty ${what} list`);
  return values as T[];
}

interface SharingDirective {
  sharing: string | null;
  audience: string | null;
  ownerRoles: string[] | null;
  mask: string | null;
}

function readSharing(node: ConstDirectiveNode): SharingDirective {
  const args = directiveArgs(node);
  return {
    sharing: stringArg(args, 'class'),
    audience: stringArg(args, 'audience'),
    ownerRoles: listArg(args, 'ownerRoles'),
    mask: stringArg(args, 'mask'),
  };
}

/** The purposes a write may be made for (domain.md): a workflow's, never statistics or audit. */
export const WRITE_PURPOSES = ['CASE_HANDLING', 'DISPUTE_RESOLUTION', 'SUPERVISION'] as const satisfies readonly Purpose[];

/**
 * Writes are declared one by one: no default on the Mutation type (a mutation added without its
 * own rule refuses to start), never OPEN, and every grant names its purposes among WRITE_PURPOSES.
 */
function writeProblems(fields: Map<string, FieldPolicy>, typeDefaults: Map<string, unknown>, typeGrants: Map<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeDefaults.has('Mutation') || typeGrants.has('Mutation')) problems.push('Mutation: a write takes its own @sharing and @grant, never a type default');
  for (const policy of fields.values()) {
    if (policy.type !== 'Mutation') continue;
    const coordinate = `Mutation.${policy.field}`;
    if (policy.sharing !== 'CONDITIONAL') {
      problems.push(`${coordinate}: a write is CONDITIONAL, with @grants naming who may make it (found ${policy.sharing})`);
      continue;
    }
    for (const grant of policy.grants) {
      if (!grant.purposes) problems.push(`${coordinate}: a write's @grant names its purposes (${WRITE_PURPOSES.join(', ')})`);
      else for (const purpose of grant.purposes) if (!(WRITE_PURPOSES as readonly string[]).includes(purpose)) problems.push(`${coordinate}: no write is made for ${purpose}`);
    }
  }
  return problems;
}

/**
 * Reads and checks the policy of a subgraph. `typeDefs` is its SDL, `schema` the schema built
 * from it (with federation's additions), `agencyOf` how its types name their agency.
 */
export function readPolicy(owner: Org, typeDefs: DocumentNode, schema: GraphQLSchema, agencyOf: AgencyOf): SubgraphPolicy {
  const problems: string[] = [];
  const typeDefaults = new Map<string, SharingDirective>();
  const typeGrants = new Map<string, ConstDirectiveNode[]>();
  const fieldDirectives = new Map<string, { sharing?: SharingDirective; grants: ConstDirectiveNode[]; applicable?: ConstDirectiveNode }>();
  // Fields this subgraph declares @external: another subgraph owns and resolves them (this one only
  // receives them in a representation, for @requires), so their policy is the owner's, not read here.
  const external = new Set<string>();

  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) {
      // Interfaces included: the rules sit on object types' fields, so one keyed by an interface would never run.
      const named = 'name' in definition ? definition.name?.value : undefined;
      const directives = 'directives' in definition ? definition.directives ?? [] : [];
      const fieldsOf = 'fields' in definition ? ((definition.fields ?? []) as readonly { name: { value: string }; directives?: readonly ConstDirectiveNode[] }[]) : [];
      const marked = [...directives, ...fieldsOf.flatMap((f) => f.directives ?? [])].some((d) => ['sharing', 'grant'].includes(d.name.value));
      if (marked) problems.push(`${named}: @sharing and @grant are for object types and their fields only`);
      continue;
    }
    const type = definition.name.value;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value === 'grant') typeGrants.set(type, [...(typeGrants.get(type) ?? []), directive]);
      if (directive.name.value !== 'sharing') continue;
      if (typeDefaults.has(type)) problems.push(`${type}: more than one type-level @sharing`);
      typeDefaults.set(type, readSharing(directive));
    }
    for (const field of definition.fields ?? []) {
      const coordinate = `${type}.${field.name.value}`;
      if (field.directives?.some((directive) => directive.name.value === 'external')) external.add(coordinate);
      const entry = { grants: [] as ConstDirectiveNode[] } as { sharing?: SharingDirective; grants: ConstDirectiveNode[]; applicable?: ConstDirectiveNode };
      for (const directive of field.directives ?? []) {
        if (directive.name.value === 'sharing') {
          if (entry.sharing) problems.push(`${coordinate}: more than one @sharing`);
          entry.sharing = readSharing(directive);
        } else if (directive.name.value === 'grant') {
          entry.grants.push(directive);
        } else if (directive.name.value === 'applicable') {
          if (entry.applicable) problems.push(`${coordinate}: more than one @applicable`);
          entry.applicable = directive;
        }
      }
      fieldDirectives.set(coordinate, entry);
    }
  }

  const fields = new Map<string, FieldPolicy>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (FEDERATION_FIELDS.has(coordinate) || external.has(coordinate)) continue;
      const declared = fieldDirectives.get(coordinate);
      const sharingDirective = declared?.sharing ?? typeDefaults.get(type.name);
      if (!sharingDirective) {
        problems.push(`${coordinate}: no sharing class (add @sharing to the field or its type)`);
        continue;
      }
      const sharing = sharingDirective.sharing;
      if (!sharing || !(SHARING_CLASSES as readonly string[]).includes(sharing)) {
        problems.push(`${coordinate}: unknown sharing class "${sharing}"`);
        continue;
      }
      const audience = sharingDirective.audience;
      if (audience !== null && (sharing !== 'OPEN' || !(AUDIENCES as readonly string[]).includes(audience))) {
        problems.push(`${coordinate}: audience "${audience}" (only OPEN fields take PUBLIC or PARTICIPANTS)`);
      }
      const mask = sharingDirective.mask;
      if (mask !== null && !(MASKS as readonly string[]).includes(mask)) problems.push(`${coordinate}: unknown mask "${mask}"`);
      const ownerRoles = checkList(problems, coordinate, 'owner role', sharingDirective.ownerRoles, ROLES_BY_ORG[owner]);
      if (ownerRoles && sharing !== 'OWNER') problems.push(`${coordinate}: ownerRoles apply to OWNER fields only`);

      // A field's own @sharing takes its own grants; a field under its type's default, the type's.
      const grants: Grant[] = [];
      for (const node of declared?.sharing ? declared.grants : (typeGrants.get(type.name) ?? [])) {
        const args = directiveArgs(node);
        const orgs = checkList(problems, coordinate, 'org', listArg(args, 'orgs'), ORGS) ?? [];
        const roles = checkList(problems, coordinate, 'role', listArg(args, 'roles'), ALL_ROLES);
        for (const role of roles ?? []) {
          if (!orgs.some((org) => (ROLES_BY_ORG[org] as readonly string[] | undefined)?.includes(role))) {
            problems.push(`${coordinate}: role "${role}" belongs to none of ${orgs.join(', ')}`);
          }
        }
        const purposes = checkList(problems, coordinate, 'purpose', listArg(args, 'purposes'), PURPOSES);
        const row = stringArg(args, 'row');
        if (row !== null && !(ROW_CONDITIONS as readonly string[]).includes(row)) problems.push(`${coordinate}: unknown row condition "${row}"`);
        // A write's row condition is decided on the record it writes, which its resolver names (auth/rules.ts).
        if (row === 'OWN_UNIT' && type.name !== 'Mutation' && !agencyOf[type.name]) problems.push(`${coordinate}: OWN_UNIT needs a way to read the agency of ${type.name}`);
        grants.push({ orgs, roles, purposes, row: row as RowCondition | null });
      }
      if (declared && !declared.sharing && declared.grants.length) problems.push(`${coordinate}: @grant without @sharing(class: "CONDITIONAL")`);
      if (grants.length && sharing !== 'CONDITIONAL') problems.push(`${coordinate}: @grant on a ${sharing} field`);
      if (sharing === 'CONDITIONAL' && grants.length === 0) problems.push(`${coordinate}: CONDITIONAL without any @grant`);

      let applicable: Applicable | null = null;
      if (declared?.applicable) {
        const args = directiveArgs(declared.applicable);
        const orgs = checkList(problems, coordinate, 'org', listArg(args, 'orgs'), PARTICIPANT_ORGS) ?? [];
        const applyPurposes = checkList(problems, coordinate, 'purpose', listArg(args, 'purposes'), PURPOSES) ?? [];
        const maxDays = args.maxDays?.kind === Kind.INT ? Number(args.maxDays.value) : NaN;
        if (!(maxDays >= 1 && maxDays <= 366)) problems.push(`${coordinate}: @applicable maxDays must be 1 to 366`);
        if (sharing !== 'CONDITIONAL') problems.push(`${coordinate}: @applicable on a ${sharing} field (only CONDITIONAL data is shared on application)`);
        if ((orgs as string[]).includes(owner)) problems.push(`${coordinate}: @applicable names the owner (${owner}), which needs no application`);
        applicable = { orgs, purposes: applyPurposes, maxDays };
      }

      const policy: FieldPolicy = {
        type: type.name,
        field: field.name,
        sharing: sharing as SharingClass,
        applicable,
        audience: sharing === 'OPEN' ? ((audience as Audience | null) ?? 'PARTICIPANTS') : null,
        grants,
        ownerRoles,
        mask: mask as Mask | null,
      };
      const deniable = !(policy.sharing === 'OPEN' && policy.audience === 'PUBLIC');
      if (deniable && isNonNullType(field.type)) {
        problems.push(`${coordinate}: may be withheld from some callers, so it must be nullable`);
      }
      fields.set(coordinate, policy);
    }
  }

  // Directives naming fields that the schema does not have (e.g. on an interface) are refused too.
  for (const coordinate of fieldDirectives.keys()) {
    const entry = fieldDirectives.get(coordinate)!;
    if ((entry.sharing || entry.grants.length) && !fields.has(coordinate) && !problems.some((p) => p.startsWith(coordinate))) {
      problems.push(`${coordinate}: policy for a field the schema does not have`);
    }
  }
  for (const type of [...typeDefaults.keys(), ...typeGrants.keys()]) {
    if (!isObjectType(schema.getType(type))) problems.push(`${type}: policy for a type that is not an object type`);
    if (typeGrants.has(type) && typeDefaults.get(type)?.sharing !== 'CONDITIONAL') problems.push(`${type}: type-level @grant without a type-level CONDITIONAL @sharing`);
  }
  for (const type of Object.keys(agencyOf)) {
    if (!isObjectType(schema.getType(type))) problems.push(`${type}: agency reader for a type that does not exist`);
  }
  // A type's default is what a field gets when its author forgot the directive. Forgetting must
  // fall to the restrictive side (a new field of a case is as likely to be a note as a date), so a
  // type's default may not be more open than any field it declares: a type with CONDITIONAL or
  // OWNER fields has no OPEN default, and one with fields for the participants only no PUBLIC one.
  for (const [type, typeDefault] of typeDefaults) {
    const openness = opennessOf(typeDefault);
    const stricter = [...fieldDirectives.entries()]
      .filter(([coordinate, entry]) => coordinate.startsWith(`${type}.`) && entry.sharing && opennessOf(entry.sharing) < openness)
      .map(([coordinate, entry]) => `${coordinate.slice(type.length + 1)} (${describeClass(entry.sharing!)})`);
    if (stricter.length && openness >= OPENNESS.OPEN) {
      problems.push(
        `${type}: the type's default (${describeClass(typeDefault)}) is more open than ${stricter.join(', ')}; ` +
          'a field added without @sharing would take it: give the type a default at least as strict (e.g. @sharing(class: "OWNER")) and mark its more open fields explicitly',
      );
    }
  }

  problems.push(...writeProblems(fields, typeDefaults, typeGrants));

  if (problems.length) throw new PolicyError(problems);
  return { owner, fields };
}
