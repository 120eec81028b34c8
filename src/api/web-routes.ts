import path from 'node:path';
import express, { Router } from 'express';

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
