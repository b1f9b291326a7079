import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import type { StaffPrincipal } from '../auth/staff-principal';
import type { OrganizationEntity } from '../persistence/entities';
import { OrganizationRepository } from '../persistence/repositories';

/** The caller's own organization: its name and flags (R-G1 agent auto-join). */
@Injectable()
export class OrganizationService {
  constructor(private readonly organizations: OrganizationRepository) {}

  async get(actor: StaffPrincipal): Promise<OrganizationEntity> {
    const org = await this.organizations.findById(actor.orgId);
    if (!org) throw new DomainError(DomainErrorCode.NotFound, 'organization not found');
    return org;
  }

  async update(
    actor: StaffPrincipal,
    patch: Partial<Pick<OrganizationEntity, 'name' | 'agentAutoJoin'>>,
  ): Promise<OrganizationEntity> {
    await this.get(actor);
    const updated = await this.organizations.update(actor.orgId, patch);
    if (!updated) throw new DomainError(DomainErrorCode.NotFound, 'organization not found');
    return updated;
  }
}
