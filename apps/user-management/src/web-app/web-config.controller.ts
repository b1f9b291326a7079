import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { UM_CONFIG, type UserManagementConfig } from '../config';

export const WebConfigResponse = z.object({
  mediaApiUrl: z.url().describe('The media plane (video-streaming-server) as browsers reach it'),
});
export type WebConfigResponse = z.infer<typeof WebConfigResponse>;
class WebConfigResponseDto extends createZodDto(WebConfigResponse) {}

@ApiTags('web app')
@Controller('v1/web-config')
export class WebConfigController {
  constructor(@Inject(UM_CONFIG) private readonly config: UserManagementConfig) {}

  @Get()
  @ApiOperation({ summary: 'Where the web app finds the other public services; public, holds no secret.' })
  @ApiOkResponse({ type: WebConfigResponseDto })
  get(): WebConfigResponse {
    return { mediaApiUrl: this.config.web.mediaApiUrl };
  }
}
