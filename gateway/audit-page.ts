// The auditors' web page at /audit/: static files from gateway/audit-ui, every asset the
// project's own (no CDN), under a strict Content-Security-Policy. The page holds no data; it calls
// /graphql as the signed-in auditor.
import path from 'node:path';
import express, { type Express } from 'express';
import { PROJECT_ROOT } from '../config/index.js';

const UI_DIR = path.join(PROJECT_ROOT, 'gateway/audit-ui');

export function mountAuditPage(app: Express): void {
  app.use(
    '/audit',
    (_req, res, next) => {
      res.setHeader('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
    // `/audit` redirects to `/audit/`; anything not in the folder is a 404.
    express.static(UI_DIR, { index: 'index.html', fallthrough: false, dotfiles: 'deny', redirect: true }),
  );
}
