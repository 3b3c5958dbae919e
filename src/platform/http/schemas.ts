import { Type, type TSchema } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
    }),
  },
  { $id: 'Error', description: 'Erreur' },
);

/** Responses every authenticated route may give, for the OpenAPI description. */
export const commonErrors = {
  400: Type.Ref('Error'),
  401: Type.Ref('Error'),
  403: Type.Ref('Error'),
  422: Type.Ref('Error'),
} as const;

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

/**
 * A value or null. Null comes first: the validator coerces types, and a string branch tried first
 * would turn null into "" before the null branch is reached.
 */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);
