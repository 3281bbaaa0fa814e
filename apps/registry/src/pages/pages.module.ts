import { Module } from '@nestjs/common';
import { PagesController } from './pages.controller';
import { PagesService } from './pages.service';

/** The debtor's page and the supervisors' dashboard (zh-CN), served by the service itself. */
@Module({ controllers: [PagesController], providers: [PagesService] })
export class PagesModule {}
