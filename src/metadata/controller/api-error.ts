import { ERRORS, ErrorCode } from '../../protocol/generated/error-codes.js';

/**
 * An error code and the message sent with it, as Kafka's ApiError carries them. The field names
 * are those of the response structures, so a result is `{ name, ...error }`.
 */
export interface ApiError {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export const NO_ERROR: ApiError = { errorCode: ErrorCode.NONE, errorMessage: null };

/** Kafka's `new ApiError(error, message)`. */
export function apiError(errorCode: number, errorMessage: string): ApiError {
  return { errorCode, errorMessage };
}

/** Kafka's `new ApiError(error)`: the message is the error's generic description. */
export function apiErrorWithDefaultMessage(errorCode: number): ApiError {
  return { errorCode, errorMessage: ERRORS.get(errorCode)?.message ?? null };
}

/**
 * The ApiError of an exception Kafka throws and catches (ApiError.fromThrowable): a generic
 * message is not sent, nor is any message of UNKNOWN_SERVER_ERROR.
 */
export function thrownApiError(errorCode: number, message?: string): ApiError {
  const generic = message === undefined || message === ERRORS.get(errorCode)?.message;
  return { errorCode, errorMessage: generic || errorCode === ErrorCode.UNKNOWN_SERVER_ERROR ? null : message };
}
