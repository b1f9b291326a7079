import type { DeepPartial, EntityManager, FindOptionsOrder, FindOptionsWhere, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

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
    return { ...where, orgId } as FindOptionsWhere<E>;
  }

  async findById(orgId: string, id: string): Promise<E | null> {
    if (!isUuid(id) || !isUuid(orgId)) return null;
    return this.repo.findOneBy(this.scoped(orgId, { id } as FindOptionsWhere<E>));
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
    const repo = manager ? manager.getRepository<E>(this.repo.target) : this.repo;
    return repo.save(repo.create({ ...data, orgId } as DeepPartial<E>));
  }

  /** Updates one row of the org; false when no such row exists there. */
  async update(orgId: string, id: string, patch: QueryDeepPartialEntity<E>, manager?: EntityManager): Promise<boolean> {
    if (!isUuid(id)) return false;
    const repo = manager ? manager.getRepository<E>(this.repo.target) : this.repo;
    const result = await repo.update(this.scoped(orgId, { id } as FindOptionsWhere<E>), patch);
    return (result.affected ?? 0) > 0;
  }
}
