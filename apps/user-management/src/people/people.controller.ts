import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { CurrentStaff, StaffOnly } from '../auth/staff-auth.guard';
import { RECRUITING, type StaffPrincipal } from '../auth/staff-principal';
import { IdParam, Pagination } from '../common/params';
import type { CandidateEntity, UserEntity } from '../persistence/entities';
import {
  CandidateView,
  ChangeRoleRequest,
  CreateCandidateRequest,
  CreateUserRequest,
  UserView,
} from './people.schemas';
import { PeopleService } from './people.service';

class CreateUserRequestDto extends createZodDto(CreateUserRequest) {}
class ChangeRoleRequestDto extends createZodDto(ChangeRoleRequest) {}
class UserViewDto extends createZodDto(UserView) {}
class CreateCandidateRequestDto extends createZodDto(CreateCandidateRequest) {}
class CandidateViewDto extends createZodDto(CandidateView) {}
class IdParamDto extends createZodDto(IdParam) {}
class PaginationDto extends createZodDto(Pagination) {}

const userView = (u: UserEntity) => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  role: u.role,
  active: u.deactivatedAt === null,
  deactivatedAt: u.deactivatedAt?.toISOString() ?? null,
  createdAt: u.createdAt.toISOString(),
});
const candidateView = (c: CandidateEntity) => ({
  id: c.id,
  email: c.email,
  fullName: c.fullName,
  createdAt: c.createdAt.toISOString(),
});

@ApiTags('users')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly people: PeopleService) {}

  @Post()
  @StaffOnly('admin')
  @ApiOperation({ summary: 'Add a staff member to the organization (admins).' })
  @ApiCreatedResponse({ type: UserViewDto })
  @ApiConflictResponse({ description: 'the email is taken' })
  async create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateUserRequestDto) {
    return userView(await this.people.createUser(actor, body));
  }

  @Get()
  @StaffOnly()
  @ApiOkResponse({ type: [UserViewDto] })
  async list(@CurrentStaff() actor: StaffPrincipal, @Query() page: PaginationDto) {
    return (await this.people.listUsers(actor, page)).map(userView);
  }

  @Get('me')
  @StaffOnly()
  @ApiOkResponse({ type: UserViewDto })
  async me(@CurrentStaff() actor: StaffPrincipal) {
    return userView(await this.people.getUser(actor, actor.userId));
  }

  @Get(':id')
  @StaffOnly()
  @ApiOkResponse({ type: UserViewDto })
  async get(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    return userView(await this.people.getUser(actor, params.id));
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @StaffOnly('admin')
  @ApiOperation({
    summary:
      'Deactivate a staff member (admins, not oneself): their access tokens are refused from the next request, their sessions revoked, sign-in refused.',
  })
  @ApiOkResponse({ type: UserViewDto })
  @ApiNotFoundResponse({ description: 'no such user in your organization' })
  async deactivate(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    return userView(await this.people.deactivateUser(actor, params.id));
  }

  @Put(':id/role')
  @StaffOnly('admin')
  @ApiOperation({
    summary:
      'Change a staff member’s role (admins, not oneself). Their access tokens issued before are refused from the next request (401 token_revoked); a refresh carries the new role.',
  })
  @ApiOkResponse({ type: UserViewDto })
  @ApiNotFoundResponse({ description: 'no such user in your organization' })
  async changeRole(
    @CurrentStaff() actor: StaffPrincipal,
    @Param() params: IdParamDto,
    @Body() body: ChangeRoleRequestDto,
  ) {
    return userView(await this.people.changeRole(actor, params.id, body.role));
  }
}

@ApiTags('candidates')
@Controller('v1/candidates')
export class CandidatesController {
  constructor(private readonly people: PeopleService) {}

  @Post()
  @StaffOnly(...RECRUITING)
  @ApiCreatedResponse({ type: CandidateViewDto })
  @ApiConflictResponse({ description: 'a candidate with this email exists in the organization' })
  async create(@CurrentStaff() actor: StaffPrincipal, @Body() body: CreateCandidateRequestDto) {
    return candidateView(await this.people.createCandidate(actor, body));
  }

  @Get()
  @StaffOnly()
  @ApiOkResponse({ type: [CandidateViewDto] })
  async list(@CurrentStaff() actor: StaffPrincipal, @Query() page: PaginationDto) {
    return (await this.people.listCandidates(actor, page)).map(candidateView);
  }

  @Get(':id')
  @StaffOnly()
  @ApiOkResponse({ type: CandidateViewDto })
  async get(@CurrentStaff() actor: StaffPrincipal, @Param() params: IdParamDto) {
    return candidateView(await this.people.getCandidate(actor, params.id));
  }
}
