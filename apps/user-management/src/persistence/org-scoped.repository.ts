import { findIllFormedText } from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import type { DeepPartial, EntityManager, FindOptionsOrder, FindOptionsWhere, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * The org id of a tenant query, or a throw: TypeORM silently drops `undefined` from a where
 * object, so a query with a missing org would otherwise run across every org.
 */
export function requireOrgId(orgId: string): string {
  if (typeof orgId !== 'string' || !isUuid(orgId))
    throw new Error('an org-scoped query needs an org id (a UUID); refusing to run it without one');
  return orgId;
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000 or a lone UTF-16 surrogate, and the driver's error
 * would be a 500. The HTTP edge refuses both already (the shared validation pipe); this guards the
 * writers that do not come through it (seeds, tools, queue workers): every write checks its values
 * here and refuses ill-formed text as a validation error naming the field.
 */
export function rejectIllFormedText(value: unknown, path = ''): void {
  const [problem] = findIllFormedText(value, path ? [path] : [], 1);
  if (problem)
    throw new DomainError(DomainErrorCode.ValidationFailed, `${problem.path.join('.') || 'value'}: ${problem.message}`);
}
/** The earlier name of rejectIllFormedText (it checked NULs only). */
export const rejectNulCharacters = rejectIllFormedText;

export interface FindByIdOptions {
  /** read inside this transaction */
  manager?: EntityManager;
  /** SELECT … FOR UPDATE (only with a manager, inside a transaction) */
  lock?: boolean;
}

export interface ListOptions<E> {
  where?: FindOptionsWhere<E>;
  order?: FindOptionsOrder<E>;
  limit?: number;
  offset?: number;
}

/**
 * The base of every tenant-owned repository. Each method takes the org id first and puts it in
 * the WHERE clause itself, so a query without one cannot be written through a repository; the
 * TypeORM Repository stays protected. The few lookups that must start from a globally unique
 * value (an email at login, an invite, a room name) live in TenantDirectory, and their callers
 * continue through these methods with the org they found.
 */
export abstract class OrgScopedRepository<E extends { id: string; orgId: string }> {
  protected constructor(protected readonly repo: Repository<E>) {}

  protected scoped(orgId: string, where: FindOptionsWhere<E> = {}): FindOptionsWhere<E> {
    return { ...where, orgId: requireOrgId(orgId) };
  }

  async findById(orgId: string, id: string, options: FindByIdOptions = {}): Promise<E | null> {
    requireOrgId(orgId);
    if (!isUuid(id)) return null;
    const repo = options.manager ? options.manager.getRepository<E>(this.repo.target) : this.repo;
    return repo.findOne({
      where: this.scoped(orgId, { id } as FindOptionsWhere<E>),
      ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  async list(orgId: string, options: ListOptions<E> = {}): Promise<E[]> {
    return this.repo.find({
      where: this.scoped(orgId, options.where),
      order: options.order ?? ({ createdAt: 'DESC' } as unknown as FindOptionsOrder<E>),
      take: options.limit ?? 100,
      skip: options.offset ?? 0,
    });
  }

  async create(orgId: string, data: DeepPartial<E>, manager?: EntityManager): Promise<E> {
    rejectIllFormedText(data);
    const repo = manager ? manager.getRepository<E>(this.repo.target) : this.repo;
    return repo.save(repo.create({ ...data, orgId: requireOrgId(orgId) } as DeepPartial<E>));
  }

  /** Updates one row of the org; false when no such row exists there. */
  async update(orgId: string, id: string, patch: QueryDeepPartialEntity<E>, manager?: EntityManager): Promise<boolean> {
    requireOrgId(orgId);
    rejectIllFormedText(patch);
    if (!isUuid(id)) return false;
    const repo = manager ? manager.getRepository<E>(this.repo.target) : this.repo;
    const result = await repo.update(this.scoped(orgId, { id } as FindOptionsWhere<E>), patch);
    return (result.affected ?? 0) > 0;
  }
}
