import { z } from 'zod';

export interface ConfigProblem {
  variable: string;
  problem: string;
}

// Thrown before an app starts. The message names each bad variable and what is wrong with it,
// never the value it had: a value may be a secret, and start-up errors end up in logs.
export class ConfigValidationError extends Error {
  constructor(
    readonly service: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `Invalid configuration for ${service}:\n${problems.map((p) => `  - ${p.variable}: ${p.problem}`).join('\n')}`,
    );
    this.name = 'ConfigValidationError';
  }
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, unknown>): string {
  const variable = String(issue.path[0] ?? '');
  if (issue.code === 'invalid_type' && env[variable] === undefined) return 'is required but not set';
  // zod 4 leaves the input out of issue messages unless reportInput is on, so messages are safe to print.
  return issue.message;
}

export function parseEnv<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    variable: issue.path.length > 0 ? issue.path.join('.') : '(environment)',
    problem: describeIssue(issue, env),
  }));
  throw new ConfigValidationError(service, problems);
}
