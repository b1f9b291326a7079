import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CurrentStaff, StaffOnly } from '../auth/staff-auth.guard';
import type { StaffPrincipal } from '../auth/staff-principal';
import type { OrganizationEntity } from '../persistence/entities';
import { OrganizationService } from './organization.service';

const OrganizationView = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  agentAutoJoin: z.boolean(),
  tier: z
    .enum(['standard', 'premium'])
    .describe('R-A2: premium orgs get an avatar for the interviewer (set by operators)'),
});
const UpdateOrganizationRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    agentAutoJoin: z
      .boolean()
      .optional()
      .describe('R-G1: whether the AI interviewer joins this org’s rooms on its own'),
  })
  .refine((b) => b.name !== undefined || b.agentAutoJoin !== undefined, 'give name or agentAutoJoin');
class OrganizationViewDto extends createZodDto(OrganizationView) {}
class UpdateOrganizationRequestDto extends createZodDto(UpdateOrganizationRequest) {}

const toView = (o: OrganizationEntity) => ({
  id: o.id,
  name: o.name,
  slug: o.slug,
  agentAutoJoin: o.agentAutoJoin,
  tier: o.tier,
});

@ApiTags('organization')
@Controller('v1/organization')
export class OrganizationController {
  constructor(private readonly organizations: OrganizationService) {}

  @Get()
  @StaffOnly()
  @ApiOperation({ summary: 'The caller’s organization and its flags.' })
  @ApiOkResponse({ type: OrganizationViewDto })
  async get(@CurrentStaff() actor: StaffPrincipal) {
    return toView(await this.organizations.get(actor));
  }

  @Patch()
  @StaffOnly('admin')
  @ApiOperation({ summary: 'Rename the organization or switch the agent auto-join flag (admins).' })
  @ApiOkResponse({ type: OrganizationViewDto })
  async update(@CurrentStaff() actor: StaffPrincipal, @Body() body: UpdateOrganizationRequestDto) {
    return toView(await this.organizations.update(actor, body));
  }
}
