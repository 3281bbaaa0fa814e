import { Global, Module } from '@nestjs/common';
import { DeliveryLedger } from '../deliveries/delivery-ledger';
import { PartnerDirectory } from './partner-directory';
import { PartnersRepository } from './partners.repository';

/** Partner registry and delivery ledger, shared by publishing, receipts and the APIs. */
@Global()
@Module({
  providers: [PartnersRepository, PartnerDirectory, DeliveryLedger],
  exports: [PartnersRepository, PartnerDirectory, DeliveryLedger],
})
export class PartnersCoreModule {}
