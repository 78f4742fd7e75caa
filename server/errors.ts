/** Domain errors carry an HTTP status and a German message for the user. */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = 'domain_error',
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}
export const notFound = (what: string) => new DomainError(404, `${what} wurde nicht gefunden.`, 'not_found');
export const forbidden = (msg = 'Dafür fehlt Ihnen die Berechtigung.') => new DomainError(403, msg, 'forbidden');
export const conflict = (msg: string) => new DomainError(409, msg, 'conflict');
export const badRequest = (msg: string, fields?: Record<string, string>) => new DomainError(400, msg, 'validation', fields);
