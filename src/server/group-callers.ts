import type { CallerContext } from '../coordinator/group/group-coordinator-driver.js';
import type { RequestContext } from './handlers/handler.js';

/** Who sent a group request, as the group records it: client id, and host as Kafka prints it ("/127.0.0.1"). */
export function groupCaller({ apiVersion, header, connection }: RequestContext): CallerContext {
  return { apiVersion, clientId: header.clientId ?? '', clientHost: `/${connection.remoteAddress}` };
}
