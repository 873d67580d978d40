import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PublicRoute } from '../http/auth.guard';
import { ReadinessService } from './readiness.service';

@Controller()
@PublicRoute()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) response: Response) {
    const readiness = await this.readiness.check();
    response.status(readiness.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: readiness.ready ? 'ready' : 'not ready', checks: readiness.checks };
  }
}
