import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { WellFormedInput } from '@app/contracts';
import { ZodValidationException, ZodValidationPipe } from 'nestjs-zod';

const CHECKED: ReadonlySet<ArgumentMetadata['type']> = new Set(['body', 'query', 'param']);

/**
 * The global validation pipe of both apps: every body, query and param passes its zod DTO (whose
 * messages are the more specific: "must be a UUID"), then the shared WellFormedInput check over
 * the value as it arrived (no NUL, no lone surrogate in any string or key, whatever the DTO, and
 * for values without one). A failure is the usual 400 naming the field, e.g.
 * `competencies.0.name: contains a lone UTF-16 surrogate`.
 */
@Injectable()
export class WellFormedZodValidationPipe implements PipeTransform {
  private readonly zod = new ZodValidationPipe();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const parsed: unknown = this.zod.transform(value, metadata);
    if (CHECKED.has(metadata.type)) {
      const checked = WellFormedInput.safeParse(value);
      if (!checked.success) throw new ZodValidationException(checked.error);
    }
    return parsed;
  }
}
