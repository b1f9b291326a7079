import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { QueryFailedError } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher';
import type { StaffPrincipal } from '../auth/staff-principal';
import { StaffTokensService } from '../auth/staff-tokens.service';
import { UserAccessService } from '../auth/user-access.service';
import type { CandidateEntity, UserEntity, UserRole } from '../persistence/entities';
import { CandidateRepository, UserRepository } from '../persistence/repositories';

const isUniqueViolation = (err: unknown) =>
  err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === '23505';

@Injectable()
export class PeopleService {
  constructor(
    private readonly users: UserRepository,
    private readonly candidates: CandidateRepository,
    private readonly hasher: PasswordHasher,
    private readonly access: UserAccessService,
    private readonly tokens: StaffTokensService,
  ) {}

  async createUser(
    actor: StaffPrincipal,
    input: { email: string; displayName: string; role: UserRole; password: string },
  ): Promise<UserEntity> {
    const passwordHash = await this.hasher.hash(input.password);
    try {
      const user = await this.users.create(actor.orgId, {
        email: input.email,
        displayName: input.displayName,
        role: input.role,
        passwordHash,
      });
      return (await this.users.findById(actor.orgId, user.id))!;
    } catch (err) {
      // Emails are unique platform-wide (login finds users by email alone).
      if (isUniqueViolation(err))
        throw new DomainError(DomainErrorCode.Conflict, 'a user with this email already exists');
      throw err;
    }
  }

  listUsers(actor: StaffPrincipal, page: { limit: number; offset: number }): Promise<UserEntity[]> {
    return this.users.list(actor.orgId, { ...page, order: { displayName: 'ASC' } });
  }

  async getUser(actor: StaffPrincipal, id: string): Promise<UserEntity> {
    const user = await this.users.findById(actor.orgId, id);
    if (!user) throw new DomainError(DomainErrorCode.NotFound, 'user not found');
    return user;
  }

  /**
   * Takes a user's access away now: their access tokens are refused from the next request on
   * (token version bump), their refresh tokens revoked, sign-in refused. Idempotent.
   */
  async deactivateUser(actor: StaffPrincipal, id: string): Promise<UserEntity> {
    const user = await this.otherUserOfOrg(actor, id, 'deactivate');
    if (user.deactivatedAt) return user;
    const changed = await this.users.changeAccess(actor.orgId, id, { deactivatedAt: new Date() });
    if (!changed) throw new DomainError(DomainErrorCode.NotFound, 'user not found');
    await this.access.publish(id, { version: changed.tokenVersion, active: false });
    await this.tokens.revokeAllSessions(actor.orgId, id);
    return this.getUser(actor, id);
  }

  /**
   * A new role takes effect on the user's next request: the access tokens issued before are
   * refused (token version bump) and the next refresh or sign-in carries the new role.
   */
  async changeRole(actor: StaffPrincipal, id: string, role: UserRole): Promise<UserEntity> {
    const user = await this.otherUserOfOrg(actor, id, 'change the role of');
    if (user.role === role) return user;
    const changed = await this.users.changeAccess(actor.orgId, id, { role });
    if (!changed) throw new DomainError(DomainErrorCode.NotFound, 'user not found');
    await this.access.publish(id, { version: changed.tokenVersion, active: changed.deactivatedAt === null });
    return this.getUser(actor, id);
  }

  // Not on oneself: an admin locking themselves out (or demoting the last admin) is never intended.
  private async otherUserOfOrg(actor: StaffPrincipal, id: string, what: string): Promise<UserEntity> {
    if (id === actor.userId)
      throw new DomainError(DomainErrorCode.Forbidden, `you cannot ${what} your own account`, {
        reason: 'own_account',
      });
    return this.getUser(actor, id);
  }

  async createCandidate(actor: StaffPrincipal, input: { email: string; fullName: string }): Promise<CandidateEntity> {
    try {
      return await this.candidates.create(actor.orgId, input);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError(
          DomainErrorCode.Conflict,
          'a candidate with this email already exists in your organization',
        );
      throw err;
    }
  }

  listCandidates(actor: StaffPrincipal, page: { limit: number; offset: number }): Promise<CandidateEntity[]> {
    return this.candidates.list(actor.orgId, page);
  }

  async getCandidate(actor: StaffPrincipal, id: string): Promise<CandidateEntity> {
    const candidate = await this.candidates.findById(actor.orgId, id);
    if (!candidate) throw new DomainError(DomainErrorCode.NotFound, 'candidate not found');
    return candidate;
  }
}
