export interface FieldError {
  /** "/body/name", "/query/page"… as the API reports it. */
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let sessionLost: ((message: string) => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an API call answers 401 outside of the login form: the session has expired or was closed. */
export function onSessionLost(handler: ((message: string) => void) | null): void {
  sessionLost = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function api<T>(path: string, init: { method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown; query?: Query } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, init.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
  } catch {
    throw new ApiError(0, 'network', 'Le serveur est injoignable. Vérifiez votre connexion puis réessayez.');
  }
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: FieldError[] } } | null;
  if (!response.ok) {
    const error = new ApiError(response.status, json?.error?.code ?? 'http_error', json?.error?.message ?? `Erreur ${response.status}.`, json?.error?.details ?? []);
    if (response.status === 401 && path !== '/api/auth/login') sessionLost?.(error.message);
    throw error;
  }
  return json as T;
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
