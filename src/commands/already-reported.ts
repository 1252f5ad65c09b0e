import { DomainError } from '../core/errors.js';

/**
 * A 进展 / 完成 refused because the measure is already reported (待销号) or
 * done. The sender could write to it, so files sent with the refused report
 * still attach to it as evidence (src/pipeline/evidence-step.ts).
 */
export class AlreadyReported extends DomainError {
  constructor(code: string, message: string, readonly item: { id: string; code: string }) {
    super(code, message);
  }
}
