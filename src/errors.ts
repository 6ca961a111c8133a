/**
 * The one error type heatlens throws for problems the user can fix (bad model, bad image, bad flag).
 * The CLI prints `message` as one line and exits non-zero; anything else is a bug and keeps its stack.
 */
export class HeatlensError extends Error {
  constructor(message: string, readonly code: string = 'E_HEATLENS') {
    super(message);
    this.name = 'HeatlensError';
  }
}
