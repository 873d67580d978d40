import fs from 'node:fs';
import path from 'node:path';
import express, { NextFunction, Request, Response } from 'express';

/** Where `npm run build` puts the console (vite build), seen from dist/apps/api/src/console. */
export const CONSOLE_DIR = path.resolve(__dirname, '../../../../console');

/** Paths with handlers of their own: the SPA fallback never answers them. */
const NOT_CONSOLE = /^\/(api|v2|healthz|readyz|webhooks|internal)(\/|$)|\.git(\/|$)/;

/**
 * The console's only script and styles come from this origin, so a strict policy costs
 * nothing: no inline script, no third-party host, no framing.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(response: Response): void {
  response.setHeader('Content-Security-Policy', CONSOLE_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * Serves the built console at `/`: hashed assets cached for a year, index.html never cached
 * (so a new build shows at the next load), and index.html for any other GET (client-side routes).
 */
export function consoleMiddleware(dir: string = CONSOLE_DIR): (request: Request, response: Response, next: NextFunction) => void {
  const index = path.join(dir, 'index.html');
  const assets = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (response, file) => {
      securityHeaders(response);
      const immutable = file.startsWith(path.join(dir, 'assets') + path.sep);
      response.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (request, response, next) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || NOT_CONSOLE.test(request.path)) return next();
    assets(request, response, () => sendIndex(index, request, response, next));
  };
}

function sendIndex(index: string, request: Request, response: Response, next: NextFunction): void {
  // A missing asset is a 404, not the page: a stale tab asking for an old chunk must fail visibly.
  if (request.path.startsWith('/assets/')) return next();
  if (!fs.existsSync(index)) {
    response.status(503).type('text/plain').send('The console is not built: run `npm run build`.\n');
    return;
  }
  securityHeaders(response);
  response.setHeader('Cache-Control', 'no-cache');
  response.sendFile(index, (error) => error && next(error));
}
