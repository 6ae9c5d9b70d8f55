import { DescribeClusterApi } from '../../protocol/generated/apis.js';
import { createDescribeClusterResponse, createDescribeClusterResponseDescribeClusterBroker } from '../../protocol/generated/clients/describe-cluster-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS } from '../authorized-operations.js';
import type { BrokerServices } from '../broker-services.js';
import { reachableBrokers } from '../metadata-view.js';
import type { ApiHandler } from './handler.js';

/** DescribeCluster's endpointType (v1+): brokers answer for broker endpoints only. */
const BROKER_ENDPOINTS = 1;

/** DescribeCluster v0-1: the cluster id, a controller id clients can reach, and the live brokers. */
export function describeClusterHandler(services: BrokerServices): ApiHandler<60> {
  return {
    api: DescribeClusterApi,
    minVersion: 0,
    maxVersion: 1,
    handle(request, { apiVersion, connection }) {
      if (apiVersion >= 1 && request.endpointType !== BROKER_ENDPOINTS) {
        return createDescribeClusterResponse({
          errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
          errorMessage: `Brokers answer for broker endpoints (1) only, not for endpoint type ${request.endpointType}.`,
          endpointType: request.endpointType,
          clusterId: services.clusterId,
        });
      }
      const brokers = reachableBrokers(services.image(), connection.listenerName).map(({ broker, endpoint }) =>
        createDescribeClusterResponseDescribeClusterBroker({ brokerId: broker.id, host: endpoint.host, port: endpoint.port, rack: broker.rack }),
      );
      return createDescribeClusterResponse({
        endpointType: BROKER_ENDPOINTS,
        clusterId: services.clusterId,
        controllerId: services.nodeId,
        brokers,
        clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
      });
    },
  };
}
