// The auditors' web page at /audit/: static files from gateway/audit-ui, every asset the
// project's own (no CDN), under a strict Content-Security-Policy. The page holds no data; it calls
// /graphql as the signed-in auditor. Beside the files: `config.json`, what the page needs of the
// server's configuration (the district's time zone), and `labels.json`, the field labels
// `npm run catalogue` generates from schema/labels.ts.
import path from 'node:path';
import express, { type Express } from 'express';
import { PROJECT_ROOT } from '../config/index.js';

const UI_DIR = path.join(PROJECT_ROOT, 'gateway/audit-ui');

export interface AuditPageOptions {
  /** DISTRICT_TIME_ZONE: the page shows and takes times in it. */
  timeZone: string;
}

export function mountAuditPage(app: Express, options: AuditPageOptions): void {
  // Nothing secret: the page's own settings, the same for every visitor.
  const pageConfig = JSON.stringify({ timeZone: options.timeZone });
  app.use(
    '/audit',
    (_req, res, next) => {
      res.setHeader('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
    (req, res, next) => {
      if (req.path !== '/config.json') return next();
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET');
        res.status(405).end();
        return;
      }
      res.type('application/json').send(pageConfig);
    },
    // `/audit` redirects to `/audit/`; anything not in the folder is a 404.
    express.static(UI_DIR, { index: 'index.html', fallthrough: false, dotfiles: 'deny', redirect: true }),
  );
}
