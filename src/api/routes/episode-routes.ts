import { Router, type Request, type Response } from 'express';
import type { StepResult } from '../../env/index.js';
import { envelopeJson } from '../frame-json.js';
import type { HttpEpisodes } from '../http-episodes.js';
import type { Metrics } from '../metrics.js';
import { parseAction, parseOrThrow, parseReset, StepRequestSchema, toEnvelope } from '../protocol.js';
import { SseWriter } from '../sse.js';
import { toHttp } from '../error-map.js';
import { ClientClosedError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/** POST /reset, POST /step, GET /state and POST /step/stream over the stateful HTTP episodes. */
export function createEpisodeRoutes(episodes: HttpEpisodes, metrics: Metrics, log: Logger): Router {
  const router = Router();

  router.post('/reset', async (req, res) => {
    const options = parseReset(req.body ?? {}, ['body']);
    sendEnvelope(res, await episodes.reset(options));
  });

  router.post('/step', async (req, res) => {
    const { action, episodeId } = parseStep(req);
    const done = metrics.startStep('http');
    try {
      const result = await episodes.step(action, episodeId, { signal: abortOnClose(req), onEvent: metrics.observing() });
      done('ok');
      sendEnvelope(res, result);
    } catch (err) {
      done('error');
      throw err;
    }
  });

  router.get('/state', (req, res) => {
    const id = typeof req.query.episode_id === 'string' && req.query.episode_id !== '' ? req.query.episode_id : undefined;
    res.json(episodes.state(id));
  });

  router.post('/step/stream', async (req, res) => {
    const { action, episodeId } = parseStep(req);
    const sse = new SseWriter(res);
    const done = metrics.startStep('sse');
    try {
      const result = await episodes.step(action, episodeId, {
        signal: abortOnClose(req),
        onEvent: metrics.observing((event) => sse.send(event.type, event)),
      });
      sse.send('result', toEnvelope(result));
      done('ok');
    } catch (err) {
      done('error');
      const mapped = toHttp(err, log);
      sse.send('failure', { status: mapped.status, ...(typeof mapped.body === 'object' ? mapped.body : { detail: mapped.body }) });
    } finally {
      sse.end();
    }
  });

  return router;
}

/** res.json(toEnvelope(result)), written by the reply writer that reuses the JSON of long repeated texts. */
function sendEnvelope(res: Response, result: StepResult): void {
  res.type('application/json').send(envelopeJson(result));
}

function parseStep(req: Request) {
  const body = parseOrThrow(StepRequestSchema, req.body ?? {}, ['body']);
  return { action: parseAction(body.action), episodeId: body.episode_id };
}

/** An AbortSignal that fires when the client goes away before the answer is written. */
function abortOnClose(req: Request): AbortSignal {
  const controller = new AbortController();
  req.res?.once('close', () => {
    if (req.res?.writableEnded !== true) controller.abort(new ClientClosedError());
  });
  return controller.signal;
}
