// The partner developers' GraphQL IDE (GraphiQL, from npm, bundled by `npm run build:ide`; no CDN),
// in development only: GET /graphql from a browser (Accept: text/html) answers the page; every other
// request to /graphql — a POST, a GET that is not a browser's — goes on to the GraphQL endpoint
// exactly as without it. The page's assets and the client schema it shows are under /graphiql/.
// Like the auditors' page, the page and its assets hold no data and are not access-logged; each
// query it sends is a POST to /graphql, authenticated, purposed and logged like any other.
import path from 'node:path';
import { existsSync } from 'node:fs';
import express, { type Express, type RequestHandler } from 'express';
import { PROJECT_ROOT, type Mode } from '../config/index.js';
import { CLIENT_SCHEMA_PATH } from '../subgraphs/index.js';

export const IDE_SOURCE_DIR = path.join(PROJECT_ROOT, 'gateway/graphiql-ui');
/** Where `npm run build:ide` writes the bundle (git-ignored: built by `npm run setup` and before `npm test`). */
export const IDE_BUNDLE_DIR = path.join(IDE_SOURCE_DIR, 'dist');

// GraphiQL's styles come from its own stylesheet, but its components (CodeMirror, Radix) also set
// inline styles and insert <style> elements at run time: style-src needs 'unsafe-inline'. Scripts
// stay 'self' only (no inline script, no eval). Its fonts and icons are data: URLs in its CSS.
const IDE_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const secured: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', IDE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** A browser's navigation asks for HTML by name; fetch() and GraphQL clients send `*\/*` or JSON. */
function wantsPage(accept: string | undefined): boolean {
  return /(^|,)\s*text\/html\s*(;|,|$)/i.test(accept ?? '');
}

export function mountIdePage(app: Express, mode: Mode): void {
  // Production serves no IDE (and no introspection): GET /graphql stays 405 for everyone.
  if (mode !== 'development') return;
  app.get('/graphql', (req, res, next) => {
    // Express routes HEAD to a GET route: only a GET, and only a browser's, gets the page.
    if (req.method !== 'GET' || !wantsPage(req.get('accept'))) return next();
    secured(req, res, () => {
      if (!existsSync(path.join(IDE_BUNDLE_DIR, 'ide.js'))) {
        res.status(503).type('text/plain').send('The GraphQL IDE is not built: run `npm run build:ide` (npm run setup does), then reload.\n');
        return;
      }
      res.sendFile(path.join(IDE_SOURCE_DIR, 'index.html'));
    });
  });
  app.get('/graphiql/api.graphql', secured, (_req, res) => {
    res.type('text/plain; charset=utf-8').sendFile(CLIENT_SCHEMA_PATH);
  });
  app.use('/graphiql', secured, express.static(IDE_BUNDLE_DIR, { index: false, fallthrough: false, dotfiles: 'deny', redirect: false }));
}
