import { Module } from '@nestjs/common';
import { CourtsRepository } from './courts.repository';

@Module({ providers: [CourtsRepository], exports: [CourtsRepository] })
export class CourtsModule {}
