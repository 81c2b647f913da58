// Ed25519 key pairs: in development created on first use under KEYS_DIR (git-ignored), in
// production read from the files configuration names.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Loads `<dir>/<name>.pem` (private, PKCS#8), creating an Ed25519 key there when missing. */
export function loadOrCreateKeyPair(dir: string, name: string): KeyPair {
  const file = path.join(dir, `${name}.pem`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    // Write then rename, so that a concurrent reader never sees half a key.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    if (!existsSync(file)) renameSync(partial, file);
  }
  const privateKey = createPrivateKey(readFileSync(file));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export function readPrivateKey(file: string): KeyObject {
  return createPrivateKey(readFileSync(file));
}

export function readPublicKey(file: string): KeyObject {
  return createPublicKey(readFileSync(file));
}

const GATEWAY_ASSERTION_KEY = 'gateway-assertion';

/** The gateway's key for signing subgraph assertions (production: ASSERTION_PRIVATE_KEY_FILE). */
export function assertionSigningKey(config: { keysDir: string; assertionPrivateKeyFile: string | null }): KeyObject {
  return config.assertionPrivateKeyFile
    ? readPrivateKey(config.assertionPrivateKeyFile)
    : loadOrCreateKeyPair(config.keysDir, GATEWAY_ASSERTION_KEY).privateKey;
}

/** The key subgraphs verify assertions with (production: ASSERTION_PUBLIC_KEY_FILE). */
export function assertionVerifyingKey(config: { keysDir: string; assertionPublicKeyFile: string | null }): KeyObject {
  return config.assertionPublicKeyFile
    ? readPublicKey(config.assertionPublicKeyFile)
    : loadOrCreateKeyPair(config.keysDir, GATEWAY_ASSERTION_KEY).publicKey;
}

/** The Ed25519 key a service signs its access-log checkpoints with; its replicas share it. */
export function auditSigningKey(config: { keysDir: string }, audit: { signingKeyFile: string | null }, service: string): KeyObject {
  return audit.signingKeyFile ? readPrivateKey(audit.signingKeyFile) : loadOrCreateKeyPair(config.keysDir, `audit-${service}`).privateKey;
}

/**
 * The district key party pseudonyms are derived under (the government's alone): PSEUDONYM_KEY, or
 * the file PSEUDONYM_KEY_FILE names (at least 16 characters, surrounding whitespace dropped); null
 * when neither is given.
 */
export function readPseudonymKey(config: { pseudonymKey: string | null; pseudonymKeyFile: string | null }): string | null {
  if (config.pseudonymKeyFile === null) return config.pseudonymKey;
  const key = readFileSync(config.pseudonymKeyFile, 'utf8').trim();
  if (key.length < 16) throw new Error(`PSEUDONYM_KEY_FILE (${config.pseudonymKeyFile}) must hold a key of at least 16 characters`);
  return key;
}
