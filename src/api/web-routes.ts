import path from 'node:path';
import express, { Router } from 'express';

/** True for the viewer's own files (GET/HEAD of /, /web and /web/*): the page must load before a token is pasted. */
export function isPublicWebPath(method: string, urlPath: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (urlPath === '/' || urlPath === '/web' || urlPath.startsWith('/web/'));
}

/** The static episode viewer at /web (the Space's base_path); / redirects there. */
export function createWebRoutes(publicDir = path.join(import.meta.dirname, '..', '..', 'public')): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.redirect(302, '/web/');
  });
  // why: non-strict routing also matches '/web/' here; only the bare '/web' needs the slash (relative asset URLs).
  router.get('/web', (req, res, next) => {
    if (req.path !== '/web') {
      next();
      return;
    }
    res.redirect(301, '/web/');
  });
  router.use('/web', express.static(publicDir, { index: 'index.html', fallthrough: true }));
  return router;
}
