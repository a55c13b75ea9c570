import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { exactDatesPolicy } from './exact-dates.ts';
import { pageLinkPolicy } from './page-links.ts';
import { proxyKeepAlivePolicy } from './proxy-keep-alive.ts';

export const USER_AGENT = 'keyvault-replicate';

/** Sends the run's correlation id as x-ms-client-request-id on every request, so Azure's logs can be joined to ours. */
export function correlationPolicy(correlationId: string): PipelinePolicy {
  return {
    name: 'keyvaultReplicateCorrelation',
    sendRequest: (request, next) => {
      request.headers.set('x-ms-client-request-id', correlationId);
      return next(request);
    },
  };
}

export const clientOptions = (correlationId: string) => ({
  userAgentOptions: { userAgentPrefix: USER_AGENT },
  additionalPolicies: [
    { policy: correlationPolicy(correlationId), position: 'perCall' as const },
    { policy: exactDatesPolicy, position: 'perCall' as const },
    { policy: pageLinkPolicy, position: 'perCall' as const },
    { policy: proxyKeepAlivePolicy, position: 'perRetry' as const },
  ],
});
