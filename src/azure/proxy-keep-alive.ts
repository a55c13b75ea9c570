import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { HttpsProxyAgent } from 'https-proxy-agent';

/**
 * Tunnels to HTTPS endpoints that stay open between requests. agent-base decides "secure endpoint" from the call
 * stack when Node's pool asks without saying, so a freed socket was filed under the plain-HTTP pool name and never
 * found again; every request of this agent goes to an HTTPS endpoint, so it says so.
 */
class KeepAliveTunnelAgent extends HttpsProxyAgent<string> {
  override isSecureEndpoint(): boolean {
    return true;
  }
}

const tunnels = new Map<string, KeepAliveTunnelAgent>();
/** The SDK types its agent option with its own narrow Agent interface; Node's agents satisfy it at run time. */
const tunnelsThrough = (proxy: string) =>
  (tunnels.get(proxy) ??
    tunnels
      .set(proxy, new KeepAliveTunnelAgent(proxy, { keepAlive: true }))
      .get(proxy)!) as unknown as PipelineRequest['agent'];

const isOneShotProxyAgent = (agent: unknown): agent is HttpsProxyAgent<string> =>
  agent instanceof HttpsProxyAgent && !(agent instanceof KeepAliveTunnelAgent);

/**
 * Behind an HTTPS_PROXY the Azure SDK opens a new CONNECT tunnel, and a new TLS session inside it, for every request:
 * its proxy agent is made without keep-alive. This policy runs after the SDK's proxy policy has decided (NO_PROXY
 * included) and swaps that agent for one that keeps its tunnels open, one per proxy for the whole process.
 */
export const proxyKeepAlivePolicy: PipelinePolicy = {
  name: 'keyvaultReplicateProxyKeepAlive',
  sendRequest: (request, next) => {
    const agent: unknown = request.agent;
    if (isOneShotProxyAgent(agent) && request.url.startsWith('https:')) {
      request.agent = tunnelsThrough(agent.proxy.href);
    }
    return next(request);
  },
};
