import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../errors';

/** A route's URL pattern as a regular expression over concrete paths (`:id` is one segment). */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** The methods each registered path pattern answers, to tell 405 from 404. */
class RouteMethods {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];
  private readonly byUrl = new Map<string, Set<string>>();

  add(url: string, methods: string | string[]) {
    let known = this.byUrl.get(url);
    if (!known) {
      known = new Set();
      this.byUrl.set(url, known);
      this.routes.push({ pattern: patternOf(url), methods: known });
    }
    for (const method of Array.isArray(methods) ? methods : [methods]) known.add(method);
  }

  /** Every method some route answers on this concrete path (empty: no such path). */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}

/**
 * Errors Fastify raises before any route or hook runs (a path that does not decode, a path
 * parameter longer than the router accepts), answered in the API's own error shape.
 */
export function frameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(414).send({
      code: 'uri_too_long',
      message: 'A path parameter is too long / パスのパラメーターが長すぎます',
    });
    return;
  }
  void reply.status(400).send({
    code: 'bad_url',
    message: 'The request path is not a valid URL / リクエストのパスが正しい URL ではありません',
  });
}

/**
 * One place that turns failures into `{ code, message, details? }`: validation → 400 naming each
 * field, AppError → its status, anything else → 500 with details only in the log. An unknown
 * method on a known path answers 405 with `allow`, an unknown path 404.
 */
export default fp(function errorHandler(app: FastifyInstance) {
  const routeMethods = new RouteMethods();
  app.addHook('onRoute', (route) => routeMethods.add(route.url, route.method));

  /** A request no route took: 405 with `allow` when the path has other methods, else 404. */
  function answerUnrouted(request: FastifyRequest, reply: FastifyReply) {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = routeMethods.allowed(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({
          code: 'method_not_allowed',
          message: `${request.method} is not allowed here; allowed: ${allowed.join(', ')} / このパスで使えるメソッド: ${allowed.join(', ')}`,
        });
    }
    return reply
      .status(404)
      .send({ code: 'route_not_found', message: `No route ${request.method} ${path}` });
  }

  app.setErrorHandler((error: FastifyError | AppError | Error, request, unserialized) => {
    // Errors are always the JSON error shape, whatever a route declared for that status (an
    // HTML page, say): its serializer must not turn a 400 into a 500.
    const reply = unserialized.serializer(JSON.stringify).type('application/json; charset=utf-8');
    // Fastify may fail a request no route took (a QUERY without a content type, say) before
    // the not-found handler runs: the answer is still 405 or 404.
    if (request.is404) return answerUnrouted(request, reply);
    if (error instanceof AppError) {
      return reply.status(error.statusCode).send({
        code: error.code,
        message: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'request';
      const details = error.validation.map((issue) => ({
        path: [where, ...String(issue.instancePath).split('/').filter(Boolean)].join('.'),
        message: issue.message ?? 'invalid',
      }));
      return reply.status(400).send({
        code: 'validation_failed',
        message: `Invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
        details,
      });
    }
    const fastifyError = error as FastifyError;
    if (
      fastifyError.statusCode &&
      fastifyError.statusCode >= 400 &&
      fastifyError.statusCode < 500
    ) {
      return reply.status(fastifyError.statusCode).send({
        code: (fastifyError.code ?? 'bad_request').toLowerCase(),
        message: fastifyError.message,
      });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ code: 'internal_error', message: 'Internal server error' });
  });

  app.setNotFoundHandler((request, reply) => answerUnrouted(request, reply));
});
