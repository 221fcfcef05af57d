/** Shared bits of propagation's routes. */
import { ErrorBody } from '../../schemas/api';

export const DEFAULT_TENANT = 'default';
export const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };
