declare module 'switchyard:owner-dispatch-worker' {
  const worker: { fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Response | Promise<Response> };
  export default worker;
}

declare module 'switchyard:owner-outbound-worker' {
  const worker: { fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Response | Promise<Response> };
  export default worker;
}
