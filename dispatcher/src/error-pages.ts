/** Cloudflare-style error responses: the code in the body and in `cf-error-code`. */
export function errorPage(status: number, code: number, title: string, detail: string): Response {
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Error ${code}: ${escapeHtml(title)}</title></head>
<body><h1>Error ${code}</h1><h2>${escapeHtml(title)}</h2><p>${escapeHtml(detail)}</p></body></html>
`;
  return new Response(html, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cf-error-code': String(code) } });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export const workerThrewException = () =>
  errorPage(500, 1101, 'Worker threw exception', 'The Worker serving this request threw an exception. Its owner can find the details in the platform logs.');

export const exceededResourceLimits = (reason: 'cpu' | 'memory') =>
  errorPage(
    503,
    1102,
    'Worker exceeded resource limits',
    reason === 'cpu'
      ? 'The Worker serving this request ran longer than its CPU time limit and was stopped.'
      : 'The Worker serving this request used more memory than it is allowed and was stopped.',
  );

export const heldBack = (retryAfterSeconds: number) => {
  const response = errorPage(
    503,
    1102,
    'Worker held back',
    `The Worker serving this request exceeded its resource limits repeatedly and is held back for ${retryAfterSeconds} more seconds.`,
  );
  response.headers.set('retry-after', String(retryAfterSeconds));
  return response;
};

const mib = (bytes: number) => (bytes < 1024 * 1024 ? `${bytes} bytes` : `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`);

export const requestTooLarge = (limit: number) =>
  errorPage(413, 413, 'Request body too large', `This platform accepts request bodies of up to ${mib(limit)}; send less or split the upload.`);

export const responseTooLarge = (limit: number) =>
  errorPage(502, 1103, 'Worker response too large', `The Worker answered with a body over the ${mib(limit)} this platform allows.`);

export const runnerRestarted = () =>
  errorPage(503, 1105, 'Temporarily unavailable', 'The process running this Worker was restarted while serving the request. Please try again.');
