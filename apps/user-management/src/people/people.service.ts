import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { QueryFailedError } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher';
import type { StaffPrincipal } from '../auth/staff-principal';
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
