import { headers, ProtocolError, refusalBody } from '@switchyard/protocol';
import { hostConfig, type HostEnv } from './host-env.ts';

/**
 * Serves a request to one of the platform's own sockets (the runners' invoke door, the admin
 * sockets): only with the node's internal secret, and a malformed message is answered with its
 * coded refusal instead of an error.
 */
export async function internalOnly(env: HostEnv, request: Request, handle: () => Promise<Response>, refused = 'forbidden'): Promise<Response> {
  if (request.headers.get(headers.internal) !== hostConfig(env).internalSecret) return new Response(refused, { status: 403 });
  try {
    return await handle();
  } catch (error) {
    if (error instanceof ProtocolError) return Response.json(refusalBody(error), { status: error.status });
    throw error;
  }
}
