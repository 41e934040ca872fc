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
