import type { FastifyInstance } from 'fastify';

/**
 * Lets the routes registered in `app`'s scope take a request without a body, as `curl -X POST`
 * sends it, with or without `content-type: application/json`: the body is then `{}`, so an action
 * whose body is all optional (approve, pause, resume, cancel, account resume) runs, and a route
 * that needs fields answers 400 naming them instead of "expected object, received null".
 * Fastify's own JSON parser (with its prototype-poisoning guard) still parses every body sent.
 */
export function acceptEmptyBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    // Fastify's parser answers through `done`; it returns nothing to wait for.
    void parseJson(request, text, done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
    done();
  });
}
