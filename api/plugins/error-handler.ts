import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../errors';

/**
 * One place that turns failures into `{ code, message, details? }`: validation → 400 naming each
 * field, AppError → its status, anything else → 500 with details only in the log.
 */
export default fp(function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
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

  app.setNotFoundHandler((request, reply) => {
    return reply
      .status(404)
      .send({ code: 'route_not_found', message: `No route ${request.method} ${request.url}` });
  });
});
