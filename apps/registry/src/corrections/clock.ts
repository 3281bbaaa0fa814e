import { Injectable } from '@nestjs/common';

/**
 * "Now" for correction deadlines: every due time is computed from it and every overdue
 * check compares against it, so a test can fix it (jest.spyOn(app.get(Clock), 'now')).
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
