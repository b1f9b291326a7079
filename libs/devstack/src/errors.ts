/** A component of the local stack could not be provisioned or started; the message says what to do. */
export class ComponentError extends Error {
  constructor(
    readonly component: string,
    problem: string,
    readonly hint?: string,
  ) {
    super(`[${component}] ${problem}${hint ? `\n  What to do: ${hint}` : ''}`);
    this.name = 'ComponentError';
  }
}
