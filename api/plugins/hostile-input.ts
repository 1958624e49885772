import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { findUnstorableText, unstorableTextMessage } from '../../domain/storable-text';
import { AppError } from '../errors';

/**
 * PostgreSQL refuses a NUL character in any text, and an unpaired surrogate has no UTF-8 form: a
 * path id such as `%00` or such a string anywhere in a query or body would otherwise reach the
 * database and fail there as a 500. Refused here, for every route, with a 400 naming the field.
 * X's webhook deliveries are left to their own route, which must not drop a delivery whole.
 */
export default fp(function hostileInput(app: FastifyInstance) {
  app.addHook('preValidation', (request, _reply, done) => {
    const parts: [string, unknown][] = [
      ['params', request.params],
      ['querystring', request.query],
    ];
    if (!request.routeOptions.url?.startsWith('/v1/webhooks/')) parts.push(['body', request.body]);
    for (const [where, value] of parts) {
      const found = findUnstorableText(value);
      if (!found) continue;
      const path = [where, ...found.path].join('.');
      done(
        new AppError(
          400,
          'validation_failed',
          `Invalid ${where}: ${path} ${unstorableTextMessage}`,
          [{ path, message: unstorableTextMessage }],
        ),
      );
      return;
    }
    done();
  });
});
