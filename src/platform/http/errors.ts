import type { FastifyError, FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';

// ajv-i18n is CommonJS whose types declare an ES default export: load it as what it is.
const localizeFr = createRequire(import.meta.url)('ajv-i18n/localize/fr') as (errors: unknown[]) => void;

export interface FieldError {
  /** JSON pointer-like path of the field, e.g. "/body/latitude" or "/query/pageSize". */
  field: string;
  message: string;
}

/**
 * The one error every route throws for a client error; the handler turns it into
 * {"error":{"code","message","details"}}. Messages are French: they reach the console's users as they are.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details: FieldError[] = []) => new AppError(400, 'bad_request', message, details);
export const validationFailed = (details: FieldError[]) =>
  new AppError(422, 'validation_failed', details.map((d) => `${d.field} : ${d.message}`).join(' ; '), details);
export const unauthenticated = (message = 'Authentification requise.') => new AppError(401, 'unauthenticated', message);
export const forbidden = (message = "Vous n'avez pas les droits pour cette action.") => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} introuvable.`);
export const conflict = (message: string, details: FieldError[] = []) => new AppError(409, 'conflict', message, details);

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

function fieldOf(context: string, error: AjvError): string {
  const base = `/${context}${error.instancePath}`;
  if (error.keyword === 'required') return `${base}/${String(error.params.missingProperty)}`;
  if (error.keyword === 'additionalProperties') return `${base}/${String(error.params.additionalProperty)}`;
  return base;
}

function messageOf(error: AjvError): string {
  if (error.keyword === 'additionalProperties') return 'champ inconnu';
  if (error.keyword === 'required') return 'champ obligatoire';
  return error.message ?? 'valeur invalide';
}

export function schemaErrorDetails(errors: AjvError[], context: string): FieldError[] {
  localizeFr(errors);
  const seen = new Set<string>();
  const details: FieldError[] = [];
  for (const error of errors) {
    const detail = { field: fieldOf(context, error), message: messageOf(error) };
    const key = `${detail.field}|${detail.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push(detail);
    }
  }
  return details;
}

/** Installs the single error shape for every route, including Fastify's own 4xx (bad JSON, body too large, 404). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setSchemaErrorFormatter((errors, context) => validationFailed(schemaErrorDetails(errors as AjvError[], context)));

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.statusCode).send({ error: { code: error.code, message: error.message, details: error.details } });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const known: Record<string, [string, string]> = {
        FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', "Le corps de la requête n'est pas un JSON valide."],
        FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_json', 'Le corps JSON de la requête est vide.'],
        FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'Le corps de la requête dépasse la taille autorisée.'],
        FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', "Type de contenu non pris en charge (utilisez application/json)."],
        FST_ERR_RATE_LIMITED: ['rate_limited', 'Trop de requêtes : réessayez dans quelques instants.'],
      };
      const [code, message] = known[error.code] ?? [
        status === 429 ? 'rate_limited' : 'bad_request',
        error.message,
      ];
      return reply.status(status).send({ error: { code, message, details: [] } });
    }
    request.log.error({ err: error, reqId: request.id }, 'unhandled error');
    return reply.status(500).send({
      error: { code: 'internal_error', message: `Erreur interne. Référence : ${request.id}`, details: [] },
    });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: { code: 'not_found', message: `Aucune route ${request.method} ${request.url.split('?')[0]}.`, details: [] },
    });
  });
}
