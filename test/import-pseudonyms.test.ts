// The court's import stores a party's pseudonym, never the ID number, and obtains it from the
// government (Query.partyPseudonyms through the gateway, as the clerk running the import): the
// same pseudonym the government gives the party, refused to a role without the grant, logged by
// the government as a disclosure of that Party; and nothing the court holds — its database, its
// service's configuration — turns a pseudonym back into the number. Over a stack of this file's
// own databases.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { Db, Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueDevToken, readPseudonymKey, type Principal } from '../auth/index.js';
import { DATABASE_NAMES, PROJECT_ROOT, loadServiceConfig, type Config } from '../config/index.js';
import { connectDatabase, type Database } from '../platform/index.js';
import { importFile, institutionImports, localPseudonymizer, partyPseudonym, remotePseudonymizer, runImport } from '../subgraphs/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, startTestStack, testConfig, type TestStack } from './support/stack.js';

const TAG = 'import_pseudonyms';

/** A resident ID number with its GB 11643 check character (computed here, independently of the import's). */
function residentId(first17: string): string {
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * (2 ** (17 - i) % 11), 0);
  return first17 + '10X98765432'[sum % 11];
}
/** Whether an 18-character string is a resident ID number (its check character right). */
const isResidentId = (value: string) => /^\d{17}[\dX]$/.test(value.toUpperCase()) && residentId(value.slice(0, 17)) === value.toUpperCase();

/** A person the government registers as a party just before the court's case names them. */
const NEW_PERSON = residentId('32010619880808123');
/** An organisation (unified social credit code) the government has no party for. */
const ORGANISATION = '91320102MA1NPQ2345';

const clerk: Principal = { ...principal('court', ['clerk']), sub: 'clerk-zhou', name: '周书记员' };
const judge = principal('court', ['judge']);
const steward: Principal = { ...principal('government', ['data_steward']), sub: 'steward-he', name: '何数据管理员' };
const auditor = principal('audit', ['auditor']);

const HEADER = 'caseNumber,plaintiffIdNumber,defendantId,cause,filedAt,stage,status,judge';
const PSEUDONYMS = 'query($numbers: [String!]!) { partyPseudonyms(idNumbers: $numbers) { id } }';

/** Every string a value holds: strings, object keys, binary data (as UTF-8, hex and base64), ObjectIds. */
function stringsOf(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (value === null || typeof value !== 'object' || value instanceof Date) return into;
  else if (Buffer.isBuffer(value)) for (const encoding of ['utf8', 'hex', 'base64'] as const) into.add(value.toString(encoding));
  else if ((value as { _bsontype?: string })._bsontype === 'Binary') stringsOf(Buffer.from((value as { buffer: Uint8Array }).buffer), into);
  else if ((value as { _bsontype?: string })._bsontype === 'ObjectId') into.add((value as { toHexString(): string }).toHexString());
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, into);
  else
    for (const [key, item] of Object.entries(value)) {
      into.add(key);
      stringsOf(item, into);
    }
  return into;
}

/** Every string of every document of every collection of a database. */
async function stringsOfDatabase(db: Db): Promise<Set<string>> {
  const strings = new Set<string>();
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    strings.add(name);
    for await (const doc of db.collection(name).find({})) stringsOf(doc, strings);
  }
  return strings;
}

/** The strings that hold one of `numbers`, or any resident ID number standing alone (not inside a longer run of letters and digits, as in a hash). */
function holdingIdNumbers(strings: Iterable<string>, numbers: string[]): string[] {
  const upper = numbers.map((n) => n.toUpperCase());
  return [...strings].filter((s) => upper.some((n) => s.toUpperCase().includes(n)) || [...s.matchAll(/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g)].some(([m]) => isResidentId(m)));
}

/** The strings that, used as the HMAC key, give one of the pseudonyms from its number. */
function reversing(strings: Iterable<string>, pseudonyms: { number: string; pseudonym: string }[]): string[] {
  return [...strings].filter((s) => pseudonyms.some(({ number, pseudonym }) => partyPseudonym(s, number) === pseudonym));
}

describe('pseudonyms in the court’s import', () => {
  let stack: TestStack;
  let config: Config;
  let court: Database;
  let government: Database;
  let dir: string;
  const seeded = demoData().government.parties.find((p) => p.kind === 'PERSON')!;
  const write = (name: string, content: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const token = (who: Principal) => issueDevToken(config.auth, who, 600);
  const asAuditor = async (query: string, variables?: Record<string, unknown>) => postGraphQL(stack.gateway!.url, query, variables, await callerHeaders(auditor, 'AUDIT'));
  const cases = async () => court.db.collection('adminCases').find({ caseNumber: { $regex: '^（2027）' } }).sort({ _id: 1 }).toArray();

  // Filled by the first test, read by the ones after it.
  let registered: Document;
  const imported: { number: string; pseudonym: string }[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true, ownDatabases: TAG });
    config = testConfig();
    court = await connectDatabase(inject('mongoUri'), `${DATABASE_NAMES.court}_${TAG}`, 'linkage-import-test');
    government = await connectDatabase(inject('mongoUri'), `${DATABASE_NAMES.government}_${TAG}`, 'linkage-import-test');
    dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-import-pseudonyms-'));
  }, 180_000);
  afterAll(async () => {
    await court?.close();
    await government?.close();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores, for each plaintiff’s number, the pseudonym the government gives that party, obtained through the gateway as the clerk; the government logs the disclosure under the clerk', async () => {
    // The government registers the person (its own import: it holds the key).
    const parties = write('parties.ndjson', `${JSON.stringify({ kind: 'PERSON', idNumber: NEW_PERSON, name: '孙小梅', phone: '13912345678' })}\n`);
    const partyImport = await runImport({ name: 'government', db: government.db, config, principal: steward, file: parties, type: 'Party', feed: 'parties', pseudonymize: localPseudonymizer(readPseudonymKey(config)!) });
    expect(partyImport.counts).toEqual({ read: 1, created: 1, updated: 0, unchanged: 0, rejected: 0, skipped: 0 });
    const stored = await government.db.collection('parties').find({ idNumber: NEW_PERSON }).toArray();
    expect(stored).toHaveLength(1);
    registered = stored[0]!;

    // The court's clerk imports cases naming the new party, a party of the demo district and an organisation the government has none for.
    const file = write('cases.csv', `${HEADER}\n${[
      `（2027）苏0102行初1号,${NEW_PERSON},AG-NRB,OTHER,2027-01-05,FIRST_INSTANCE,PENDING,王立新`,
      `（2027）苏0102行初2号,${seeded.idNumber},AG-HCB,OTHER,2027-01-06,FIRST_INSTANCE,PENDING,李静`,
      `（2027）苏0102行初3号,${ORGANISATION},AG-HCB,OTHER,2027-01-07,FIRST_INSTANCE,PENDING,李静`,
    ].join('\n')}\n`);
    const summary = await runImport({ name: 'court', db: court.db, config, principal: clerk, file, type: 'AdminCase', feed: 'cases', pseudonymize: remotePseudonymizer(stack.gateway!.url, await token(clerk)) });
    expect({ counts: summary.counts, rejections: summary.rejections }).toEqual({ counts: { read: 3, created: 3, updated: 0, unchanged: 0, rejected: 0, skipped: 0 }, rejections: [] });
    const courtCases = await cases();
    // The government's own answer for the organisation, which it has no party for: its pseudonym alone.
    const asked = await postGraphQL(stack.gateway!.url, PSEUDONYMS, { numbers: [ORGANISATION] }, await callerHeaders(clerk, 'CASE_HANDLING'));
    expect(asked).toEqual({ status: 200, body: { data: { partyPseudonyms: [{ id: expect.stringMatching(/^P-[0-9a-f]{24}$/) }] } } });
    const organisationId = (asked.body.data as { partyPseudonyms: { id: string }[] }).partyPseudonyms[0]!.id;
    expect(courtCases.map((c) => [c._id, c.plaintiffId])).toEqual([
      ['AC-2027-0001', registered._id],
      ['AC-2027-0002', seeded._id],
      ['AC-2027-0003', organisationId],
    ]);
    imported.push({ number: NEW_PERSON, pseudonym: String(registered._id) }, { number: seeded.idNumber, pseudonym: seeded._id }, { number: ORGANISATION, pseudonym: organisationId });

    // The government's log: the pseudonym was disclosed, as a Party, to the clerk, for case handling.
    const history = async () =>
      asAuditor(
        `query($id: ID!) { recordAccessHistory(recordType: "Party", recordId: $id) { government { totalCount edges { node { principal { sub org roles } purpose recordType recordId disclosed refused { field } integrity { ok } } } } } }`,
        { id: registered._id },
      );
    let answer = await history();
    for (let tries = 0; tries < 50 && (answer.body.data as any)?.recordAccessHistory?.government?.totalCount === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await history();
    }
    expect(answer).toEqual({
      status: 200,
      body: {
        data: {
          recordAccessHistory: {
            government: {
              totalCount: 1,
              edges: [{ node: { principal: { sub: clerk.sub, org: 'court', roles: ['clerk'] }, purpose: 'CASE_HANDLING', recordType: 'Party', recordId: registered._id, disclosed: ['id'], refused: [], integrity: { ok: true } } }],
            },
          },
        },
      },
    });
  });

  it('refuses the pseudonyms to a court judge (a role without the grant): the import stops before writing anything', async () => {
    const before = await cases();
    const file = write('cases-judge.csv', `${HEADER}\n（2027）苏0102行初9号,${NEW_PERSON},AG-NRB,OTHER,2027-01-05,FIRST_INSTANCE,PENDING,王立新\n`);
    // runImport refuses a judge itself (importing is the clerks' and the data steward's).
    const refused = await runImport({ name: 'court', db: court.db, config, principal: judge, file, type: 'AdminCase', feed: 'cases', pseudonymize: remotePseudonymizer(stack.gateway!.url, await token(judge)) }).then(
      () => null,
      (e: Error) => ({ error: e.constructor.name, message: e.message }),
    );
    expect(refused).toEqual({ error: 'ImportRefusedError', message: `importing into the court takes the role clerk or data_steward; ${judge.sub} has judge` });
    // And the government refuses the judge's token the pseudonyms, whoever runs the pipeline with it.
    const error = await importFile({
      file,
      type: 'AdminCase',
      types: await institutionImports('court', court.db),
      pseudonymize: remotePseudonymizer(stack.gateway!.url, await token(judge)),
      actor: { sub: judge.sub, name: judge.name, org: 'court', unit: null },
    }).then(
      () => null,
      (e: Error) => ({ error: e.constructor.name, message: e.message }),
    );
    expect(error).toEqual({
      error: 'ImportFileError',
      message: "the government refused the pseudonyms of this file's ID numbers (FORBIDDEN ROLE_NOT_ALLOWED: Not shared with you: ROLE_NOT_ALLOWED); nothing more was imported",
    });
    expect(await cases()).toEqual(before);
    // The same question asked directly.
    expect(await postGraphQL(stack.gateway!.url, PSEUDONYMS, { numbers: [NEW_PERSON] }, await callerHeaders(judge, 'CASE_HANDLING'))).toEqual({
      status: 200,
      body: {
        data: { partyPseudonyms: null },
        errors: [{ message: 'Not shared with you: ROLE_NOT_ALLOWED', path: ['partyPseudonyms'], extensions: { code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED', serviceName: 'government' } }],
      },
    });
  });

  it('leaves nothing in the court’s database or its service’s configuration that turns a pseudonym back into the number', async () => {
    // What this proves: after an import with real ID numbers, (1) no string anywhere in the
    // court's database — every document of every collection, its disclosure log included — and
    // none in the court service's production configuration (its docker-compose environment, and
    // the Config the service builds from it) holds one of those numbers, or any resident ID
    // number; and (2) none of those strings is the district key: used as the HMAC key, none gives
    // any of the stored pseudonyms from its number. So a copy of the court's database and
    // configuration does not reverse a pseudonym by a dictionary over candidate numbers.
    // What it does not prove: that the key is not kept in another form (encoded, split, in a file
    // a path names — the court's secrets are audit and assertion keys, not read here), that the
    // process's memory never held it, or that the court cannot reverse a pseudonym some other way.
    // It can: the clerk's grant on Query.partyPseudonyms is itself an oracle — ask for the
    // pseudonyms of every plausible number (a birth date and district give about a thousand) and
    // match. Only the grant's logging (shown above) and the rate limits stand against that.
    expect(imported).toHaveLength(3);
    const compose = parse(readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
    const courtEnvironment = compose.services.court!.environment ?? {};
    const courtConfig = loadServiceConfig('court', courtEnvironment);
    // In development every service falls back to the demo key (config/index.ts): the production shape is what counts.
    expect([courtConfig.mode, courtConfig.pseudonymKey, courtConfig.pseudonymKeyFile, readPseudonymKey(courtConfig)]).toEqual(['production', null, null, null]);

    const strings = await stringsOfDatabase(court.db);
    stringsOf(courtEnvironment, strings);
    stringsOf(courtConfig, strings);
    // The scan saw the import: the stored pseudonyms are among the strings.
    expect(imported.every(({ pseudonym }) => strings.has(pseudonym))).toBe(true);
    expect(holdingIdNumbers(strings, imported.map((i) => i.number))).toEqual([]);
    expect(reversing(strings, imported)).toEqual([]);

    // And the checks see what they look for: the government's key, or a number in a note, would be found.
    const key = readPseudonymKey(testConfig())!;
    expect(reversing([...strings, key], imported)).toEqual([key]);
    expect(holdingIdNumbers(['原告身份证号 ' + NEW_PERSON.slice(0, 17) + NEW_PERSON.slice(17).toLowerCase(), `${seeded.idNumber}`], [])).toHaveLength(2);
  });
});
