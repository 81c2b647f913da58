import { randomBytes } from 'node:crypto';
import os from 'node:os';

/**
 * One chain per writer instance, `<service>/<instance>`: replicas, and restarts, never share a
 * chain, so no two processes ever race for the same sequence number. AUDIT_INSTANCE_ID names the
 * instance explicitly (a restarted writer then continues its chain).
 */
export function auditChainName(service: string, instanceId: string | null): string {
  return `${service}/${instanceId ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`}`;
}
