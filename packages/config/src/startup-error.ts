/** A dependency a process needs at start is missing or misconfigured; `hint` says how to fix it. */
export class StartupError extends Error {
  readonly hint: string;

  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
    this.hint = hint;
  }
}
