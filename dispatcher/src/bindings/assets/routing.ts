import type { AssetsConfig } from '@switchyard/protocol';

type Manifest = Record<string, { hash: string; size: number }>;

export type AssetMatch = { kind: 'asset'; path: string; status: number } | { kind: 'redirect'; location: string } | null;

const htmlVariants = (base: string) => [`${base}.html`, `${base}/index.html`];

/**
 * Maps a request path to an asset as Cloudflare's `html_handling` modes do: `auto-trailing-slash`
 * (the default) serves `/a` from `/a.html` and `/a/` from `/a/index.html`, redirecting the other
 * spelling; `force-` and `drop-trailing-slash` always add or remove the slash; `none` is exact.
 */
export function matchAsset(pathname: string, manifest: Manifest, mode: AssetsConfig['html_handling'] = 'auto-trailing-slash'): AssetMatch {
  const has = (path: string) => Object.hasOwn(manifest, path);
  const asset = (path: string): AssetMatch => ({ kind: 'asset', path, status: 200 });
  const redirect = (location: string): AssetMatch => ({ kind: 'redirect', location });
  if (mode === 'none') return has(pathname) ? asset(pathname) : null;

  const trailing = pathname.endsWith('/');
  const base = trailing ? pathname.slice(0, -1) : pathname;
  if (!trailing && has(pathname) && !pathname.endsWith('.html')) return asset(pathname);

  if (pathname.endsWith('.html') && has(pathname)) {
    const pretty = pathname.endsWith('/index.html') ? pathname.slice(0, -'index.html'.length) : pathname.slice(0, -'.html'.length);
    const preferred = mode === 'drop-trailing-slash' && pretty.endsWith('/') && pretty !== '/' ? pretty.slice(0, -1) : pretty;
    return redirect(preferred || '/');
  }
  if (pathname === '/') return has('/index.html') ? asset('/index.html') : null;

  const [fileHtml, indexHtml] = htmlVariants(base);
  const target = mode === 'force-trailing-slash' || mode === 'drop-trailing-slash'
    ? (has(fileHtml) ? fileHtml : has(indexHtml) ? indexHtml : null)
    : trailing
      ? (has(indexHtml) ? indexHtml : null)
      : (has(fileHtml) ? fileHtml : null);
  if (mode === 'force-trailing-slash') return target ? (trailing ? asset(target) : redirect(`${base}/`)) : null;
  if (mode === 'drop-trailing-slash') return target ? (trailing ? redirect(base) : asset(target)) : null;
  if (target) return asset(target);
  // auto-trailing-slash: the other spelling exists, so send the client there.
  if (trailing && has(fileHtml)) return redirect(base);
  if (!trailing && has(indexHtml)) return redirect(`${base}/`);
  return null;
}

/** What `not_found_handling` serves when nothing matched. */
export function notFoundAsset(pathname: string, manifest: Manifest, mode: AssetsConfig['not_found_handling'] = 'none'): AssetMatch {
  if (mode === 'single-page-application') return Object.hasOwn(manifest, '/index.html') ? { kind: 'asset', path: '/index.html', status: 200 } : null;
  if (mode === '404-page') {
    const segments = pathname.split('/').slice(1, -1);
    for (let depth = segments.length; depth >= 0; depth--) {
      const candidate = `/${segments.slice(0, depth).map((s) => `${s}/`).join('')}404.html`;
      if (Object.hasOwn(manifest, candidate)) return { kind: 'asset', path: candidate, status: 404 };
    }
  }
  return null;
}

const contentTypes: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  wasm: 'application/wasm',
  woff2: 'font/woff2',
  woff: 'font/woff',
  xml: 'application/xml',
  pdf: 'application/pdf',
  map: 'application/json',
};

export function contentTypeFor(path: string): string {
  const extension = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  return contentTypes[extension] ?? 'application/octet-stream';
}
