import { describe, expect, it } from 'vitest';
import { clientErrorStatus, clientErrorText, errorMessage } from './client-error';

describe('client errors', () => {
  it('reads a 4xx from status or statusCode, and nothing else', () => {
    expect(clientErrorStatus(Object.assign(new Error('x'), { status: 404 }))).toBe(404);
    expect(clientErrorStatus({ statusCode: 413 })).toBe(413);
    expect(clientErrorStatus({ status: 500 })).toBeUndefined();
    expect(clientErrorStatus({ status: 400.5 })).toBeUndefined();
    expect(clientErrorStatus({ status: '404' })).toBeUndefined();
    expect(clientErrorStatus(new Error('plain'))).toBeUndefined();
    expect(clientErrorStatus(null)).toBeUndefined();
    expect(clientErrorStatus(404)).toBeUndefined();
  });

  it("answers the error's message, else the reason phrase, else 'Error'", () => {
    expect(clientErrorText(new Error('bad id'), 400)).toBe('bad id');
    expect(clientErrorText(Object.assign(new Error('secret'), { expose: false }), 403)).toBe(
      'Forbidden',
    );
    expect(clientErrorText(new Error(''), 413)).toBe('Payload Too Large');
    expect(clientErrorText(new Error(''), 499)).toBe('Error');
  });

  it('takes the message of an Error and the string of anything else', () => {
    expect(errorMessage(new Error('m'))).toBe('m');
    expect(errorMessage(42)).toBe('42');
  });
});
