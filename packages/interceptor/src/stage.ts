/**
 * The three stages of an interceptor.
 *
 * (Its own module because both `types.ts` and `errors.ts` name it, and neither
 * should import the other's values or types back: no import cycles.)
 */
export type Stage = 'enter' | 'leave' | 'error';
