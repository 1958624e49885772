/** An error the caller can act on: its status, a stable code, and a readable message. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, id: string) =>
  new AppError(404, `${what}_not_found`, `${what.replace(/_/g, ' ')} '${id}' does not exist`);
