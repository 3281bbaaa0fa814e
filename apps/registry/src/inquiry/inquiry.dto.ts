import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { OptionalNotNull } from '../common/validation';

/** At least one of name and idNumber (checked by the service, which knows both). */
export class PublicListQuery {
  @ApiPropertyOptional({ example: '张三', description: 'Exact name of the listed person or organisation (no wildcards, no prefixes).' })
  @OptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    example: '11010519491231002X',
    description: 'The full resident ID, credit code or passport number; matched exactly through a keyed hash, so a partial number finds nothing.',
  })
  @OptionalNotNull()
  @IsString()
  @Matches(/^[0-9A-Za-z]{1,32}$/, { message: 'idNumber must be letters and digits only, at most 32' })
  idNumber?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1, description: 'Pages of 20; a search by name alone ends after page 10.' })
  @OptionalNotNull()
  @Matches(/^[1-9]\d{0,2}$/, { message: 'page must be an integer 1–999' })
  page?: string;
}
